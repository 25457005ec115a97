/**
 * verify's verdicts against a stand-in of the sample page on 127.0.0.1 (the
 * real page is exercised end to end by scripts/e2e.sh).
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyLab } from '../../src/lab/verify';

interface Behaviour {
  nodes: string[];
  route?: (node: string) => string;
  /** Counter the page reports for the n-th request of a session (1-based). */
  counter?: (n: number) => number;
  /** Every request gets a new session (what msm does when memcached refuses its SASL login). */
  forget?: boolean;
}

let server: Server | undefined;
afterEach(() => server?.close());

async function page(b: Behaviour): Promise<string> {
  let served = 0;
  const sessions = new Map<string, number>();
  server = createServer((req, res) => {
    const node = b.nodes[served++ % b.nodes.length];
    let id = b.forget ? undefined : /JSESSIONID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!id) {
      id = `${b.forget ? served.toString(16).padStart(16, '0') : 'ABCDEF0123456789'}-mnode1${b.route ? '.' + b.route(node) : ''}`;
      res.setHeader('set-cookie', `JSESSIONID=${id}; Path=/`);
    }
    const n = (sessions.get(id) ?? 0) + 1;
    sessions.set(id, n);
    res.end(`<td data-key="node">${node}</td><td data-key="session">${id}</td><td data-key="counter">${b.counter ? b.counter(n) : n}</td>`);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as { port: number }).port}/`;
}

describe('verifyLab', () => {
  it('passes when two nodes serve one session whose counter rises by one', async () => {
    const r = await verifyLab({ url: await page({ nodes: ['t1', 't2'] }), requests: 6, sticky: false });
    expect(r.verdict).toMatch(/^PASS/);
    expect(r.ok).toBe(true);
  });

  it('SASL lab: a new session on every request is explained as a credential problem', async () => {
    const r = await verifyLab({ url: await page({ nodes: ['t1', 't2'], forget: true }), requests: 4, sticky: false, sasl: true });
    expect(r.ok).toBe(false);
    expect(r.verdict).toMatch(/^FAIL: sessions are not stored: check the memcached username\/password \(SASL\)/);
    server!.close();
    const plain = await verifyLab({ url: await page({ nodes: ['t1', 't2'], forget: true }), requests: 4, sticky: false });
    expect(plain.verdict).not.toMatch(/SASL/);
    server!.close();
    const ok = await verifyLab({ url: await page({ nodes: ['t1', 't2'] }), requests: 4, sticky: false, sasl: true });
    expect(ok.verdict).toMatch(/^PASS/);
  });

  it('fails when only one node serves in non-sticky mode', async () => {
    const r = await verifyLab({ url: await page({ nodes: ['t1'] }), requests: 4, sticky: false });
    expect(r.ok).toBe(false);
    expect(r.verdict).toMatch(/only t1 served/);
  });

  it('fails when the counter does not rise by exactly one (data not shared)', async () => {
    const r = await verifyLab({ url: await page({ nodes: ['t1', 't2'], counter: (n) => (n === 3 ? 1 : n) }), requests: 4, sticky: false });
    expect(r.ok).toBe(false);
    expect(r.verdict).toMatch(/request 3 saw counter 1/);
  });

  it('sticky: passes on one node with a stable route, fails when the session moves', async () => {
    const stuck = await verifyLab({ url: await page({ nodes: ['t1'], route: () => 'r1' }), requests: 4, sticky: true });
    expect(stuck.ok).toBe(true);
    server!.close();
    const moved = await verifyLab({ url: await page({ nodes: ['t1', 't2'], route: (n) => n }), requests: 4, sticky: true });
    expect(moved.ok).toBe(false);
    expect(moved.verdict).toMatch(/served by 2 nodes/);
  });
});

/** Any app (not the sample page): no data-key cells; the node only in nginx's X-Msm-Kit-Node header. */
async function anyApp(nodes: string[], forget = false, noSession = false): Promise<string> {
  let served = 0;
  server = createServer((req, res) => {
    const node = nodes[served++ % nodes.length];
    let id = forget ? undefined : /JSESSIONID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!id && !noSession) {
      id = `${(forget ? served : 0xabc).toString(16).padStart(32, '0')}-mnode1`;
      res.setHeader('set-cookie', `JSESSIONID=${id}; Path=/shop`);
    }
    res.setHeader('X-Msm-Kit-Node', node);
    res.end('<p>your cart</p>');
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as { port: number }).port}/shop/`;
}

describe('verifyLab on any app (verify --path)', () => {
  it('checks session identity across nodes from the cookie and the node header, and says no counter was checked', async () => {
    const r = await verifyLab({ url: await anyApp(['t1', 't2']), requests: 6, sticky: false, sampleApp: false });
    expect(r.verdict).toMatch(/^PASS: 6 requests, session 00000000… kept, served by t1, t2 \(session identity only: not the sample app, so no counter checked\)$/);
  });

  it('fails when the session id changes between nodes, and when one node serves everything', async () => {
    const lost = await verifyLab({ url: await anyApp(['t1', 't2'], true), requests: 4, sticky: false, sampleApp: false });
    expect(lost.verdict).toMatch(/^FAIL: the session id changed 3 time\(s\)/);
    server!.close();
    const one = await verifyLab({ url: await anyApp(['t1']), requests: 4, sticky: false, sampleApp: false });
    expect(one.verdict).toMatch(/only t1 served/);
  });

  it('a page that sets no session fails, names the nodes that answered and says how to fix it', async () => {
    const r = await verifyLab({ url: await anyApp(['t1', 't2'], false, true), requests: 4, sticky: false, sampleApp: false });
    expect(r.ok).toBe(false);
    expect(r.verdict).toMatch(/^FAIL: all 4 answer\(s\) came back \(HTTP 200, served by t1, t2\) but none carried a session: the page creates no session.*Fix: point --path at a page that creates a session/);
    expect(r.verdict).not.toMatch(/no node/);
  });

  it('the sample app without its counter fails (the counter is required there)', async () => {
    const r = await verifyLab({ url: await anyApp(['t1', 't2']), requests: 2, sticky: false });
    expect(r.ok).toBe(false);
  });
});
