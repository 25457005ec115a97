/**
 * A rolling `up`: a change to a running lab applied one node at a time, so that
 * users keep being served while it lands (issue 23). Terraform stays the engine of
 * record: the kit reads Terraform's plan, applies it in targeted steps, and ends
 * with a full apply and a plan that must be empty.
 *
 *   1. images (and anything else that is not a container) are built first: no node
 *      goes away while an image builds;
 *   2. store nodes (memcached, Redis) one at a time, each healthy before the next,
 *      with a pause for msm to see it back (to msm a replaced store is a node death:
 *      the kit's Manager reads the backup copies, see tools/java/kit-manager);
 *   3. new Tomcats are created (nginx does not route to them yet);
 *   4. each changed Tomcat in turn: drained from nginx (marked `down`, nginx
 *      reloaded: no new request, the old workers finish theirs), replaced, healthy,
 *      answering through msm (two requests of one session, straight to the node),
 *      put back;
 *   5. the rest (nginx itself, removed nodes) in one full apply, then `terraform plan`
 *      must show nothing left to do.
 *
 * Planning is pure (`rollingSteps`, from Terraform's JSON plan); running it is
 * `rollingApply`.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NGINX_CONF_FILE, NGINX_CONF_MOUNT, NGINX_CONF_UPLOADED, TOMCAT_PORT } from '../config/layout';
import { storeNames, type ResolvedLab } from '../config/resolve';
import { StepError } from '../errors';
import { renderNginxConf } from '../render/nginx-conf';
import { docker, dockerInput, stopMeasured, waitHealthy } from './docker';
import { SessionClient } from './http';
import { initStack, terraform, terraformOutput } from './terraform';

/** One resource's change in Terraform's JSON plan (`terraform show -json`), as far as the kit reads it. */
export interface PlanChange {
  readonly address: string;
  readonly type: string;
  readonly actions: readonly string[];
  /** The container's name (before or after the change) for a docker_container. */
  readonly name?: string;
}

/** The resource type of nginx's recorded configuration (LoadBalancer's `Config`, a terraform_data). */
const NGINX_CONFIG_TYPE = 'terraform_data';

/** What a change does to its resource. */
export type ChangeKind = 'create' | 'replace' | 'update' | 'delete';

export function changeKind(actions: readonly string[]): ChangeKind | undefined {
  const a = new Set(actions);
  if (a.has('create') && a.has('delete')) return 'replace';
  if (a.has('create')) return 'create';
  if (a.has('delete')) return 'delete';
  if (a.has('update')) return 'update';
  return undefined; // no-op, read
}

/** Reads the changes out of `terraform show -json <plan>`. */
export function parsePlan(json: string): PlanChange[] {
  const plan = JSON.parse(json) as {
    resource_changes?: Array<{ address: string; type: string; change: { actions: string[]; before?: { name?: string } | null; after?: { name?: string } | null } }>;
  };
  return (plan.resource_changes ?? [])
    .filter((r) => changeKind(r.change.actions) !== undefined)
    .map((r) => ({ address: r.address, type: r.type, actions: r.change.actions, name: r.change.after?.name ?? r.change.before?.name ?? undefined }));
}

export type RollingStep =
  /** Build images and whatever else is no container, before any node goes away. */
  | { readonly kind: 'prepare'; readonly targets: readonly string[] }
  /** One store node (memcached or Redis): replaced, created or removed. */
  | { readonly kind: 'store'; readonly node: string; readonly address: string; readonly change: ChangeKind }
  /** A new Tomcat: created before the others are rolled (nginx routes to it once it is in its config). */
  | { readonly kind: 'tomcat-create'; readonly node: string; readonly address: string }
  /** A changed Tomcat: drained from nginx, replaced, checked, put back. */
  | { readonly kind: 'tomcat'; readonly node: string; readonly address: string }
  /** nginx, removed Tomcats and anything left: one full apply. */
  | { readonly kind: 'rest'; readonly what: readonly string[] };

export interface RollingPlan {
  readonly steps: readonly RollingStep[];
  /** Set when the change cannot be rolled: why, and `up` applies it all at once (said loudly). */
  readonly allAtOnce?: string;
  /** What users may still notice (e.g. nginx is replaced): printed before the steps. */
  readonly warnings: readonly string[];
}

/**
 * Orders a plan's changes into rolling steps (see the module comment). Pure.
 * `lab` is the lab being applied: its Tomcats, stores and load balancer by name.
 */
export function rollingSteps(lab: ResolvedLab, changes: readonly PlanChange[]): RollingPlan {
  const tomcats = new Set(lab.tomcats.map((t) => t.name));
  const stores = new Set(storeNames(lab));
  const warnings: string[] = [];
  if (changes.length === 0) return { steps: [], warnings };
  const network = changes.find((c) => c.type === 'docker_network');
  if (network) return { steps: [], warnings, allAtOnce: `the lab's network is ${changeKind(network.actions) === 'replace' ? 'replaced' : 'changed'} (network.subnet or its name): every container goes with it` };
  const containers = changes.filter((c) => c.type === 'docker_container');
  // nginx's configuration (LoadBalancer's Config: its provisioner reloads nginx) goes last, once every node it names runs.
  const nginxConfig = changes.filter((c) => c.type === NGINX_CONFIG_TYPE);
  const prepare = changes.filter((c) => c.type !== 'docker_container' && c.type !== NGINX_CONFIG_TYPE).map((c) => c.address);
  const steps: RollingStep[] = [];
  if (prepare.length) steps.push({ kind: 'prepare', targets: prepare });
  const rest: string[] = nginxConfig.length ? [`${lab.loadBalancer.name}'s configuration (reloaded)`] : [];
  const changedTomcats: RollingStep[] = [];
  const createdTomcats: RollingStep[] = [];
  for (const c of containers) {
    const kind = changeKind(c.actions)!;
    const name = c.name ?? c.address;
    if (stores.has(name) || (kind === 'delete' && /Memcached|Redis/.test(c.address))) steps.push({ kind: 'store', node: name, address: c.address, change: kind });
    else if (tomcats.has(name) && kind === 'create') createdTomcats.push({ kind: 'tomcat-create', node: name, address: c.address });
    else if (tomcats.has(name)) changedTomcats.push({ kind: 'tomcat', node: name, address: c.address });
    else rest.push(name);
  }
  const changedCount = changedTomcats.length;
  if (changedCount > 0 && changedCount >= lab.tomcats.length && lab.tomcats.length < 2)
    warnings.push(`lab ${lab.name} has one Tomcat: it cannot be drained while another serves, so users see a gap while it is replaced (add a node to roll without one)`);
  if (lab.redis && steps.some((s) => s.kind === 'store' && s.node === lab.redis!.name && s.change !== 'create'))
    warnings.push(
      lab.sticky
        ? 'the Redis node is replaced: sticky sessions live on in their Tomcats and are stored again on their next request'
        : 'the Redis node is replaced: it is the only store and keeps nothing across a restart, so non-sticky sessions are lost (use sticky mode, or change Redis when nobody uses the lab)',
    );
  if (rest.includes(lab.loadBalancer.name))
    warnings.push(`nginx (${lab.loadBalancer.name}) is replaced (its image, ports, certificate or settings changed): requests fail for the second or two it takes to start`);
  // The full apply at the end also converges whatever a targeted step left (terraform's advice after -target).
  steps.push(...createdTomcats, ...changedTomcats, { kind: 'rest', what: rest });
  return { steps, warnings };
}


const PLAN_FILE = 'msm-kit-rolling.tfplan';

/** Terraform's plan for the stack, as changes. */
export async function planChanges(stackDir: string, env?: Record<string, string>, log?: (line: string) => void): Promise<PlanChange[]> {
  await initStack(stackDir, log);
  const plan = await terraformOutput(stackDir, ['plan', '-input=false', '-no-color', `-out=${PLAN_FILE}`], env);
  if (plan.code !== 0) throw new StepError('rolling', `terraform plan exited with ${plan.code}:\n${(plan.stderr || plan.stdout).trim().split('\n').slice(-15).join('\n')}`);
  try {
    const show = await terraformOutput(stackDir, ['show', '-json', PLAN_FILE], env);
    if (show.code !== 0) throw new StepError('rolling', `terraform show -json exited with ${show.code}: ${show.stderr.trim()}`);
    return parsePlan(show.stdout);
  } finally {
    rmSync(join(stackDir, PLAN_FILE), { force: true });
  }
}

/**
 * Where a running nginx reads its configuration: the host directory mounted at
 * NGINX_CONF_MOUNT (a lab on this machine's engine, see LoadBalancer), else the file
 * uploaded into the container (an engine elsewhere, or a lab deployed before the mount).
 * Read from the container itself, so that a lab being moved from one to the other is
 * handled as it runs.
 */
export async function nginxConfHostDir(container: string): Promise<string | undefined> {
  const mounts = JSON.parse(await docker('inspect', '--format', '{{json .Mounts}}', container)) as Array<{ Source: string; Destination: string }> | null;
  return (mounts ?? []).find((m) => m.Destination === NGINX_CONF_MOUNT)?.Source;
}

/**
 * Loads `conf` into the running nginx without stopping it: written beside the live
 * file, tested with `nginx -t`, moved into place, `nginx -s reload`. Then waits until
 * the old workers have finished their requests (they exit once they have none).
 */
export async function reloadNginx(container: string, conf: string, waitS = 40): Promise<{ drainedS: number }> {
  const hostDir = await nginxConfHostDir(container);
  if (hostDir !== undefined) {
    // The mounted directory: the file is replaced on this machine by a rename (the mount is of the directory, so nginx sees the new file).
    const next = join(hostDir, `${NGINX_CONF_FILE}.msm-kit-next`);
    writeFileSync(next, conf);
    try {
      await docker('exec', container, 'nginx', '-t', '-q', '-c', `${NGINX_CONF_MOUNT}/${NGINX_CONF_FILE}.msm-kit-next`);
    } catch (e) {
      rmSync(next, { force: true });
      throw e;
    }
    renameSync(next, join(hostDir, NGINX_CONF_FILE));
    await docker('exec', container, 'nginx', '-c', `${NGINX_CONF_MOUNT}/${NGINX_CONF_FILE}`, '-s', 'reload');
  } else {
    const next = `${NGINX_CONF_UPLOADED}.msm-kit-next`;
    await dockerInput(conf, 'exec', '-i', container, 'sh', '-c', `cat > ${next} && nginx -t -q -c ${next} && mv ${next} ${NGINX_CONF_UPLOADED} && nginx -s reload`);
  }
  const t0 = Date.now();
  // The master starts new workers and tells the old ones to finish; an old worker's title reads "shutting down".
  await new Promise((r) => setTimeout(r, 200));
  for (;;) {
    // "[d]own": the pattern must not match this very command line (sh -c and grep carry it).
    const n = Number(await docker('exec', container, 'sh', '-c', 'grep -l "is shutting [d]own" /proc/[0-9]*/cmdline 2>/dev/null | wc -l').catch(() => '0'));
    if (!(n > 0)) break;
    if (Date.now() - t0 > waitS * 1000) throw new StepError('rolling', `nginx's old workers in ${container} still serve requests after ${waitS} s. Fix: look at docker logs ${container}; requests longer than loadBalancer.readTimeout are cut anyway`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { drainedS: (Date.now() - t0) / 1000 };
}


/**
 * A replaced Tomcat is back when it answers the sample page twice for one session,
 * straight to its address (not through nginx): the second answer carries the counter
 * the first one stored through msm.
 */
export async function answersThroughMsm(lab: ResolvedLab, node: string, timeoutS = 60): Promise<void> {
  const t = lab.tomcats.find((x) => x.name === node);
  if (!t) throw new StepError('rolling', `no Tomcat named ${node} in lab ${lab.name}`);
  const url = `http://${t.ip}:${TOMCAT_PORT}${new URL(lab.probeUrl).pathname}`;
  const until = Date.now() + timeoutS * 1000;
  let last = '';
  for (;;) {
    const c = new SessionClient(url, 5000);
    const a = await c.get();
    const b = a.status === 200 ? await c.get() : a;
    if (a.status === 200 && b.status === 200 && a.session && b.session === a.session && a.counter !== undefined && b.counter === a.counter + 1) return;
    last = a.status !== 200 ? (a.error ?? `HTTP ${a.status}`) : `session ${a.session ?? 'none'} counter ${a.counter} then ${b.session ?? 'none'} counter ${b.counter}`;
    if (Date.now() > until) throw new StepError('rolling', `${node} is healthy but did not keep a session through msm within ${timeoutS} s (${last}). Fix: see docker logs ${node}; the lab now runs with ${node} drained from nginx: run up again once it is fixed`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface RollingOptions {
  readonly log: (line: string) => void;
  /** TF_VAR_* of sensitive variables. @default none */
  readonly env?: Record<string, string>;
  /** Seconds to wait after a store node is back before the next one goes (msm marks it available again, sessions are stored on it again). @default 3 */
  readonly storePauseS?: number;
}

/** The figures of a rolling apply, for the log and the drill. */
export interface RollingResult {
  readonly steps: number;
  readonly seconds: number;
  /**
   * When each replaced or removed store node died (epoch ms, from its stop signal to the
   * end of its process): to msm a store node going is a node death, and a write in flight
   * then can miss its backup copy (see drill.ts, StopWindow). Empty without store steps.
   */
  readonly storeDeaths: ReadonlyArray<{ readonly node: string; readonly from: number; readonly until: number }>;
  /** Set when the plan could not be rolled and was applied at once. */
  readonly allAtOnce?: string;
}

/**
 * Applies the synthesized stack in `stackDir` to the running lab one node at a time
 * (see the module comment). Ends with a full apply and an empty plan.
 */
export async function rollingApply(lab: ResolvedLab, stackDir: string, opts: RollingOptions): Promise<RollingResult> {
  const { log, env } = opts;
  const t0 = Date.now();
  const s = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const apply = (targets: readonly string[]) =>
    terraform('apply', stackDir, ['apply', '-auto-approve', '-input=false', '-no-color', ...targets.map((t) => `-target=${t}`)], log, { watchLab: lab.name, env });
  const changes = await planChanges(stackDir, env, log);
  const plan = rollingSteps(lab, changes);
  if (plan.allAtOnce) {
    log(`[rolling] !!! cannot roll this change: ${plan.allAtOnce}; applying it at once`);
    await apply([]);
    return { steps: 1, seconds: (Date.now() - t0) / 1000, allAtOnce: plan.allAtOnce, storeDeaths: [] };
  }
  for (const w of plan.warnings) log(`[rolling] !!! ${w}`);
  log(`[rolling] ${changes.length} change(s) in ${plan.steps.length} step(s): ${plan.steps.map(describe).join(' → ')}`);
  const lb = lab.loadBalancer.name;
  const storeDeaths: Array<{ node: string; from: number; until: number }> = [];
  for (const step of plan.steps) {
    switch (step.kind) {
      case 'prepare':
        log(`[rolling] ${s()}: building before any node goes: ${step.targets.join(', ')}`);
        await apply(step.targets);
        break;
      case 'store':
        log(`[rolling] ${s()}: store node ${step.node} (${step.change})`);
        if (step.change !== 'create') {
          // Stopped here, not inside terraform's destroy: the instant it died is then measured.
          storeDeaths.push({ node: step.node, ...(await stopMeasured(step.node)) });
        }
        await apply([step.address]);
        if (step.change !== 'delete') {
          await waitHealthy(step.node);
          await new Promise((r) => setTimeout(r, (opts.storePauseS ?? 3) * 1000));
        }
        break;
      case 'tomcat-create':
        log(`[rolling] ${s()}: new Tomcat ${step.node}`);
        await apply([step.address]);
        await waitHealthy(step.node);
        break;
      case 'tomcat': {
        const drain = lab.tomcats.length > 1;
        if (drain) {
          const d = await reloadNginx(lb, renderNginxConf(lab, { drained: [step.node] }));
          log(`[rolling] ${s()}: ${step.node} drained from nginx (its last requests finished in ${d.drainedS.toFixed(1)} s); replacing it`);
        } else log(`[rolling] ${s()}: replacing ${step.node} (the only Tomcat: not drained)`);
        try {
          await apply([step.address]);
          await waitHealthy(step.node);
          await answersThroughMsm(lab, step.node);
        } catch (e) {
          // Leave nginx routing to every node, as before the step: a broken node is then
          // skipped by nginx's own failure handling, and the next up starts from a whole lab.
          if (drain) await reloadNginx(lb, renderNginxConf(lab)).then(
            () => log(`[rolling] ${step.node} failed its step: nginx routes to every node again`),
            (r: Error) => log(`[rolling] !!! could not put nginx back (${r.message}): ${step.node} stays drained until the next up`),
          );
          throw e;
        }
        if (drain) await reloadNginx(lb, renderNginxConf(lab));
        log(`[rolling] ${s()}: ${step.node} is back in nginx (healthy, kept a session through msm)`);
        break;
      }
      case 'rest':
        log(`[rolling] ${s()}: the rest in one apply${step.what.length ? ` (${step.what.join(', ')})` : ''}`);
        await apply([]);
        break;
    }
  }
  const check = await terraformOutput(stackDir, ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-lock=true'], env);
  if (check.code !== 0)
    throw new StepError(
      'rolling',
      `after the rolling apply terraform still plans changes (exit ${check.code}):\n${check.stdout.split('\n').filter((l) => /^\s*[-+~]|Plan:/.test(l)).slice(0, 20).join('\n')}\nFix: run up again (or up --all-at-once)`,
    );
  log(`[rolling] done in ${s()}: terraform plan is empty`);
  return { steps: plan.steps.length, seconds: (Date.now() - t0) / 1000, storeDeaths };
}

function describe(step: RollingStep): string {
  switch (step.kind) {
    case 'prepare':
      return 'images';
    case 'store':
      return `${step.node} (${step.change})`;
    case 'tomcat-create':
      return `${step.node} (new)`;
    case 'tomcat':
      return `${step.node} (drain, replace, back)`;
    case 'rest':
      return 'the rest';
  }
}
