/**
 * A settled lab, before a drill's traffic: every container healthy, nginx's
 * failure memory (`fail_timeout`) run out, and every Tomcat answering through
 * nginx. Without it a drill that follows a deploy or another drill measures the
 * previous event (a node nginx still counts as failed, a cold JSP).
 */
import { storeNames, type ResolvedLab } from '../config/resolve';
import { StepError } from '../errors';
import { containerLog, waitHealthy } from './docker';
import { SessionClient } from './http';

export interface SettleVerdict {
  readonly settled: boolean;
  /** Expected nodes that have not answered yet. */
  readonly missing: readonly string[];
}

/** Settled when every expected Tomcat node answered at least once (answers from unknown nodes and failed requests do not count). */
export function settledFrom(expected: readonly string[], answered: Iterable<string | undefined>): SettleVerdict {
  const seen = new Set<string>();
  for (const n of answered) if (n !== undefined) seen.add(n);
  const missing = expected.filter((n) => !seen.has(n));
  return { settled: expected.length > 0 && missing.length === 0, missing };
}

/**
 * How long (ms) to wait out nginx's failure memory: `failTimeoutS` in full,
 * unless the last failure is known (`lastFailureMs`, on the clock of `nowMs`),
 * then only what is left of it.
 */
export function failMemoryWaitMs(failTimeoutS: number, nowMs: number, lastFailureMs?: number): number {
  const full = Math.max(0, failTimeoutS) * 1000;
  if (lastFailureMs === undefined) return full;
  return Math.min(full, Math.max(0, lastFailureMs + full - nowMs));
}

/**
 * nginx's error-log lines that mean it counted a Tomcat as failed. The lab's nginx logs at
 * `warn` (render/nginx-conf.ts), so with `max_fails` 1 every failure that takes a node out
 * is there ("temporarily disabled"), beside the connect, timeout and premature-close errors.
 */
export const NGINX_FAILURE_LINE = /upstream server temporarily disabled|no live upstreams|while connecting to upstream|upstream timed out|upstream prematurely closed|while reading response header from upstream/;

/**
 * The instant (ms since the epoch) of the last failure in `text`, lines of `docker logs
 * --timestamps` (each starts with the engine's RFC 3339 time); undefined when none is there.
 */
export function lastNginxFailureMs(text: string): number | undefined {
  let last: number | undefined;
  for (const line of text.split('\n')) {
    if (!NGINX_FAILURE_LINE.test(line)) continue;
    const at = Date.parse(line.slice(0, line.indexOf(' ')));
    if (Number.isFinite(at)) last = Math.max(last ?? at, at);
  }
  return last;
}

/**
 * When the lab's nginx last counted a Tomcat as failed, read from its log over the last
 * fail_timeout (and 2 s more): that instant plus 1 s (the log line trails the event), or,
 * when no failure is there, one whole fail_timeout ago (nothing left to wait out).
 * Undefined when the log cannot be read: the caller waits the whole fail_timeout.
 */
export async function nginxLastFailureAt(lab: ResolvedLab, nowMs = Date.now()): Promise<number | undefined> {
  const memoryMs = Math.max(0, lab.loadBalancer.failTimeout) * 1000;
  const since = new Date(nowMs - memoryMs - 2000).toISOString();
  let text: string;
  try {
    text = await containerLog(lab.loadBalancer.name, since, undefined, true);
  } catch {
    return undefined;
  }
  const last = lastNginxFailureMs(text);
  return last === undefined ? nowMs - memoryMs : last + 1000;
}

export interface SettleOptions {
  /** When (Date.now()) the lab last saw a failure, if known; unknown waits the whole fail_timeout. */
  readonly lastFailureAt?: number;
  /** Seconds to wait for health, and again for the nodes' answers. @default 180 */
  readonly timeoutS?: number;
  readonly log?: (line: string) => void;
}

export interface SettleReport {
  readonly healthyS: number;
  readonly failMemoryS: number;
  readonly answersS: number;
  readonly probes: number;
}

/** The lab's containers, Tomcats first. */
export function labContainers(lab: ResolvedLab): string[] {
  return [...lab.tomcats.map((t) => t.name), ...storeNames(lab), lab.loadBalancer.name];
}

export async function settleLab(lab: ResolvedLab, opts: SettleOptions = {}): Promise<SettleReport> {
  const log = opts.log ?? (() => {});
  const timeoutS = opts.timeoutS ?? 180;
  const s = (ms: number) => (ms / 1000).toFixed(1);
  let t = performance.now();
  const containers = labContainers(lab);
  log(`settling: ${containers.join(', ')} healthy, nginx fail_timeout run out, then every Tomcat answering through ${lab.probeUrl} (up to ${timeoutS} s each)`);
  await Promise.all(containers.map((n) => waitHealthy(n, timeoutS)));
  const healthyMs = performance.now() - t;

  // Known from the caller, else from nginx's own log (docker captures it; stderr lines included).
  const fromLog = opts.lastFailureAt === undefined;
  const lastFailureAt = opts.lastFailureAt ?? (await nginxLastFailureAt(lab));
  const waitMs = failMemoryWaitMs(lab.loadBalancer.failTimeout, Date.now(), lastFailureAt);
  if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));

  // Fresh sessions each time: round-robin (non-sticky) or the balancer's spread of new sessions (sticky).
  t = performance.now();
  const expected = lab.tomcats.map((x) => x.name);
  const answered: string[] = [];
  let probes = 0;
  let last = '';
  for (;;) {
    const v = await new SessionClient(lab.probeUrl, 30_000).get();
    probes++;
    if (v.status === 200 && v.node) answered.push(v.node);
    else last = v.error ?? `HTTP ${v.status}`;
    const verdict = settledFrom(expected, answered);
    if (verdict.settled) break;
    if ((performance.now() - t) / 1000 > timeoutS)
      throw new StepError(
        'settle',
        `${verdict.missing.join(', ')} did not answer through ${lab.probeUrl} within ${timeoutS} s (${probes} requests; answered: ${[...new Set(answered)].join(', ') || 'none'}${last ? `; last failure: ${last}` : ''}). Fix: check docker logs ${verdict.missing[0]} and docker logs ${lab.loadBalancer.name}; a node nginx counts as failed comes back after loadBalancer.failTimeout (${lab.loadBalancer.failTimeout} s)`,
      );
    if (v.status !== 200) await new Promise((r) => setTimeout(r, 250));
  }
  // Sticky: nginx keeps each route's upstream apart, with its own memory of failed nodes. A
  // route whose node failed (a drill, verify --failover) lets one request probe it after
  // fail_timeout and sends the requests that come meanwhile to a backup node, where a session
  // whose copy has not reached the store yet is lost. One request per route, with a session
  // id carrying it, until its own node answers: the route is whole again.
  if (lab.sticky && !lab.swarm)
    for (const tc of lab.tomcats.filter((x) => x.jvmRoute)) {
      for (;;) {
        const v = await new SessionClient(lab.probeUrl, 30_000).useSessionId(`${'0'.repeat(32)}.${tc.jvmRoute}`).get();
        probes++;
        if (v.status === 200 && v.node === tc.name) break;
        if ((performance.now() - t) / 1000 > timeoutS)
          throw new StepError('settle', `nginx's route ${tc.jvmRoute} did not reach ${tc.name} within ${timeoutS} s (last: ${v.node ?? v.error ?? `HTTP ${v.status}`}). Fix: check docker logs ${lab.loadBalancer.name}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  const answersMs = performance.now() - t;
  log(
    `settled: ${containers.length} containers healthy in ${s(healthyMs)} s; waited ${s(waitMs)} s of nginx fail_timeout (${lab.loadBalancer.failTimeout} s${lastFailureAt === undefined ? ', last failure unknown' : fromLog ? ", from nginx's log" : ''}); ${expected.join(', ')} answered in ${s(answersMs)} s (${probes} requests)`,
  );
  return { healthyS: healthyMs / 1000, failMemoryS: waitMs / 1000, answersS: answersMs / 1000, probes };
}

/**
 * Until every Tomcat of the lab has answered through `url` (fresh sessions, by the page's `node`
 * field), up to `timeoutS`: a Swarm's or a cluster's settle, whose nodes are not containers here.
 */
export async function everyTomcatAnswers(lab: ResolvedLab, url: string, step: string, timeoutS = 120): Promise<void> {
  const want = new Set(lab.tomcats.map((t) => t.name));
  const until = Date.now() + timeoutS * 1000;
  while (want.size && Date.now() < until) {
    const v = await new SessionClient(url, 10_000).get();
    if (v.status === 200 && v.node) want.delete(v.node);
    else await new Promise((r) => setTimeout(r, 250));
  }
  if (want.size) throw new StepError(step, `${[...want].join(', ')} did not answer through ${url} within ${timeoutS} s`);
}
