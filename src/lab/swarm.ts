/**
 * What a Swarm lab needs at deploy time and after, through the docker CLI
 * pointed at the Swarm manager: the manager answers, every placement names a
 * node that exists, the Tomcat image is built and pushed to the registry the
 * nodes pull from; then where each node's task runs and the lab's URL.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SWARM_HOST_LABEL } from '../config/layout';
import type { ResolvedLab } from '../config/resolve';
import type { ResolvedSwarm } from '../config/swarm';
import { StepError, UsageError } from '../errors';

const exec = promisify(execFile);

/** `docker -H <manager> ...`. */
export async function dockerAt(host: string, args: string[], timeoutMs = 600_000): Promise<string> {
  try {
    const { stdout } = await exec('docker', ['-H', host, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') throw new StepError('docker', 'the docker client is not on PATH. Fix: install Docker');
    throw new StepError('swarm', `docker -H ${host} ${args.join(' ')} failed: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' ')}`);
  }
}

export interface SwarmNode {
  readonly id: string;
  /** Its msm-kit.host label ('' when unset). */
  readonly host: string;
  readonly addr: string;
  readonly state: string;
}

function swarmOf(lab: ResolvedLab): ResolvedSwarm {
  if (!lab.swarm) throw new UsageError(`lab ${lab.name} is not a Swarm lab. Fix: set engine.kind to "swarm" in its config`);
  return lab.swarm;
}

/** The Swarm's nodes, as its manager lists them; a clear error when no manager answers. */
export async function swarmNodes(lab: ResolvedLab): Promise<SwarmNode[]> {
  const { manager } = swarmOf(lab);
  let control: string;
  try {
    control = await dockerAt(manager, ['info', '--format', '{{.Swarm.ControlAvailable}}'], 20_000);
  } catch {
    throw new StepError('swarm', `no Docker engine answers on engine.manager ${manager}. Fix: start the test cluster (bash scripts/setup/swarm-cluster.sh up) or point engine.manager at a Swarm manager`);
  }
  if (control !== 'true') throw new StepError('swarm', `the engine on ${manager} is not a Swarm manager. Fix: point engine.manager at a manager node (docker node ls works there)`);
  const ids = (await dockerAt(manager, ['node', 'ls', '-q'])).split('\n').filter(Boolean);
  const out = await dockerAt(manager, ['node', 'inspect', '--format', `{{.ID}} {{index .Spec.Labels "${SWARM_HOST_LABEL}"}} {{.Status.Addr}} {{.Status.State}}`, ...ids]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id, host, addr, state] = l.split(' ');
      return { id, host: host === '<no' ? '' : host, addr, state };
    });
}

/** Refuses a placement that names no node of the Swarm (before anything is deployed). */
export function checkPlacements(lab: ResolvedLab, nodes: readonly SwarmNode[]): void {
  const swarm = swarmOf(lab);
  const hosts = [...new Set(nodes.map((n) => n.host).filter(Boolean))].sort();
  const bad = Object.entries(swarm.placement).filter(([, p]) => (p.where.startsWith('node:') ? !nodes.some((n) => n.id === p.where.slice(5)) : !hosts.includes(p.where)));
  if (bad.length === 0) return;
  const lines = bad.map(([name, p]) => `engine.placement.${name}: no node of the Swarm on ${swarm.manager} ${p.where.startsWith('node:') ? 'has this id' : `has the label ${SWARM_HOST_LABEL}=${p.where}`} (got "${p.where}")`);
  throw new UsageError(
    `${lines.join('\n')}\nFix: use one of the hosts ${hosts.join(', ') || '(none labelled)'} or node:<id> of ${nodes.map((n) => n.id).join(', ')}; label a node with docker node update --label-add ${SWARM_HOST_LABEL}=<host> <node>`,
  );
}

/** Builds the Tomcat image on the manager and pushes it to the registry (the other nodes pull it from there). */
export async function pushTomcatImage(lab: ResolvedLab, contextDir: string, tag: string, log: (l: string) => void): Promise<void> {
  const { manager, registry } = swarmOf(lab);
  const t0 = Date.now();
  await dockerAt(manager, ['build', '-q', '-t', tag, contextDir]);
  await dockerAt(manager, ['push', '-q', tag]);
  log(`[swarm] built ${tag} on ${manager} and pushed it to ${registry} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

/** Where each node's running task is, by node name: its host label (or node id); '' when no task runs. */
export async function taskHosts(lab: ResolvedLab, nodes?: readonly SwarmNode[]): Promise<Record<string, string>> {
  const swarm = swarmOf(lab);
  const all = nodes ?? (await swarmNodes(lab));
  const out: Record<string, string> = {};
  for (const name of Object.keys(swarm.placement)) {
    // {{.Node}} of `service ps` is a hostname (the same on every host of the test cluster): go through node ids.
    const tasks = (await dockerAt(swarm.manager, ['service', 'ps', name, '--filter', 'desired-state=running', '-q'])).split('\n').filter(Boolean);
    const running = tasks.length ? (await dockerAt(swarm.manager, ['inspect', '--format', '{{.NodeID}} {{.Status.State}}', ...tasks])).split('\n').filter((l) => l.endsWith(' running')) : [];
    const nodeId = running[0]?.split(' ')[0];
    const n = all.find((x) => x.id === nodeId);
    out[name] = nodeId === undefined ? '' : n ? n.host || n.id : nodeId;
  }
  return out;
}

/**
 * Before apply: the manager answers, every placement names a node, the Tomcat
 * image is in the registry. Returns the lab's URL.
 */
export async function prepareSwarm(lab: ResolvedLab, imageContextDir: string, tomcatImageTag: string, log: (l: string) => void): Promise<string> {
  const nodes = await swarmNodes(lab);
  checkPlacements(lab, nodes);
  log(`[swarm] ${nodes.length} nodes on ${lab.swarm!.manager}: ${nodes.map((n) => `${n.host || n.id} (${n.addr}, ${n.state})`).join(', ')}`);
  await pushTomcatImage(lab, imageContextDir, tomcatImageTag, log);
  return swarmUrl(lab, nodes);
}

/** The lab's URL: nginx's published port on the address of the node its task runs on. */
export async function swarmUrl(lab: ResolvedLab, nodes?: readonly SwarmNode[]): Promise<string> {
  const swarm = swarmOf(lab);
  const all = nodes ?? (await swarmNodes(lab));
  const where = swarm.placement[lab.loadBalancer.name].where;
  const n = where.startsWith('node:') ? all.find((x) => x.id === where.slice(5)) : all.find((x) => x.host === where);
  if (!n) throw new StepError('swarm', `no node for nginx's placement "${where}"`);
  return `http://${n.addr}:${lab.loadBalancer.port}/`;
}
