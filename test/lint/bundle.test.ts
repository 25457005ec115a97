import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderBundleNginxConf, renderSetenv, writeBundle } from '../../src/bundle/bundle';
import { resolveLab } from '../../src/config/resolve';
import { lintText } from '../../src/lint/lint';
import { accept, DEFAULT_CONFIG, patch, STICKY_CONFIG } from '../helpers';

describe('bundle', () => {
  it('writes one overlay per node with checksummed jars, the context file, setenv.sh and INSTALL.md', async () => {
    const lab = resolveLab(accept(patch(DEFAULT_CONFIG, { tomcat: { version: '8.5', javaVersion: 17 }, manager: { serializer: 'kryo' } })));
    const out = mkdtempSync(join(tmpdir(), 'msm-bundle-'));
    try {
      const b = await writeBundle(lab, { outDir: out, tomcatAddresses: { 'tomcat-node1': '10.0.0.1:8080' }, fetch: { offline: true } });
      const n1 = 'tomcat-node1';
      expect(b.files).toContain(`${n1}/overlay/lib/memcached-session-manager-tc8-2.3.2.jar`);
      expect(b.files).toContain(`${n1}/overlay/lib/ecj-3.26.0.jar`);
      expect(b.files).toContain(`${n1}/overlay/webapps/ROOT/WEB-INF/lib/kryo-serializers-0.45.jar`);
      expect(b.files).toContain(`${n1}/overlay/conf/Catalina/localhost/ROOT.xml`);
      expect(b.files).toContain('memcached/memcached-node1.conf');
      const sums = readFileSync(join(out, n1, 'SHA256SUMS'), 'utf8');
      expect(sums).toMatch(/^[0-9a-f]{64} {2}lib\/memcached-session-manager-2\.3\.2\.jar$/m);
      const install = readFileSync(join(out, n1, 'INSTALL.md'), 'utf8');
      expect(install).toMatch(/rm -f "\$CATALINA_HOME\/lib\/"ecj-\*\.jar/);
      expect(install).toMatch(/cp -R overlay\/\. "\$CATALINA_HOME"\//);
      expect(readFileSync(join(out, 'nginx', 'nginx.conf'), 'utf8')).toMatch(/server 10\.0\.0\.1:8080 .*# tomcat-node1/);
      expect(b.files).toContain(`${n1}/server.xml`);
      const serverXml = readFileSync(join(out, n1, 'server.xml'), 'utf8');
      expect(serverXml).toContain('<Server port="-1"');
      expect(serverXml).toContain('protocolHeader="X-Forwarded-Proto"');
      expect(serverXml).not.toContain('internalProxies');
      expect(install).toMatch(/Harden `conf\/server\.xml`.*internalProxies/);
      const ctx = readFileSync(join(out, n1, 'overlay/conf/Catalina/localhost/ROOT.xml'), 'utf8');
      expect(ctx).toContain('sameSiteCookies="lax"');
      expect(lintText('ROOT.xml', ctx, { tomcat: '8.5', java: 17 }).filter((f) => f.severity === 'error')).toEqual([]);
      // The order an operator follows to change the running setup by hand (the one up follows on a lab).
      const readme = readFileSync(join(out, 'README.md'), 'utf8');
      const rolling = readme.slice(readme.indexOf('## Changing a running setup, one node at a time'));
      expect(rolling.length).toBeLessThan(readme.length);
      const order = ['memcached, one node at a time', 'Tomcat, one node at a time', 'add `down`', 'shutting down', 'Stop this Tomcat', 'Remove `down`', 'nginx -s reload` loads a new nginx.conf'];
      const at = order.map((o) => rolling.indexOf(o));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('a Redis store: jedis and commons-pool2 in lib/, redis/<name>.conf instead of memcached/, INSTALL names Redis', async () => {
    const lab = resolveLab(accept(patch(DEFAULT_CONFIG, { memcached: undefined, redis: { name: 'redis-node1', port: 6380 } })));
    const out = mkdtempSync(join(tmpdir(), 'msm-bundle-'));
    try {
      const b = await writeBundle(lab, { outDir: out, tomcatAddresses: {}, fetch: { offline: true } });
      expect(b.files).toContain('tomcat-node1/overlay/lib/jedis-2.9.0.jar');
      expect(b.files).toContain('tomcat-node1/overlay/lib/commons-pool2-2.4.2.jar');
      expect(b.files.filter((f) => f.startsWith('memcached/'))).toEqual([]);
      expect(readFileSync(join(out, 'redis', 'redis-node1.conf'), 'utf8')).toMatch(/^port 6380$/m);
      expect(readFileSync(join(out, 'tomcat-node1', 'INSTALL.md'), 'utf8')).toContain('Redis must be up: redis://redis-node1:6380');
      expect(readFileSync(join(out, 'tomcat-node1/overlay/conf/Catalina/localhost/ROOT.xml'), 'utf8')).toContain('memcachedNodes="redis://redis-node1:6380"');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("a monitored lab's bundle: no -javaagent in setenv.sh (no agent is shipped), no stub_status server in nginx.conf", () => {
    const lab = resolveLab(accept(DEFAULT_CONFIG));
    expect(lab.monitoring, 'the default lab is monitored').toBeDefined();
    expect(lab.tomcats[0].catalinaOpts).toContain('-javaagent:');
    expect(renderSetenv(lab, lab.tomcats[0])).not.toContain('javaagent');
    const conf = renderBundleNginxConf(lab, Object.fromEntries(lab.tomcats.map((t, i) => [t.name, `10.0.0.${i + 1}:8080`])));
    expect(conf).not.toContain('stub_status');
  });

  it('setenv.sh carries the jvmRoute in sticky mode and no heap settings', () => {
    const lab = resolveLab(accept(STICKY_CONFIG));
    const s = renderSetenv(lab, lab.tomcats[0]);
    expect(s).toMatch(new RegExp(`-DjvmRoute=${lab.tomcats[0].jvmRoute}`));
    expect(s).not.toMatch(/-Xmx/);
    expect(renderBundleNginxConf(lab, { [lab.tomcats[0].name]: 'a:1', [lab.tomcats[1].name]: 'b:2' })).not.toMatch(/server 172\./);
  });
});
