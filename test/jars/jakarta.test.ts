/**
 * Tomcat 10.1/11: the jars the kit derives (msm converted to jakarta.* by Apache's
 * migration tool, the kit's Manager subclass compiled with javac) are deterministic
 * and match their pins; the lab uses them, with the kit's className.
 */
import { describe, expect, it } from 'vitest';
import { resolveLab } from '../../src/config/resolve';
import { deriveJarBytes } from '../../src/jars/derive';
import { fetchJar, sha256 } from '../../src/jars/fetch';
import { jarFileName, jarSet, type Jar } from '../../src/jars/manifest';
import { readZip, writeZip } from '../../src/jars/zip';
import { renderContextXml } from '../../src/render/context-xml';
import { renderServerXml } from '../../src/render/server-xml';
import { accept, DEFAULT_CONFIG, patch, STICKY_CONFIG } from '../helpers';

const derived = (v: '10.1' | '11') => jarSet(v, 'java', 17).filter((j) => j.derive);

describe('jakarta jars (Tomcat 10.1 and 11)', () => {
  it('10.1 and 11 get the converted core and tc9 jars and the kit managers, never the javax ones', () => {
    for (const v of ['10.1', '11'] as const) {
      const names = jarSet(v, 'java', 17).map(jarFileName);
      expect(names).toEqual(['memcached-session-manager-jakarta-2.3.2.jar', 'memcached-session-manager-tc9-jakarta-2.3.2.jar', 'msm-kit-manager-1.5.0.jar', 'msm-kit-jakarta-manager-1.2.0.jar', 'spymemcached-2.12.3.jar']);
    }
    // Tomcat 9 derives only the kit's own Manager (javac), nothing converted
    expect(jarSet('9', 'java', 17).filter((j) => j.derive).map((j) => j.derive!.kind)).toEqual(['javac']);
  });

  it('deriving twice gives the same bytes, equal to the pin; the converted classes name jakarta.servlet, not javax.servlet', async () => {
    const input = (j: Jar): Promise<string> => fetchJar(j, {});
    for (const jar of derived('11')) {
      const a = await deriveJarBytes(jar, input);
      const b = await deriveJarBytes(jar, input);
      expect(sha256(a), jarFileName(jar)).toBe(sha256(b));
      expect(sha256(a), jarFileName(jar)).toBe(jar.sha256);
      const entries = readZip(a);
      const classes = Buffer.concat(entries.filter((e) => e.name.endsWith('.class')).map((e) => e.data)).toString('latin1');
      expect(classes).not.toContain('javax/servlet');
      if (jar.derive?.kind === 'jakarta') expect(classes).toContain('jakarta/servlet');
      else if (jar.artifactId === 'msm-kit-jakarta-manager') expect(entries.map((e) => e.name)).toContain('msmkit/tomcat/JakartaMemcachedBackupSessionManager.class');
      else expect(entries.map((e) => e.name)).toContain('msmkit/tomcat/KitMemcachedBackupSessionManager.class');
    }
  }, 240_000);

  it('writeZip round-trips through readZip and does not depend on input timestamps', () => {
    const entries = [{ name: 'META-INF/MANIFEST.MF', data: Buffer.from('Manifest-Version: 1.0\r\n\r\n') }, { name: 'a/B.class', data: Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 1]) }];
    const z = writeZip(entries);
    expect(readZip(z).map((e) => [e.name, e.data.toString('hex')])).toEqual(entries.map((e) => [e.name, e.data.toString('hex')]));
    expect(sha256(writeZip(readZip(z)))).toBe(sha256(z));
  });

  it("context.xml names the kit's jakarta Manager on 10.1/11 and the kit's javax Manager on 9", () => {
    const xml = (version: string, javaVersion: number) => renderContextXml(resolveLab(accept(patch(DEFAULT_CONFIG, { tomcat: { version, javaVersion } }))));
    expect(xml('11', 17)).toContain('className="msmkit.tomcat.JakartaMemcachedBackupSessionManager"');
    expect(xml('10.1', 11)).toContain('className="msmkit.tomcat.JakartaMemcachedBackupSessionManager"');
    expect(xml('9', 17)).toContain('className="msmkit.tomcat.KitMemcachedBackupSessionManager"');
  });

  it('sticky labs on 10.1/11 set the Engine jvmRoute in server.xml (Tomcat 10+ ignores -DjvmRoute); others do not', () => {
    const engine = (version: string, sticky: boolean) =>
      renderServerXml(resolveLab(accept(patch(sticky ? STICKY_CONFIG : DEFAULT_CONFIG, { tomcat: { version, javaVersion: 17 } })))).split('\n').find((l) => l.includes('<Engine '));
    expect(engine('11', true)).toContain('jvmRoute="${jvmRoute}"');
    expect(engine('10.1', true)).toContain('jvmRoute="${jvmRoute}"');
    expect(engine('11', false)).not.toContain('jvmRoute');
    expect(engine('9', true)).not.toContain('jvmRoute');
  });
});
