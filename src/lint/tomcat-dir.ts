/**
 * `msm-kit lint DIR`: a $CATALINA_BASE or $CATALINA_HOME, read whole. Its
 * context files are linted as `lint FILE` lints them; what a single file cannot
 * know (the jars, the Tomcat and Java versions, the JVM options) is read from
 * the directory (tomcat-facts.ts), so what breaks is said with certainty.
 *
 * Every fact about jars (names, versions, which jar per Tomcat, per store, per
 * serializer and Java) comes from the kit's jar manifest (jars/manifest.ts), and
 * the --add-opens from the options the kit itself gives its Tomcats
 * (config/resolve.ts).
 */
import { join, relative, sep } from 'node:path';
import { readFileSync } from 'node:fs';
import { addOpens, type StoreKind } from '../config/resolve';
import type { SerializerName, TomcatVersionName } from '../config/schema';
import { jarFileName, MSM_CORE_ARTIFACT, MSM_VERSION, msmCatalinaJars, serializerJars, storeClientJars, tomcatsServedBy, type Jar } from '../jars/manifest';
import { compareVersions } from './attributes';
import { DEFAULT_MSM, normalizeTomcat, readManagers, type Finding, type LintOptions, type LintRuleId, type ManagerReading, type Severity } from './lint';
import { isDir, jarsIn, javaVersionOfHome, listDir, readSetenv, tomcatVersionOf, type JarFile } from './tomcat-facts';

/** Whether a directory looks like a $CATALINA_BASE or $CATALINA_HOME (it has conf/ or lib/). */
export function isTomcatDir(dir: string): boolean {
  return isDir(join(dir, 'conf')) || isDir(join(dir, 'lib'));
}

/** A Manager and the webapps it applies to (`undefined`: every webapp, from server.xml or conf/context.xml). */
interface ScopedManager {
  readonly reading: ManagerReading;
  readonly file: string;
  readonly webapp?: string;
}

/** The context files Tomcat reads, each with the webapp it configures (none: every webapp). */
function contextFiles(dir: string): Array<{ path: string; webapp?: string }> {
  const conf = join(dir, 'conf');
  const files: Array<{ path: string; webapp?: string }> = [{ path: join(conf, 'server.xml') }, { path: join(conf, 'context.xml') }];
  for (const host of listDir(join(conf, 'Catalina')).filter((h) => isDir(join(conf, 'Catalina', h))))
    for (const f of listDir(join(conf, 'Catalina', host)).filter((f) => f.endsWith('.xml'))) files.push({ path: join(conf, 'Catalina', host, f), webapp: f.slice(0, -'.xml'.length) });
  for (const app of webappsOf(dir)) files.push({ path: join(dir, 'webapps', app, 'META-INF', 'context.xml'), webapp: app });
  return files;
}

function webappsOf(dir: string): string[] {
  return listDir(join(dir, 'webapps')).filter((a) => isDir(join(dir, 'webapps', a)));
}

const isSessionManagerJar = (j: { artifactId: string }) => j.artifactId === MSM_CORE_ARTIFACT || j.artifactId.startsWith(`${MSM_CORE_ARTIFACT}-`);
const isTcJar = (j: { artifactId: string }) => j.artifactId.startsWith(`${MSM_CORE_ARTIFACT}-tc`);
const fileName = (p: string) => p.split(sep).pop() ?? p;

/** Lints a $CATALINA_BASE/$CATALINA_HOME: its context files, jars and bin/setenv.sh. */
export function lintTomcatDir(dir: string, opts: LintOptions = {}): Finding[] {
  const out: Finding[] = [];
  const add = (file: string, line: number, attribute: string, severity: Severity, rule: LintRuleId, message: string) => out.push({ file, line, col: 1, attribute, severity, rule, message });

  // Versions: Tomcat, Java, msm.
  const tomcatFact = opts.tomcat !== undefined ? { version: opts.tomcat, from: '--tomcat' } : tomcatVersionOf(dir);
  const tomcat: TomcatVersionName | undefined = tomcatFact ? normalizeTomcat(tomcatFact.version).version : undefined;
  if (!tomcatFact)
    add(dir, 1, '(tomcat)', 'unchecked', 'tomcat-version', `unchecked: the Tomcat version is unknown (no lib/catalina.jar with a version, no RELEASE-NOTES), so the -tcN jar is not checked against it. Fix: pass --tomcat (e.g. --tomcat 9.0.117), or lint $CATALINA_HOME`);
  const setenv = readSetenv(dir);
  const home = setenv.javaHome && !setenv.javaHome.value.includes('$') ? setenv.javaHome.value : undefined;
  const java = opts.java ?? (home ? javaVersionOfHome(home) : undefined);
  const lib = jarsIn(join(dir, 'lib'));
  const webapps = webappsOf(dir).map((name) => ({ name, jars: jarsIn(join(dir, 'webapps', name, 'WEB-INF', 'lib')) }));
  const msmJars = lib.filter(isSessionManagerJar);
  const core = msmJars.find((j) => !isTcJar(j));
  const msm = opts.msm ?? (core?.version || DEFAULT_MSM);

  // The context files, as `lint FILE` reads them; the jars decide what a single file could only guess.
  const managers: ScopedManager[] = [];
  for (const f of contextFiles(dir)) {
    let text: string;
    try {
      text = readFileSync(f.path, 'utf8');
    } catch {
      continue;
    }
    const r = readManagers(f.path, text, { tomcat: tomcatFact?.version, java, msm });
    out.push(...r.findings.filter((x) => x.rule !== 'no-msm-manager' && x.rule !== 'kryo-java9').sort((a, b) => a.line - b.line || a.col - b.col));
    for (const reading of r.managers) managers.push({ reading, file: f.path, ...(f.webapp !== undefined ? { webapp: f.webapp } : {}) });
  }
  if (managers.length === 0)
    add(join(dir, 'conf'), 1, '(tomcat)', 'warning', 'no-msm-manager', `no msm <Manager> in conf/server.xml, conf/context.xml, conf/Catalina/*/*.xml or webapps/*/META-INF/context.xml: sessions are not shared. Fix: add a <Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager" .../> to conf/context.xml or the webapp's context file`);

  // msm's own jars in lib/: the right Tomcat line, one release, nothing missing.
  const libDir = join(dir, 'lib');
  for (const j of msmJars) {
    const served = tomcatsServedBy(j.artifactId);
    if (tomcat !== undefined && !served.includes(tomcat)) {
      const want = msmCatalinaJars(tomcat)[isTcJar(j) ? 1 : 0];
      add(j.path, 1, '(jar)', 'error', 'tc-jar-mismatch', `${fileName(j.path)} is built for ${served.length ? `Tomcat ${served.join(', ')}` : 'no Tomcat the kit knows'}, but this is Tomcat ${tomcatFact!.version} (${tomcatFact!.from}): the Manager fails at start. Fix: replace it with ${jarFileName(want)} (\`msm-kit jars\` fetches the pinned set)`);
    } else if (tomcat === undefined && !tomcatFact && isTcJar(j))
      add(j.path, 1, '(jar)', 'unchecked', 'tomcat-version', `unchecked: ${fileName(j.path)} serves Tomcat ${served.join(', ') || '(none the kit knows)'}; this Tomcat's version is unknown. Fix: pass --tomcat to check it`);
  }
  const versions = [...new Set(msmJars.map((j) => j.version))];
  if (versions.length > 1)
    for (const j of msmJars.filter((x) => x.version !== (core?.version ?? versions[0])))
      add(j.path, 1, '(jar)', 'error', 'msm-jar-versions', `${fileName(j.path)} is msm ${j.version}, but ${core ? fileName(core.path) : 'another session-manager jar'} is ${core?.version ?? versions[0]}: jars of different msm releases fail at start or on the first request (NoSuchMethodError). Fix: use one release for all of them, e.g. ${MSM_VERSION}`);
  if (managers.length > 0) {
    const inWebapp = (pred: (j: JarFile) => boolean) => webapps.flatMap((w) => w.jars.filter(pred));
    const wanted: Array<{ kind: string; present: boolean; jar?: Jar; pred: (j: JarFile) => boolean }> = [
      { kind: "msm's core jar", present: !!core, jar: tomcat && msmCatalinaJars(tomcat)[0], pred: (j) => isSessionManagerJar(j) && !isTcJar(j) },
      { kind: "msm's -tcN jar", present: msmJars.some(isTcJar), jar: tomcat && msmCatalinaJars(tomcat)[1], pred: isTcJar },
    ];
    for (const w of wanted.filter((x) => !x.present)) {
      const elsewhere = inWebapp(w.pred)[0];
      add(libDir, 1, '(jar)', 'error', 'msm-jar-missing', `${w.kind} is not in lib/${elsewhere ? ` (${relative(dir, elsewhere.path)} is in a webapp, which the Manager's class loader does not see)` : ''}: ClassNotFoundException and the context does not start. Fix: put ${w.jar ? jarFileName(w.jar) : `the ${w.kind} for this Tomcat`} into lib/${elsewhere ? ' and remove it from WEB-INF/lib' : ''}`);
    }
    const stores = new Set<StoreKind>(managers.map((m) => (m.reading.nodes.form === 'redis' ? 'redis' : 'memcached')));
    const clients = new Map<string, { jar: Jar; store: StoreKind }>();
    for (const s of stores) for (const jar of storeClientJars(s)) if (!clients.has(jar.artifactId)) clients.set(jar.artifactId, { jar, store: s });
    for (const { jar, store } of clients.values())
      if (!lib.some((j) => j.artifactId === jar.artifactId))
        add(libDir, 1, '(jar)', 'error', 'store-client-missing', `${jar.artifactId} is not in lib/, and msm links against it${store === 'redis' ? ' for memcachedNodes="redis://…"' : ''}: NoClassDefFoundError at start. Fix: put ${jarFileName(jar)} into lib/`);
  }
  for (const w of webapps)
    for (const j of w.jars.filter(isSessionManagerJar))
      if (msmJars.length > 0)
        add(j.path, 1, '(jar)', 'error', 'msm-jar-twice', `${fileName(j.path)} is in webapp ${w.name}'s WEB-INF/lib and msm's jars are in lib/ too: the classes are loaded twice (ClassCastException, LinkageError). Fix: remove it from WEB-INF/lib; msm's core and -tcN jars go into lib/ only`);

  // Serializers: per webapp, the Managers that apply to it.
  const serializerOf = (m: ScopedManager): SerializerName | undefined => {
    if ((m.reading.config as { _serializerUnknown?: boolean })._serializerUnknown) return undefined;
    return (m.reading.config.manager?.serializer as SerializerName | undefined) ?? 'java';
  };
  const used = new Set<SerializerName>();
  /** The serializers each webapp's Managers use (its own context file's, else conf/context.xml's and server.xml's). */
  const usedBy = new Map<string, Set<SerializerName>>();
  const reported = new Set<string>();
  for (const w of webapps) {
    const own = managers.filter((m) => m.webapp === w.name);
    const apply = own.length > 0 ? own : managers.filter((m) => m.webapp === undefined);
    usedBy.set(w.name, new Set());
    for (const m of apply) {
      const s = serializerOf(m);
      if (s === undefined) continue;
      usedBy.get(w.name)!.add(s);
      const factory = serializerJars(s, 8)[0];
      if (!factory) continue;
      if (!w.jars.some((j) => j.artifactId === factory.artifactId) && !lib.some((j) => j.artifactId === factory.artifactId) && !reported.has(`${w.name}\0${s}`)) {
        reported.add(`${w.name}\0${s}`);
        add(join(dir, 'webapps', w.name, 'WEB-INF', 'lib'), 1, '(jar)', 'error', 'serializer-jar-missing', `the ${s} serializer of the Manager in ${relative(dir, m.file)} needs ${factory.artifactId} in webapp ${w.name}'s WEB-INF/lib: ClassNotFoundException at start. Fix: put ${serializerJars(s, java !== undefined && java >= 9 ? 11 : 8).map(jarFileName).join(', ')} into webapps/${w.name}/WEB-INF/lib`);
      }
    }
  }
  for (const m of managers) {
    const s = serializerOf(m);
    if (s) used.add(s);
  }
  for (const s of used) {
    const names = new Set(serializerJars(s, 8).map((j) => j.artifactId));
    for (const j of lib.filter((x) => names.has(x.artifactId)))
      add(j.path, 1, '(jar)', 'error', 'serializer-in-lib', `${fileName(j.path)} (the ${s} serializer) is in lib/, where it cannot see the webapp's classes: sessions holding them fail to deserialize. Fix: move it into each webapp's WEB-INF/lib`);
  }

  // The jars a serializer needs on Java 9+ (kryo-serializers 0.45 for 0.41), and their --add-opens.
  for (const s of used) {
    const java8 = serializerJars(s, 8);
    const pins = serializerJars(s, 11).filter((p) => !java8.some((j) => j.artifactId === p.artifactId && j.version === p.version));
    const found = [...lib, ...webapps.filter((w) => usedBy.get(w.name)?.has(s)).flatMap((w) => w.jars)];
    for (const p of pins)
      for (const j of found.filter((x) => x.artifactId === p.artifactId && x.version !== '' && compareVersions(x.version, p.version) < 0)) {
        if (java !== undefined && java < 9) continue;
        add(j.path, 1, '(jar)', java === undefined ? 'warning' : 'error', 'kryo-serializers-java9', `${java === undefined ? 'if this Tomcat runs on Java 9 or newer (the Java version is unknown: pass --java, or set JAVA_HOME in bin/setenv.sh), ' : `on Java ${java}, `}${fileName(j.path)} fails at the first backup (NoSuchFieldException: parentOffset) and every request gets a new session; on Java 8 it works. Fix: replace it with ${jarFileName(p)}`);
      }
    const needed = addOpens(s, java ?? 9);
    const have = new Set(setenv.options.map((o) => o.option));
    const missing = needed.filter((o) => !have.has(o));
    if (missing.length > 0 && (java === undefined || java >= 9)) {
      const severity: Severity = java !== undefined && s === 'xstream' ? 'error' : 'warning';
      const effect = s === 'xstream' ? "msm's manager fails to start (InaccessibleObjectException)" : 'Kryo fails on session attributes of those packages (java.util at least is needed for any session; catalina.sh of recent Tomcats adds that one)';
      add(setenv.path, setenv.optsLine, '(jvm)', severity, 'add-opens-missing', `${java === undefined ? 'if this Tomcat runs on Java 9 or newer (the Java version is unknown), ' : `on Java ${java}, `}the ${s} serializer needs ${missing.length} --add-opens that ${setenv.exists ? 'bin/setenv.sh does not set' : 'no bin/setenv.sh sets'}: ${effect}. Fix: add to bin/setenv.sh: CATALINA_OPTS="$CATALINA_OPTS ${missing.join(' ')}"`);
    }
  }
  if (java !== undefined && java < 9)
    for (const o of setenv.options.filter((x) => x.option.startsWith('--add-opens')))
      add(setenv.path, o.line, '(jvm)', 'error', 'add-opens-java8', `${o.option}: Java ${java} knows no --add-opens and refuses to start ("Unrecognized option"). Fix: remove the --add-opens options from bin/setenv.sh for Java 8`);
  if (used.size > 0 && java === undefined && (used.has('kryo') || used.has('xstream')))
    add(setenv.path, setenv.javaHome?.line ?? 1, '(jvm)', 'unchecked', 'java-version', `unchecked: the Java version is unknown${setenv.javaHome ? ` (JAVA_HOME ${JSON.stringify(setenv.javaHome.value)} has no readable release file)` : ''}, so what the serializer needs on Java 9+ is said as "if". Fix: pass --java (e.g. --java 17)`);
  return out;
}
