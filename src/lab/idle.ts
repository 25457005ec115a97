/**
 * Idle sessions across a store node's restart: what a busy drill cannot see. A memcached node
 * that comes back (a restarted container, a Kubernetes pod replaced within seconds) comes back
 * empty; a session that nobody used while it was away still names it. `sessions` sessions make
 * two requests each (counter 2), `restart` runs, nobody uses them for `quietS` seconds, new
 * sessions are made until msm stores one on the restarted node again (its client is connected:
 * the node answers, empty), then each idle session makes one more request: it is kept when it
 * answers with counter 3. The kit's Manager restores such a session from
 * its backup copy (tools/java/kit-manager, since 1.5.0); msm alone finds nothing and starts a
 * new, empty session (measured in docs/drills.md).
 */
import type { ResolvedLab } from '../config/resolve';
import { UsageError } from '../errors';
import { docker, waitHealthy } from './docker';
import { SessionClient } from './http';
import { killPod } from './kube-drill';
import { waitPodReady } from './kube';

export interface IdleReport {
  readonly sessions: number;
  readonly kept: number;
  /** The sessions that came back empty or under another id: "<id> → <what the request saw>". */
  readonly lost: readonly string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until msm stores new sessions on memcached node `nodeId` again (a new session's id names
 * it and its second request reads counter 2): msm's client is connected to the restarted node,
 * so the idle sessions' next requests read it, not a failed connection.
 */
async function msmUsesNode(probeUrl: string, nodeId: string, timeoutS = 90): Promise<number> {
  const until = Date.now() + timeoutS * 1000;
  for (let tries = 1; ; tries++) {
    const c = new SessionClient(probeUrl, 30_000);
    await c.get();
    const v = await c.get();
    if (v.status === 200 && v.counter === 2 && v.session?.split('.')[0].endsWith(`-${nodeId}`)) return tries;
    if (Date.now() > until) throw new Error(`idle sessions: no new session was stored on memcached node ${nodeId} within ${timeoutS} s of its restart (${tries} tried)`);
    await sleep(200);
  }
}

export async function idleSessionsAcross(probeUrl: string, restart: () => Promise<void>, opts: { sessions?: number; quietS?: number; nodeId: string; log?: (l: string) => void }): Promise<IdleReport> {
  const n = opts.sessions ?? 30;
  const clients = Array.from({ length: n }, () => new SessionClient(probeUrl, 30_000));
  const ids: string[] = [];
  for (const c of clients) {
    await c.get();
    const v = await c.get();
    if (v.status !== 200 || v.counter !== 2 || !v.session) throw new Error(`idle sessions: a new session did not reach counter 2 (HTTP ${v.status}, counter ${v.counter ?? 'none'}) on ${probeUrl}`);
    ids.push(v.session);
  }
  opts.log?.(`idle sessions: ${n} sessions at counter 2; restarting, then ${opts.quietS ?? 15} s without a request`);
  await restart();
  await sleep((opts.quietS ?? 15) * 1000);
  const tries = await msmUsesNode(probeUrl, opts.nodeId);
  opts.log?.(`idle sessions: msm stores new sessions on ${opts.nodeId} again (${tries} new session(s) tried)`);
  const lost: string[] = [];
  for (const [i, c] of clients.entries()) {
    const v = await c.get();
    const same = v.session?.split(/[-.]/)[0] === ids[i].split(/[-.]/)[0];
    if (v.status !== 200 || v.counter !== 3 || !same) lost.push(`${ids[i]} → HTTP ${v.status}, counter ${v.counter ?? 'none'}, session ${v.session ?? 'none'}`);
  }
  opts.log?.(`idle sessions: ${n - lost.length} of ${n} kept their counter across the restart`);
  return { sessions: n, kept: n - lost.length, lost };
}

/** The scenario name `msm-kit drill` takes for this check (beside drill.ts's SCENARIOS). */
export const IDLE_SCENARIO = 'memcached-restart';

/**
 * Restarts a memcached node of a deployed lab the way its engine does: on one engine `docker
 * restart` (then healthy); on Kubernetes its pod is killed and the Deployment's new pod becomes
 * Ready. The node comes back empty either way.
 */
export async function restartStoreNode(lab: ResolvedLab, node: string): Promise<void> {
  if (lab.swarm) throw new UsageError(`drill ${IDLE_SCENARIO} runs on one engine or Kubernetes, not on a Swarm yet. Fix: drop engine, or use engine.kind "kubernetes"`);
  if (lab.kubernetes) {
    await killPod(lab, node);
    await waitPodReady(lab, node);
    return;
  }
  await docker('restart', '-t', '10', node);
  await waitHealthy(node);
}
