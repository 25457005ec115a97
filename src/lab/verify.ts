/**
 * `verify`: the seed's manual check as a command. N requests through nginx
 * with one cookie jar; passes when the session kept its identity, the counter
 * rose by exactly one per request and (non-sticky) more than one node served.
 */
import type { JavaVersionNumber, TomcatVersionName } from '../config/schema';
import { parseSessionId, SessionClient, type PageView } from './http';
import { javaMatches, tomcatMatches } from './versions';

export interface VerifyOptions {
  readonly url: string;
  readonly requests: number;
  readonly sticky: boolean;
  /**
   * Halfway through, stop the Tomcat container that served the last request
   * (and start it again at the end): the session must go on elsewhere with its data.
   * @default false
   */
  readonly failover?: boolean;
  /** Stops and starts a container; used with `failover`. */
  readonly docker?: { stop(name: string): Promise<void>; start(name: string): Promise<void> };
  readonly log?: (line: string) => void;
  /** The versions the config names: every page must report them. @default not checked */
  readonly expect?: { readonly tomcat: TomcatVersionName; readonly java: JavaVersionNumber };
  /**
   * The URL is the kit's sample app (counter and versions on the page). For any
   * other app only the session's identity across nodes is checked (cookie and
   * X-Msm-Kit-Node header). @default true
   */
  readonly sampleApp?: boolean;
  /** The lab uses SASL (manager.username/password): a new session on every request is explained as a likely credential mismatch. @default false */
  readonly sasl?: boolean;
}

/** The verdict's explanation when every request got a new session in a SASL lab. */
export const SASL_HINT = 'sessions are not stored: check the memcached username/password (SASL)';

export interface VerifyResult {
  readonly ok: boolean;
  readonly verdict: string;
  readonly views: readonly PageView[];
}

/** With `failover`, how many requests are answered before the serving Tomcat is stopped. */
export const failoverStopAfter = (requests: number): number => Math.floor(requests / 2);

export async function verifyLab(opts: VerifyOptions): Promise<VerifyResult> {
  const log = opts.log ?? (() => {});
  const client = new SessionClient(opts.url, 30_000);
  const views: PageView[] = [];
  log(`${'#'.padStart(4)}  ${'node'.padEnd(16)} ${'session id'.padEnd(52)} counter`);
  const stopAfter = opts.failover ? failoverStopAfter(opts.requests) : Infinity;
  let stopped: string | undefined;
  try {
    for (let i = 1; i <= opts.requests; i++) {
      const v = await client.get();
      views.push(v);
      log(`${String(i).padStart(4)}  ${(v.node ?? '-').padEnd(16)} ${(v.session ?? v.error ?? '-').padEnd(52)} ${v.counter ?? '-'}`);
      if (i === stopAfter && v.node && opts.docker) {
        stopped = v.node;
        log(`      -- docker stop ${stopped} --`);
        await opts.docker.stop(stopped);
      }
    }
  } finally {
    if (stopped && opts.docker) {
      log(`      -- docker start ${stopped} --`);
      await opts.docker.start(stopped);
    }
  }
  const problems: string[] = [];
  const sample = opts.sampleApp ?? true;
  const failed = views.filter((v) => v.status !== 200 || v.session === undefined || (sample && v.counter === undefined));
  const answered = views.filter((v) => v.status === 200);
  const noSession = answered.filter((v) => failed.includes(v));
  const httpFailed = views.filter((v) => v.status !== 200);
  if (answered.length > 0 && noSession.length === answered.length) {
    const by = [...new Set(answered.map((v) => v.node ?? 'a node that does not name itself'))].join(', ');
    problems.push(
      `all ${answered.length} answer(s) came back (HTTP 200, served by ${by}) but none carried a session${sample ? ' and the sample page\'s counter' : ''}: the page creates no session, so session sharing was not tested. Fix: point --path at a page that creates a session (one that calls request.getSession()), or drop --path to use the kit's sample app`,
    );
  } else if (noSession.length) problems.push(`${noSession.length} answer(s) came without a session${sample ? ' or counter' : ''}`);
  if (httpFailed.length) problems.push(`${httpFailed.length} request(s) failed (${httpFailed[0].error ?? `HTTP ${httpFailed[0].status}`})`);
  const ok = views.filter((v) => !failed.includes(v));
  const hexes = new Set(ok.map((v) => parseSessionId(v.session!).hex));
  // msm with SASL credentials memcached refuses cannot store or load a session: every request starts a new one.
  if (opts.sasl && ok.length > 1 && hexes.size === ok.length) problems.push(SASL_HINT);
  if (hexes.size > 1) problems.push(`the session id changed ${hexes.size - 1} time(s)`);
  if (opts.failover) {
    const before = ok.slice(0, stopAfter);
    const after = ok.slice(stopAfter);
    if (!stopped) problems.push('no node was stopped');
    if (after.some((v) => v.node === stopped)) problems.push(`${stopped} served requests after it was stopped`);
    if (after.length === 0) problems.push('no request succeeded after the stop');
    if (opts.sticky) {
      for (const [phase, vs] of [['before', before], ['after', after]] as const) {
        const nodes = new Set(vs.map((v) => v.node));
        const routes = new Set(vs.map((v) => parseSessionId(v.session!).route));
        if (nodes.size > 1) problems.push(`${phase} the stop, a sticky session was served by ${[...nodes].join(', ')}`);
        if (routes.size > 1 || routes.has(undefined)) problems.push(`${phase} the stop, the route was not stable (${[...routes].join(', ')})`);
      }
    }
  } else if (opts.sticky) {
    const routes = new Set(ok.map((v) => parseSessionId(v.session!).route));
    if (routes.size > 1 || routes.has(undefined)) problems.push(`the route was not stable (${[...routes].join(', ')})`);
    const nodes = new Set(ok.map((v) => v.node));
    if (nodes.size > 1) problems.push(`a sticky session was served by ${nodes.size} nodes`);
  } else {
    const nodes = new Set(ok.map((v) => v.node));
    if (nodes.size === 1) problems.push(`only ${[...nodes][0]} served the requests; expected more than one node (is nginx round-robin?)`);
    if (nodes.size === 0 && answered.length === 0) problems.push('no node answered: every request failed');
  }
  const running = [...new Set(ok.map((v) => `${(v.tomcat ?? '?').replace(/^Apache Tomcat\//, '')} on Java ${v.java ?? '?'}`))];
  if (opts.expect && sample) {
    const want = opts.expect;
    const off = ok.filter((v) => !tomcatMatches((v.tomcat ?? '').replace(/^Apache Tomcat\//, ''), want.tomcat) || !javaMatches(v.java ?? '', want.java));
    if (off.length) problems.push(`the page reports ${running.join(', ')}, but the config says Tomcat ${want.tomcat} on Java ${want.java}`);
  }
  const counters = views.map((v) => v.counter);
  const jumps = sample ? counters.map((c, i) => (c === undefined || c === i + 1 ? undefined : `request ${i + 1} saw counter ${c}`)).filter(Boolean) : [];
  if (jumps.length) problems.push(`the counter did not rise by one per request: ${jumps.slice(0, 3).join('; ')}`);
  const nodes = [...new Set(ok.map((v) => v.node))].join(', ');
  const kept = `session ${ok[0]?.session ? parseSessionId(ok[0].session).hex.slice(0, 8) : '?'}… kept`;
  const verdict = problems.length
    ? `FAIL: ${problems.join('; ')}`
    : sample
      ? `PASS: ${views.length} requests, ${kept}, counter 1→${counters.at(-1)}, served by ${nodes}${opts.sticky ? ' (sticky)' : ''}; Tomcat ${running.join(', ')}${stopped ? `; went on after ${stopped} stopped` : ''}`
      : `PASS: ${views.length} requests, ${kept}, served by ${nodes}${opts.sticky ? ' (sticky)' : ''}${stopped ? `; went on after ${stopped} stopped` : ''} (session identity only: not the sample app, so no counter checked)`;
  return { ok: problems.length === 0, verdict, views };
}
