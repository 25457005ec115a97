/** Jar download: checksum verification and cache reuse, against a repository served on 127.0.0.1. */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JarError } from '../../src/errors';
import { copyJars, fetchJar, sha256 } from '../../src/jars/fetch';
import { allJars, jarRepoPath, jarSet, type Jar } from '../../src/jars/manifest';

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
  it('Tomcat 9 + java: core, -tc9 and spymemcached into $CATALINA_HOME/lib, nothing in WEB-INF/lib', () => {
    const set = jarSet('9', 'java');
    expect(set.map((j) => `${j.artifactId}:${j.target}`)).toEqual(['memcached-session-manager:catalina-lib', 'memcached-session-manager-tc9:catalina-lib', 'spymemcached:catalina-lib']);
  });

  it('one Tomcat-specific jar per version: tc7, tc8 (for 8.5), tc9', () => {
    expect(jarSet('7', 'java')[1].artifactId).toBe('memcached-session-manager-tc7');
    expect(jarSet('8.5', 'java')[1].artifactId).toBe('memcached-session-manager-tc8');
  });

  it('serializer jars go to WEB-INF/lib; kryo uses kryo 4.0.0 with kryo-serializers 0.41', () => {
    const kryo = jarSet('9', 'kryo').filter((j) => j.target === 'webapp-lib');
    expect(kryo.map((j) => `${j.artifactId}:${j.version}`)).toEqual(expect.arrayContaining(['kryo:4.0.0', 'kryo-serializers:0.41', 'msm-kryo-serializer:2.3.2']));
    expect(jarSet('9', 'xstream').filter((j) => j.target === 'webapp-lib').map((j) => j.artifactId)).toEqual(['msm-xstream-serializer', 'xstream', 'xmlpull', 'xpp3_min']);
  });

  it('every checksum is a SHA-256', () => {
    for (const j of allJars()) expect(j.sha256, j.artifactId).toMatch(/^[0-9a-f]{64}$/);
  });
});
