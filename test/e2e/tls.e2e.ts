/**
 * Hardening (issue 17): examples/tls.json (self-signed, non-sticky) on the stand-ins,
 * checked from outside.
 *   1. bad certificate/key pairs (missing file, another certificate's key, expired, a key
 *      others can read) are refused by `msm-kit up` naming the field and the fix, with no
 *      stack trace and nothing deployed or written;
 *   2. up; HTTPS answers with JSESSIONID Secure + HttpOnly + SameSite=Lax and HSTS; plain
 *      HTTP answers 301 to https (path and query kept); TLS 1.1 is refused by the server; a
 *      404 names no product or version, nor does Server; every Tomcat runs as a non-root
 *      user with no shutdown port and no webapp but ROOT;
 *   3. verify and a tomcat-down drill over HTTPS, trusting the lab's own certificate;
 *   4. down leaves no container or network of the lab.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATALINA_HOME, NODE_HEADER } from '../../src/config/layout';
import { loadConfig } from '../../src/config/load';
import { cli, LabSlot, leftovers, ROOT } from './driver';

const FILE = join(ROOT, 'examples', 'tls.json');
const example = JSON.parse(readFileSync(FILE, 'utf8')) as { $schema?: string; loadBalancer: Record<string, unknown> } & Record<string, unknown>;
const NAME = loadConfig(FILE).name;

const openssl = (...args: string[]) => execFileSync('openssl', args, { env: { ...process.env, OPENSSL_CONF: '/dev/null' }, stdio: ['ignore', 'ignore', 'pipe'] });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
/** A GET over HTTPS trusting only `ca`. */
function get(url: string, ca: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a TLS lab: bad pairs refused, HTTPS hardened, verify and a drill over HTTPS', () => {
  const slot = new LabSlot(NAME);
  const work = slot.work;
  let ca = '';
  beforeAll(() => {
    const pair = (cn: string) => {
      openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', `/CN=${cn}`, '-keyout', join(work.path, `${cn}.key`), '-out', join(work.path, `${cn}.crt`));
      chmodSync(join(work.path, `${cn}.key`), 0o600);
    };
    pair('a');
    pair('b');
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=old', '-keyout', join(work.path, 'old.key'), '-out', join(work.path, 'old.csr'));
    openssl('x509', '-req', '-in', join(work.path, 'old.csr'), '-signkey', join(work.path, 'old.key'), '-days', '-1', '-out', join(work.path, 'old.crt'));
    chmodSync(join(work.path, 'old.key'), 0o600);
    copyFileSync(join(work.path, 'a.key'), join(work.path, 'loose.key'));
    copyFileSync(join(work.path, 'a.crt'), join(work.path, 'loose.crt'));
    chmodSync(join(work.path, 'loose.key'), 0o644);
  });
  const up = () => slot.lab;

  const bad = [
    { name: 'missing', cert: './none.crt', key: './none.key', field: 'loadBalancer.tls.certificate', says: 'no such file' },
    { name: 'mismatched', cert: './a.crt', key: './b.key', field: 'loadBalancer.tls.key', says: 'does not belong' },
    { name: 'expired', cert: './old.crt', key: './old.key', field: 'loadBalancer.tls.certificate', says: 'expired' },
    { name: 'loose-key', cert: './loose.crt', key: './loose.key', field: 'loadBalancer.tls.key', says: 'every user' },
  ];
  for (const b of bad)
    it(`up refuses the ${b.name} pair at ${b.field} ("${b.says}"), with a Fix, no stack trace, nothing deployed or written`, async () => {
      const { $schema: _s, ...c } = example;
      const file = work.write(`${b.name}.json`, { ...c, loadBalancer: { ...c.loadBalancer, tls: { certificate: b.cert, key: b.key } } });
      const out = join(work.path, `out-${b.name}`);
      const r = await cli(['up', '--config', file, '--out', out, '--stand-ins']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^${b.field.replace(/\./g, '\\.')}: .*${b.says}.*Fix:`, 'm'));
      expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(existsSync(out)).toBe(false);
      expect(await leftovers(NAME)).toEqual([]);
    });

  it('comes up on HTTPS', async () => {
    const lab = await slot.up(FILE);
    expect(lab.resolved.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    ca = readFileSync(lab.certificatePath, 'utf8');
  });

  it('the session cookie is Secure, HttpOnly and SameSite=Lax; HSTS is sent', async () => {
    const r = await get(up().resolved.probeUrl, ca);
    expect(r.status).toBe(200);
    const cookie = ([] as string[]).concat(r.headers['set-cookie'] ?? []).find((c) => c.startsWith('JSESSIONID='));
    expect(cookie, 'a JSESSIONID cookie').toBeDefined();
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(String(r.headers['strict-transport-security'])).toMatch(/^max-age=\d+/);
  });

  it('plain HTTP answers 301 to the same path and query on https', async () => {
    const url = up().resolved.url;
    const r = await fetch(`http://127.0.0.1:${example.loadBalancer.port}/x?y=1`, { redirect: 'manual' });
    expect(r.status).toBe(301);
    expect(r.headers.get('location')).toBe(`${url}x?y=1`);
  });

  it('TLS 1.1 is refused by the server (not by this client)', async () => {
    const { port } = new URL(up().resolved.url);
    const err = await new Promise<Error | undefined>((resolve) => {
      // SECLEVEL=0: this client offers TLS 1.1 itself, so a refusal can only come from nginx.
      const s = connect({ host: '127.0.0.1', port: Number(port), ca, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0', servername: 'localhost' }, () => {
        s.end();
        resolve(undefined);
      });
      s.on('error', resolve);
    });
    expect(err, 'a TLS 1.1 handshake succeeded').toBeDefined();
    expect(err!.message).not.toMatch(/no protocols available/i);
    expect(err!.message).toMatch(/alert protocol version|unsupported protocol|wrong version/i);
  });

  it('a 404 names no product or version, nor does the Server header', async () => {
    const r = await get(`${up().resolved.url}no-such-page-e2e`, ca);
    expect(r.status).toBe(404);
    // X-Msm-Kit-Node names the lab's node (tls-tomcat1) by design (issue 9): not a product or version.
    const headers = Object.entries(r.headers)
      .filter(([k]) => k !== NODE_HEADER.toLowerCase())
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join('\n');
    expect(`${headers}\n${r.body}`).not.toMatch(/tomcat|\d+\.\d+\.\d+|exception/i);
    expect(String(r.headers.server ?? '')).not.toMatch(/\d/);
  });

  it('every Tomcat runs as a non-root user, has no shutdown port and no webapp but ROOT', async () => {
    const l = up();
    for (const t of l.resolved.tomcats) {
      const uid = (await l.exec(t.name, 'sh', '-c', "awk '/^Uid:/ {print $2}' /proc/1/status")).trim();
      expect(uid, `${t.name}: the uid of its process`).toMatch(/^\d+$/);
      expect(uid, `${t.name}: Tomcat runs as root`).not.toBe('0');
      const tcp = await l.exec(t.name, 'cat', '/proc/net/tcp', '/proc/net/tcp6');
      expect(tcp, `${t.name}: shutdown port 8005 listens`).not.toMatch(/:1F45 /);
      expect(tcp, `${t.name}: the HTTP connector (8080) listens (else the check above proves nothing)`).toMatch(/:1F90 /);
      expect((await l.exec(t.name, 'ls', `${CATALINA_HOME}/webapps`)).trim().split('\n')).toEqual(['ROOT']);
    }
  });

  it('verify and a tomcat-down drill pass over HTTPS, trusting the lab certificate (as the CLI does from --out)', async () => {
    const l = up();
    const v = await l.verify({ requests: 10 });
    expect(v.ok, v.verdict).toBe(true);
    const { report } = await l.drillOrRetry('tomcat-down', { sessions: 10, durationS: 8 });
    expect(report.requests).toBeGreaterThan(50);
    expect(report.ok, report.summary).toBe(true);
  });

  it('down leaves no container or network of the lab', async () => {
    await slot.down();
  });
});
