/**
 * Monitoring end to end (issue 26): the default lab (non-sticky, two memcached nodes) under
 * its own names, port 18190 and subnet 172.28.90.0/24, with monitoring on as by default.
 * Proven on the real Prometheus, exporters and JMX agent:
 *   1. every scrape target is up (both Tomcats' agents, nginx's exporter, both memcached
 *      nodes through the one exporter); promtool accepts the configuration inside the image;
 *   2. only nginx and Prometheus are published, and only on 127.0.0.1;
 *   3. requests move the counters: Tomcat's request count, msm's requests with a session,
 *      nginx's request count, memcached's items and gets, msm's timed backups and its
 *      stored session size (the kit's Manager gives msm's probes as numbers);
 *   4. a memcached stop (drill memcached-down) raises msm's failover count, and the drill
 *      writes its plot (SVG);
 *   5. `msm-kit status --json` shows every Tomcat and store node up, with items; the text
 *      table names them;
 *   6. down leaves nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCRAPE_JOBS } from '../../src/config/monitoring';
import { query } from '../../src/lab/status';
import { docker } from '../../src/lab/docker';
import { writePlot } from '../../src/lab/plot';
import { cli, isolate, LabSlot, readExample, say } from './driver';

const NAME = 'msm-mon';
const config = isolate(readExample('lab.config.json'), { name: NAME, port: 18190, subnet: '172.28.90.0/24' });

/** Polls `check` every second until it returns true or `seconds` pass; returns the last value seen. */
async function eventually<T>(seconds: number, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const end = Date.now() + seconds * 1000;
  let v = await read();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 1000));
    v = await read();
  }
  return v;
}

/** The sum of a query's samples (0 when none). */
const total = async (base: string, promql: string): Promise<number> => (await query(base, promql)).reduce((a, s) => a + s.value, 0);

describe(`monitoring (${NAME})`, () => {
  const slot = new LabSlot(NAME);
  const up = () => slot.lab;
  let base = '';
  const configFile = () => up().file;

  it('comes up with Prometheus, the nginx and memcached exporters, and the JMX agent in every Tomcat', async () => {
    const lab = await slot.up(slot.work.write(`${NAME}.json`, config));
    const m = lab.resolved.monitoring;
    expect(m, 'monitoring is on by default').toBeDefined();
    expect(m!.storeExporter?.kind).toBe('memcached');
    const r = await cli(['status', '--config', configFile(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    base = (JSON.parse(r.stdout) as { prometheus: string }).prometheus;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const t of lab.resolved.tomcats) expect((await lab.exec(t.name, 'sh', '-c', 'echo $CATALINA_OPTS')).trim()).toContain('-javaagent:');
  });

  it('every scrape target is up: both Tomcats, nginx, both memcached nodes; promtool accepts the configuration', async () => {
    const lab = up().resolved;
    const want = lab.tomcats.length + 1 + lab.memcacheds.length;
    const targets = await eventually(
      30,
      async () => ((await (await fetch(`${base}/api/v1/targets`)).json()) as { data: { activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] } }).data.activeTargets,
      (t) => t.length === want && t.every((x) => x.health === 'up'),
    );
    for (const t of targets) say(NAME, `target ${t.labels.job}/${t.labels.node}: ${t.health} ${t.lastError}`);
    expect(targets.map((t) => `${t.labels.job}/${t.labels.node}`).sort()).toEqual(
      [...lab.tomcats.map((t) => `${SCRAPE_JOBS.tomcat}/${t.name}`), `${SCRAPE_JOBS.nginx}/${lab.loadBalancer.name}`, ...lab.memcacheds.map((n) => `${SCRAPE_JOBS.memcached}/${n.name}`)].sort(),
    );
    expect(targets.filter((t) => t.health !== 'up').map((t) => `${t.labels.node}: ${t.lastError}`)).toEqual([]);
    // The memcached exporter reached each node (memcached_up), not only itself.
    expect(await total(base, `memcached_up{job="${SCRAPE_JOBS.memcached}"}`)).toBe(lab.memcacheds.length);
    const check = await docker('exec', lab.monitoring!.prometheus.name, 'promtool', 'check', 'config', '/etc/prometheus/prometheus.yml');
    expect(check).toMatch(/SUCCESS/);
  });

  it('publishes only nginx and Prometheus, and only on 127.0.0.1', async () => {
    const names = (await docker('ps', '--filter', `label=msm-kit.lab=${NAME}`, '--format', '{{.Names}}')).split('\n').filter(Boolean);
    const published: string[] = [];
    for (const n of names) {
      const ports = JSON.parse(await docker('inspect', '--format', '{{json .NetworkSettings.Ports}}', n)) as Record<string, { HostIp: string; HostPort: string }[] | null>;
      for (const [p, binds] of Object.entries(ports ?? {})) for (const b of binds ?? []) published.push(`${n} ${p} ${b.HostIp}`);
    }
    say(NAME, `published: ${published.join(', ')}`);
    expect(published.map((p) => p.split(' ')[0]).sort()).toEqual([up().resolved.loadBalancer.name, up().resolved.monitoring!.prometheus.name].sort());
    for (const p of published) expect(p.endsWith(' 127.0.0.1'), p).toBe(true);
  });

  it("requests move the counters: Tomcat's requests, msm's requests with a session, nginx's requests, memcached's items and gets", async () => {
    const q = {
      tomcat: `sum(tomcat_requests_total{job="tomcat"})`,
      msm: `sum(msm_requests_with_session_total{job="tomcat"})`,
      nginx: `sum(nginx_http_requests_total{job="nginx"})`,
      items: `sum(memcached_current_items{job="memcached"})`,
      gets: `sum(memcached_commands_total{job="memcached",command="get"})`,
      // msm's probes as numbers (the kit's Manager): backups timed, and the stored session's size.
      backups: `sum(msm_backups_timed_total{job="tomcat"})`,
      sessionBytes: `max(msm_session_bytes_avg{job="tomcat"})`,
    };
    const read = async () => Object.fromEntries(await Promise.all(Object.entries(q).map(async ([k, v]) => [k, await total(base, v)] as const))) as Record<keyof typeof q, number>;
    const before = await read();
    const N = 20;
    const v = await up().verify({ requests: N });
    expect(v.ok, v.verdict).toBe(true);
    // One scrape interval (5 s) and some: every counter must have moved by the requests sent.
    const after = await eventually(30, read, (a) => a.tomcat - before.tomcat >= N && a.msm - before.msm >= N - 1 && a.nginx - before.nginx >= N && a.items > before.items && a.gets > before.gets && a.backups - before.backups >= N - 1 && a.sessionBytes > 0);
    say(NAME, `before ${JSON.stringify(before)}\nafter  ${JSON.stringify(after)}`);
    expect(after.tomcat - before.tomcat, 'tomcat_requests_total').toBeGreaterThanOrEqual(N);
    expect(after.msm - before.msm, 'msm_requests_with_session_total (the first request has no session yet)').toBeGreaterThanOrEqual(N - 1);
    expect(after.nginx - before.nginx, 'nginx_http_requests_total').toBeGreaterThanOrEqual(N);
    expect(after.items, 'memcached_current_items').toBeGreaterThan(before.items);
    expect(after.gets, 'memcached get commands').toBeGreaterThan(before.gets);
    expect(after.backups - before.backups, 'msm_backups_timed_total (each request with a session changed it: a backup)').toBeGreaterThanOrEqual(N - 1);
    expect(after.sessionBytes, 'msm_session_bytes_avg: the sample session serialized').toBeGreaterThan(0);
  });

  it("a memcached stop (drill memcached-down) raises msm's failover count, and the drill's plot is written", async () => {
    const failovers = `sum(msm_memcached_failovers_total{job="tomcat"}) + sum(msm_backup_failures_total{job="tomcat"})`;
    const before = await total(base, failovers);
    const r = await up().drill('memcached-down', { sessions: 10, durationS: 9 });
    say(NAME, r.summary);
    expect(r.requests).toBeGreaterThan(0);
    const after = await eventually(30, () => total(base, failovers), (v) => v > before);
    say(NAME, `msm failovers + backup failures: ${before} -> ${after}`);
    expect(after, `msm counted no failover or failed backup when ${r.node} stopped`).toBeGreaterThan(before);
    // The CLI writes this plot beside its table; here the library's report, written as the CLI does.
    expect(r.timeline.buckets.length).toBeGreaterThan(10);
    expect(r.timeline.marks.map((m) => m.label)).toEqual([`docker stop ${r.node}`]);
    const file = join(slot.work.path, 'drill.svg');
    writePlot(file, r.timeline, r.summary.split('\n')[0]);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/^<svg [^>]*font-family="sans-serif"/);
  });

  it('msm-kit status: every Tomcat and store node up, items in the store; the table names them all', async () => {
    const r = await eventually(
      30,
      () => cli(['status', '--config', configFile(), '--json']),
      (x) => x.code === 0 && (JSON.parse(x.stdout) as { stores: { up: boolean }[] }).stores.every((s) => s.up),
    );
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { tomcats: { node: string; up: boolean; requestsWithSession: number; sessionBytesAvg: number | null }[]; stores: { node: string; up: boolean; items: number }[]; nginx: { up: boolean } };
    expect(s.tomcats.map((t) => [t.node, t.up])).toEqual(up().resolved.tomcats.map((t) => [t.name, true]));
    expect(s.stores.map((x) => [x.node, x.up])).toEqual(up().resolved.memcacheds.map((n) => [n.name, true]));
    expect(s.stores.reduce((a, x) => a + (x.items ?? 0), 0), 'items in the store').toBeGreaterThan(0);
    expect(s.nginx.up).toBe(true);
    for (const t of s.tomcats) expect(t.sessionBytesAvg ?? 0, `${t.node}: average stored session size`).toBeGreaterThan(0);
    const text = await cli(['status', '--config', configFile()]);
    expect(text.code, text.stderr).toBe(0);
    say(NAME, text.stdout);
    for (const n of [...up().resolved.tomcats.map((t) => t.name), ...up().resolved.memcacheds.map((m) => m.name)]) expect(text.stdout).toContain(n);
  });

  it('down leaves no container or network of the lab', async () => {
    await slot.down();
  });
});
