/**
 * The user's webapps (`webapps[]`): reading a WAR or an exploded directory, the
 * checks made before anything is built, and the merge of msm's <Manager> into
 * an app's own META-INF/context.xml.
 *
 * Every check reads the user's file; nothing here writes. Problems name the field
 * (`webapps[1].source`), the value as written and end with `Fix: ...`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ConfigProblem } from '../errors';
import { SAMPLE_WEBAPP_SOURCE } from './layout';
import { printable } from './show';
import { unsafeEntryName, zipEntries, ZipFormatError, zipRead } from './zip';

/** One file of a webapp, by its path inside the app (`WEB-INF/web.xml`). */
export interface WebappFile {
  readonly name: string;
  read(): Buffer;
}

export interface WebappContent {
  readonly kind: 'war' | 'directory';
  /** Files only (no directory entries), sorted by name. */
  readonly files: readonly WebappFile[];
}

/** Tomcat's directory name for a context path: `/` is ROOT, `/a/b` is `a#b`. */
export function contextDirName(contextPath: string): string {
  return contextPath === '/' ? 'ROOT' : contextPath.slice(1).split('/').join('#');
}

export const isSample = (source: string): boolean => source === SAMPLE_WEBAPP_SOURCE;

function walk(dir: string, prefix = ''): WebappFile[] {
  const out: WebappFile[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, e.name);
    const name = prefix + e.name;
    const st = statSync(abs); // follows symlinks: the copy holds what they point to
    if (st.isDirectory()) out.push(...walk(abs, name + '/'));
    else if (st.isFile()) out.push({ name, read: () => readFileSync(abs) });
  }
  return out;
}

/** A WAR file or an exploded webapp directory, as a list of files. Throws ZipFormatError for a file that is not a readable zip. */
export function openWebapp(absSource: string): WebappContent {
  if (statSync(absSource).isDirectory()) return { kind: 'directory', files: walk(absSource).sort((a, b) => (a.name < b.name ? -1 : 1)) };
  const buf = readFileSync(absSource);
  const files: WebappFile[] = [];
  for (const e of zipEntries(buf)) {
    if (e.name.endsWith('/')) continue;
    if (unsafeEntryName(e.name)) throw new ZipFormatError(`entry ${printable(e.name, 80)} would unpack outside the webapp`);
    files.push({ name: e.name, read: () => zipRead(buf, e) });
  }
  // A name that is a file and also the directory of another entry cannot be unpacked.
  const dirs = new Set(files.flatMap((f) => f.name.split('/').slice(0, -1).map((_, i, segs) => segs.slice(0, i + 1).join('/'))));
  const clash = files.find((f) => dirs.has(f.name));
  if (clash) throw new ZipFormatError(`entry ${printable(clash.name, 80)} is both a file and a directory`);
  return { kind: 'war', files: files.sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

/** Class-file major version of a Java release (8 → 52, 17 → 61). */
export const classMajorOf = (java: number): number => java + 44;
/** Java release of a class-file major version (52 → 8). */
export const javaOfClassMajor = (major: number): number => major - 44;

/** The major version of a class file's bytes, or undefined when they are not a class file. */
export function classMajor(bytes: Buffer): number | undefined {
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0xcafebabe) return undefined;
  return bytes.readUInt16BE(6);
}

/**
 * Jars of the msm set that an app must not bundle: they are in Tomcat's lib/
 * (msm, spymemcached) or put into WEB-INF/lib by the kit (the serializer), and
 * two copies in two class loaders fail with ClassCastException or LinkageError.
 */
export const CLASHING_JAR = /^(memcached-session-manager|spymemcached|msm-[a-z]+-serializer)([-_.].*)?\.jar$/i;

/** Comments dropped, so a commented-out Manager does not count. */
const withoutComments = (xml: string) => xml.replace(/<!--[\s\S]*?(-->|$)/g, '');

/** Whether an app's own context.xml declares a <Manager>. */
export function declaresManager(xml: string): boolean {
  return /<Manager\b/.test(withoutComments(xml));
}

/**
 * Whether an app's own context.xml declares one of Tomcat's authenticator valves
 * (org.apache.catalina.authenticator.*Authenticator; a custom AuthenticatorBase
 * subclass under another name is not recognised).
 */
export function declaresAuthenticatorValve(xml: string): boolean {
  return /<Valve\b[^>]*\bclassName\s*=\s*["']org\.apache\.catalina\.authenticator\.\w*Authenticator["']/.test(withoutComments(xml));
}

/**
 * The app's META-INF/context.xml with msm's <Manager> (taken from the kit's
 * rendered context.xml, with the FormAuthenticator valve that follows it when
 * manager.formLoginWorkaround is on) added as the last child of its <Context>. Its own
 * settings (resources, parameters, cookie settings) stay as they are.
 * Undefined when the app's file has no <Context> element to put it in.
 */
export function mergeManager(appXml: string, kitXml: string): string | undefined {
  const manager = /^(?:[ \t]*<!--[^\n]*-->\n)?[ \t]*<Manager\b[^>]*\/>\n(?:[ \t]*<!--[^\n]*-->\n[ \t]*<Valve\b[^>]*\/>\n)?/m.exec(kitXml)?.[0];
  if (manager === undefined) throw new Error('the kit context.xml has no <Manager/> element');
  const clean = withoutComments(appXml);
  const close = appXml.lastIndexOf('</Context>');
  if (close >= 0 && clean.includes('</Context>')) return appXml.slice(0, close) + manager + appXml.slice(close);
  const self = /<Context\b[^>]*?\/>/.exec(appXml);
  if (self && /<Context\b/.test(clean)) return appXml.slice(0, self.index) + self[0].replace(/\s*\/>$/, '>') + '\n' + manager + '</Context>' + appXml.slice(self.index + self[0].length);
  return undefined;
}

export interface WebappEntry {
  readonly contextPath: string;
  readonly source: string;
}

/**
 * Checks every webapp's source before anything is built: it exists, is a zip
 * or directory with WEB-INF/, bundles no msm jars, has no <Manager> of its own
 * and no class compiled for a Java newer than the lab's (nor an authenticator
 * valve of its own when manager.formLoginWorkaround adds one). `baseDir` is where
 * a relative source is read from (the config file's directory).
 */
export function checkWebapps(
  webapps: readonly WebappEntry[],
  javaVersion: number,
  baseDir: string,
  opts: { readonly formLoginWorkaround?: boolean; /** The lab's Tomcat (tomcat.version): its Servlet API, javax.* or jakarta.*. @default not checked */ readonly tomcatVersion?: string } = {},
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  webapps.forEach((w, i): void => {
    if (isSample(w.source)) return;
    const path = `webapps[${i}].source`;
    const got = `(got ${printable(w.source, 120)})`;
    const add = (message: string): void => void problems.push({ path, message: `${message} ${got}` });
    const abs = resolve(baseDir, w.source);
    if (!existsSync(abs)) return add(`no such file or directory: ${printable(abs, 160)} (a relative source is read from the config file's directory). Fix: point it at your .war file or exploded webapp directory`);
    let app: WebappContent;
    try {
      app = openWebapp(abs);
    } catch (e) {
      if (e instanceof ZipFormatError) return add(`not a WAR: the file is not a zip archive the kit can read (${e.message}). Fix: build the WAR again (jar cf app.war -C dir .), or give the exploded directory`);
      return add(`cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Fix: check the path and its permissions`);
    }
    const what = app.kind === 'war' ? 'the WAR' : 'the directory';
    if (!app.files.some((f) => f.name.startsWith('WEB-INF/'))) return add(`${what} has no WEB-INF/, so it is not a webapp. Fix: give the WAR (or the exploded directory holding WEB-INF/)`);
    const clashing = app.files.filter((f) => /^WEB-INF\/lib\/[^/]+$/.test(f.name) && CLASHING_JAR.test(f.name.slice('WEB-INF/lib/'.length))).map((f) => f.name);
    if (clashing.length)
      add(`${what} bundles ${clashing.slice(0, 3).join(', ')}${clashing.length > 3 ? ` and ${clashing.length - 3} more` : ''}; the kit installs msm and spymemcached in Tomcat's lib/ and the serializer in WEB-INF/lib, and a second copy in the webapp fails with ClassCastException/LinkageError. Fix: drop msm's jars from the app's dependencies (scope "provided")`);
    const ctx = app.files.find((f) => f.name === 'META-INF/context.xml');
    if (ctx) {
      let xml: string;
      try {
        xml = ctx.read().toString('utf8');
      } catch (e) {
        return add(`META-INF/context.xml cannot be read (${(e as Error).message}). Fix: build the WAR again`);
      }
      if (declaresManager(xml))
        add(`${what}'s META-INF/context.xml declares its own <Manager>; the kit puts msm's Manager there and will not silently replace yours. Fix: remove the <Manager> element from the app's META-INF/context.xml (the lab config's "manager" section sets msm's attributes)`);
      else if (opts.formLoginWorkaround && declaresAuthenticatorValve(xml))
        add(`${what}'s META-INF/context.xml declares its own authenticator <Valve>; manager.formLoginWorkaround adds Tomcat's FormAuthenticator to every webapp's context, and two authenticators in one pipeline both authenticate. Fix: remove the app's authenticator valve (set changeSessionIdOnAuthentication="false" there yourself instead), or remove manager.formLoginWorkaround`);
      else if (mergeManager(xml, '<Context>\n<Manager className="x"/>\n</Context>') === undefined)
        add(`${what}'s META-INF/context.xml has no <Context> element to add msm's Manager to. Fix: make its root element <Context>`);
    }
    if (opts.tomcatVersion !== undefined) {
      const jakarta = JAKARTA_TOMCATS.has(opts.tomcatVersion);
      const wrong = servletApiUse(app, jakarta ? 'javax' : 'jakarta');
      if (wrong === null) return add(`a class file in ${what} could not be read. Fix: build the WAR again`);
      if (wrong)
        add(
          jakarta
            ? `${wrong.file} uses ${wrong.type} (the javax.* Servlet API), but Tomcat ${opts.tomcatVersion} runs jakarta.servlet: the app would fail at start (ClassNotFoundException or NoClassDefFoundError: javax/servlet/…)${wrong.count > 1 ? ` (${wrong.count} classes of the app use javax.servlet)` : ''}. Fix: migrate the app to jakarta.* (Apache's Tomcat Migration Tool for Jakarta EE: java -jar jakartaee-migration-<version>-shaded.jar app.war app-jakarta.war; or Tomcat's webapps-javaee/ legacy deployment), or set tomcat.version to "9"`
            : `${wrong.file} uses ${wrong.type} (the jakarta.* Servlet API), but Tomcat ${opts.tomcatVersion} runs javax.servlet: the app would fail at start${wrong.count > 1 ? ` (${wrong.count} classes of the app use jakarta.servlet)` : ''}. Fix: set tomcat.version to "10.1" or "11", or build the app against the javax.servlet API`,
        );
    }
    const tooNew = newestClass(app, javaVersion);
    if (tooNew)
      add(`${tooNew.name} is compiled for Java ${javaOfClassMajor(tooNew.major)} (class file version ${tooNew.major}), but the lab runs Java ${javaVersion} (class file version ≤ ${classMajorOf(javaVersion)}): Tomcat would fail with UnsupportedClassVersionError${tooNew.count > 1 ? ` (${tooNew.count} classes are)` : ''}. Fix: compile with javac --release ${javaVersion} (maven.compiler.release), or set tomcat.javaVersion to ${[11, 17, 21].find((j) => classMajorOf(j) >= tooNew.major) ?? 21}`);
    else if (tooNew === null) add(`a class file in ${what} could not be read. Fix: build the WAR again`);
  });
  return problems;
}

/**
 * The first class (in name order) compiled for a Java newer than `java`, in
 * WEB-INF/classes or a jar of WEB-INF/lib, and how many are; undefined when
 * none is, null when an archive could not be read. module-info.class and
 * multi-release classes (META-INF/versions/N/) are skipped: Java 8 never
 * loads them, later Javas only on a Java that can.
 */
function newestClass(app: WebappContent, java: number): { name: string; major: number; count: number } | undefined | null {
  const limit = classMajorOf(java);
  let first: { name: string; major: number } | undefined;
  let count = 0;
  const see = (name: string, bytes: Buffer) => {
    const major = classMajor(bytes);
    if (major !== undefined && major > limit) {
      count++;
      first ??= { name, major };
    }
  };
  const skipped = (n: string) => n.endsWith('module-info.class') || n.includes('META-INF/versions/');
  try {
    for (const f of app.files) {
      if (/^WEB-INF\/classes\/.+\.class$/.test(f.name) && !skipped(f.name)) see(f.name, f.read());
      else if (/^WEB-INF\/lib\/[^/]+\.jar$/.test(f.name)) {
        const jar = f.read();
        for (const e of zipEntries(jar)) if (e.name.endsWith('.class') && !skipped(e.name)) see(`${f.name}!/${e.name}`, zipRead(jar, e));
      }
    }
  } catch (e) {
    if (e instanceof ZipFormatError) return null;
    throw e;
  }
  return first && { ...first, count };
}

/** Tomcat versions whose Servlet API is jakarta.* (the rest run javax.*). */
const JAKARTA_TOMCATS = new Set(['10.1', '11']);

/**
 * The first of the app's own classes (WEB-INF/classes, in name order) that refers to
 * the `api` Servlet API (`javax` or `jakarta`), the type it names, and how many do;
 * undefined when none does, null when a class cannot be read. Only the app's own
 * classes: a library in WEB-INF/lib may carry optional classes for either API.
 */
export function servletApiUse(app: WebappContent, api: 'javax' | 'jakarta'): { file: string; type: string; count: number } | undefined | null {
  const needle = Buffer.from(`${api}/servlet/`);
  let first: { file: string; type: string } | undefined;
  let count = 0;
  try {
    for (const f of app.files) {
      if (!/^WEB-INF\/classes\/.+\.class$/.test(f.name)) continue;
      const bytes = f.read();
      const at = bytes.indexOf(needle);
      if (at < 0 || classMajor(bytes) === undefined) continue;
      count++;
      if (!first) {
        // The class name runs to the end of its constant (a ';' of a descriptor, or a byte outside a Java name).
        let end = at;
        while (end < bytes.length && /[A-Za-z0-9_$/]/.test(String.fromCharCode(bytes[end]))) end++;
        first = { file: f.name, type: bytes.subarray(at, end).toString('latin1').replace(/\//g, '.') };
      }
    }
  } catch (e) {
    if (e instanceof ZipFormatError) return null;
    throw e;
  }
  return first && { ...first, count };
}

/** The context path of the webapp that serves `path` (the longest matching one, as Tomcat maps it), or undefined. */
export function webappServing(path: string, contextPaths: readonly string[]): string | undefined {
  const match = (cp: string) => cp === '/' || path === cp || path.startsWith(cp + '/');
  return contextPaths.filter(match).sort((a, b) => b.length - a.length)[0];
}
