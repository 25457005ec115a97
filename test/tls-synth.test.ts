/**
 * Issue 17, TLS in synth output: the self-signed pair is made under <out>/tls
 * (key mode 600) and kept across synths; the Terraform JSON names the files and
 * their hash only, never the key's content; nginx publishes httpsPort; the Tomcat
 * image build context carries the hardened server.xml and Dockerfile.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTlsFiles } from '../src/config/tls';
import { synthLab } from '../src/synth/synth';
import { accept, DEFAULT_CONFIG, patch } from './helpers';

const tls = accept(patch(DEFAULT_CONFIG, { name: 'tls-synth', loadBalancer: { tls: 'self-signed', port: 18110, httpsPort: 18443 } }));

describe('TLS synth output', () => {
  it('makes a valid self-signed pair under <out>/tls, keeps it, and never writes the key into the Terraform JSON', async () => {
    const out = mkdtempSync(join(tmpdir(), 'msm-tls-synth-'));
    const r = await synthLab(tls, { outDir: out, standIns: true, fetch: { offline: true } });
    const t = r.artifacts.tls!;
    expect(t.certificate).toBe(join(out, 'tls', 'lab.crt'));
    expect(statSync(t.key).mode & 0o777).toBe(0o600);
    expect(checkTlsFiles(t)).toEqual([]);
    const keyBody = readFileSync(t.key, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    const json = readFileSync(join(r.stackDir, 'cdk.tf.json'), 'utf8');
    expect(keyBody.length).toBeGreaterThan(40);
    for (const chunk of keyBody.match(/.{1,24}/g)!) expect(json).not.toContain(chunk);
    expect(json).not.toContain('PRIVATE KEY');
    const lb = Object.entries(JSON.parse(json).resource.docker_container as Record<string, { ports: unknown[]; upload: Array<Record<string, string>> }>).find(([k]) => k.startsWith('LoadBalancer'))![1];
    expect(lb.ports).toContainEqual({ internal: 443, external: 18443, ip: '127.0.0.1', protocol: 'tcp' });
    expect(lb.upload.find((u) => u.file === '/etc/nginx/msm-kit-lab.key')).toEqual({ file: '/etc/nginx/msm-kit-lab.key', source: '${path.module}/../../../tls/lab.key', source_hash: t.hash, permissions: '0600' });
    expect(JSON.parse(json).output.url.value).toBe('https://127.0.0.1:18443/');

    const again = await synthLab(tls, { outDir: out, standIns: true, fetch: { offline: true } });
    expect(again.artifacts.tls!.hash).toBe(t.hash);
  });

  it('a given pair is copied under <out>/tls (key 600); down without the originals uses the copies; self-signed never reuses it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'msm-tls-synth-'));
    const src = mkdtempSync(join(tmpdir(), 'msm-tls-given-'));
    const made = await synthLab(tls, { outDir: src, standIns: true, fetch: { offline: true } });
    const given = accept(patch(DEFAULT_CONFIG, { name: 'tls-synth', loadBalancer: { tls: { certificate: made.artifacts.tls!.certificate, key: made.artifacts.tls!.key } } }));
    const r = await synthLab(given, { outDir: out, standIns: true, fetch: { offline: true } });
    expect(r.artifacts.tls!.selfSigned).toBe(false);
    expect(readFileSync(r.artifacts.tls!.key, 'utf8')).toBe(readFileSync(made.artifacts.tls!.key, 'utf8'));
    expect(statSync(r.artifacts.tls!.key).mode & 0o777).toBe(0o600);
    rmSync(src, { recursive: true });
    expect((await synthLab(given, { outDir: out, standIns: true, fetch: { offline: true } })).artifacts.tls!.hash).toBe(r.artifacts.tls!.hash);
    // the copied pair has the kit's own subject here, so give self-signed a foreign one: it is replaced
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '5', '-subj', '/CN=someone-else', '-keyout', join(out, 'tls', 'lab.key'), '-out', join(out, 'tls', 'lab.crt')], { stdio: 'ignore', env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
    const self = await synthLab(tls, { outDir: out, standIns: true, fetch: { offline: true } });
    expect(new X509Certificate(readFileSync(self.artifacts.tls!.certificate)).subject).toContain('msm-kit lab');
  });

  it('the image build context carries the hardened server.xml and a non-root Dockerfile', async () => {
    const out = mkdtempSync(join(tmpdir(), 'msm-tls-synth-'));
    const r = await synthLab(accept(DEFAULT_CONFIG), { outDir: out, standIns: true, fetch: { offline: true } });
    expect(r.artifacts.tls).toBeUndefined();
    expect(readFileSync(join(r.artifacts.imageContextDir, 'tomcat', 'conf', 'server.xml'), 'utf8')).toBe(r.artifacts.serverXml);
    const dockerfile = readFileSync(join(r.artifacts.imageContextDir, 'Dockerfile'), 'utf8');
    expect(dockerfile.trim().split('\n').pop()).toBe('USER tomcat');
    expect(dockerfile).toMatch(/rm -rf \/usr\/local\/tomcat\/webapps /);
    expect(dockerfile).toMatch(/chown -R tomcat:tomcat logs temp work/);
  });
});
