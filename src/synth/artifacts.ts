/**
 * Writes what the lab needs besides the Terraform JSON: context.xml, nginx.conf
 * and the Tomcat image build context (Dockerfile, msm jars, sample app).
 * Output is deterministic: the same config gives byte-identical files.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CATALINA_HOME, IMAGE_CONTEXT_SUBDIR, WEBAPP_DIR } from '../config/layout';
import type { ResolvedLab } from '../config/resolve';
import { inRegistry } from '../config/swarm';
import { copyJars, fetchJars, type FetchOptions } from '../jars/fetch';
import { jarFileName, labJars, type Jar } from '../jars/manifest';
import { TEMPLATES_DIR } from '../paths';
import { renderContextXml } from '../render/context-xml';
import { renderNginxConf } from '../render/nginx-conf';

export interface Artifacts {
  readonly outDir: string;
  readonly contextXml: string;
  readonly nginxConf: string;
  /** Absolute path of the Tomcat image build context. */
  readonly imageContextDir: string;
  /** SHA-256 over the build context's files (paths and contents). */
  readonly imageContextHash: string;
  /** Tag of the Tomcat image built from the context. */
  readonly tomcatImageTag: string;
  /** Files written, relative to outDir, sorted. */
  readonly files: readonly string[];
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

export function hashDir(dir: string): string {
  const h = createHash('sha256');
  for (const f of listFiles(dir)) {
    h.update(relative(dir, f) + '\0' + statSync(f).size + '\0');
    h.update(readFileSync(f));
  }
  return h.digest('hex');
}

/**
 * A jar with `replaces` (the ECJ 3.26.0 for Tomcat 7/8.5 on Java 9+) supersedes files
 * the base image already has in the same directory: remove them before the COPY,
 * or both ECJs end up in lib/ and the class loader picks one.
 */
export function withReplacedJars(dockerfile: string, jars: readonly Jar[]): string {
  const globs = jars.flatMap((j) => (j.replaces === undefined ? [] : [`${j.target === 'catalina-lib' ? `${CATALINA_HOME}/lib` : `${WEBAPP_DIR}/WEB-INF/lib`}/${j.replaces}`]));
  if (globs.length === 0) return dockerfile;
  return dockerfile.replace(/^COPY /m, `RUN rm -f ${globs.join(' ')}\nCOPY `);
}

/** Renders everything and writes it under outDir (the image context is rewritten from scratch). */
export async function writeArtifacts(lab: ResolvedLab, outDir: string, fetchOpts: FetchOptions = {}): Promise<Artifacts> {
  const out = resolve(outDir);
  const contextXml = renderContextXml(lab);
  const nginxConf = renderNginxConf(lab);
  const jars = labJars(lab);
  const cached = await fetchJars(jars, fetchOpts);

  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'context.xml'), contextXml);
  writeFileSync(join(out, 'nginx.conf'), nginxConf);

  const ctxDir = join(out, IMAGE_CONTEXT_SUBDIR);
  rmSync(ctxDir, { recursive: true, force: true });
  const tomcatDir = join(ctxDir, 'tomcat');
  const webappDir = join(tomcatDir, relative(CATALINA_HOME, WEBAPP_DIR));
  mkdirSync(webappDir, { recursive: true });
  cpSync(join(TEMPLATES_DIR, 'webapp'), webappDir, { recursive: true });
  mkdirSync(join(webappDir, 'META-INF'), { recursive: true });
  // Baked in too, so the image alone runs; each container also gets it uploaded.
  writeFileSync(join(webappDir, 'META-INF', 'context.xml'), contextXml);
  copyJars(jars, cached, { 'catalina-lib': join(tomcatDir, 'lib'), 'webapp-lib': join(webappDir, 'WEB-INF', 'lib') });
  const dockerfile = withReplacedJars(readFileSync(join(TEMPLATES_DIR, 'tomcat', 'Dockerfile'), 'utf8').replace('{{BASE_IMAGE}}', lab.swarm ? lab.swarm.images.tomcat : lab.images.tomcat), jars);
  writeFileSync(join(ctxDir, 'Dockerfile'), dockerfile);

  const manifest = {
    lab: lab.name,
    tomcat: lab.tomcatVersion,
    java: lab.javaVersion,
    serializer: lab.serializer,
    jars: jars.map((j) => ({
      coordinates: `${j.groupId}:${j.artifactId}:${j.version}`,
      file: jarFileName(j),
      sha256: j.sha256,
      target: j.target === 'catalina-lib' ? `${CATALINA_HOME}/lib` : `${WEBAPP_DIR}/WEB-INF/lib`,
    })),
  };
  writeFileSync(join(out, 'jars.json'), JSON.stringify(manifest, null, 2) + '\n');

  const imageContextHash = hashDir(ctxDir);
  return {
    outDir: out,
    contextXml,
    nginxConf,
    imageContextDir: ctxDir,
    imageContextHash,
    tomcatImageTag: lab.swarm ? inRegistry(lab.swarm.registry, `msm-kit/${lab.name}-tomcat:${imageContextHash.slice(0, 12)}`) : `msm-kit/${lab.name}-tomcat:${imageContextHash.slice(0, 12)}`,
    files: listFiles(out).map((f) => relative(out, f)),
  };
}
