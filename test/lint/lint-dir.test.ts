/**
 * `lint DIR` on fake $CATALINA_BASE trees built in a temp dir: a clean tree has
 * no finding, and each rule fires on the one change that breaks it. Jars are
 * empty files (lint reads their names), except lib/catalina.jar, a real zip
 * (deflated entries, read back through the kit's zip reader).
 * The CLI tests need the built kit: run `npx tsc -p tsconfig.json` first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { addOpens } from '../../src/config/resolve';
import { crc32 } from '../../src/jars/zip';
import { jarFileName, msmCatalinaJars, serializerJars, storeClientJars } from '../../src/jars/manifest';
import { formatFinding, LINT_RULES, type Finding, type LintOptions } from '../../src/lint/lint';
import { isTomcatDir, lintTomcatDir } from '../../src/lint/tomcat-dir';
import { javaVersionOfHome, parseJarName, readSetenv, tomcatVersionOf } from '../../src/lint/tomcat-facts';
import { ROOT } from '../helpers';

/** A zip of deflated entries (what a real catalina.jar is). */
function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [n, text] of Object.entries(entries)) {
    const name = Buffer.from(n);
    const data = Buffer.from(text);
    const packed = deflateRawSync(data);
    // The fields a local header (at 8) and its central record (at 10) share, in the same order.
    const shared = (b: Buffer, at: number) => {
      b.writeUInt16LE(8, at); // deflate
      b.writeUInt32LE(crc32(data), at + 6);
      b.writeUInt32LE(packed.length, at + 10);
      b.writeUInt32LE(data.length, at + 14);
      b.writeUInt16LE(name.length, at + 18);
      return b;
    };
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    shared(lh, 8);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    shared(ch, 10);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, packed);
    centrals.push(ch, name);
    offset += 30 + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const TMP = mkdtempSync(join(tmpdir(), 'msm-lint-dir-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
let n = 0;

const KRYO = 'de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory';
const XSTREAM = 'de.javakaffee.web.msm.serializer.xstream.XStreamTranscoderFactory';
const manager = (extra = `transcoderFactoryClass="${KRYO}"`, nodes = 'n1:mc1:11211,n2:mc2:11211') =>
  `<Context>\n  <Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager" memcachedNodes="${nodes}" sticky="false" lockingMode="auto"\n    sessionBackupAsync="false" sessionBackupTimeout="2000" operationTimeout="2000" ${extra}/>\n</Context>\n`;

interface Tree {
  /** path under the tree → content (null: remove it from the clean tree) */
  readonly files?: Record<string, string | Buffer | null>;
  /** Java of the JAVA_HOME in setenv.sh. @default 17 */
  readonly java?: number;
}

/** A clean Tomcat 9 / Java 17 / kryo tree, changed by `t.files`. */
function tree(t: Tree = {}): string {
  const dir = join(TMP, `t${++n}`);
  const java = t.java ?? 17;
  const set = (j: { artifactId: string; version: string }) => jarFileName(j as Parameters<typeof jarFileName>[0]);
  const files: Record<string, string | Buffer | null> = {
    'lib/catalina.jar': zip({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n', 'org/apache/catalina/util/ServerInfo.properties': 'server.info=Apache Tomcat/9.0.117\nserver.number=9.0.117.0\n' }),
    'conf/server.xml': '<Server port="-1"><Service name="Catalina"><Engine name="Catalina" defaultHost="localhost"><Host name="localhost"/></Engine></Service></Server>\n',
    'conf/context.xml': manager(),
    'jdk/release': `JAVA_VERSION="${java === 8 ? '1.8.0_392' : `${java}.0.2`}"\n`,
    'bin/setenv.sh': `#!/bin/sh\nJAVA_HOME="${join(dir, 'jdk')}"\nCATALINA_OPTS="$CATALINA_OPTS ${addOpens('kryo', java).join(' ')}"\n`,
    'webapps/app/index.jsp': 'hi',
  };
  for (const j of [...msmCatalinaJars('9'), ...storeClientJars('memcached')]) files[`lib/${set(j)}`] = '';
  for (const j of serializerJars('kryo', java >= 9 ? 11 : 8)) files[`webapps/app/WEB-INF/lib/${set(j)}`] = '';
  Object.assign(files, t.files ?? {});
  for (const [p, c] of Object.entries(files)) {
    if (c === null) continue;
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

const lint = (dir: string, o: LintOptions = {}) => lintTomcatDir(dir, o);
const rules = (fs: readonly Finding[]) => fs.map((f) => `${f.rule} ${f.severity}`);
const only = (fs: readonly Finding[], rule: string) => fs.filter((f) => f.rule === rule);
const TC8 = msmCatalinaJars('8.5')[1];
const TC9 = msmCatalinaJars('9')[1];

describe('lint DIR: a clean tree', () => {
  it('Tomcat 9, Java 17, kryo with the Java 9+ pins and the --add-opens: no finding', () => {
    expect(lint(tree()).map(formatFinding)).toEqual([]);
  });
  it('the same on Java 8 (the declared kryo set, no --add-opens)', () => {
    expect(lint(tree({ java: 8 })).map(formatFinding)).toEqual([]);
  });
});

describe('lint DIR: facts read from the tree', () => {
  it('reads the Tomcat version from catalina.jar (ServerInfo.properties, then MANIFEST.MF) or RELEASE-NOTES', () => {
    expect(tomcatVersionOf(tree())?.version).toBe('9.0.117');
    const mf = tree({ files: { 'lib/catalina.jar': zip({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\nImplementation-Version: 8.5.100\n' }) } });
    expect(tomcatVersionOf(mf)?.version).toBe('8.5.100');
    expect(tomcatVersionOf(tree({ files: { 'lib/catalina.jar': null, 'RELEASE-NOTES': 'Apache Tomcat Version 7.0.109\n' } }))?.version).toBe('7.0.109');
    expect(tomcatVersionOf(tree({ files: { 'lib/catalina.jar': 'not a zip' } }))).toBeUndefined();
  });
  it("reads the Java version from the release file of setenv.sh's JAVA_HOME (1.8.0_392 is 8)", () => {
    const d8 = tree({ java: 8 });
    expect(readSetenv(d8).javaHome?.value).toBe(join(d8, 'jdk'));
    expect(javaVersionOfHome(join(d8, 'jdk'))).toBe(8);
    expect(javaVersionOfHome(join(tree({ java: 21 }), 'jdk'))).toBe(21);
    expect(javaVersionOfHome(join(TMP, 'no-such-jdk'))).toBeUndefined();
  });
  it('parses jar names into artifactId and version', () => {
    expect(parseJarName('memcached-session-manager-tc9-2.3.2.jar')).toEqual({ artifactId: 'memcached-session-manager-tc9', version: '2.3.2' });
    expect(parseJarName('commons-pool2-2.4.2.jar')).toEqual({ artifactId: 'commons-pool2', version: '2.4.2' });
    expect(parseJarName('kryo-5.0.0-RC1.jar')).toEqual({ artifactId: 'kryo', version: '5.0.0' });
    expect(parseJarName('catalina.jar')).toEqual({ artifactId: 'catalina', version: '' });
  });
  it('a dir is a Tomcat when it has conf/ or lib/', () => {
    expect(isTomcatDir(tree())).toBe(true);
    mkdirSync(join(TMP, 'plain'), { recursive: true });
    expect(isTomcatDir(join(TMP, 'plain'))).toBe(false);
  });
  it('every finding names a file of the tree, has a why and ends with a Fix:', () => {
    const dir = tree({ files: { [`lib/${jarFileName(TC9)}`]: null, [`lib/${jarFileName(TC8)}`]: '', 'bin/setenv.sh': null, 'conf/context.xml': manager(`transcoderFactoryClass="${XSTREAM}"`) } });
    const fs = lint(dir, { java: 17 });
    expect(fs.length).toBeGreaterThan(2);
    for (const f of fs) {
      expect(f.file.startsWith(dir), formatFinding(f)).toBe(true);
      expect(f.message, formatFinding(f)).toMatch(/Fix: \S/);
      expect(f.rule.startsWith('config:') || f.rule in LINT_RULES, f.rule).toBe(true);
    }
  });
});

describe('lint DIR: what certainly breaks', () => {
  it('a -tcN jar for another Tomcat: error naming the right jar', () => {
    const fs = only(lint(tree({ files: { [`lib/${jarFileName(TC9)}`]: null, [`lib/${jarFileName(TC8)}`]: '' } })), 'tc-jar-mismatch');
    expect(fs.map((f) => f.severity)).toEqual(['error']);
    expect(fs[0].file).toMatch(/memcached-session-manager-tc8-2\.3\.2\.jar$/);
    expect(fs[0].message).toContain('Tomcat 9.0.117');
    expect(fs[0].message).toContain(`Fix: replace it with ${jarFileName(TC9)}`);
    // --tomcat overrides what the tree says
    expect(only(lint(tree({ files: { [`lib/${jarFileName(TC9)}`]: null, [`lib/${jarFileName(TC8)}`]: '' } }), { tomcat: '8.5' }), 'tc-jar-mismatch')).toEqual([]);
  });
  it('no version anywhere: says unknown, checks no -tcN jar against it', () => {
    const fs = lint(tree({ files: { 'lib/catalina.jar': null, [`lib/${jarFileName(TC9)}`]: null, [`lib/${jarFileName(TC8)}`]: '' } }));
    expect(rules(fs)).toEqual(['tomcat-version unchecked', 'tomcat-version unchecked']);
    expect(fs[0].message).toMatch(/unknown.*Fix: pass --tomcat/);
  });
  it('kryo-serializers 0.41 on Java 17: error; on unknown Java: a warning naming Java 9; on Java 8: nothing', () => {
    const old = serializerJars('kryo', 8).find((j) => !serializerJars('kryo', 11).includes(j))!;
    const pin = serializerJars('kryo', 11).find((j) => j.artifactId === old.artifactId)!;
    const files = { [`webapps/app/WEB-INF/lib/${jarFileName(pin)}`]: null, [`webapps/app/WEB-INF/lib/${jarFileName(old)}`]: '' };
    const on17 = only(lint(tree({ files })), 'kryo-serializers-java9');
    expect(rules(on17)).toEqual(['kryo-serializers-java9 error']);
    expect(on17[0].message).toContain(`Fix: replace it with ${jarFileName(pin)}`);
    const unknown = lint(tree({ files: { ...files, 'bin/setenv.sh': `CATALINA_OPTS="${addOpens('kryo', 17).join(' ')}"\n` } }));
    expect(rules(only(unknown, 'kryo-serializers-java9'))).toEqual(['kryo-serializers-java9 warning']);
    expect(only(unknown, 'kryo-serializers-java9')[0].message).toMatch(/^if this Tomcat runs on Java 9 or newer/);
    expect(rules(only(unknown, 'java-version'))).toEqual(['java-version unchecked']);
    expect(only(lint(tree({ files }), { java: 8 }), 'kryo-serializers-java9')).toEqual([]);
  });
  it('spymemcached missing; jedis and commons-pool2 missing for redis://', () => {
    const spy = storeClientJars('memcached')[0];
    expect(rules(lint(tree({ files: { [`lib/${jarFileName(spy)}`]: null } })))).toEqual(['store-client-missing error']);
    const redis = lint(tree({ files: { 'conf/context.xml': manager(`transcoderFactoryClass="${KRYO}"`, 'redis://cache:6379') } }));
    const missing = only(redis, 'store-client-missing');
    expect(missing.map((f) => f.message.split(' ')[0])).toEqual(storeClientJars('redis').slice(1).map((j) => j.artifactId));
    expect(missing.every((f) => f.severity === 'error')).toBe(true);
  });
  it("msm's core jar missing from lib/ (only in WEB-INF/lib): missing and loaded twice are errors", () => {
    const core = msmCatalinaJars('9')[0];
    const fs = lint(tree({ files: { [`lib/${jarFileName(core)}`]: null, [`webapps/app/WEB-INF/lib/${jarFileName(core)}`]: '' } }));
    expect(rules(fs)).toEqual(['msm-jar-missing error', 'msm-jar-twice error']);
    expect(fs[0].message).toContain('webapps/app/WEB-INF/lib');
  });
  it("msm's jars in lib/ and in a WEB-INF/lib: a classloader conflict", () => {
    const fs = lint(tree({ files: { [`webapps/app/WEB-INF/lib/${jarFileName(TC9)}`]: '' } }));
    expect(rules(fs)).toEqual(['msm-jar-twice error']);
    expect(fs[0].file).toContain(join('webapps', 'app', 'WEB-INF', 'lib'));
  });
  it('session-manager jars of different msm releases', () => {
    const fs = lint(tree({ files: { [`lib/${jarFileName(TC9)}`]: null, 'lib/memcached-session-manager-tc9-2.3.0.jar': '' } }));
    expect(rules(fs)).toEqual(['msm-jar-versions error']);
    expect(fs[0].message).toMatch(/2\.3\.0.*2\.3\.2/);
  });
  it('the serializer jar missing from the webapp, or in lib/', () => {
    const factory = serializerJars('kryo', 11)[0];
    expect(rules(lint(tree({ files: { [`webapps/app/WEB-INF/lib/${jarFileName(factory)}`]: null } })))).toEqual(['serializer-jar-missing error']);
    expect(rules(lint(tree({ files: { [`webapps/app/WEB-INF/lib/${jarFileName(factory)}`]: null, [`lib/${jarFileName(factory)}`]: '' } })))).toEqual(['serializer-in-lib error']);
    // a webapp's own Manager (java serialization) overrides conf/context.xml's for that webapp: its old kryo jars are not used
    const old = serializerJars('kryo', 8).find((j) => !serializerJars('kryo', 11).includes(j))!;
    const own = { [`webapps/app/WEB-INF/lib/${jarFileName(factory)}`]: null, [`webapps/app/WEB-INF/lib/${jarFileName(old)}`]: '', 'webapps/app/META-INF/context.xml': manager('') };
    expect(lint(tree({ files: own }))).toEqual([]);
    expect(rules(lint(tree({ files: { ...own, 'webapps/app/META-INF/context.xml': null } })))).toEqual(['serializer-jar-missing error', 'kryo-serializers-java9 error']);
  });
  it('--add-opens the serializer needs on Java 9+, missing from setenv.sh: kryo a warning, xstream an error; Java 8 refuses them', () => {
    const home = (dir: string) => `JAVA_HOME="${join(dir, 'jdk')}"\n`;
    const noOpens = tree();
    writeFileSync(join(noOpens, 'bin/setenv.sh'), home(noOpens) + 'CATALINA_OPTS="-Xmx512m"\n');
    const kryo = only(lint(noOpens), 'add-opens-missing');
    expect(rules(kryo)).toEqual(['add-opens-missing warning']);
    expect(kryo[0].line).toBe(2);
    expect(kryo[0].message).toContain(addOpens('kryo', 17).join(' '));
    const x = tree({ files: { 'conf/context.xml': manager(`transcoderFactoryClass="${XSTREAM}"`), [`webapps/app/WEB-INF/lib/${jarFileName(serializerJars('xstream', 17)[0])}`]: '' } });
    const xs = only(lint(x), 'add-opens-missing');
    expect(rules(xs)).toEqual(['add-opens-missing error']);
    expect(xs[0].message).toContain(addOpens('xstream', 17).filter((o) => !addOpens('kryo', 17).includes(o))[0]);
    // the `--add-opens X` spelling counts as `--add-opens=X`
    const spaced = tree();
    writeFileSync(join(spaced, 'bin/setenv.sh'), home(spaced) + `export JAVA_OPTS="${addOpens('kryo', 17).map((o) => o.replace('=', ' ')).join(' ')}"\n`);
    expect(lint(spaced)).toEqual([]);
    const j8 = tree({ java: 8 });
    writeFileSync(join(j8, 'bin/setenv.sh'), home(j8) + `CATALINA_OPTS="${addOpens('kryo', 17)[0]}"\n`);
    expect(rules(lint(j8))).toEqual(['add-opens-java8 error']);
  });
  it('the Managers of every context file are linted (conf/Catalina/<host>/<app>.xml too), with the jars deciding the Kryo/Java question', () => {
    const fs = lint(tree({ files: { 'conf/Catalina/localhost/app.xml': manager(`transcoderFactoryClass="${KRYO}"`, 'h1:11211,h2:11211') } }));
    expect(fs.map((f) => `${f.file.split('/').slice(-3).join('/')} ${f.rule}`)).toEqual(['Catalina/localhost/app.xml memcached-nodes-misparse']);
    expect(rules(lint(tree())).filter((r) => r.startsWith('kryo-java9'))).toEqual([]);
  });
  it('no msm Manager anywhere: one warning for the tree, not one per file', () => {
    const fs = lint(tree({ files: { 'conf/context.xml': '<Context/>\n' } }));
    expect(rules(fs)).toEqual(['no-msm-manager warning']);
  });
});

describe('lint DIR: malformed XML', () => {
  it('reports the parse error with line and column, and still lints the other files and the Managers read before it', () => {
    const broken = manager(`transcoderFactoryClass="${KRYO}"`, 'h1:11211,h2:11211').replace('</Context>', '</Contxt>');
    const dir = tree({ files: { 'conf/server.xml': '<Server>\n  <Service name="Catalina">\n</Server>\n', 'webapps/app/META-INF/context.xml': broken } });
    const fs = lint(dir);
    const xml = only(fs, 'xml-well-formed');
    expect(xml.map((f) => [f.file.slice(dir.length), f.line, f.col])).toEqual([
      ['/conf/server.xml', 3, 1],
      ['/webapps/app/META-INF/context.xml', 4, 1],
    ]);
    expect(xml[0].message).toMatch(/at 3:1: .*Fix: /);
    // the webapp's Manager, read before its file's error, is still checked
    expect(only(fs, 'memcached-nodes-misparse').map((f) => f.file.slice(dir.length))).toEqual(['/webapps/app/META-INF/context.xml']);
  });
});

describe('msm-kit lint DIR (CLI)', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'msm-kit.js'), 'lint', ...args], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  it('is built (npx tsc -p tsconfig.json)', () => expect(existsSync(join(ROOT, 'dist', 'src', 'lint', 'tomcat-dir.js'))).toBe(true));
  it('exit 0 on a clean tree, 1 with an error, 0 with warnings only; --json keeps working', () => {
    const clean = cli(tree());
    expect([clean.status, clean.stdout.trim()]).toEqual([0, '1 path(s): 0 error(s), 0 warning(s), 0 unchecked']);
    const bad = cli(tree({ files: { [`lib/${jarFileName(storeClientJars('memcached')[0])}`]: null } }));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/lib:1: \(jar\): spymemcached is not in lib\/.*Fix: .*\[error\]/);
    const warn = cli(tree(), '--java', '17', '--json');
    expect(warn.status).toBe(0);
    const noOpens = tree();
    writeFileSync(join(noOpens, 'bin/setenv.sh'), '');
    const w = cli(noOpens, '--java', '17', '--json');
    expect(w.status).toBe(0);
    const json = JSON.parse(w.stdout);
    expect([json.errors, json.warnings, json.findings[0].rule]).toEqual([0, 1, 'add-opens-missing']);
  });
  it('FILE... still works beside DIR', () => {
    const dir = tree();
    const r = cli(join(dir, 'conf', 'context.xml'), dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2 path\(s\): 0 error/);
  });
  it('a dir that is no Tomcat: a UsageError naming it and the fix, no stack trace', () => {
    const plain = join(TMP, 'not-a-tomcat');
    mkdirSync(join(plain, 'x'), { recursive: true });
    const r = cli(plain);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`${plain}: a directory, but no Tomcat (it has neither conf/ nor lib/). Fix: pass a $CATALINA_BASE or $CATALINA_HOME, or the context.xml / server.xml files themselves`);
  });
});
