/** `msm-kit status` over a stand-in Prometheus API on 127.0.0.1 (the real one is proven in test/e2e/monitoring.e2e.ts). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLab } from '../../src/config/resolve';
import { formatStatus, labStatus, prometheusUrl, rateWindow } from '../../src/lab/status';
import { accept, DEFAULT_CONFIG, patch } from '../helpers';

const lab = resolveLab(accept(DEFAULT_CONFIG));
const queries: string[] = [];
/** Answers by the first metric name in the query: one sample per node. */
const ANSWERS: Record<string, Array<[string, number]>> = {
  up: [['tomcat-node1', 1], ['tomcat-node2', 0]],
  tomcat_sessions_active: [['tomcat-node1', 3]],
  msm_requests_with_session_total: [['tomcat-node1', 40], ['tomcat-node2', 2]],
  tomcat_requests_total: [['tomcat-node1', 12.5]],
  msm_backup_failures_total: [['tomcat-node1', 0]],
  msm_memcached_failovers_total: [['tomcat-node1', 4]],
  msm_non_sticky_ping_failures_total: [['tomcat-node1', 0]],
  msm_session_bytes_avg: [['tomcat-node1', 2048]],
  msm_backup_seconds_avg: [['tomcat-node1', 0.0025]],
  memcached_up: [['memcached-node1', 1], ['memcached-node2', 0]],
  memcached_current_items: [['memcached-node1', 18]],
  memcached_current_bytes: [['memcached-node1', 4096]],
  memcached_limit_bytes: [['memcached-node1', 67108864]],
  memcached_items_evicted_total: [['memcached-node1', 0]],
  memcached_commands_total: [['memcached-node1', 0.75]],
  nginx_up: [['nginx', 1]],
  nginx_http_requests_total: [['nginx', 20]],
  nginx_connections_active: [['nginx', 2]],
};
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const q = new URL(req.url!, 'http://x').searchParams.get('query') ?? '';
    queries.push(q);
    // "1000 * ... processing_seconds ... / ..." is the latency query.
    const name = q.includes('processing_seconds') ? 'latency' : /([a-z_]+)\{/.exec(q)?.[1] ?? '';
    const rows = name === 'latency' ? [['tomcat-node1', 1.5] as [string, number]] : name === 'memcached_commands_total' && q.includes('status="hit"') ? [['memcached-node1', 3] as [string, number]] : name === 'memcached_commands_total' ? [['memcached-node1', 4] as [string, number]] : ANSWERS[name] ?? [];
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: rows.map(([node, v]) => ({ metric: { node }, value: [0, String(v)] })) } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('status', () => {
  it('reads per-Tomcat and per-store figures by node, and says which is down', async () => {
    const s = await labStatus(lab, base, () => new Date('2026-12-04T00:00:00Z'));
    expect(s.tomcats[0]).toEqual({ node: 'tomcat-node1', up: true, sessions: 3, requestsWithSession: 40, requestsPerSecond: 12.5, meanLatencyMs: 1.5, backupFailures: 0, memcachedFailovers: 4, pingFailures: 0, sessionBytesAvg: 2048, backupMsAvg: 2.5 });
    expect(s.tomcats[1]).toMatchObject({ node: 'tomcat-node2', up: false, sessions: null, requestsPerSecond: null });
    expect(s.stores[0]).toEqual({ node: 'memcached-node1', kind: 'memcached', up: true, items: 18, bytes: 4096, limitBytes: 67108864, evictions: 0, hitRatio: 0.75 });
    expect(s.stores[1]).toMatchObject({ node: 'memcached-node2', up: false, items: null, hitRatio: null });
    expect(s.nginx).toEqual({ up: true, requestsPerSecond: 20, activeConnections: 2 });
    expect(queries.some((q) => q.includes(`[${rateWindow(5)}]`))).toBe(true);
  });

  it('prints a table per tier, with "-" for what Prometheus does not have', async () => {
    const text = formatStatus(await labStatus(lab, base, () => new Date('2026-12-04T00:00:00Z')));
    expect(text).toContain('tomcat-node1  yes');
    expect(text).toMatch(/tomcat-node2 +NO +- /);
    expect(text).toMatch(/memcached-node1 \(memcached\) +yes +18 +4\.0 +65536\.0 +0 +75\.0%/);
    expect(text).toContain('nginx: up, 20.0 req/s, 2 open connections');
  });

  it('a lab without monitoring: a clear error with the fix, no query', async () => {
    const off = resolveLab(accept(patch(DEFAULT_CONFIG, { monitoring: { enabled: false } })));
    await expect(prometheusUrl(off)).rejects.toThrow(/no monitoring.*Fix: remove monitoring.enabled/);
  });

  it("finds Prometheus's port from the engine, or uses monitoring.port", async () => {
    expect(await prometheusUrl(lab, async () => '127.0.0.1:32768')).toBe('http://127.0.0.1:32768');
    const fixed = resolveLab(accept(patch(DEFAULT_CONFIG, { monitoring: { port: 19090 } })));
    expect(await prometheusUrl(fixed, async () => { throw new Error('not asked'); })).toBe('http://127.0.0.1:19090');
    await expect(prometheusUrl(lab, async () => { throw new Error('No such container: msm-lab-prometheus'); })).rejects.toThrow(/Fix: deploy the lab first/);
  });

  it('a Prometheus that does not answer: a step error naming it, not a stack trace', async () => {
    await expect(labStatus(lab, 'http://127.0.0.1:9')).rejects.toThrow(/Prometheus at http:\/\/127\.0\.0\.1:9 does not answer.*Fix/);
  });
});
