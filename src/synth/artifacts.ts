/**
 * Writes what the lab needs besides the Terraform JSON: context.xml, nginx.conf
 * and the Tomcat image build context (Dockerfile, msm jars, sample app).
 * Output is deterministic: the same config gives byte-identical files.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CATALINA_HOME, IMAGE_CONTEXT_SUBDIR, MONITORING_SUBDIR, NGINX_CONF_FILE, NGINX_CONF_SUBDIR, WEBAPP_DIR } from '../config/layout';
import type { ResolvedLab, ResolvedWebapp } from '../config/resolve';
import { mergeManager, openWebapp } from '../config/webapps';
import { inRegistry } from '../config/swarm';
import { copyJars, fetchJar, fetchJars, type FetchOptions } from '../jars/fetch';
import { JMX_EXPORTER_AGENT, jarFileName, labJars, type Jar } from '../jars/manifest';
import { JMX_EXPORTER_AGENT_FILE, JMX_EXPORTER_CONFIG, JMX_EXPORTER_DIR } from '../config/monitoring';
import { renderJmxExporterConfig } from '../render/jmx-exporter-config';
import { renderPrometheusYml } from '../render/prometheus-yml';
import { TEMPLATES_DIR } from '../paths';
import { renderContextXml } from '../render/context-xml';
import { renderNginxConf } from '../render/nginx-conf';
import { renderServerXml } from '../render/server-xml';
import { prepareTlsFiles, type LabTlsFiles } from './tls-files';

export interface Artifacts {
  readonly outDir: string;
  readonly contextXml: string;
  readonly nginxConf: string;
  /** prometheus.yml of a monitored lab (also written to `<out>/monitoring/`). @default absent: no monitoring */
  readonly prometheusYml?: string;
  /** Absolute path of the directory holding nginxConf as NGINX_CONF_FILE (`<out>/nginx`; what a local engine's nginx mounts). */
  readonly nginxConfDir: string;
  /**
   * Each webapp's META-INF/context.xml (msm's <Manager>, merged into the app's own
   * <Context> when it has one), in webapp order: `path` is where it goes in the
   * container. The one-engine stack uploads these to every Tomcat container, so
   * they are not in the image build context and a Manager-only change rebuilds
   * nothing; a Swarm lab (services take no uploads) bakes them into the image.
   */
  readonly webappContexts: readonly WebappContext[];
  /** Whether the webapps' context.xml files are baked into the image build context (Swarm labs). */
  readonly contextXmlInImage: boolean;
  /** The Tomcats' hardened server.xml (also in the image build context). */
  readonly serverXml: string;
  /** The certificate and key nginx serves (loadBalancer.tls), under `<out>/tls/`. @default none (plain HTTP) */
  readonly tls?: LabTlsFiles;
  /** Absolute path of the Tomcat image build context. */
  readonly imageContextDir: string;
  /** SHA-256 over the build context's files (paths and contents). */
  readonly imageContextHash: string;
  /** Tag of the Tomcat image built from the context. */
  readonly tomcatImageTag: string;
  /** Files written, relative to outDir, sorted. */
  readonly files: readonly string[];
}

/** One webapp's context.xml: its path in the container and its content. */
export interface WebappContext {
  readonly path: string;
  readonly xml: string;
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
export function withReplacedJars(dockerfile: string, jars: readonly Jar[], webappDirs: readonly string[] = [WEBAPP_DIR]): string {
  const globs = jars.flatMap((j) => (j.replaces === undefined ? [] : j.target === 'catalina-lib' ? [`${CATALINA_HOME}/lib/${j.replaces}`] : webappDirs.map((d) => `${d}/WEB-INF/lib/${j.replaces}`)));
  if (globs.length === 0) return dockerfile;
  return dockerfile.replace(/^COPY /m, `RUN rm -f ${globs.join(' ')}\nCOPY `);
}

/**
 * One webapp, exploded into the image context: the sample app from the kit's
 * templates, or a copy of the user's WAR/directory (never the user's file
 * itself). Returns the app's META-INF/context.xml with msm's <Manager>: the
 * kit's context when the app has none, msm's Manager added to the app's own
 * <Context> when it has one (config loading has refused an app that declares its
 * own Manager). That file is written into the image context only when `bake` is
 * set (Swarm); otherwise the image gets an empty META-INF/ (the app's own
 * context.xml left out too) and the containers get the file by upload, so the
 * image does not depend on the Manager's settings.
 */
function writeWebapp(app: ResolvedWebapp, appDir: string, contextXml: string, bake: boolean): string {
  mkdirSync(appDir, { recursive: true });
  let ownContext: string | undefined;
  if (app.source === undefined) cpSync(join(TEMPLATES_DIR, 'webapp'), appDir, { recursive: true });
  else
    for (const f of openWebapp(app.source).files) {
      const bytes = f.read();
      if (f.name === 'META-INF/context.xml') {
        ownContext = bytes.toString('utf8');
        continue;
      }
      const dest = join(appDir, ...f.name.split('/'));
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, bytes);
    }
  const xml = ownContext === undefined ? contextXml : mergeManager(ownContext, contextXml);
  if (xml === undefined) throw new Error(`${app.source}: META-INF/context.xml has no <Context> (config loading should have refused it)`);
  // META-INF/ exists in the image either way: the upload then only adds a file.
  mkdirSync(join(appDir, 'META-INF'), { recursive: true });
  if (bake) writeFileSync(join(appDir, 'META-INF', 'context.xml'), xml);
  return xml;
}

/** Renders everything and writes it under outDir (the image context is rewritten from scratch). */
export async function writeArtifacts(lab: ResolvedLab, outDir: string, fetchOpts: FetchOptions = {}): Promise<Artifacts> {
  const out = resolve(outDir);
  const contextXml = renderContextXml(lab);
  const nginxConf = renderNginxConf(lab);
  const serverXml = renderServerXml(lab);
  const jars = labJars(lab);
  const cached = await fetchJars(jars, fetchOpts);

  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'context.xml'), contextXml);
  // Written in place (same file, never replaced): a running nginx that mounts the directory reads it at its next reload.
  const nginxConfDir = join(out, NGINX_CONF_SUBDIR);
  mkdirSync(nginxConfDir, { recursive: true });
  writeFileSync(join(nginxConfDir, NGINX_CONF_FILE), nginxConf);

  const ctxDir = join(out, IMAGE_CONTEXT_SUBDIR);
  rmSync(ctxDir, { recursive: true, force: true });
  const tomcatDir = join(ctxDir, 'tomcat');
  // On Swarm and Kubernetes the image runs on other hosts: context.xml goes in it (no upload into a container there).
  const contextXmlInImage = lab.swarm !== undefined || lab.kubernetes !== undefined;
  const webappContexts: WebappContext[] = [];
  for (const app of lab.webapps) {
    const appDir = join(tomcatDir, relative(CATALINA_HOME, app.dir));
    webappContexts.push({ path: `${app.dir}/META-INF/context.xml`, xml: writeWebapp(app, appDir, contextXml, contextXmlInImage) });
    // Tomcat's lib/ jars are written once per app too: the same bytes to the same file.
    copyJars(jars, cached, { 'catalina-lib': join(tomcatDir, 'lib'), 'webapp-lib': join(appDir, 'WEB-INF', 'lib') });
  }
  mkdirSync(join(tomcatDir, 'conf'), { recursive: true });
  writeFileSync(join(tomcatDir, 'conf', 'server.xml'), serverXml);
  // A monitored lab: the JMX exporter agent and its rules in every Tomcat; Prometheus's configuration beside the rest.
  let prometheusYml: string | undefined;
  if (lab.monitoring) {
    const agentDir = join(tomcatDir, relative(CATALINA_HOME, JMX_EXPORTER_DIR));
    mkdirSync(agentDir, { recursive: true });
    copyFileSync(await fetchJar(JMX_EXPORTER_AGENT, fetchOpts), join(agentDir, JMX_EXPORTER_AGENT_FILE));
    writeFileSync(join(tomcatDir, relative(CATALINA_HOME, JMX_EXPORTER_CONFIG)), renderJmxExporterConfig());
    prometheusYml = renderPrometheusYml(lab);
    mkdirSync(join(out, MONITORING_SUBDIR), { recursive: true });
    writeFileSync(join(out, MONITORING_SUBDIR, 'prometheus.yml'), prometheusYml);
  }
  const dockerfile = withReplacedJars(readFileSync(join(TEMPLATES_DIR, 'tomcat', 'Dockerfile'), 'utf8').replace('{{BASE_IMAGE}}', lab.swarm ? lab.swarm.images.tomcat : lab.images.tomcat), jars, lab.webapps.map((w) => w.dir));
  writeFileSync(join(ctxDir, 'Dockerfile'), dockerfile);

  const manifest = {
    lab: lab.name,
    tomcat: lab.tomcatVersion,
    java: lab.javaVersion,
    serializer: lab.serializer,
    jars: [
      ...jars.map((j) => ({
        coordinates: `${j.groupId}:${j.artifactId}:${j.version}`,
        file: jarFileName(j),
        sha256: j.sha256,
        target: j.target === 'catalina-lib' ? `${CATALINA_HOME}/lib` : lab.webapps.map((w) => `${w.dir}/WEB-INF/lib`).join(' '),
      })),
      ...(lab.monitoring ? [{ coordinates: `${JMX_EXPORTER_AGENT.groupId}:${JMX_EXPORTER_AGENT.artifactId}:${JMX_EXPORTER_AGENT.version}`, file: JMX_EXPORTER_AGENT_FILE, sha256: JMX_EXPORTER_AGENT.sha256, target: `${JMX_EXPORTER_DIR} (-javaagent)` }] : []),
    ],
    webapps: lab.webapps.map((w) => ({ contextPath: w.contextPath, dir: w.dir, source: w.source === undefined ? 'sample' : 'user' })),
  };
  writeFileSync(join(out, 'jars.json'), JSON.stringify(manifest, null, 2) + '\n');

  const tls = prepareTlsFiles(lab, out);
  const imageContextHash = hashDir(ctxDir);
  return {
    outDir: out,
    contextXml,
    webappContexts,
    contextXmlInImage,
    nginxConf,
    nginxConfDir,
    serverXml,
    ...(prometheusYml !== undefined ? { prometheusYml } : {}),
    tls,
    imageContextDir: ctxDir,
    imageContextHash,
    tomcatImageTag: tomcatImageTag(lab, `msm-kit/${lab.name}-tomcat:${imageContextHash.slice(0, 12)}`),
    files: listFiles(out).map((f) => relative(out, f)),
  };
}

/** The Tomcat image's name as the nodes run it: under the Swarm's (or the Kubernetes lab's) registry when there is one. */
function tomcatImageTag(lab: ResolvedLab, local: string): string {
  const registry = lab.swarm?.registry ?? lab.kubernetes?.registry;
  return registry ? inRegistry(registry, local) : local;
}
