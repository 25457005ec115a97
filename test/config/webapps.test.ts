/**
 * The user's own webapp (issue 9): the test shop built from source (javac
 * --release 8 + jar), read by the kit's own zip reader, refused for every bad
 * case before anything is written, and copied (never modified) into the
 * Tomcat image context with msm's Manager merged into its context.xml.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import { classMajor, declaresManager, mergeManager, openWebapp } from '../../src/config/webapps';
import { zipEntries, zipRead } from '../../src/config/zip';
import { ConfigError } from '../../src/errors';
import { synthLab } from '../../src/synth/synth';
import { DEFAULT_CONFIG, patch, ROOT } from '../helpers';

const SHOP = join(ROOT, 'test', 'fixtures', 'shop');
let dir: string;
let war: string;

/** A zip of `files` (name → content), made by Info-ZIP's zip (the JDK's jar tool refuses a module-info.class of a newer Java). */
function jarOf(out: string, files: Record<string, string | Buffer>): string {
  const src = mkdtempSync(join(dir, 'src-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(src, name, '..'), { recursive: true });
    writeFileSync(join(src, name), content);
  }
  execFileSync('zip', ['-q', '-r', '-X', out, '.'], { cwd: src });
  return out;
}

/** The first bytes of a class file compiled for `java` (the checker reads only the header). */
const classFor = (java: number) => Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, java + 44, 0, 0]);

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

/** Writes a config beside the webapps (sources are relative to it) and loads it. */
function load(webapps: unknown, extra: unknown = {}) {
  const file = join(dir, 'lab.json');
  writeFileSync(file, JSON.stringify(patch(patch(DEFAULT_CONFIG, { webapps }), extra)));
  return loadConfig(file);
}

function problems(webapps: unknown, extra: unknown = {}) {
  try {
    load(webapps, extra);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('accepted, but should have been refused');
}

const sample = { contextPath: '/msm-kit', source: 'msm-kit:sample' };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'msm-kit-webapps-'));
  war = join(dir, 'shop.war');
  execFileSync('bash', [join(SHOP, 'build.sh'), war]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zip reader', () => {
  it('reads the entries and bytes the JDK jar tool wrote, and the class-file version javac --release 8 wrote', () => {
    const buf = readFileSync(war);
    const names = zipEntries(buf).map((e) => e.name);
    expect(names).toContain('WEB-INF/classes/shop/Cart.class');
    expect(names).toContain('index.jsp');
    const jsp = zipEntries(buf).find((e) => e.name === 'index.jsp')!;
    expect(zipRead(buf, jsp).toString('utf8')).toBe(readFileSync(join(SHOP, 'web', 'index.jsp'), 'utf8'));
    const cart = zipEntries(buf).find((e) => e.name === 'WEB-INF/classes/shop/Cart.class')!;
    expect(classMajor(zipRead(buf, cart))).toBe(52);
  });

  it('refuses what is not a zip and entries that would unpack outside the app', () => {
    expect(() => zipEntries(Buffer.from('not a zip at all, just text'))).toThrow(/end-of-central-directory/);
    const evil = join(dir, 'evil.war');
    execFileSync('bash', ['-c', `cd ${dir} && mkdir -p e/WEB-INF && echo x > e/WEB-INF/web.xml && echo y > x.txt && cd e && zip -q ../evil.war WEB-INF/web.xml ../x.txt`]);
    expect(() => openWebapp(evil)).toThrow(/outside the webapp/);
    const both = join(dir, 'both.war');
    execFileSync('bash', ['-c', `cd ${dir} && mkdir -p b1/WEB-INF b2/WEB-INF/web.xml && echo x > b1/WEB-INF/web.xml && echo y > b2/WEB-INF/web.xml/z && (cd b1 && zip -q ../both.war WEB-INF/web.xml) && (cd b2 && zip -q ../both.war WEB-INF/web.xml/z)`]);
    expect(() => openWebapp(both)).toThrow(/both a file and a directory/);
  });
});

describe('webapps: accepted', () => {
  it('a WAR beside the sample app; the source is read relative to the config file and made absolute', () => {
    const c = load([sample, { contextPath: '/shop', source: './shop.war' }]);
    expect(c.webapps[1].source).toBe(war);
  });

  it('an exploded directory', () => {
    const exploded = join(dir, 'exploded');
    cpSync(join(SHOP, 'web'), exploded, { recursive: true });
    expect(() => load([sample, { contextPath: '/', source: 'exploded' }])).not.toThrow();
  });

  it('classes of the lab Java itself, module-info and multi-release classes', () => {
    jarOf(join(dir, 'mr.jar'), { 'module-info.class': classFor(21), 'META-INF/versions/21/a/A.class': classFor(21), 'a/A.class': classFor(8) });
    jarOf(join(dir, 'java17.war'), { 'WEB-INF/web.xml': '<web-app/>', 'WEB-INF/classes/a/B.class': classFor(17), 'WEB-INF/lib/mr.jar': readFileSync(join(dir, 'mr.jar')) });
    expect(() => load([sample, { contextPath: '/j', source: 'java17.war' }])).not.toThrow();
  });
});

describe('webapps: refused before anything is built, naming the field, the value and the fix', () => {
  const refusedAt = (ps: readonly { path: string; message: string }[], path: string, says: RegExp) => {
    const hit = ps.find((p) => p.path === path);
    expect(hit, JSON.stringify(ps)).toBeDefined();
    expect(hit!.message).toMatch(says);
    expect(hit!.message).toMatch(/Fix: /);
  };

  it('a missing file', () => refusedAt(problems([sample, { contextPath: '/shop', source: './nope.war' }]), 'webapps[1].source', /no such file.*\(got "\.\/nope\.war"\)$/));

  it('a file that is not a zip', () => {
    writeFileSync(join(dir, 'text.war'), 'hello');
    refusedAt(problems([sample, { contextPath: '/shop', source: 'text.war' }]), 'webapps[1].source', /not a WAR.*\(got "text\.war"\)$/);
  });

  it('a zip without WEB-INF/', () => {
    jarOf(join(dir, 'site.zip'), { 'index.html': '<p>hi</p>' });
    refusedAt(problems([sample, { contextPath: '/shop', source: 'site.zip' }]), 'webapps[1].source', /no WEB-INF/);
  });

  it('bundled msm or spymemcached jars', () => {
    jarOf(join(dir, 'bundles.war'), { 'WEB-INF/web.xml': '<web-app/>', 'WEB-INF/lib/memcached-session-manager-tc9-2.3.2.jar': 'x', 'WEB-INF/lib/spymemcached-2.12.3.jar': 'x' });
    refusedAt(problems([sample, { contextPath: '/shop', source: 'bundles.war' }]), 'webapps[1].source', /bundles WEB-INF\/lib\/memcached-session-manager-tc9-2\.3\.2\.jar, WEB-INF\/lib\/spymemcached-2\.12\.3\.jar.*provided/);
  });

  it('a class compiled for a newer Java than tomcat.javaVersion, in WEB-INF/classes: names the class and both versions', () => {
    jarOf(join(dir, 'new.war'), { 'WEB-INF/web.xml': '<web-app/>', 'WEB-INF/classes/a/Old.class': classFor(8), 'WEB-INF/classes/a/New.class': classFor(21) });
    refusedAt(problems([sample, { contextPath: '/shop', source: 'new.war' }]), 'webapps[1].source', /WEB-INF\/classes\/a\/New\.class is compiled for Java 21 \(class file version 65\), but the lab runs Java 17 \(class file version ≤ 61\).*--release 17.*javaVersion to 21/);
  });

  it('a class compiled for a newer Java inside a jar of WEB-INF/lib', () => {
    jarOf(join(dir, 'lib11.jar'), { 'b/C.class': classFor(11) });
    jarOf(join(dir, 'newlib.war'), { 'WEB-INF/web.xml': '<web-app/>', 'WEB-INF/lib/lib11.jar': readFileSync(join(dir, 'lib11.jar')) });
    refusedAt(problems([sample, { contextPath: '/shop', source: 'newlib.war' }], { tomcat: { javaVersion: 8 } }), 'webapps[1].source', /WEB-INF\/lib\/lib11\.jar!\/b\/C\.class is compiled for Java 11.*Java 8/);
  });

  it('a javax.servlet app on Tomcat 10.1 or 11: names the class, the type it uses and the migration', () => {
    // A class whose constant pool names javax/servlet/http/HttpServlet (as a servlet's does); the checker reads the header and the pool's bytes.
    const javaxClass = Buffer.concat([classFor(8), Buffer.from('\u0001\u0000\u001ejavax/servlet/http/HttpServlet')]);
    jarOf(join(dir, 'jx.war'), { 'WEB-INF/web.xml': '<web-app/>', 'WEB-INF/classes/shop/CartServlet.class': javaxClass, 'WEB-INF/classes/shop/Cart.class': classFor(8) });
    for (const version of ['10.1', '11'])
      refusedAt(
        problems([sample, { contextPath: '/shop', source: 'jx.war' }], { tomcat: { version, javaVersion: 17 } }),
        'webapps[1].source',
        new RegExp(`WEB-INF/classes/shop/CartServlet\\.class uses javax\\.servlet\\.http\\.HttpServlet \\(the javax\\.\\* Servlet API\\), but Tomcat ${version.replace('.', '\\.')} runs jakarta\\.servlet.*Fix: migrate the app to jakarta.*tomcat\\.version to "9"`),
      );
  });

  it('a jakarta.servlet class on Tomcat 9 is refused; javax on Tomcat 9 is not', () => {
    const jakartaClass = Buffer.concat([classFor(11), Buffer.from('\u0001\u0000\u001fjakarta/servlet/http/HttpServlet')]);
    jarOf(join(dir, 'jk.war'), { 'WEB-INF/web.xml': '<web-app/>', 'WEB-INF/classes/a/S.class': jakartaClass });
    refusedAt(problems([sample, { contextPath: '/shop', source: 'jk.war' }]), 'webapps[1].source', /a\/S\.class uses jakarta\.servlet\.http\.HttpServlet .*Tomcat 9 runs javax\.servlet/);
    expect(() => load([sample, { contextPath: '/shop', source: 'jx.war' }])).not.toThrow();
    // The shop uses no Servlet class of its own (JSPs only): it runs on both.
    expect(() => load([sample, { contextPath: '/shop', source: 'shop.war' }], { tomcat: { version: '11', javaVersion: 17 } })).not.toThrow();
  });

  it('the shop itself (Java 8 bytecode) is accepted on Java 8', () => {
    expect(() => load([sample, { contextPath: '/shop', source: 'shop.war' }], { tomcat: { javaVersion: 8 } })).not.toThrow();
  });

  it("an app whose META-INF/context.xml declares its own Manager (a commented-out one does not count)", () => {
    jarOf(join(dir, 'manager.war'), { 'WEB-INF/web.xml': '<web-app/>', 'META-INF/context.xml': '<Context>\n  <Manager pathname=""/>\n</Context>\n' });
    refusedAt(problems([sample, { contextPath: '/shop', source: 'manager.war' }]), 'webapps[1].source', /declares its own <Manager>.*not silently replace.*Fix: remove the <Manager>/);
    expect(declaresManager('<Context><!-- <Manager pathname=""/> --></Context>')).toBe(false);
  });

  it('a duplicate context path, and a malformed one', () => {
    refusedAt(problems([sample, { contextPath: '/msm-kit', source: 'shop.war' }]), 'webapps[1].contextPath', /already uses this context path/);
    refusedAt(problems([sample, { contextPath: 'shop', source: 'shop.war' }]), 'webapps[1].contextPath', /must be "\/" or "\/name"/);
  });

  it('every problem of every webapp in one run', () => {
    const ps = problems([sample, { contextPath: '/a', source: 'nope.war' }, { contextPath: '/b', source: 'text.war' }]);
    expect(ps.map((p) => p.path)).toEqual(['webapps[1].source', 'webapps[2].source']);
  });
});

describe("msm's Manager in the app's own context", () => {
  const kit = '<?xml version="1.0" encoding="UTF-8"?>\n<Context>\n  <!-- Generated by msm-kit -->\n  <Manager className="M" a="1"/>\n</Context>\n';

  it("is added to the app's <Context>, keeping the app's own settings", () => {
    const merged = mergeManager('<Context reloadable="false">\n  <Parameter name="p" value="v"/>\n</Context>\n', kit)!;
    expect(merged).toBe('<Context reloadable="false">\n  <Parameter name="p" value="v"/>\n  <!-- Generated by msm-kit -->\n  <Manager className="M" a="1"/>\n</Context>\n');
    expect(mergeManager('<?xml version="1.0"?>\n<Context path="/x" />\n', kit)).toBe('<?xml version="1.0"?>\n<Context path="/x">\n  <!-- Generated by msm-kit -->\n  <Manager className="M" a="1"/>\n</Context>\n');
    expect(mergeManager('<NotContext/>', kit)).toBeUndefined();
  });
});

describe('synth with a user webapp', () => {
  it("copies the WAR exploded beside the sample app, merges the Manager, never touches the user's file; the tag follows the WAR", async () => {
    const before = sha(war);
    const config = load([sample, { contextPath: '/shop', source: 'shop.war' }]);
    const a = await synthLab(config, { outDir: join(dir, 'out-a'), standIns: true, fetch: { offline: true } });
    const b = await synthLab(config, { outDir: join(dir, 'out-b'), standIns: true, fetch: { offline: true } });
    expect(sha(war)).toBe(before);
    const webapps = join(a.artifacts.imageContextDir, 'tomcat', 'webapps');
    expect(classMajor(readFileSync(join(webapps, 'shop', 'WEB-INF', 'classes', 'shop', 'Cart.class')))).toBe(52);
    // context.xml is uploaded to the containers, not in the image: META-INF/ is, empty
    expect(a.artifacts.webappContexts.map((c) => c.path)).toEqual(['/usr/local/tomcat/webapps/msm-kit/META-INF/context.xml', '/usr/local/tomcat/webapps/shop/META-INF/context.xml']);
    for (const app of ['shop', 'msm-kit']) expect(readdirSync(join(webapps, app, 'META-INF'))).toEqual([]);
    const ctx = a.artifacts.webappContexts[1].xml;
    expect(ctx).toContain('<Parameter name="shop.title" value="msm-kit test shop" override="false"/>');
    expect(ctx).toMatch(/<Manager className="msmkit\.tomcat\.KitMemcachedBackupSessionManager"[^>]*\/>\n<\/Context>\n$/);
    expect(a.artifacts.webappContexts[0].xml).toBe(a.artifacts.contextXml);
    expect(existsSync(join(webapps, 'msm-kit', 'index.jsp'))).toBe(true);
    expect(existsSync(join(webapps, 'ROOT'))).toBe(false);
    expect(a.lab.tomcatHealthPath).toBe('/msm-kit/health.txt');
    // deterministic and relocatable
    expect(b.artifacts.tomcatImageTag).toBe(a.artifacts.tomcatImageTag);
    expect(readFileSync(join(b.stackDir, 'cdk.tf.json'), 'utf8')).toBe(readFileSync(join(a.stackDir, 'cdk.tf.json'), 'utf8'));
    const tf = readFileSync(join(a.stackDir, 'cdk.tf.json'), 'utf8');
    expect(tf).toContain('/usr/local/tomcat/webapps/msm-kit/META-INF/context.xml');
    expect(tf).toContain('/usr/local/tomcat/webapps/shop/META-INF/context.xml');
    expect(tf).toContain('/msm-kit/health.txt');
    // a changed WAR gives another image tag
    const other = join(dir, 'shop2.war');
    jarOf(other, { 'WEB-INF/web.xml': '<web-app/>', 'index.jsp': 'changed' });
    const c = await synthLab(load([sample, { contextPath: '/shop', source: 'shop2.war' }]), { outDir: join(dir, 'out-c'), standIns: true, fetch: { offline: true } });
    expect(c.artifacts.tomcatImageTag).not.toBe(a.artifacts.tomcatImageTag);
  });

  it('the default config still deploys the sample app at / (ROOT) alone', async () => {
    const r = await synthLab(load(undefined), { outDir: join(dir, 'out-d'), standIns: true, fetch: { offline: true } });
    expect(r.lab.webapps.map((w) => w.dir)).toEqual(['/usr/local/tomcat/webapps/ROOT']);
    expect(r.lab.tomcatHealthPath).toBe('/health.txt');
  });
});

describe('webappServing', () => {
  it('maps a path to the longest matching context path, as Tomcat does', async () => {
    const { webappServing } = await import('../../src/config/webapps');
    expect(webappServing('/shop/', ['/', '/shop', '/msm-kit'])).toBe('/shop');
    expect(webappServing('/shopping', ['/', '/shop'])).toBe('/');
    expect(webappServing('/msm-kit', ['/shop', '/msm-kit'])).toBe('/msm-kit');
    expect(webappServing('/other', ['/shop'])).toBeUndefined();
  });
});
