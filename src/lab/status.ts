/**
 * `msm-kit status`: what a running lab's sessions and stores are doing, read from the
 * lab's Prometheus (config `monitoring`). One snapshot per call; the command repeats it
 * for a live view.
 */
import { PROMETHEUS_PORT, SCRAPE_JOBS } from '../config/monitoring';
import type { ResolvedLab } from '../config/resolve';
import { StepError } from '../errors';
import { docker } from './docker';

/** One Tomcat, as Prometheus last saw it. */
export interface TomcatStatus {
  readonly node: string;
  /** Whether Prometheus reached its JMX exporter at the last scrape. */
  readonly up: boolean;
  /** Sessions held in this Tomcat's memory (non-sticky msm keeps none between requests). */
  readonly sessions: number | null;
  /** Requests that carried a session, since start (msm). */
  readonly requestsWithSession: number | null;
  /** Requests per second over the rate window. */
  readonly requestsPerSecond: number | null;
  /** Mean time per request over the rate window, in milliseconds. */
  readonly meanLatencyMs: number | null;
  /** msm's failed session writes since start. */
  readonly backupFailures: number | null;
  /** msm's sessions moved off a failed memcached node (sticky) since start. */
  readonly memcachedFailovers: number | null;
  /** msm's failed non-sticky session pings since start. */
  readonly pingFailures: number | null;
  /** Average size of a session as stored (serialized), in bytes, since start (the largest of the Tomcat's webapps). */
  readonly sessionBytesAvg: number | null;
  /** Average time of a session backup, in milliseconds, since start (the largest of the Tomcat's webapps). */
  readonly backupMsAvg: number | null;
}

/** One store node (memcached or Redis). */
export interface StoreStatus {
  readonly node: string;
  readonly kind: 'memcached' | 'redis';
  readonly up: boolean;
  readonly items: number | null;
  readonly bytes: number | null;
  readonly limitBytes: number | null;
  readonly evictions: number | null;
  /** Hits over hits and misses since the node started; null before its first read. */
  readonly hitRatio: number | null;
}

export interface LabStatus {
  readonly lab: string;
  readonly prometheus: string;
  /** When the figures were read (ISO 8601). */
  readonly at: string;
  readonly tomcats: readonly TomcatStatus[];
  readonly stores: readonly StoreStatus[];
  /** nginx: requests per second and open connections; null when its exporter is not up. */
  readonly nginx: { readonly up: boolean; readonly requestsPerSecond: number | null; readonly activeConnections: number | null };
  /** Why some figures are missing (a SASL lab has no memcached exporter). */
  readonly notes: readonly string[];
}

/** The window rates are taken over: enough for several scrapes at any allowed interval up to a minute. */
export function rateWindow(scrapeSeconds: number): string {
  return `${Math.max(30, scrapeSeconds * 4)}s`;
}

/** Where the lab's Prometheus answers on this machine: its fixed port, or the one the engine picked. */
export async function prometheusUrl(lab: ResolvedLab, dockerCli: (...args: string[]) => Promise<string> = docker): Promise<string> {
  const m = lab.monitoring;
  if (!m)
    throw new StepError(
      'status',
      lab.swarm
        ? `lab "${lab.name}" is a Swarm lab, and the Swarm stack deploys no monitoring yet. Fix: read the Swarm's own figures with docker service ps / docker service logs (docs/monitoring.md), or run the lab on one engine (remove engine) to get Prometheus and msm-kit status`
        : `lab "${lab.name}" has no monitoring (monitoring.enabled is false). Fix: remove monitoring.enabled from the config (it is on by default) and run msm-kit up`,
    );
  if (m.prometheus.hostPort !== undefined) return `http://127.0.0.1:${m.prometheus.hostPort}`;
  let out: string;
  try {
    out = await dockerCli('-H', lab.dockerHost, 'port', m.prometheus.name, `${PROMETHEUS_PORT}/tcp`);
  } catch (e) {
    throw new StepError('status', `cannot find ${m.prometheus.name}'s port (${(e as Error).message.split('\n')[0]}). Fix: deploy the lab first (msm-kit up)`);
  }
  const hit = /127\.0\.0\.1:(\d+)/.exec(out);
  if (!hit) throw new StepError('status', `${m.prometheus.name} is not published on 127.0.0.1 (docker port says ${JSON.stringify(out.slice(0, 120))}). Fix: msm-kit up again`);
  return `http://127.0.0.1:${hit[1]}`;
}

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/** One instant query against Prometheus's HTTP API. */
export async function query(base: string, promql: string): Promise<Sample[]> {
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new StepError('status', `Prometheus at ${base} does not answer (${(e as Error).message}). Fix: check the lab is up (msm-kit up), then try again`);
  }
  const body = (await res.json().catch(() => undefined)) as { status?: string; error?: string; data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } } | undefined;
  if (!res.ok || body?.status !== 'success') throw new StepError('status', `Prometheus refused the query ${promql}: ${body?.error ?? `HTTP ${res.status}`}`);
  return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** A query's values by their `node` label. */
async function byNode(base: string, promql: string): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const s of await query(base, promql)) if (s.metric.node !== undefined && Number.isFinite(s.value)) m.set(s.metric.node, s.value);
  return m;
}

const get = (m: Map<string, number>, node: string): number | null => m.get(node) ?? null;

/** Reads the lab's figures from its Prometheus. */
export async function labStatus(lab: ResolvedLab, base: string, now: () => Date = () => new Date()): Promise<LabStatus> {
  const m = lab.monitoring;
  if (!m) throw new StepError('status', `lab "${lab.name}" has no monitoring`);
  const w = rateWindow(m.scrapeSeconds);
  const t = `job="${SCRAPE_JOBS.tomcat}"`;
  const [up, sessions, created, rps, latency, failures, failovers, pings, sessionBytes, backupSeconds] = await Promise.all([
    byNode(base, `up{${t}}`),
    byNode(base, `sum by (node) (tomcat_sessions_active{${t}})`),
    byNode(base, `sum by (node) (msm_requests_with_session_total{${t}})`),
    byNode(base, `sum by (node) (rate(tomcat_requests_total{${t}}[${w}]))`),
    byNode(base, `1000 * sum by (node) (rate(tomcat_request_processing_seconds_total{${t}}[${w}])) / sum by (node) (rate(tomcat_requests_total{${t}}[${w}]))`),
    byNode(base, `sum by (node) (msm_backup_failures_total{${t}})`),
    byNode(base, `sum by (node) (msm_memcached_failovers_total{${t}})`),
    byNode(base, `sum by (node) (msm_non_sticky_ping_failures_total{${t}})`),
    // Per webapp in the Tomcat: the largest of its webapps' averages.
    byNode(base, `max by (node) (msm_session_bytes_avg{${t}})`),
    byNode(base, `max by (node) (msm_backup_seconds_avg{${t}})`),
  ]);
  const tomcats = lab.tomcats.map((x) => ({
    node: x.name,
    up: up.get(x.name) === 1,
    sessions: get(sessions, x.name),
    requestsWithSession: get(created, x.name),
    requestsPerSecond: get(rps, x.name),
    meanLatencyMs: get(latency, x.name),
    backupFailures: get(failures, x.name),
    memcachedFailovers: get(failovers, x.name),
    pingFailures: get(pings, x.name),
    sessionBytesAvg: get(sessionBytes, x.name),
    backupMsAvg: scaled(get(backupSeconds, x.name), 1000),
  }));

  const notes: string[] = [];
  const stores: StoreStatus[] = [];
  const kind = m.storeExporter?.kind;
  if (kind === 'memcached') {
    const j = `job="${SCRAPE_JOBS.memcached}"`;
    // memcached_up: the exporter reached the node (the scrape's `up` is the exporter itself).
    const [nodeUp, items, bytes, limit, evictions, hits, gets] = await Promise.all([
      byNode(base, `memcached_up{${j}}`),
      byNode(base, `memcached_current_items{${j}}`),
      byNode(base, `memcached_current_bytes{${j}}`),
      byNode(base, `memcached_limit_bytes{${j}}`),
      byNode(base, `memcached_items_evicted_total{${j}}`),
      byNode(base, `sum by (node) (memcached_commands_total{${j},command="get",status="hit"})`),
      byNode(base, `sum by (node) (memcached_commands_total{${j},command="get"})`),
    ]);
    for (const n of lab.memcacheds)
      stores.push({ node: n.name, kind, up: nodeUp.get(n.name) === 1, items: get(items, n.name), bytes: get(bytes, n.name), limitBytes: get(limit, n.name), evictions: get(evictions, n.name), hitRatio: ratio(hits.get(n.name), gets.get(n.name)) });
  } else if (kind === 'redis' && lab.redis) {
    const j = `job="${SCRAPE_JOBS.redis}"`;
    const [nodeUp, items, bytes, limit, evictions, hits, misses] = await Promise.all([
      byNode(base, `redis_up{${j}}`),
      byNode(base, `sum by (node) (redis_db_keys{${j}})`),
      byNode(base, `redis_memory_used_bytes{${j}}`),
      byNode(base, `redis_memory_max_bytes{${j}}`),
      byNode(base, `redis_evicted_keys_total{${j}}`),
      byNode(base, `redis_keyspace_hits_total{${j}}`),
      byNode(base, `redis_keyspace_misses_total{${j}}`),
    ]);
    const n = lab.redis.name;
    const h = hits.get(n);
    const miss = misses.get(n);
    stores.push({ node: n, kind, up: nodeUp.get(n) === 1, items: get(items, n), bytes: get(bytes, n), limitBytes: get(limit, n), evictions: get(evictions, n), hitRatio: ratio(h, h !== undefined && miss !== undefined ? h + miss : undefined) });
  } else notes.push('no store figures: the memcached exporter cannot authenticate to memcached with SASL');

  const n = `job="${SCRAPE_JOBS.nginx}"`;
  const [nginxUp, nginxRps, conns] = await Promise.all([byNode(base, `nginx_up{${n}}`), byNode(base, `sum by (node) (rate(nginx_http_requests_total{${n}}[${w}]))`), byNode(base, `nginx_connections_active{${n}}`)]);
  const lb = lab.loadBalancer.name;
  return {
    lab: lab.name,
    prometheus: base,
    at: now().toISOString(),
    tomcats,
    stores,
    // nginx counts the exporter's own reads of stub_status too (one per scrape).
    nginx: { up: nginxUp.get(lb) === 1, requestsPerSecond: get(nginxRps, lb), activeConnections: get(conns, lb) },
    notes,
  };
}

const scaled = (v: number | null, by: number): number | null => (v === null ? null : v * by);

function ratio(part: number | undefined, whole: number | undefined): number | null {
  return part === undefined || whole === undefined || whole === 0 ? null : part / whole;
}

const dash = '-';
const num = (v: number | null, digits = 0): string => (v === null || !Number.isFinite(v) ? dash : v.toFixed(digits));
const kib = (v: number | null): string => (v === null ? dash : (v / 1024).toFixed(1));
const pct = (v: number | null): string => (v === null ? dash : `${(v * 100).toFixed(1)}%`);

/** Columns padded to their widest cell. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

/** The status as the command prints it: a table per tier. */
export function formatStatus(s: LabStatus): string {
  const L = [`lab ${s.lab} at ${s.at} (Prometheus ${s.prometheus})`, ''];
  L.push(
    ...table(
      ['tomcat', 'up', 'sessions', 'with session', 'req/s', 'mean ms', 'session KiB', 'backup ms', 'backup fail', 'mc failover', 'ping fail'],
      s.tomcats.map((t) => [t.node, t.up ? 'yes' : 'NO', num(t.sessions), num(t.requestsWithSession), num(t.requestsPerSecond, 1), num(t.meanLatencyMs, 1), kib(t.sessionBytesAvg), num(t.backupMsAvg, 1), num(t.backupFailures), num(t.memcachedFailovers), num(t.pingFailures)]),
    ),
    '',
  );
  if (s.stores.length)
    L.push(
      ...table(
        ['store', 'up', 'items', 'KiB', 'limit KiB', 'evictions', 'hit rate'],
        s.stores.map((x) => [`${x.node} (${x.kind})`, x.up ? 'yes' : 'NO', num(x.items), kib(x.bytes), kib(x.limitBytes), num(x.evictions), pct(x.hitRatio)]),
      ),
      '',
    );
  L.push(`nginx: ${s.nginx.up ? 'up' : 'NOT UP'}, ${num(s.nginx.requestsPerSecond, 1)} req/s, ${num(s.nginx.activeConnections)} open connections`);
  for (const n of s.notes) L.push(`note: ${n}`);
  return L.join('\n');
}
