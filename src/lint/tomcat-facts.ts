/**
 * What a $CATALINA_BASE or $CATALINA_HOME says about itself, read without
 * running it: the Tomcat version (lib/catalina.jar, through the kit's zip
 * reader, or RELEASE-NOTES), the jar files of lib/ and of each webapp's
 * WEB-INF/lib (name and version), and the JVM options and JAVA_HOME of
 * bin/setenv.sh. Each reader returns undefined (or nothing) for what is not
 * there; none throws for a missing or damaged file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { zipEntries, zipRead } from '../config/zip';

/** A jar file found in a directory, by its Maven-style name `artifactId-version[-classifier].jar`. */
export interface JarFile {
  /** Path of the file (the directory given, joined with its name). */
  readonly path: string;
  readonly artifactId: string;
  /** @default "" (a name without a version) */
  readonly version: string;
}

const JAR_NAME = /^(.+?)-(\d[^-]*)(?:-[A-Za-z][\w.-]*)?\.jar$/;

/** artifactId and version of a jar file name; a name without a version is all artifactId. */
export function parseJarName(name: string): { artifactId: string; version: string } | undefined {
  if (!name.endsWith('.jar')) return undefined;
  const m = JAR_NAME.exec(name);
  return m ? { artifactId: m[1], version: m[2] } : { artifactId: name.slice(0, -'.jar'.length), version: '' };
}

/** The names in a directory, sorted; none when it is absent or unreadable. */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The jar files of a directory. */
export function jarsIn(dir: string): JarFile[] {
  return listDir(dir).flatMap((name) => {
    const p = parseJarName(name);
    return p ? [{ path: join(dir, name), ...p }] : [];
  });
}

/** The Tomcat version and where it was read. */
export interface TomcatVersionFact {
  readonly version: string;
  readonly from: string;
}

/** The Tomcat version of a $CATALINA_BASE/$CATALINA_HOME: lib/catalina.jar's manifest or ServerInfo.properties, else RELEASE-NOTES. */
export function tomcatVersionOf(dir: string): TomcatVersionFact | undefined {
  const jar = join(dir, 'lib', 'catalina.jar');
  if (existsSync(jar)) {
    try {
      const buf = readFileSync(jar);
      const entries = zipEntries(buf);
      const text = (name: string) => {
        const e = entries.find((x) => x.name === name);
        return e ? zipRead(buf, e).toString('utf8') : '';
      };
      const info = /^server\.number\s*=\s*(\d+\.\d+\.\d+)/m.exec(text('org/apache/catalina/util/ServerInfo.properties'));
      if (info) return { version: info[1], from: `${jar} (ServerInfo.properties)` };
      const mf = /^Implementation-Version:\s*(\d+\.\d+\.\d+)/m.exec(text('META-INF/MANIFEST.MF'));
      if (mf) return { version: mf[1], from: `${jar} (MANIFEST.MF)` };
    } catch {
      // a damaged catalina.jar: fall through to RELEASE-NOTES
    }
  }
  const notes = join(dir, 'RELEASE-NOTES');
  try {
    const m = /Apache Tomcat Version (\d+\.\d+\.\d+)/.exec(readFileSync(notes, 'utf8'));
    if (m) return { version: m[1], from: notes };
  } catch {
    // absent
  }
  return undefined;
}

/** bin/setenv.sh as lint reads it: the JVM options of its JAVA_OPTS/CATALINA_OPTS lines and its JAVA_HOME/JRE_HOME. */
export interface Setenv {
  readonly path: string;
  readonly exists: boolean;
  /** Each option with the line it is on (1-based). */
  readonly options: ReadonlyArray<{ readonly option: string; readonly line: number }>;
  /** The first JAVA_OPTS/CATALINA_OPTS line. @default 1 */
  readonly optsLine: number;
  /** JAVA_HOME (or JRE_HOME) as set, with its line. @default absent */
  readonly javaHome?: { readonly value: string; readonly line: number };
}

const OPTS_LINE = /^\s*(?:export\s+)?(JAVA_OPTS|CATALINA_OPTS)\s*=\s*(.*)$/;
const HOME_LINE = /^\s*(?:export\s+)?(JAVA_HOME|JRE_HOME)\s*=\s*(.*)$/;

const unquote = (v: string): string => v.trim().replace(/\s+#.*$/, '').replace(/^(["'])(.*)\1$/, '$2');

export function readSetenv(dir: string): Setenv {
  const path = join(dir, 'bin', 'setenv.sh');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { path, exists: false, options: [], optsLine: 1 };
  }
  const options: Array<{ option: string; line: number }> = [];
  let optsLine = 0;
  let javaHome: Setenv['javaHome'];
  text.split('\n').forEach((raw, i) => {
    if (/^\s*#/.test(raw)) return;
    const o = OPTS_LINE.exec(raw);
    if (o) {
      if (optsLine === 0) optsLine = i + 1;
      // `--add-opens X` is one option, as `--add-opens=X`.
      const tokens = unquote(o[2]).replace(/\$\{?(JAVA_OPTS|CATALINA_OPTS)\}?/g, '').split(/\s+/).filter((t) => t);
      for (let k = 0; k < tokens.length; k++) {
        const t = tokens[k] === '--add-opens' && tokens[k + 1] ? `--add-opens=${tokens[++k]}` : tokens[k];
        options.push({ option: t, line: i + 1 });
      }
    }
    const h = HOME_LINE.exec(raw);
    if (h && (javaHome === undefined || h[1] === 'JAVA_HOME')) javaHome = { value: unquote(h[2]), line: i + 1 };
  });
  return { path, exists: true, options, optsLine: optsLine || 1, ...(javaHome ? { javaHome } : {}) };
}

/** The Java feature version of a JDK/JRE directory, from its `release` file (JAVA_VERSION="17.0.2", "1.8.0_392"). */
export function javaVersionOfHome(home: string): number | undefined {
  try {
    const m = /^JAVA_VERSION="?([\d._]+)/m.exec(readFileSync(join(home, 'release'), 'utf8'));
    if (!m) return undefined;
    const parts = m[1].split(/[._]/).map(Number);
    return parts[0] === 1 ? parts[1] : parts[0];
  } catch {
    return undefined;
  }
}
