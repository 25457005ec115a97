/** Jar download: checksum verification and cache reuse, against a repository served on 127.0.0.1. */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JarError } from '../../src/errors';
import { copyJars, fetchJar, sha256 } from '../../src/jars/fetch';
import { allJars, jarRepoPath, jarSet, labJars, type Jar } from '../../src/jars/manifest';
import { resolveLab } from '../../src/config/resolve';
import { withReplacedJars } from '../../src/synth/artifacts';
import { accept, DEFAULT_CONFIG, patch } from '../helpers';

const body = Buffer.from('not really a jar, but bytes with a known checksum');
const good: Jar = { groupId: 'org.example', artifactId: 'demo', version: '1.0', sha256: sha256(body), target: 'catalina-lib' };
const tampered: Jar = { ...good, artifactId: 'tampered' };
let server: Server;
let repo: string;
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url?.endsWith('demo-1.0.jar') || req.url?.endsWith('tampered-1.0.jar')) {
      res.end(req.url.includes('tampered') ? Buffer.concat([body, Buffer.from('!')]) : body);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  repo = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());

describe('fetchJar', () => {
  it('downloads, verifies and caches; the second call does not download', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'msm-jars-'));
    const before = hits;
    const p = await fetchJar(good, { cacheDir, repository: repo });
    expect(readFileSync(p)).toEqual(body);
    expect(hits).toBe(before + 1);
    await fetchJar(good, { cacheDir, repository: repo });
    expect(hits).toBe(before + 1);
  });

  it('refuses a jar whose checksum does not match, and writes nothing', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'msm-jars-'));
    await expect(fetchJar(tampered, { cacheDir, repository: repo })).rejects.toThrow(/checksum mismatch.*tampered-1\.0\.jar/);
    expect(existsSync(join(cacheDir, jarRepoPath(tampered)))).toBe(false);
  });

  it('replaces a corrupted cache entry', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'msm-jars-'));
    const path = join(cacheDir, jarRepoPath(good));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'corrupt');
    await fetchJar(good, { cacheDir, repository: repo });
    expect(readFileSync(path)).toEqual(body);
  });

  it('names the URL and the HTTP status when a jar is missing', async () => {
    const missing = { ...good, artifactId: 'missing' };
    await expect(fetchJar(missing, { cacheDir: mkdtempSync(join(tmpdir(), 'msm-jars-')), repository: repo })).rejects.toThrow(/missing-1\.0\.jar: HTTP 404/);
  });

  it('fails offline with a fix when the jar is not cached', async () => {
    await expect(fetchJar(good, { cacheDir: mkdtempSync(join(tmpdir(), 'msm-jars-')), offline: true })).rejects.toBeInstanceOf(JarError);
  });

  it('copies jars to their targets', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'msm-jars-'));
    const p = await fetchJar(good, { cacheDir, repository: repo });
    const out = mkdtempSync(join(tmpdir(), 'msm-ctx-'));
    const [written] = copyJars([good], [p], { 'catalina-lib': join(out, 'lib'), 'webapp-lib': join(out, 'webapp') });
    expect(written).toBe(join(out, 'lib', 'demo-1.0.jar'));
  });
});

describe('jar manifest', () => {
  it('Tomcat 9 + java: core, -tc9, the kit Manager and spymemcached into $CATALINA_HOME/lib, nothing in WEB-INF/lib', () => {
    const set = jarSet('9', 'java', 17);
    expect(set.map((j) => `${j.artifactId}:${j.target}`)).toEqual(['memcached-session-manager:catalina-lib', 'memcached-session-manager-tc9:catalina-lib', 'msm-kit-manager:catalina-lib', 'spymemcached:catalina-lib']);
  });

  it('one Tomcat-specific jar per version: tc7, tc8 (for 8.5), tc9', () => {
    expect(jarSet('7', 'java', 8)[1].artifactId).toBe('memcached-session-manager-tc7');
    expect(jarSet('8.5', 'java', 8)[1].artifactId).toBe('memcached-session-manager-tc8');
  });

  it('serializer jars go to WEB-INF/lib; kryo on Java 8 uses kryo 4.0.0 with kryo-serializers 0.41', () => {
    const kryo = jarSet('9', 'kryo', 8).filter((j) => j.target === 'webapp-lib');
    expect(kryo.map((j) => `${j.artifactId}:${j.version}`)).toEqual(expect.arrayContaining(['kryo:4.0.0', 'kryo-serializers:0.41', 'msm-kryo-serializer:2.3.2']));
    expect(jarSet('9', 'xstream', 17).filter((j) => j.target === 'webapp-lib').map((j) => j.artifactId)).toEqual(['msm-xstream-serializer', 'xstream', 'xmlpull', 'xpp3_min']);
  });

  it('kryo on Java 9+: kryo-serializers 0.45 instead of 0.41, kryo 4.0.0 kept, same 7 jars', () => {
    for (const java of [11, 17, 21] as const) {
      const kryo = jarSet('9', 'kryo', java).filter((j) => j.target === 'webapp-lib');
      expect(kryo).toHaveLength(7);
      expect(kryo.map((j) => `${j.artifactId}:${j.version}`)).toEqual(expect.arrayContaining(['kryo:4.0.0', 'kryo-serializers:0.45', 'msm-kryo-serializer:2.3.2']));
      expect(kryo.map((j) => j.version)).not.toContain('0.41');
    }
  });

  it('Tomcat 7/8.5 on Java 9+ get ECJ 3.26.0 in lib/, replacing the bundled ecj-*.jar; not on Java 8 nor Tomcat 9', () => {
    for (const tc of ['7', '8.5'] as const) {
      const ecj = jarSet(tc, 'java', 17).filter((j) => j.artifactId === 'ecj');
      expect(ecj).toEqual([expect.objectContaining({ groupId: 'org.eclipse.jdt', version: '3.26.0', target: 'catalina-lib', replaces: 'ecj-*.jar' })]);
      expect(jarSet(tc, 'java', 8).some((j) => j.artifactId === 'ecj')).toBe(false);
    }
    expect(jarSet('9', 'java', 21).some((j) => j.artifactId === 'ecj')).toBe(false);
  });

  it('the Tomcat image Dockerfile removes the bundled ecj-*.jar before copying ECJ 3.26.0 in, only when ECJ is in the set', () => {
    const template = 'FROM {{BASE_IMAGE}}\nCOPY tomcat/ /usr/local/tomcat/\n';
    const lab = (version: string, javaVersion: number) => labJars(resolveLab(accept(patch(DEFAULT_CONFIG, { tomcat: { version, javaVersion } }))));
    expect(withReplacedJars(template, lab('7', 17))).toBe('FROM {{BASE_IMAGE}}\nRUN rm -f /usr/local/tomcat/lib/ecj-*.jar\nCOPY tomcat/ /usr/local/tomcat/\n');
    expect(withReplacedJars(template, lab('7', 8))).toBe(template);
    expect(withReplacedJars(template, lab('9', 17))).toBe(template);
  });

  it('allJars lists the Java 9+ jars too', () => {
    expect(allJars().map((j) => `${j.artifactId}:${j.version}`)).toEqual(expect.arrayContaining(['kryo-serializers:0.41', 'kryo-serializers:0.45', 'ecj:3.26.0']));
  });

  it('every checksum is a SHA-256', () => {
    for (const j of allJars()) expect(j.sha256, j.artifactId).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the Redis jar set', () => {
  it('adds jedis 2.9.0 and commons-pool2 2.4.2 to lib/ for a Redis store, and only then', () => {
    const names = (store: 'memcached' | 'redis') => jarSet('9', 'java', 17, store).map((j) => `${j.artifactId}:${j.version}:${j.target}`);
    expect(names('redis')).toEqual([...names('memcached'), 'jedis:2.9.0:catalina-lib', 'commons-pool2:2.4.2:catalina-lib']);
    expect(names('memcached').some((n) => /jedis|pool2/.test(n))).toBe(false);
  });
});
