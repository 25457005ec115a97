/**
 * The certificate/key checks (config/tls.ts) on real PEM files made by openssl:
 * a good pair passes; a missing file, a key of another certificate, an expired
 * or not yet valid certificate, a key readable by others, a file that is not PEM
 * are refused naming loadBalancer.tls.certificate or .key; loadConfig reads the
 * paths relative to the config file and refuses before returning a config.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import { checkTlsFiles } from '../../src/config/tls';
import { ConfigError } from '../../src/errors';
import { DEFAULT_CONFIG, patch } from '../helpers';

let dir: string;
function pair(name: string, days = 30): { certificate: string; key: string } {
  const certificate = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', String(days), '-subj', `/CN=${name}`, '-keyout', key, '-out', certificate], {
    stdio: 'ignore',
    env: { ...process.env, OPENSSL_CONF: '/dev/null' },
  });
  chmodSync(key, 0o600);
  return { certificate, key };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'msm-tls-'));
  pair('a');
  pair('b');
});

const at = (n: string) => ({ certificate: join(dir, `${n}.crt`), key: join(dir, `${n}.key`) });
const paths = (problems: { path: string }[]) => problems.map((p) => p.path);

describe('checkTlsFiles', () => {
  it('accepts a matching, valid pair with a private key file', () => {
    expect(checkTlsFiles(at('a'))).toEqual([]);
  });

  it('refuses a key of another certificate (public keys compared)', () => {
    const p = checkTlsFiles({ certificate: at('a').certificate, key: at('b').key });
    expect(paths(p)).toEqual(['loadBalancer.tls.key']);
    expect(p[0].message).toMatch(/does not belong to the certificate.*Fix:/);
  });

  it('refuses an expired certificate, and one not valid yet', () => {
    const later = new Date(Date.now() + 40 * 86400_000);
    expect(checkTlsFiles(at('a'), later)[0]).toMatchObject({ path: 'loadBalancer.tls.certificate', message: expect.stringMatching(/expired on .*Fix: renew/) });
    const before = new Date(Date.now() - 86400_000);
    expect(checkTlsFiles(at('a'), before)[0]).toMatchObject({ path: 'loadBalancer.tls.certificate', message: expect.stringMatching(/not valid before/) });
  });

  it('refuses missing files, naming each field', () => {
    const p = checkTlsFiles({ certificate: join(dir, 'none.crt'), key: join(dir, 'none.key') });
    expect(paths(p)).toEqual(['loadBalancer.tls.certificate', 'loadBalancer.tls.key']);
    expect(p[0].message).toMatch(/no such file.*Fix:/);
  });

  it('refuses a key readable by its group or by everyone', () => {
    const c = pair('loose');
    chmodSync(c.key, 0o644);
    expect(checkTlsFiles(c)).toEqual([expect.objectContaining({ path: 'loadBalancer.tls.key', message: expect.stringMatching(/every user \(mode 0644\).*Fix: chmod 600/) })]);
    chmodSync(c.key, 0o640);
    expect(checkTlsFiles(c)[0].message).toMatch(/its group/);
  });

  it('refuses files that are not PEM, never quoting them', () => {
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'SECRET-CONTENT not a pem', { mode: 0o600 });
    const p = checkTlsFiles({ certificate: junk, key: junk });
    expect(paths(p)).toEqual(['loadBalancer.tls.certificate', 'loadBalancer.tls.key']);
    expect(JSON.stringify(p)).not.toContain('SECRET-CONTENT');
  });
});

describe('loadConfig with loadBalancer.tls', () => {
  const write = (tls: unknown) => {
    const file = join(dir, `lab-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(patch(DEFAULT_CONFIG, { $schema: undefined, loadBalancer: { tls } })));
    return file;
  };

  it('reads the paths relative to the config file and makes them absolute', () => {
    const cfg = loadConfig(write({ certificate: './a.crt', key: 'a.key' }));
    expect(cfg.loadBalancer.tls).toEqual(at('a'));
    expect(cfg.loadBalancer.httpsPort).toBe(8443);
  });

  it('refuses a mismatched pair with a ConfigError naming the field', () => {
    const file = write({ certificate: './a.crt', key: './b.key' });
    expect(() => loadConfig(file)).toThrow(ConfigError);
    expect(() => loadConfig(file)).toThrow(/loadBalancer\.tls\.key: this key does not belong/);
  });

  it('down (checkTls: false) still loads a lab whose pair no longer passes', () => {
    const file = write({ certificate: './a.crt', key: './b.key' });
    expect(loadConfig(file, { checkTls: false }).loadBalancer.tls).toEqual({ certificate: at('a').certificate, key: at('b').key });
  });

  it('accepts "self-signed" without touching any file', () => {
    expect(loadConfig(write('self-signed')).loadBalancer.tls).toBe('self-signed');
  });
});
