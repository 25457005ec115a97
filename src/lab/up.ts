/**
 * `up` as a library call: synthesize, apply (rolling onto a live lab, at once
 * otherwise), wait for health, check the running versions, wait for the first
 * answer. The CLI's `up` and `drill rolling` both call it.
 */
import type { LabConfig } from '../config/schema';
import { appliedMarkPathFor } from '../config/layout';
import { terraformSecretEnv } from '../config/secrets';
import { waitHealthy } from './docker';
import { announceStandIns } from './images';
import { labContainers } from './settle';
import { applyStack } from './terraform';
import { clearAppliedMark, labIsLive, whyApply, writeAppliedMark } from './unchanged';
import { checkRunningVersions } from './versions';
import type { SynthResult } from '../synth/synth';
import type { RollingResult } from './rolling';

export interface UpOptions {
  /** Output directory (artifacts, Terraform JSON, state). */
  readonly outDir: string;
  /** Deploy on the kit's offline stand-ins. @default false */
  readonly standIns?: boolean;
  /** Apply even when nothing changed. @default false */
  readonly force?: boolean;
  /**
   * Replace every changed node at once, as Terraform does by itself: fastest, for a lab
   * nobody uses. Otherwise a change to a live lab rolls one node at a time (src/lab/rolling.ts).
   * @default false
   */
  readonly allAtOnce?: boolean;
  readonly log: (line: string) => void;
}

export interface UpResult {
  readonly synth: SynthResult;
  /** The lab's base URL (nginx; a Swarm lab's on its manager's host). */
  readonly base: string;
  /** How the change was applied. */
  readonly applied: 'unchanged' | 'at-once' | 'rolling';
  readonly seconds: number;
  /** Rolling: when each replaced store node died (see RollingResult.storeDeaths). @default none */
  readonly storeDeaths: RollingResult['storeDeaths'];
}

/** How an up went, for a report: "rolling apply in 41.2 s", "applied at once in 9.0 s", "nothing to apply in 1.1 s". */
export function appliedLine(up: Pick<UpResult, 'applied' | 'seconds'>): string {
  return `${up.applied === 'rolling' ? 'rolling apply' : up.applied === 'at-once' ? 'applied at once' : 'nothing to apply'} in ${up.seconds.toFixed(1)} s`;
}

export async function upLab(config: LabConfig, opts: UpOptions): Promise<UpResult> {
  const started = Date.now();
  const { log } = opts;
  log('[synth] rendering the lab');
  const { synthLab } = await import('../synth/synth');
  const r = await synthLab(config, { outDir: opts.outDir, standIns: opts.standIns, fetch: { log }, log });
  announceStandIns(r.lab, log);
  const mark = appliedMarkPathFor(r.lab.name, opts.outDir);
  const containers = labContainers(r.lab);
  let base = r.lab.url;
  if (r.lab.swarm) {
    const { prepareSwarm } = await import('./swarm');
    base = await prepareSwarm(r.lab, r.artifacts.imageContextDir, r.artifacts.tomcatImageTag, log);
  }
  // A Kubernetes lab's URL is nginx's NodePort (lab.url already).
  if (r.lab.kubernetes) await (await import('./kube')).prepareKube(r.lab, r.artifacts.imageContextDir, r.artifacts.tomcatImageTag, log);
  // The no-change path is one engine's: a Swarm's tasks and a cluster's pods are not containers the state records.
  const remote = r.lab.swarm ? 'a Swarm lab is always applied' : r.lab.kubernetes ? 'a Kubernetes lab is always applied (terraform changes only what differs)' : undefined;
  const why = remote ?? (opts.force ? '--force' : await whyApply(mark, r.stackDir, r.statePath, containers));
  let applied: UpResult['applied'] = 'unchanged';
  let storeDeaths: RollingResult['storeDeaths'] = [];
  const env = terraformSecretEnv(r.lab.manager);
  if (why === undefined) {
    log('[apply] nothing changed since the last apply and the containers it made run: terraform and the version check skipped (--force applies anyway)');
  } else {
    clearAppliedMark(mark);
    // A lab that runs has users: roll the change onto it, one node at a time (Swarm: its services' update_config;
    // Kubernetes: each Tomcat's Deployment starts its new pod before it stops the old one).
    const rolling = !remote && !opts.allAtOnce && (await labIsLive(r.statePath));
    if (rolling) {
      log(`[apply] rolling apply in ${r.stackDir} (state: ${r.statePath}; ${why}; the lab runs: one node at a time, --all-at-once to replace them together)`);
      const { rollingApply } = await import('./rolling');
      storeDeaths = (await rollingApply(r.lab, r.stackDir, { log, env })).storeDeaths;
      applied = 'rolling';
    } else {
      log(`[apply] terraform apply in ${r.stackDir} (state: ${r.statePath}; ${why}${opts.allAtOnce ? '; --all-at-once' : ''})`);
      await applyStack(r.stackDir, log, r.lab.name, env);
      applied = 'at-once';
    }
    if (r.lab.kubernetes) {
      // terraform waited for each Deployment's rollout; a pod restarted since may still be starting.
      const { execInNode, waitPodReady } = await import('./kube');
      await Promise.all(Object.keys(r.lab.kubernetes.placement).map((n) => waitPodReady(r.lab, n)));
      await checkRunningVersions(r.lab, log, (node, script) => execInNode(r.lab, node, script));
    } else if (!r.lab.swarm) {
      // terraform waits for health only on the containers it creates; one it merely started again (a stopped one) may still be booting.
      await Promise.all(containers.map((c) => waitHealthy(c)));
      await checkRunningVersions(r.lab, log);
      writeAppliedMark(mark, r.stackDir, r.statePath);
    }
  }
  return { synth: r, base, applied, seconds: (Date.now() - started) / 1000, storeDeaths };
}

export interface DownOptions {
  /** The output directory `up` used (its state is there). */
  readonly outDir: string;
  /** The lab was deployed on the kit's offline stand-ins. @default false */
  readonly standIns?: boolean;
  readonly log: (line: string) => void;
}

/**
 * `down` as a library call: synthesize (for the stack and its state), forget the
 * applied mark, terraform destroy. Images are kept as a cache. Returns whether a
 * state was there to destroy.
 */
export async function downLab(config: LabConfig, opts: DownOptions): Promise<{ readonly hadState: boolean; readonly name: string }> {
  const { existsSync } = await import('node:fs');
  const { synthLab } = await import('../synth/synth');
  const { destroyStack } = await import('./terraform');
  const r = await synthLab(config, { outDir: opts.outDir, standIns: opts.standIns, fetch: { log: opts.log }, log: opts.log });
  clearAppliedMark(appliedMarkPathFor(r.lab.name, opts.outDir));
  const hadState = existsSync(r.statePath);
  if (!hadState) opts.log(`[destroy] no state at ${r.statePath}: nothing was deployed from --out ${opts.outDir} (pass the --out used with up)`);
  await destroyStack(r.stackDir, opts.log, terraformSecretEnv(r.lab.manager));
  return { hadState, name: r.lab.name };
}
