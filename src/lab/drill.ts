/**
 * Failure drills on a deployed lab: K client sessions keep incrementing their
 * counters while a memcached or Tomcat container is stopped (and, for
 * `restart`, started again). The report counts what users would notice.
 */
import { timeline, type TimedRequest, type Timeline } from '../render/timeline';
import { storeNames, type ResolvedLab } from '../config/resolve';
import { UsageError } from '../errors';
import { containerLog, docker, stopMeasured, waitHealthy } from './docker';
import { ensureLabAnswers, keepAliveAgent, parseSessionId, SessionClient, type PageView } from './http';
import { settleLab } from './settle';

/** The note of a drill on a page that is not the sample app. */
export const IDENTITY_ONLY = 'session identity only: the page is not the sample app (no counter), so a changed session id counts as a lost session and updates are not checked';

export const SCENARIOS = ['memcached-down', 'redis-down', 'tomcat-down', 'restart', 'cold-start', 'rolling'] as const;

/**
 * The failover instant: the moment the node died. A request is "at the instant" only
 * when it was truly in flight then: sent before the node was gone and answered after it
 * began to go (t0 <= until and t1 >= from). Such a request can lose its write by design:
 * - a request whose write reached neither node (the kit's Manager writes the backup copy
 *   in the request, before the response, so only a request still in flight can);
 * - a Tomcat stopping mid-request can apply a write whose response is lost.
 * The next request of a session, even one sent right after the stop, is not excused:
 * the kit's Manager loads the backup copy when a read of the dead node fails
 * (tools/java/kit-manager). Any loss outside the instant breaks the mode's promise.
 * A lost update is the write of the request that made the counter the client saw last
 * (a repeated counter) or of a request the client saw fail (a skipped one), not of the
 * request that reveals it: it is at the instant when one of those was in flight then.
 * `from` is the stop signal, `until` the measured end of the node's process (the
 * container's FinishedAt) with the one-engine chaos, else the end of the stop command.
 */
export interface StopWindow {
  /** When the node began to go (ms into the run). */
  readonly from: number;
  /** When the node was gone (ms into the run). */
  readonly until: number;
}
export type Scenario = (typeof SCENARIOS)[number];

/** How long a rolling drill's traffic goes on after its change is done (ms). */
export const ROLLING_TAIL_MS = 3000;

export interface DrillOptions {
  readonly scenario: Scenario;
  /** Concurrent client sessions. @default 20 */
  readonly sessions?: number;
  /** Seconds of traffic. @default 12 */
  readonly durationS?: number;
  /** Container to stop. @default the first memcached node that is not a failover node, the Redis node, or the first Tomcat */
  readonly node?: string;
  /** Pause between two requests of one session, in ms. @default 20 */
  readonly thinkMs?: number;
  /** The page the sessions drive. @default the sample app (lab.probeUrl) */
  readonly url?: string;
  /**
   * The page is not the sample app: no counter, so only the session's identity
   * is checked (a new session id is a lost session; updates are not counted). @default false
   */
  readonly identityOnly?: boolean;
  /** When (Date.now()) the lab last saw a node fail, if known: settling then waits only the rest of nginx's fail_timeout. */
  readonly lastFailureAt?: number;
  readonly log?: (line: string) => void;
  /** How nodes are stopped and started, and how the lab settles first. @default docker stop/start of the node's container on the engine (one-engine lab) */
  readonly chaos?: DrillChaos;
  /** `rolling` only (required there): the change applied under load, e.g. `up` with another config. */
  readonly change?: DrillChange;
}

/**
 * The change a `rolling` drill applies while its sessions run: no node is stopped by
 * the drill; whatever the change does to the lab is what users would see. Traffic runs
 * until the change is done and a few seconds more. Every loss counts (no instant).
 */
export interface DrillChange {
  /** What the log says is done, e.g. "up --config b.json (rolling)". */
  readonly verb: string;
  /**
   * Applies the change; resolves with a line for the report and, when the change made
   * store nodes die (a rolling store replacement), when each died (epoch ms): requests in
   * flight then are at a failover instant, as in memcached-down.
   */
  run(): Promise<{ readonly line: string; readonly deaths?: ReadonlyArray<{ readonly node: string; readonly from: number; readonly until: number }> }>;
}

/**
 * The failure a drill injects, by node name. The default stops and starts the
 * node's container; a Swarm lab kills a task or stops a host's engine instead
 * (src/lab/swarm-drill.ts). The loss accounting is the same either way.
 */
export interface DrillChaos {
  /** What the log says is done, e.g. "docker stop". */
  readonly stopVerb: string;
  readonly startVerb: string;
  /** Stops the node; resolves with the instant (epoch ms) it died when that is known. */
  stop(node: string): Promise<number | void>;
  /** Brings the node back and waits until it is healthy. */
  start(node: string): Promise<void>;
  /** After the run: the node runs again, whatever happened (started if it is still down). */
  restore(node: string, log: (line: string) => void): Promise<void>;
  /** Before the run: every node answers through nginx. */
  settle(log: (line: string) => void, lastFailureAt?: number): Promise<void>;
}

function containerChaos(lab: ResolvedLab): DrillChaos {
  return {
    stopVerb: 'docker stop',
    startVerb: 'docker start',
    // The instant the container's process ended, as the engine recorded it (same clock).
    stop: async (node) => (await stopMeasured(node)).until,
    start: async (node) => {
      await docker('start', node);
      await waitHealthy(node);
    },
    restore: async (node, log) => {
      const state = await docker('inspect', '-f', '{{.State.Running}}', node).catch(() => 'unknown');
      if (state === 'false') {
        log(`  restoring ${node}`);
        await docker('start', node);
        await waitHealthy(node);
      }
    },
    settle: async (log, lastFailureAt) => void (await settleLab(lab, { log, lastFailureAt })),
  };
}

interface Sample extends PageView {
  readonly t0: number;
  readonly t1: number;
}

export interface DrillReport {
  readonly scenario: Scenario;
  readonly mode: 'sticky' | 'non-sticky';
  readonly node: string;
  readonly sessions: number;
  readonly requests: number;
  readonly requestsFailed: number;
  readonly sessionsLost: number;
  /** Of sessionsLost: those lost at the failover instant (msm semantics, see StopWindow). */
  readonly sessionsLostAtStop: number;
  /** Counter repeated or went back: a write the session lost. */
  readonly updatesRepeated: number;
  /** Counter jumped by more than one: a request the client saw fail was applied. */
  readonly updatesSkipped: number;
  readonly updatesLost: number;
  /** Of updatesLost: those at the failover instant (see StopWindow). */
  readonly updatesLostAtStop: number;
  /** Longest stretch (s) in which requests kept failing. */
  readonly longestFailureWindowS: number;
  /** Longest stretch (s) in which no request of any session succeeded, from the first answer to the last. */
  readonly longestGapS: number;
  /** From the stop to the end of the last failed request (s); 0 without failures. */
  readonly lastFailureAfterStopS: number;
  /** Nodes that served requests in the last quarter of the run. */
  readonly nodesAtEnd: readonly string[];
  readonly spreadAgain?: boolean;
  /** `rolling`: what the change did (e.g. "rolling apply, 4 steps"). */
  readonly change?: string;
  /** Whether the mode's promise held: no session and no update lost (non-sticky), traffic spread again (restart). */
  readonly ok: boolean;
  /** Why the drill failed besides lost sessions or updates (failed requests, a page without a session), each with its Fix. */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  /** Requests over time (0.5 s buckets) and the run's events: what the plot draws (render/plot-svg.ts). */
  readonly timeline: Timeline;
  /** cold-start only: seconds until the first answer, req/s in the first 5 s and after, what the Tomcat logs say. */
  readonly coldStart?: { readonly readyS: number; readonly firstRps: number; readonly restRps: number } & MsmLogCounts;
  readonly summary: string;
}


/** The requests as a timeline reads them: a request failed when it is among `failed`. */
function timed(all: readonly Sample[], failed: readonly Sample[]): TimedRequest[] {
  const bad = new Set(failed);
  return all.map((x) => ({ t0: x.t0, t1: x.t1, ok: !bad.has(x) }));
}

function pickNode(lab: ResolvedLab, opts: DrillOptions): string {
  if (opts.scenario === 'rolling') {
    if (!opts.change) throw new UsageError('drill rolling needs the change to apply. Fix: pass --to <config> (the same lab with the change made)');
    return 'every changed node';
  }
  if (opts.node) {
    const known = [...lab.tomcats.map((t) => t.name), ...storeNames(lab)];
    if (!known.includes(opts.node)) throw new UsageError(`--node ${opts.node} is not a node of lab ${lab.name}. Fix: use one of ${known.join(', ')}`);
    return opts.node;
  }
  if (opts.scenario === 'memcached-down' && lab.redis) throw new UsageError(`lab ${lab.name} stores sessions in Redis, not memcached. Fix: drill redis-down`);
  if (opts.scenario === 'redis-down') {
    if (!lab.redis) throw new UsageError(`lab ${lab.name} stores sessions in memcached, not Redis. Fix: drill memcached-down`);
    return lab.redis.name;
  }
  if (opts.scenario === 'memcached-down') {
    const failover = new Set(lab.failoverNodes);
    return (lab.memcacheds.find((m) => !failover.has(m.id)) ?? lab.memcacheds[0]).name;
  }
  return lab.tomcats[0].name;
}

/** Merges failed request intervals and returns the longest merged stretch, in ms. */
export function longestWindow(intervals: Array<[number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let best = 0;
  let cur: [number, number] | undefined;
  for (const [a, b] of sorted) {
    if (cur && a <= cur[1]) cur[1] = Math.max(cur[1], b);
    else {
      if (cur) best = Math.max(best, cur[1] - cur[0]);
      cur = [a, b];
    }
  }
  if (cur) best = Math.max(best, cur[1] - cur[0]);
  return best;
}

/** The longest time (ms) between two successful answers, lab-wide (answer instants t1 of the 200s). */
export function longestGap(samples: ReadonlyArray<Pick<Sample, 'status' | 't1'>>): number {
  const ok = samples.filter((s) => s.status === 200).map((s) => s.t1).sort((a, b) => a - b);
  let best = 0;
  for (let i = 1; i < ok.length; i++) best = Math.max(best, ok[i] - ok[i - 1]);
  return best;
}

type Seen = Pick<Sample, 'status' | 'counter' | 'session' | 't0' | 't1'>;

export interface SessionAnalysis {
  readonly lost: boolean;
  /** Whether the loss happened at the failover instant (see StopWindow). */
  readonly lostAtStop: boolean;
  /** What the loss looked like. */
  readonly why?: string;
  /** Index of the sample at which the session was found lost (the analysis stops there). */
  readonly lostIndex?: number;
  /** Counter repeated or went back: a write the session lost. */
  readonly repeated: number;
  /** Counter jumped by more than one: a write applied although its request failed on the client. */
  readonly skipped: number;
  /** Of repeated + skipped: those at the failover instant. */
  readonly updatesLostAtStop: number;
  /** Each lost update: when its response was asked for (t0), its kind, and whether it was at a failover instant. */
  readonly updates: ReadonlyArray<{ readonly t0: number; readonly kind: 'repeated' | 'skipped'; readonly atStop: boolean }>;
}

/**
 * Per-session analysis: identity by the hex part of the id, counter continuity
 * over successful responses. `stop` is the failover instant, or several (a soak
 * kills more than one node): a sample is at the failover instant of any of them.
 */
export function analyseSession(samples: readonly Seen[], stop?: StopWindow | readonly StopWindow[], identityOnly = false): SessionAnalysis {
  const windows: readonly StopWindow[] = stop === undefined ? [] : 'from' in stop ? [stop] : stop;
  const atStop = (i: number) => windows.some((w) => samples[i].t0 <= w.until && samples[i].t1 >= w.from);
  let lost = false;
  let lostAtStop = false;
  let lostIndex: number | undefined;
  let why: string | undefined;
  let repeated = 0;
  let skipped = 0;
  let updatesLostAtStop = 0;
  const updates: Array<{ t0: number; kind: 'repeated' | 'skipped'; atStop: boolean }> = [];
  let prev: Seen | undefined;
  let prevIndex = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (s.status !== 200 || (!identityOnly && s.counter === undefined) || !s.session) continue;
    if (prev) {
      const sameSession = parseSessionId(prev.session!).hex === parseSessionId(s.session).hex;
      if (!sameSession || (!identityOnly && s.counter === 1 && prev.counter! > 1)) {
        lost = true;
        lostAtStop = atStop(i);
        lostIndex = i;
        // The stop nearest before this request, for the message.
        const w = [...windows].reverse().find((x) => x.from <= s.t0) ?? windows[0];
        why = `${prev.session} (counter ${prev.counter}) became ${s.session} (counter ${s.counter}) ${w ? `at ${((s.t0 - w.from) / 1000).toFixed(3)} s after the stop began` : ''}`.trim();
        break;
      }
      if (identityOnly) {
        prev = s;
        prevIndex = i;
        continue;
      }
      const bad = s.counter! <= prev.counter! ? 'repeated' : s.counter! > prev.counter! + 1 ? 'skipped' : undefined;
      if (bad === 'repeated') repeated++;
      if (bad === 'skipped') skipped++;
      if (bad) {
        // The write that was lost is not this request's: a repeated counter means the previous
        // answer's write is missing, a skipped one that a request between them that the client saw
        // fail was applied. The loss is at the instant when any request from the previous answer
        // to this one was in flight then (this request may well be sent after the node died).
        let at = false;
        for (let j = prevIndex; j <= i && !at; j++) at = atStop(j);
        if (at) updatesLostAtStop++;
        updates.push({ t0: s.t0, kind: bad, atStop: at });
      }
    }
    prev = s;
    prevIndex = i;
  }
  return { lost, lostAtStop, why, lostIndex, repeated, skipped, updatesLostAtStop, updates };
}

/**
 * A session's requests around one of them (two before, one after): when each was sent
 * (seconds from `ref`), which node answered, the session id it answered with and its
 * counter. What a lost update's note shows, so that a rare loss can be read from CI's output.
 */
export function trailAround(samples: ReadonlyArray<Pick<Sample, 'status' | 'node' | 'session' | 'counter' | 't0'>>, t0: number, ref: number): string {
  const i = samples.findIndex((x) => x.t0 === t0);
  if (i < 0) return '';
  return samples
    .slice(Math.max(0, i - 2), i + 2)
    .map((x) => `${((x.t0 - ref) / 1000).toFixed(3)} s ${x.status === 200 ? `${x.node ?? '?'} ${x.session ?? 'no session'} #${x.counter ?? '?'}` : `HTTP ${x.status}`}${x.t0 === t0 ? ' <' : ''}`)
    .join(' | ');
}

/** What the Tomcat logs say about msm's failover paths during a run. */
export interface MsmLogCounts {
  /** `loadBackupSession … (will be relocated)`: a session read from its backup copy. */
  readonly relocated: number;
  /** spymemcached operation timeouts. */
  readonly timeouts: number;
  /** `Could not store session … in memcached`: a backup write that failed (msm then marks the node down). */
  readonly storeFailures: number;
  /**
   * `Could not load session with id …`: a read that failed (a timeout or a dead node).
   * msm then answers as if the session did not exist, and the request gets a new one.
   */
  readonly loadFailures: number;
}

/** Counts msm's failover and failure lines in the Tomcats' logs between two instants (until: now if omitted). */
export async function msmLogCounts(tomcats: readonly string[], sinceIso: string, untilIso?: string): Promise<MsmLogCounts> {
  let relocated = 0;
  let timeouts = 0;
  let storeFailures = 0;
  let loadFailures = 0;
  for (const t of tomcats) {
    const text = await containerLog(t, sinceIso, untilIso);
    relocated += (text.match(/will be relocated|session was relocated to this node/g) ?? []).length;
    timeouts += (text.match(/Timed out waiting for operation/g) ?? []).length;
    storeFailures += (text.match(/Could not store session/g) ?? []).length;
    loadFailures += (text.match(/Could not load session with id/g) ?? []).length;
  }
  return { relocated, timeouts, storeFailures, loadFailures };
}

/** What a drill's requests did, for its verdict (see judgeRequests). */
export interface RequestCounts {
  readonly scenario: Scenario;
  readonly requests: number;
  /** Answers that were not HTTP 200 (or no answer at all). */
  readonly httpFailed: number;
  /** HTTP 200 answers without a session (or, on the sample app, without its counter). */
  readonly withoutSession: number;
  /** The first failure's description, for the message. */
  readonly firstFailure?: string;
  /** The page the sessions drove. */
  readonly url: string;
}

/**
 * The checks every drill verdict starts with: a drill whose requests failed, or whose
 * page set no session, tested nothing it can vouch for. Failed requests fail every
 * scenario but cold-start, where requests fail by design until a Tomcat listens
 * (counted and reported there). Returns the problems, each ending in a Fix.
 */
export function judgeRequests(c: RequestCounts): string[] {
  const problems: string[] = [];
  const answered = c.requests - c.httpFailed;
  if (c.requests === 0) return [`no request was sent. Fix: run the drill longer (-d)`];
  if (answered > 0 && c.withoutSession === answered)
    problems.push(
      `none of the ${answered} answer(s) from ${c.url} carried a session: the page creates no session, so no session could be lost and the drill proves nothing. Fix: point --path at a page that creates a session (one that calls request.getSession()), or drop --path to use the kit's sample app`,
    );
  else if (c.withoutSession > 0 && c.scenario !== 'cold-start')
    problems.push(`${c.withoutSession} of ${answered} answer(s) came without a session (the page or its Tomcat dropped it). Fix: look at the Tomcat logs (docker logs <tomcat>) around the stop`);
  if (c.httpFailed > 0 && c.scenario !== 'cold-start')
    problems.push(
      `${c.httpFailed} of ${c.requests} request(s) failed${c.firstFailure ? ` (first: ${c.firstFailure})` : ''}: users saw errors. Fix: see the notes; with a node stopped nginx must retry on another one (proxy_next_upstream), and a 5xx from Tomcat is in its log (docker logs <tomcat>)`,
    );
  if (c.httpFailed === c.requests && c.scenario === 'cold-start') problems.push(`every one of the ${c.requests} request(s) failed. Fix: run longer (-d), and look at the Tomcat logs`);
  return problems;
}

function requestCounts(scenario: Scenario, url: string, samples: readonly Sample[], identityOnly: boolean | undefined): RequestCounts {
  const http = samples.filter((x) => x.status !== 200);
  const noSession = samples.filter((x) => x.status === 200 && (!x.session || (!identityOnly && x.counter === undefined)));
  const first = http[0] ?? noSession[0];
  const firstFailure = first === undefined ? undefined : `${first.status === 200 ? 'HTTP 200 without a session' : first.error ?? `HTTP ${first.status}`} at ${(first.t0 / 1000).toFixed(1)} s`;
  return { scenario, url, requests: samples.length, httpFailed: http.length, withoutSession: noSession.length, firstFailure };
}

/** When (ms into the run) the first request succeeded. */
function all200(samples: readonly Sample[][]): number | undefined {
  const ok = samples.flat().filter((s) => s.status === 200);
  return ok.length ? Math.min(...ok.map((s) => s.t1)) : undefined;
}

/**
 * `cold-start`: restart every Tomcat and send K sessions of back-to-back
 * requests at once, as a balancer under traffic does (requests fail until a
 * Tomcat listens; those are counted, not lost). No node fails, so every lost
 * session or update counts.
 */
async function runColdStart(lab: ResolvedLab, opts: DrillOptions): Promise<DrillReport> {
  const log = opts.log ?? (() => {});
  const K = opts.sessions ?? 20;
  const durationMs = (opts.durationS ?? 12) * 1000;
  const thinkMs = opts.thinkMs ?? 0;
  const names = lab.tomcats.map((t) => t.name);
  await ensureLabAnswers(lab.probeUrl, `deploy the lab first (msm-kit up --config <file>), or pass the --config it was deployed with`);
  await settleLab(lab, { log, lastFailureAt: opts.lastFailureAt });
  const since = new Date().toISOString();
  const t0 = performance.now();
  log(`drill cold-start: restarting ${names.join(', ')}`);
  await Promise.all(names.map((n) => docker('restart', '-t', '10', n)));
  log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s: restarted; ${K} sessions for ${durationMs / 1000} s at once (nginx sends traffic as soon as a Tomcat accepts it)`);
  const agent = keepAliveAgent(opts.url ?? lab.probeUrl, K);
  const clients = Array.from({ length: K }, () => new SessionClient(opts.url ?? lab.probeUrl, 10_000, agent));
  const samples: Sample[][] = clients.map(() => []);
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    clients.map(async (c, i) => {
      while (performance.now() < end) {
        const a = performance.now();
        const v = await c.get();
        samples[i].push({ ...v, t0: a - start, t1: performance.now() - start });
        // A failed request (no Tomcat listening yet) is retried after 100 ms, as a browser user would, not in a tight loop.
        const pause = v.status === 200 ? thinkMs : 100;
        if (pause) await new Promise((r) => setTimeout(r, pause));
      }
    }),
  );
  agent.destroy();
  await Promise.all(names.map((n) => waitHealthy(n)));
  const logs = await msmLogCounts(names, since);
  const firstOk = all200(samples);
  const readyS = firstOk === undefined ? NaN : firstOk / 1000;
  const all = samples.flat();
  const failed = all.filter((s) => s.status !== 200 || !s.session || (!opts.identityOnly && s.counter === undefined));
  const per = samples.map((s) => analyseSession(s, undefined, opts.identityOnly));
  const sessionsLost = per.filter((p) => p.lost).length;
  const updatesRepeated = per.reduce((a, p) => a + p.repeated, 0);
  const updatesSkipped = per.reduce((a, p) => a + p.skipped, 0);
  // req/s in the first 5 s after the first answer, and after that.
  const from = firstOk ?? 0;
  const firstS = Math.min(5, Math.max(0.001, (durationMs - from) / 1000));
  const firstRps = all.filter((s) => s.t1 > from && s.t1 <= from + firstS * 1000 && s.status === 200).length / firstS;
  const restRps = all.filter((s) => s.t1 > from + firstS * 1000 && s.status === 200).length / Math.max(0.001, (durationMs - from) / 1000 - firstS);
  const mode = lab.sticky ? 'sticky' : 'non-sticky';
  const notes = [
    `${failed.length} request(s) failed while the Tomcats started; first ${firstS} s after the first answer: ${firstRps.toFixed(0)} req/s; after: ${restRps.toFixed(0)} req/s`,
    `Tomcat logs: ${logs.relocated} session(s) relocated to their backup, ${logs.timeouts} memcached operation timeout(s), ${logs.storeFailures} failed store(s), ${logs.loadFailures} failed load(s)`,
    ...per.filter((p) => p.lost).slice(0, 5).map((p) => `lost: ${p.why}`),
  ];
  if (opts.identityOnly) notes.push(IDENTITY_ONLY);
  const answered = firstOk !== undefined;
  if (!answered) notes.push(`no request succeeded within ${durationMs / 1000} s of the restart: run longer (-d)`);
  const problems = judgeRequests(requestCounts('cold-start', opts.url ?? lab.probeUrl, all, opts.identityOnly));
  const ok = answered && problems.length === 0 && (lab.sticky ? true : sessionsLost === 0 && updatesRepeated + updatesSkipped === 0);
  const report: Omit<DrillReport, 'summary'> = {
    scenario: 'cold-start',
    mode,
    node: names.join(','),
    sessions: K,
    requests: all.length,
    requestsFailed: failed.length,
    sessionsLost,
    sessionsLostAtStop: 0,
    updatesRepeated,
    updatesSkipped,
    updatesLost: updatesRepeated + updatesSkipped,
    updatesLostAtStop: 0,
    longestFailureWindowS: longestWindow(failed.map((s) => [s.t0, s.t1])) / 1000,
    longestGapS: longestGap(all) / 1000,
    lastFailureAfterStopS: 0,
    nodesAtEnd: [...new Set(all.filter((s) => s.t0 > durationMs * 0.75 && s.status === 200).map((s) => s.node!))].sort(),
    ok,
    problems,
    notes,
    coldStart: { readyS, firstRps, restRps, ...logs },
    timeline: timeline(
      timed(all, failed),
      readyS === readyS ? [{ t: readyS, label: 'first answer' }] : [],
    ),
  };
  const summary = [
    `drill cold-start (${mode}, restarted ${names.join(', ')}; first answer ${readyS.toFixed(1)} s after the restart): ${all.length} requests from ${K} sessions`,
    `  sessions lost:   ${sessionsLost}`,
    `  updates lost:    ${report.updatesLost} (repeated ${updatesRepeated}, skipped ${updatesSkipped})`,
    `  requests failed: ${failed.length}`,
    ...notes.map((n) => `  ${n.startsWith('lost') ? 'note: ' : ''}${n}`),
    ...problems.map((p) => `FAIL: ${p}`),
    `${ok ? 'PASS' : 'FAIL'}: ${lab.sticky ? 'sticky mode: figures are reported' : 'non-sticky mode promises no lost session and no lost update when no node fails'}`,
  ].join('\n');
  return { ...report, summary };
}

export async function runDrill(lab: ResolvedLab, opts: DrillOptions): Promise<DrillReport> {
  if (opts.scenario === 'cold-start') return runColdStart(lab, opts);
  const log = opts.log ?? (() => {});
  const K = opts.sessions ?? 20;
  const durationMs = (opts.durationS ?? 12) * 1000;
  const thinkMs = opts.thinkMs ?? 20;
  const node = pickNode(lab, opts);
  const chaos = opts.chaos ?? containerChaos(lab);
  await ensureLabAnswers(lab.probeUrl, `deploy the lab first (msm-kit up --config <file>), or pass the --config it was deployed with`);
  await chaos.settle(log, opts.lastFailureAt);
  const notes: string[] = [];
  const agent = keepAliveAgent(opts.url ?? lab.probeUrl, K);
  const clients = Array.from({ length: K }, () => new SessionClient(opts.url ?? lab.probeUrl, 10_000, agent));
  const samples: Sample[][] = clients.map(() => []);
  const rolling = opts.scenario === 'rolling';
  const start = performance.now();
  // A rolling drill runs until its change is done, and TAIL_MS more.
  let end = rolling ? Infinity : start + durationMs;
  const stopAt = start + durationMs / 3;
  const startAt = opts.scenario === 'restart' ? start + (durationMs * 7) / 12 : Infinity;
  let stoppedAt = NaN;
  let stopDone = NaN;
  let startedAgainAt = NaN;
  /** When the node died (ms into the run), if the chaos measured it. */
  let diedAt: number | undefined;
  // Every session's pause is cut short right after the stop: each sends its next request
  // at once, the moment a user would notice (and msm's node check has not yet run).
  const sleepers = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  const wallStart = Date.now() - (performance.now() - start);

  if (opts.identityOnly) notes.push(IDENTITY_ONLY);
  log(
    rolling
      ? `drill rolling: ${K} sessions on ${opts.url ?? lab.probeUrl}; ${opts.change!.verb} at ${(durationMs / 3000).toFixed(1)} s, traffic until it is done and ${ROLLING_TAIL_MS / 1000} s more`
      : `drill ${opts.scenario}: ${K} sessions for ${durationMs / 1000} s on ${opts.url ?? lab.probeUrl}; stopping ${node} at ${(durationMs / 3000).toFixed(1)} s`,
  );
  let changeLine: string | undefined;
  let changeDeaths: Array<StopWindow & { node: string }> = [];
  const loops = clients.map(async (c, i) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const v = await c.get();
      samples[i].push({ ...v, t0: t0 - start, t1: performance.now() - start });
      if (thinkMs) await pause(thinkMs);
    }
  });
  const chaosRun = (async () => {
    await new Promise((r) => setTimeout(r, stopAt - performance.now()));
    if (rolling) {
      log(`  ${((performance.now() - start) / 1000).toFixed(1)} s: ${opts.change!.verb}`);
      stoppedAt = performance.now() - start;
      try {
        const done = await opts.change!.run();
        changeLine = done.line;
        changeDeaths = (done.deaths ?? []).map((d) => ({ node: d.node, from: d.from - wallStart, until: d.until - wallStart }));
      } finally {
        stopDone = performance.now() - start;
        end = performance.now() + ROLLING_TAIL_MS;
      }
      log(`  ${(stopDone / 1000).toFixed(1)} s: the change is done (${changeLine})`);
      return;
    }
    log(`  ${((performance.now() - start) / 1000).toFixed(1)} s: ${chaos.stopVerb} ${node}`);
    stoppedAt = performance.now() - start;
    const died = await chaos.stop(node);
    stopDone = performance.now() - start;
    for (const wake of [...sleepers]) wake();
    if (typeof died === 'number') diedAt = Math.min(stopDone, Math.max(stoppedAt, died - wallStart));
    if (startAt !== Infinity) {
      await new Promise((r) => setTimeout(r, Math.max(0, startAt - performance.now())));
      log(`  ${((performance.now() - start) / 1000).toFixed(1)} s: ${chaos.startVerb} ${node}`);
      await chaos.start(node);
      startedAgainAt = performance.now() - start;
      log(`  ${((performance.now() - start) / 1000).toFixed(1)} s: ${node} is healthy again`);
    }
  })();
  let chaosError: Error | undefined;
  try {
    await Promise.all([...loops, chaosRun.catch((e: Error) => (chaosError = e))]);
  } finally {
    // Leave the lab as it was: whatever happened, the stopped node runs again.
    if (!rolling) await chaos.restore(node, log);
    agent.destroy();
  }
  if (chaosError) throw chaosError;

  let spreadAgain: boolean | undefined;
  if (opts.scenario === 'restart') {
    // Fresh sessions after the restart: the restarted node must take its share again.
    await new Promise((r) => setTimeout(r, (lab.loadBalancer.failTimeout + 1) * 1000));
    const fresh = (await Promise.all(Array.from({ length: 4 * Math.max(lab.tomcats.length, lab.memcacheds.length) }, () => new SessionClient(lab.probeUrl).get()))).filter(
      (v) => v.status === 200 && v.session,
    );
    const memcached = lab.memcacheds.find((m) => m.name === node);
    if (lab.redis?.name === node) {
      // Redis keeps no data across a restart (no persistence): new sessions must be stored again.
      spreadAgain = fresh.length > 0;
      notes.push(`after the restart, ${fresh.length} new session(s) were served; Redis keeps nothing across a restart (the lab runs it without persistence), so every session stored before it is gone`);
    } else if (memcached) {
      // A restarted memcached node must take new sessions again (its id in their session ids).
      const ids = new Set(fresh.map((v) => parseSessionId(v.session!).memcachedId));
      spreadAgain = ids.has(memcached.id);
      notes.push(`after the restart, new sessions were stored on ${[...ids].join(', ')}`);
    } else {
      const served = new Set(fresh.map((v) => v.node));
      spreadAgain = served.has(node);
      notes.push(`after the restart, new sessions were served by ${[...served].join(', ')}`);
    }
  }

  const all = samples.flat();
  const failed = all.filter((s) => s.status !== 200 || !s.session || (!opts.identityOnly && s.counter === undefined));
  // The node was going away from the stop signal until its process ended (a Tomcat drains
  // and shuts its JVM down in between; memcached exits at once): only requests in flight then are excused.
  // A rolling change has no instant of its own (no node is meant to fail), only the measured
  // deaths of the store nodes it replaced, which to msm are node deaths; every other loss counts.
  const instant: StopWindow | StopWindow[] = rolling ? changeDeaths : { from: stoppedAt, until: diedAt ?? stopDone };
  const runMs = rolling ? Math.max(...all.map((x) => x.t1), durationMs) : durationMs;
  const per = samples.map((s) => analyseSession(s, instant, opts.identityOnly));
  const sessionsLost = per.filter((p) => p.lost).length;
  const sessionsLostAtStop = per.filter((p) => p.lost && p.lostAtStop).length;
  const updatesLostAtStop = per.reduce((a, p) => a + p.updatesLostAtStop, 0);
  const updatesRepeated = per.reduce((a, p) => a + p.repeated, 0);
  const updatesSkipped = per.reduce((a, p) => a + p.skipped, 0);
  const longestFailureWindowS = longestWindow(failed.map((s) => [s.t0, s.t1])) / 1000;
  const lastFailureAfterStopS = failed.length ? Math.max(0, (Math.max(...failed.map((s) => s.t1)) - stoppedAt) / 1000) : 0;
  const quarter = all.filter((s) => s.t0 > runMs * 0.75 && s.status === 200);
  const nodesAtEnd = [...new Set(quarter.map((s) => s.node!))].sort();
  const sticky = lab.sticky;
  const mode = sticky ? 'sticky' : 'non-sticky';

  for (const p of per.filter((x) => x.lost).slice(0, 5)) notes.push(`lost: ${p.why} (the stop took ${((stopDone - stoppedAt) / 1000).toFixed(3)} s)`);
  const lostUpdates = per.flatMap((p, i) => p.updates.map((u) => ({ ...u, session: i }))).sort((a, b) => a.t0 - b.t0);
  for (const u of lostUpdates.slice(0, 5)) {
    const id = samples[u.session].find((x) => x.t0 === u.t0)?.session ?? '?';
    notes.push(`update lost: session ${id}, a ${u.kind} counter in the request sent ${((u.t0 - (diedAt ?? stoppedAt)) / 1000).toFixed(3)} s after ${node} ${diedAt === undefined ? 'began to stop' : 'died'}${u.atStop ? ' (in flight at the instant)' : ''}`);
    notes.push(`  its requests around it: ${trailAround(samples[u.session], u.t0, diedAt ?? stoppedAt)}`);
  }
  if (sticky && updatesRepeated > 0)
    notes.push('sticky mode: a session lives in its Tomcat and is copied to memcached after each request; a write made just before its Tomcat stopped can be missing from that copy');
  if (sticky && sessionsLost > 0 && opts.scenario !== 'tomcat-down' && !lab.redis)
    notes.push('sticky mode: sessions whose only copy was on the stopped memcached node and whose Tomcat could not re-send it are lost');
  if (updatesSkipped > 0) notes.push(`${updatesSkipped} update(s) were applied although the client saw the request fail (the response was lost, not the write)`);

  if (sessionsLostAtStop + updatesLostAtStop > 0)
    notes.push(
      `${sessionsLostAtStop} session(s) and ${updatesLostAtStop} update(s) were lost at the failover instant (requests in flight when ${node} died${diedAt === undefined ? ', while it was being stopped' : `, ${(diedAt / 1000).toFixed(3)} s into the run`}): msm semantics, see docs/modes.md`,
    );
  // Redis is one node: nothing holds a non-sticky session while it is down; sticky sessions live on in their Tomcats.
  const redisDown = lab.redis !== undefined && node === lab.redis.name && opts.scenario !== 'restart';
  if (redisDown && !sticky)
    notes.push('non-sticky mode with one Redis node: while Redis is down msm can neither load nor store a session, so requests fail or sessions are lost; nothing else holds a copy. Use sticky mode to keep sessions through a Redis outage');
  if (redisDown && sticky) notes.push('sticky mode with Redis down: sessions live on in their Tomcats; only their copies in Redis are missed');
  // What Redis being down did: losses from the moment the stop began, outside the instant.
  // A sticky session lost before that (its next request routed to another Tomcat before msm's
  // asynchronous copy reached Redis) is sticky mode's, reported and not laid at Redis's door.
  const lostBeforeStop = per.filter((p, i) => p.lost && p.lostIndex !== undefined && samples[i][p.lostIndex].t0 < stoppedAt).length;
  if (redisDown && sticky && lostBeforeStop > 0)
    notes.push(`${lostBeforeStop} session(s) were lost before Redis was stopped (sticky mode: a request routed to another Tomcat before msm's asynchronous copy reached the store); not counted against the Redis outage`);
  if (rolling && changeDeaths.length)
    notes.push(`store nodes replaced, each a node death to msm: ${changeDeaths.map((d) => `${d.node} at ${(d.from / 1000).toFixed(3)}–${(d.until / 1000).toFixed(3)} s`).join(', ')}`);
  const promiseHeld = rolling
    ? sessionsLost === sessionsLostAtStop && updatesRepeated + updatesSkipped === updatesLostAtStop
    : redisDown
    ? sticky ? sessionsLost - lostBeforeStop === sessionsLostAtStop : sessionsLost === sessionsLostAtStop && updatesRepeated + updatesSkipped === updatesLostAtStop
    : sticky ? true : sessionsLost === sessionsLostAtStop && updatesRepeated + updatesSkipped === updatesLostAtStop;
  const problems = judgeRequests(requestCounts(opts.scenario, opts.url ?? lab.probeUrl, all, opts.identityOnly));
  const ok = promiseHeld && (spreadAgain ?? true) && problems.length === 0;
  const report: Omit<DrillReport, 'summary'> = {
    scenario: opts.scenario,
    mode,
    node,
    sessions: K,
    requests: all.length,
    requestsFailed: failed.length,
    sessionsLost,
    sessionsLostAtStop,
    updatesRepeated,
    updatesSkipped,
    updatesLost: updatesRepeated + updatesSkipped,
    updatesLostAtStop,
    longestFailureWindowS,
    longestGapS: longestGap(all) / 1000,
    lastFailureAfterStopS,
    nodesAtEnd,
    spreadAgain,
    change: changeLine,
    ok,
    problems,
    notes,
    timeline: timeline(
      timed(all, failed),
      [
        ...(Number.isFinite(stoppedAt) ? [{ t: stoppedAt / 1000, label: rolling ? opts.change!.verb.split(' --config')[0] : `${chaos.stopVerb} ${node}` }] : []),
        ...(rolling && Number.isFinite(stopDone) ? [{ t: stopDone / 1000, label: 'change done' }] : []),
        ...(Number.isFinite(startedAgainAt) ? [{ t: startedAgainAt / 1000, label: `${node} healthy again` }] : []),
      ],
    ),
  };
  const summary = [
    `drill ${opts.scenario} (${mode}, ${rolling ? opts.change!.verb : `${opts.chaos ? chaos.stopVerb : 'stopped'} ${node}`}): ${all.length} requests from ${K} sessions`,
    `  sessions lost:   ${sessionsLost} (${sessionsLostAtStop} at the failover instant, ${sessionsLost - sessionsLostAtStop} after it)`,
    `  updates lost:    ${report.updatesLost} (repeated ${updatesRepeated}, skipped ${updatesSkipped}; ${updatesLostAtStop} at the failover instant, ${report.updatesLost - updatesLostAtStop} after it)`,
    `  requests failed: ${failed.length}`,
    ...(rolling ? [`  change: ${opts.change!.verb}: ${changeLine} (${((stopDone - stoppedAt) / 1000).toFixed(1)} s under load)`] : []),
    `  longest failure window: ${longestFailureWindowS.toFixed(2)} s; last failure ${lastFailureAfterStopS.toFixed(2)} s after the ${rolling ? 'change began' : 'stop'}; longest time without an answer: ${(longestGap(all) / 1000).toFixed(2)} s`,
    `  nodes serving at the end: ${nodesAtEnd.join(', ') || 'none'}`,
    ...notes.map((n) => `  note: ${n}`),
    ...problems.map((p) => `FAIL: ${p}`),
    rolling
      ? `${ok ? 'PASS' : 'FAIL'}: a rolling change promises no failed request and no lost session or update (but for a write in flight when a replaced store node died, as in memcached-down)`
      : redisDown
      ? sticky
        ? `${ok ? 'PASS' : 'FAIL'}: sticky mode with Redis down keeps every session in its Tomcat (no loss after the instant)`
        : ok
          ? 'PASS: no request failed and no session was lost while Redis was down (non-sticky, one Redis node: the outage was too short to hit)'
          : 'FAIL: non-sticky mode with one Redis node cannot serve or keep sessions while Redis is down (figures above). Fix: run sticky mode (sessions live on in their Tomcats), or memcached with two nodes (msm keeps a backup copy)'
      : `${ok ? 'PASS' : 'FAIL'}: ${sticky ? 'sticky mode makes no loss-free promise; figures are reported' : 'non-sticky mode promises no lost session and no lost update after the failover instant'}${spreadAgain === false ? '; the restarted node took no new sessions' : ''}`,
  ].join('\n');
  return { ...report, summary };
}
