/**
 * Issue 12, secrets: the SASL username/password never appear in synth output
 * (context.xml, the Tomcat image build context, the Terraform JSON, any file
 * under --out); they reach the containers through sensitive Terraform variables.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLab } from '../src/config/resolve';
import { ENV_PROPERTY_SOURCE_OPT, terraformSecretEnv } from '../src/config/secrets';
import { renderContextXml } from '../src/render/context-xml';
import { terraformLiteral } from '../src/constructs/tomcat-node';
import { synthLab } from '../src/synth/synth';
import { accept, DEFAULT_CONFIG, patch } from './helpers';

const USER = 'sasl-user-Qz8w';
const PASSWORD = 'pw-Zx9!Kq7#distinctive';
const sasl = accept(patch(DEFAULT_CONFIG, { name: 'secret-lab', manager: { memcachedProtocol: 'binary', username: USER, password: PASSWORD } }));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('SASL secrets', () => {
  it('a SASL lab runs the SASL memcached stand-in even without --stand-ins (the official image has no user database the kit fills), and says so', () => {
    const lab = resolveLab(sasl);
    expect(lab.images.memcached).toBe('msm-kit-local/memcached-sasl:1.6');
    expect(lab.standIns.memcached?.official).toBe('memcached:1.6');
    expect(lab.images.tomcat).toBe('tomcat:9.0-jre17');
    expect(lab.standIns.tomcat).toBeUndefined();
    // An image the user names wins.
    const own = resolveLab(accept(patch(DEFAULT_CONFIG, { images: { memcached: 'example/memcached-sasl:1' }, manager: { memcachedProtocol: 'binary', username: USER, password: PASSWORD } })));
    expect(own.images.memcached).toBe('example/memcached-sasl:1');
    expect(own.standIns.memcached).toBeUndefined();
    expect(resolveLab(accept(DEFAULT_CONFIG)).images.memcached).toBe('memcached:1.6');
  });

  it('context.xml names environment variables, and Tomcat gets the property source that reads them', () => {
    const lab = resolveLab(sasl, { standIns: true });
    const xml = renderContextXml(lab);
    expect(xml).toContain('username="${MSM_KIT_MEMCACHED_USERNAME}"');
    expect(xml).toContain('password="${MSM_KIT_MEMCACHED_PASSWORD}"');
    expect(xml).not.toContain(PASSWORD);
    expect(xml).not.toContain(USER);
    for (const t of lab.tomcats) expect(t.catalinaOpts).toContain(ENV_PROPERTY_SOURCE_OPT);
    expect(lab.images.memcached).toBe('msm-kit-local/memcached-sasl:1.6');
    const plain = resolveLab(accept(DEFAULT_CONFIG), { standIns: true });
    expect(plain.javaOpts).not.toContain('PROPERTY_SOURCE');
    expect(plain.images.memcached).toBe('msm-kit-local/memcached:1.6');
  });

  it('no file under --out holds the username or password; the stack declares sensitive variables', async () => {
    const out = mkdtempSync(join(tmpdir(), 'msm-secrets-'));
    const r = await synthLab(sasl, { outDir: out, standIns: true, fetch: { offline: true } });
    const all = files(out);
    expect(all.length).toBeGreaterThan(5);
    for (const f of all) {
      const bytes = readFileSync(f);
      expect(bytes.includes(PASSWORD), `${f} holds the password`).toBe(false);
      expect(bytes.includes(USER), `${f} holds the username`).toBe(false);
    }
    const json = all.find((f) => f.endsWith('cdk.tf.json'))!;
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.variable.memcached_password).toMatchObject({ sensitive: true, type: 'string' });
    expect(doc.variable.memcached_username).toMatchObject({ sensitive: true, type: 'string' });
    const containers = Object.values(doc.resource.docker_container) as Array<{ name: string; env?: string[]; command?: string[]; upload?: Array<{ content: string }> }>;
    const tomcat = containers.find((c) => c.name === 'tomcat-node1')! as { env?: string[]; upload: Array<{ content: string }> };
    // Terraform would read ${...} as its own template: the JSON escapes it as $${...}.
    expect(tomcat.upload[0].content).toContain('password="$${MSM_KIT_MEMCACHED_PASSWORD}"');
    expect(tomcat.env).toContain('MSM_KIT_MEMCACHED_PASSWORD=${var.memcached_password}');
    const memcached = containers.find((c) => c.name === 'memcached-node1')!;
    expect(memcached.env).toContain('MSM_KIT_SASL_PASSWORD=${var.memcached_password}');
    expect(memcached.command).toContain('-S');
    expect(r.lab.manager.password).toBe(PASSWORD);
  });

  it('terraformLiteral escapes Terraform template starts only', () => {
    expect(terraformLiteral('a${X} %{if} $y %z {')).toBe('a$${X} %%{if} $y %z {');
  });

  it('up/down hand the values to terraform as TF_VAR_*, only for a SASL lab', () => {
    expect(terraformSecretEnv(sasl.manager)).toEqual({ TF_VAR_memcached_username: USER, TF_VAR_memcached_password: PASSWORD });
    expect(terraformSecretEnv(accept(DEFAULT_CONFIG).manager)).toEqual({});
  });
});
