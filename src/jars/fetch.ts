/**
 * Downloads jars from Maven Central into a local cache, verifying each SHA-256,
 * and copies them into a build directory.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { JarError } from '../errors';
import { PACKAGE_ROOT } from '../paths';
import { deriveJarBytes } from './derive';
import { jarFileName, jarRepoPath, type DeployTarget, type Jar } from './manifest';

export const DEFAULT_REPOSITORY = 'https://repo1.maven.org/maven2';

export interface FetchOptions {
  /** Cache directory. @default $MSM_KIT_CACHE/jars or ~/.cache/msm-kit/jars */
  readonly cacheDir?: string;
  /** Maven repository base URL. @default $MSM_KIT_MAVEN_REPO or Maven Central */
  readonly repository?: string;
  /** Never download; fail when a jar is not cached. @default false */
  readonly offline?: boolean;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
}

export function defaultCacheRoot(): string {
  return process.env.MSM_KIT_CACHE ?? join(homedir(), '.cache', 'msm-kit');
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A jar compiled from the kit's sources is made again when a source is newer than the cached jar (then its pin must match anew). */
function sourcesChangedSince(jar: Jar, cached: string): boolean {
  if (jar.derive?.kind !== 'javac') return false;
  const made = statSync(cached).mtimeMs;
  const dir = join(PACKAGE_ROOT, jar.derive.sourceDir);
  return readdirSync(dir, { recursive: true, withFileTypes: true }).some((e) => e.isFile() && statSync(join(e.parentPath, e.name)).mtimeMs > made);
}

/** Returns the cached path of a verified jar, downloading it if needed. */
export async function fetchJar(jar: Jar, opts: FetchOptions = {}): Promise<string> {
  const cacheDir = opts.cacheDir ?? join(defaultCacheRoot(), 'jars');
  const repository = opts.repository ?? process.env.MSM_KIT_MAVEN_REPO ?? DEFAULT_REPOSITORY;
  const path = join(cacheDir, jarRepoPath(jar));
  if (existsSync(path) && !sourcesChangedSince(jar, path)) {
    const got = sha256(readFileSync(path));
    if (got === jar.sha256) return path;
    opts.log?.(`  cached ${jarFileName(jar)} has a wrong checksum (${got}); downloading again`);
  }
  if (jar.derive) {
    opts.log?.(`  making ${jarFileName(jar)} (${jar.derive.kind === 'jakarta' ? `${jarFileName(jar.derive.from)} converted by ${jarFileName(jar.derive.tool)}` : `javac --release ${jar.derive.release} ${jar.derive.sourceDir}`})`);
    const data = await deriveJarBytes(jar, (j) => fetchJar(j, opts));
    const got = sha256(data);
    if (got !== jar.sha256)
      throw new JarError(
        `derived jar ${jarFileName(jar)} has sha256 ${got}, the kit pins ${jar.sha256}; nothing was written (its inputs are pinned, so either ${jar.derive.kind === 'javac' ? `the sources under ${jar.derive.sourceDir} changed since the pin (then pin the new sha256 in src/jars/manifest.ts) or ` : ''}the ${jar.derive.kind === 'javac' ? 'javac' : 'java'} that made it differs from the one the pin was made with: OpenJDK 17.0.15). Fix: ${jar.derive.kind === 'javac' ? 'use a JDK 17 javac (MSM_KIT_JAVA names its java binary)' : 'use an OpenJDK 17 java (MSM_KIT_JAVA)'}, or report the two checksums`,
      );
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path + '.part', data);
    renameSync(path + '.part', path);
    return path;
  }
  if (opts.offline) throw new JarError(`jar ${jarFileName(jar)} is not in the cache ${cacheDir} and --offline was given. Fix: run "npx msm-kit jars" with network access`);
  const url = `${repository}/${jarRepoPath(jar)}`;
  opts.log?.(`  downloading ${url}`);
  let data: Buffer;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    data = Buffer.from(await res.arrayBuffer());
  } catch (e) {
    throw new JarError(`jar download failed: ${url}: ${(e as Error).message}`);
  }
  const got = sha256(data);
  if (got !== jar.sha256) throw new JarError(`jar checksum mismatch for ${url}: expected sha256 ${jar.sha256}, got ${got}. Nothing was written`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path + '.part', data);
  renameSync(path + '.part', path);
  return path;
}

/** Fetches every jar (cache first), in order, and returns their cached paths. */
export async function fetchJars(jars: readonly Jar[], opts: FetchOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const j of jars) out.push(await fetchJar(j, opts));
  return out;
}

/** Copies fetched jars into `<dir>/<target dir>/<file>`; returns the written relative paths. */
export function copyJars(jars: readonly Jar[], cached: readonly string[], targetDirs: Record<DeployTarget, string>): string[] {
  return jars.map((j, i) => {
    if (j.target === 'build' || j.target === 'java-agent') throw new Error(`${jarFileName(j)} is ${j.target === 'build' ? 'a build input' : 'a java agent'}, not a library`);
    const dest = join(targetDirs[j.target], jarFileName(j));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(cached[i], dest);
    return dest;
  });
}
