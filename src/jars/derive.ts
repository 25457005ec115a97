/**
 * Makes the jars the kit derives from pinned inputs (manifest.ts `derive`): msm
 * converted to jakarta.* by Apache Tomcat's migration tool, and the kit's own Manager
 * subclass compiled with javac. Both run on this machine's `java`/`javac`
 * (`MSM_KIT_JAVA` names a java binary; javac is taken from next to it).
 *
 * Every result is rewritten as a deterministic jar (zip.ts) and must match the sha256
 * the manifest pins; nothing unverified reaches the cache.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { JarError } from '../errors';
import { PACKAGE_ROOT } from '../paths';
import type { Jar } from './manifest';
import { readZip, writeZip, type ZipEntry } from './zip';

function javaBin(): string {
  return process.env.MSM_KIT_JAVA ?? 'java';
}
function javacBin(): string {
  return process.env.MSM_KIT_JAVA ? join(process.env.MSM_KIT_JAVA, '..', 'javac') : 'javac';
}

function run(what: string, cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw new JarError(`${what}: cannot run ${cmd} (${r.error.message}). Fix: install a JDK 11+ (Debian: apt-get install openjdk-17-jdk-headless) or set MSM_KIT_JAVA to its java binary`);
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
    throw new JarError(`${what}: ${cmd} exited with ${r.status}:\n${tail}`);
  }
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The class files under `dir` as jar entries (sorted paths), after a fixed manifest. */
function classEntries(dir: string): ZipEntry[] {
  const manifest: ZipEntry = { name: 'META-INF/MANIFEST.MF', data: Buffer.from('Manifest-Version: 1.0\r\nCreated-By: msm-kit\r\n\r\n') };
  return [manifest, ...files(dir).map((f) => ({ name: relative(dir, f).split(sep).join('/'), data: readFileSync(f) }))];
}

/**
 * The bytes of a derived jar, made from its inputs (`input` returns the verified cached
 * path of an input jar). Deterministic: same inputs and tools, same bytes.
 */
export async function deriveJarBytes(jar: Jar, input: (j: Jar) => Promise<string>): Promise<Buffer> {
  const d = jar.derive;
  if (!d) throw new Error(`${jar.artifactId} is not a derived jar`);
  const tmp = mkdtempSync(join(tmpdir(), 'msm-kit-derive-'));
  try {
    if (d.kind === 'jakarta') {
      const [tool, from] = [await input(d.tool), await input(d.from)];
      const out = join(tmp, 'out.jar');
      run(`convert ${d.from.artifactId} to jakarta.*`, javaBin(), ['-jar', tool, '-profile=TOMCAT', from, out]);
      // The tool stamps the entries it changed with the current time: keep names and bytes only.
      return writeZip(readZip(readFileSync(out)));
    }
    const cp = [];
    for (const j of d.classpath) cp.push(await input(j));
    const srcDir = join(PACKAGE_ROOT, d.sourceDir);
    const sources = files(srcDir).filter((f) => f.endsWith('.java'));
    const classes = join(tmp, 'classes');
    run(`compile ${d.sourceDir}`, javacBin(), ['--release', String(d.release), '-encoding', 'UTF-8', '-nowarn', '-d', classes, '-cp', cp.join(':'), ...sources]);
    return writeZip(classEntries(classes));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
