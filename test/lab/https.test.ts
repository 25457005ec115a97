/**
 * The lab clients over HTTPS (lab/http.ts): a real TLS server on 127.0.0.1 with
 * a certificate made by openssl. Untrusted it fails; trusted through `ca` (what
 * verify/drill do with a self-signed lab's certificate) or `insecure` it answers;
 * the keep-alive agent of the drills speaks HTTPS too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveAgent, SessionClient, setHttpsTrust } from '../../src/lab/http';

let server: Server;
let url: string;
let cert: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'msm-https-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=t', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'k'), '-out', join(dir, 'c')], {
    stdio: 'ignore',
    env: { ...process.env, OPENSSL_CONF: '/dev/null' },
  });
  cert = readFileSync(join(dir, 'c'), 'utf8');
  let n = 0;
  server = createServer({ key: readFileSync(join(dir, 'k')), cert }, (req, res) => {
    n++;
    res.setHeader('set-cookie', 'JSESSIONID=ABC-mnode1; Path=/; Secure; HttpOnly; SameSite=Lax');
    res.end(`<td data-key="session">ABC-mnode1</td><td data-key="counter">${n}</td><td data-key="node">n1</td>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => server.close());
afterEach(() => setHttpsTrust({}));

describe('lab clients over HTTPS', () => {
  it("refuse a certificate nobody trusts (Node's roots only)", async () => {
    const v = await new SessionClient(url, 5000).get();
    expect(v.status).toBe(0);
    expect(v.error).toMatch(/self-signed|certificate/);
  });

  it("trust the lab's certificate given as ca, keep the cookie", async () => {
    setHttpsTrust({ ca: [cert] });
    const c = new SessionClient(url, 5000);
    expect((await c.get()).session).toBe('ABC-mnode1');
    expect((await c.get()).status).toBe(200);
  });

  it('--insecure takes any certificate', async () => {
    setHttpsTrust({ insecure: true });
    expect((await new SessionClient(url, 5000).get()).status).toBe(200);
  });

  it("the drills' keep-alive agent speaks HTTPS with the same trust", async () => {
    setHttpsTrust({ ca: [cert] });
    const agent = keepAliveAgent(url, 2);
    const v = await new SessionClient(url, 5000, agent).get();
    agent.destroy();
    expect(v.status).toBe(200);
  });
});
