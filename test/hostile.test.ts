/**
 * Hostile and careless input (issue 12): nothing a config says can break
 * nginx, XML, msm or the user's files, and secrets stay out of every message.
 * One describe per class; each has cases that must be accepted and cases that
 * must be refused. nginx.conf goes through the real `nginx -t`; context.xml is
 * read back by Java's own XML parser (JAXP SAX, as Tomcat reads it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtrackingRisk, configWarnings } from '../src/config/advice';
import { checkJavaRegex, checkJavaRegexes } from '../src/config/java-regex';
import { loadConfig, parseConfigText } from '../src/config/load';
import { resolveLab } from '../src/config/resolve';
import { renderContextXml, xmlAttr } from '../src/render/context-xml';
import { renderNginxConf } from '../src/render/nginx-conf';
import { ConfigError } from '../src/errors';
import { accept, DEFAULT_CONFIG, patch, refuse, ROOT, STICKY_CONFIG } from './helpers';

const tmp = () => mkdtempSync(join(tmpdir(), 'msm-hostile-'));

function nginxT(conf: string): { ok: boolean; out: string } {
  const dir = tmp();
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const nginx = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find(existsSync);
  if (!nginx) throw new Error('nginx is not installed: `nginx -t` cannot run (apt-get install nginx-light)');
  const r = spawnSync(nginx, ['-t', '-q', '-p', dir, '-c', file, '-g', `pid ${dir}/nginx.pid;`], { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stderr };
}

/** Every directive nginx.conf may contain; a line starting with anything else means a value landed where nginx reads a directive. */
const DIRECTIVES = new Set(['worker_processes', 'error_log', 'events', 'worker_connections', 'http', 'access_log', 'sendfile', 'server_tokens', 'upstream', 'zone', 'server', 'keepalive', 'keepalive_timeout', 'keepalive_time', 'map', 'listen', 'location', 'default_type', 'return', 'proxy_pass', 'proxy_http_version', 'proxy_set_header', 'proxy_connect_timeout', 'proxy_read_timeout', 'proxy_next_upstream', 'proxy_next_upstream_tries', 'proxy_cookie_flags', 'ssl_certificate', 'ssl_certificate_key', 'ssl_protocols', 'ssl_ciphers', 'ssl_prefer_server_ciphers', 'ssl_session_cache', 'ssl_session_timeout', 'ssl_session_tickets', 'add_header', 'stub_status', 'allow', 'deny', '}']);

/** Checks that outside map blocks every statement starts with a known directive, and inside them every key is `default`, `""` or a quoted regex. */
function directivesOnly(conf: string): string[] {
  const bad: string[] = [];
  let inMap = false;
  for (const raw of conf.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const first = line.split(/\s+/)[0].replace(/;$/, '');
    if (inMap) {
      if (line === '}') inMap = false;
      else if (!(first === 'default' || first === '""' || /^"~\^?[^"]*"$/.test(first))) bad.push(line);
      continue;
    }
    if (first === 'map') inMap = true;
    if (!DIRECTIVES.has(first)) bad.push(line);
  }
  return bad;
}

const stickyRoutes = (...routes: string[]) =>
  patch(STICKY_CONFIG, { tomcat: { nodes: routes.map((r, i) => ({ name: `t${i + 1}`, jvmRoute: r })) } });

describe('nginx: names, directives and numbers', () => {
  const hostile: Record<string, unknown> = {
    'routes that are map parameters': stickyRoutes('default', 'hostnames', 'volatile'),
    'a route that is a directive': stickyRoutes('include', 'server', 'location'),
    'routes that differ only by case': stickyRoutes('Ab', 'ab', 'AB'),
    'routes of one character and of 63': stickyRoutes('-', '_', '1', 'r'.repeat(63)),
    'every balancer number at its limit': patch(STICKY_CONFIG, { loadBalancer: { keepalive: 1024, maxFails: 1000, failTimeout: 86400, connectTimeout: 75, readTimeout: 86400 } }),
    'non-sticky at its limits': patch(DEFAULT_CONFIG, { loadBalancer: { keepalive: 1024, maxFails: 1000, port: 65535 } }),
  };
  for (const [what, cfg] of Object.entries(hostile)) {
    it(`${what}: passes nginx -t, and no value lands where nginx reads a directive`, () => {
      const conf = renderNginxConf(resolveLab(accept(cfg)));
      const r = nginxT(conf);
      expect(r.ok, r.out).toBe(true);
      expect(directivesOnly(conf)).toEqual([]);
    });
  }

  it('routes differing only by case get distinct upstreams and case-sensitive keys', () => {
    const conf = renderNginxConf(resolveLab(accept(stickyRoutes('Ab', 'ab'))));
    expect(conf).toContain('"~^Ab$" msm_route_1_Ab;');
    expect(conf).toContain('"~^ab$" msm_route_2_ab;');
  });

  it('the check above can fail: a bare route as a map key is caught, and nginx -t refuses "default" there', () => {
    const bare = renderNginxConf(resolveLab(accept(stickyRoutes('default', 'b')))).replace('"~^default$"', 'default');
    expect(nginxT(bare).ok).toBe(false);
    expect(directivesOnly('http {\n  include msm;\n}\n')).toEqual(['include msm;']);
  });

  it('refuses numbers nginx cannot allocate or honour, and routes nginx cannot hold', () => {
    expect(refuse(patch(DEFAULT_CONFIG, { loadBalancer: { keepalive: 3_000_000_000 } }))[0].path).toBe('loadBalancer.keepalive');
    expect(refuse(patch(DEFAULT_CONFIG, { loadBalancer: { readTimeout: 2_100_000 } }))[0].path).toBe('loadBalancer.readTimeout');
    expect(refuse(stickyRoutes('a b', 'c'))[0].path).toBe('tomcat.nodes[0].jvmRoute');
    expect(refuse(stickyRoutes('a;include /etc/passwd', 'c'))[0].path).toBe('tomcat.nodes[0].jvmRoute');
  });
});

describe('XML: every Manager value reads back unchanged in Java, or is refused', () => {
  let classDir: string;
  beforeAll(() => {
    classDir = tmp();
    execFileSync('javac', ['-d', classDir, join(ROOT, 'test', 'tools', 'java', 'ReadManager.java')]);
  }, 120_000);

  function readBack(xml: string): Record<string, string> {
    const file = join(tmp(), 'context.xml');
    writeFileSync(file, xml);
    const r = spawnSync('java', ['-cp', classDir, 'ReadManager', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`Java could not parse context.xml: ${r.stderr}`);
    return Object.fromEntries(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [k, v] = l.split('\t');
          return [k, Buffer.from(v, 'base64').toString('utf8')];
        }),
    );
  }

  const sasl = (password: string) => patch(DEFAULT_CONFIG, { manager: { memcachedProtocol: 'binary', username: 'msm', password } });
  const values = {
    'entity-like text': '&lt;x&amp;&nbsp;&#65;',
    'markup characters': `"'<>&]]>-->`,
    'tab, newline and CR': 'a\tb\nc\r\nd  e',
    'non-ASCII and astral characters': 'pässwört-密码-😀',
    'a lone "$" and "{"': 'a$b{c}$ {d}',
  };
  // The password itself is never written (issue 12: context.xml names an environment
  // variable); the escaping every other Manager value goes through is checked on these.
  const manager = (value: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Context>\n  <Manager storageKeyPrefix="${xmlAttr(value)}"/>\n</Context>\n`;
  for (const [what, password] of Object.entries(values)) {
    it(`${what}: the value Java reads is the config's, and the password is not in context.xml`, () => {
      expect(readBack(manager(password)).storageKeyPrefix).toBe(password);
      const xml = renderContextXml(resolveLab(accept(sasl(password))));
      const m = readBack(xml);
      expect(m.password).toBe('${MSM_KIT_MEMCACHED_PASSWORD}');
      expect(m.username).toBe('${MSM_KIT_MEMCACHED_USERNAME}');
      expect(xml).not.toContain(xmlAttr(password));
    });
  }

  it('regexes with XML and entity characters read back unchanged', () => {
    const re = '.*\\.(css|js)(\\?a=&amp;b<c>"d")?$';
    const m = readBack(renderContextXml(resolveLab(accept(patch(DEFAULT_CONFIG, { manager: { requestUriIgnorePattern: re } })))));
    expect(m.requestUriIgnorePattern).toBe(re);
  });

  const refused = {
    NUL: 'a\u0000b',
    ESC: 'a\u001b[31m',
    'U+FFFF': 'a\uffff',
    'a lone surrogate': 'a\ud800b',
    'Tomcat property syntax': 'x${user.home}',
  };
  for (const [what, password] of Object.entries(refused)) {
    it(`${what}: refused, and the password is not echoed`, () => {
      const problems = refuse(sasl(password));
      const p = problems.find((x) => x.path === 'manager.password');
      expect(p, JSON.stringify(problems)).toBeDefined();
      expect(p!.message).toMatch(/Fix:/);
      expect(p!.message).toContain('(got ***)');
    });
  }

  it('the round trip can fail: an unescaped entity reads back as another string', () => {
    const xml = manager('&lt;').replace('&amp;lt;', '&lt;');
    expect(readBack(xml).storageKeyPrefix).toBe('<');
  });
});

describe('Java semantics', () => {
  it('checkJavaRegex uses java.util.regex: {id} refused, (?i) accepted (the opposite of JavaScript)', () => {
    const [brace, flags, ok] = checkJavaRegexes(['/{id}', '(?i)abc', 'a+b']);
    expect(brace).toMatchObject({ ok: false, engine: 'java' });
    expect((brace as { message: string }).message).toMatch(/Illegal repetition/);
    expect(flags).toMatchObject({ ok: true });
    expect(ok.ok).toBe(true);
    expect(checkJavaRegex('(?i)abc').ok).toBe(true);
  });

  it('without java on PATH it falls back to JavaScript, says so, and validate warns', () => {
    const script = `
      const { checkJavaRegex } = require(${JSON.stringify(join(ROOT, 'dist', 'src', 'config', 'java-regex.js'))});
      process.stdout.write(JSON.stringify(checkJavaRegex('(?i)fallback-' + Date.now())));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent', MSM_KIT_CACHE: tmp() } });
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, engine: 'javascript' });
    const file = join(tmp(), 'lab.json');
    writeFileSync(file, JSON.stringify({ manager: { sessionAttributeFilter: '^u$' } }));
    const v = spawnSync(process.execPath, [join(ROOT, 'bin', 'msm-kit.js'), 'validate', '--config', file], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent', MSM_KIT_CACHE: tmp() } });
    expect(v.status).toBe(0);
    expect(v.stderr).toMatch(/no `java` on PATH.*Fix:/);
  });

  it('caches results by hash: a second process does not run Java again', () => {
    const cache = tmp();
    const script = (p: string) => `
      const { checkJavaRegex } = require(${JSON.stringify(join(ROOT, 'dist', 'src', 'config', 'java-regex.js'))});
      process.stdout.write(JSON.stringify(checkJavaRegex(${JSON.stringify(p)})));`;
    const first = spawnSync(process.execPath, ['-e', script('x{2,1}')], { encoding: 'utf8', env: { ...process.env, MSM_KIT_CACHE: cache } });
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: false, engine: 'java' });
    const second = spawnSync(process.execPath, ['-e', script('x{2,1}')], { encoding: 'utf8', env: { ...process.env, MSM_KIT_CACHE: cache, PATH: '/nonexistent' } });
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: false, engine: 'java' });
  });

  it('numbers above Java int are refused; enabled=false only in sticky mode', () => {
    expect(refuse(patch(DEFAULT_CONFIG, { manager: { lockExpiration: 2 ** 31 } }))[0].message).toMatch(/Java int/);
    expect(refuse(patch(DEFAULT_CONFIG, { manager: { enabled: false } }))[0].path).toBe('manager.enabled');
    expect(() => accept(patch(STICKY_CONFIG, { manager: { enabled: false } }))).not.toThrow();
  });
});

describe('files', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('a UTF-8 BOM is accepted', () => {
    expect(parseConfigText(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"name":"bom-lab"}')])).name).toBe('bom-lab');
  });

  it('non-UTF-8 bytes are refused with their offset, not turned into U+FFFD', () => {
    const e = (() => {
      try {
        parseConfigText(new Uint8Array([...bytes('{"name":"caf'), 0xe9, ...bytes('"}')]), 'latin1.json');
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('accepted');
    })();
    expect(e.message).toMatch(/not UTF-8: invalid byte 0xe9 at offset 12.*Fix:/);
  });

  it('duplicate keys are refused at their path, at any depth; the same key in two objects is fine', () => {
    const text = '{"loadBalancer":{"bindAddress":"127.0.0.1","port":8080,"bindAddress":"0.0.0.0"},"tomcat":{"nodes":[{"name":"a"},{"name":"b","name":"c"}]}}';
    try {
      parseConfigText(bytes(text));
      throw new Error('accepted');
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.path)).toEqual(['loadBalancer.bindAddress', 'tomcat.nodes[1].name']);
    }
    expect(parseConfigText(bytes('{"tomcat":{"nodes":[{"name":"a"},{"name":"b"}]}}')).tomcat.nodes).toHaveLength(2);
    expect(parseConfigText(bytes('{"$schema":"x\\",\\"name\\":1","name":"a"}')).name).toBe('a');
  });

  it('a 10,000-deep value gives one short message, no crash', () => {
    const deep = '['.repeat(10_000) + '1' + ']'.repeat(10_000);
    for (const text of [`{"manager":{"password":${deep}}}`, `{"nope":${deep}}`, deep]) {
      try {
        parseConfigText(bytes(text));
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as Error).message.length).toBeLessThan(400);
        expect((e as Error).message).toMatch(/nested more than 16 levels.*Fix:/);
      }
    }
  });

  it('unknown keys are echoed escaped and bounded, never their values', () => {
    const key = '\u001b]0;pwned\u0007\u009b2J';
    const problems = refuse({ [key]: 'hunter2-value', ['k'.repeat(100_000)]: 1 });
    const msg = problems.map((p) => p.message).join('\n');
    expect(msg).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(msg).toContain('\\u001b]0;pwned\\u0007\\u009b2J');
    expect(msg).toContain('(100000 characters)');
    expect(msg.length).toBeLessThan(1000);
    expect(msg).not.toContain('hunter2-value');
  });

  it('secrets are masked in every message: numbers, wrong types, values echoed by other rules', () => {
    const cases = [
      { manager: { memcachedProtocol: 'binary', username: 'msm', password: 987654321 } },
      { manager: { memcachedProtocol: 'binary', username: 'msm', password: ['s3cr3t-pw'] } },
      { manager: { username: 'msm', password: 's3cr3t-pw' } },
      { manager: { memcachedProtocol: 'binary', username: 'msm', password: 's3cr3t-pw\u0001' } },
    ];
    for (const c of cases) {
      const msg = refuse(patch(DEFAULT_CONFIG, c)).map((p) => `${p.path}: ${p.message}`).join('\n');
      expect(msg).not.toMatch(/987654321|s3cr3t/);
      expect(msg).toMatch(/Fix:/);
    }
  });

  it('invalid JSON does not quote the file back (it may hold the password)', () => {
    try {
      parseConfigText(bytes('{"manager":{"password":"s3cr3t-pw" "x":1}}'));
      throw new Error('accepted');
    } catch (e) {
      expect((e as Error).message).toMatch(/not valid JSON.*Fix:/);
      expect((e as Error).message).not.toContain('s3cr3t');
    }
  });

  it('--out pointing at an existing file (or below one) is a usage error, not a crash', () => {
    const dir = tmp();
    const file = join(dir, 'taken');
    writeFileSync(file, 'keep me');
    for (const out of [file, join(file, 'sub')]) {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'msm-kit.js'), 'synth', '--offline', '--out', out], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/existing file, not a directory.*Fix:/);
      expect(r.stderr).not.toMatch(/unexpected error|at .*\.js:\d+/);
    }
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('a directory as --config is a config error', () => {
    expect(() => loadConfig(tmp())).toThrow(/directory.*Fix:/);
  });
});

describe('exposure and regexes that blow up (advice)', () => {
  it('bindAddress 0.0.0.0 warns and names the real bind; 127.0.0.1 does not', () => {
    const w = configWarnings(accept(patch(DEFAULT_CONFIG, { loadBalancer: { bindAddress: '0.0.0.0' } })));
    expect(w.map((x) => x.path)).toEqual(['loadBalancer.bindAddress']);
    expect(w[0].message).toMatch(/every interface.*0\.0\.0\.0.*port 8080.*Fix:/);
    expect(configWarnings(accept(DEFAULT_CONFIG))).toEqual([]);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'msm-kit.js'), 'validate', '--config', writeTmp({ loadBalancer: { bindAddress: '0.0.0.0' } })], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/nginx listens on 0\.0\.0\.0:8080, every interface/);
  });

  it('a backtracking regex warns (.*(a|aa)+$, (a+)+b); the kit\'s own patterns do not', () => {
    for (const re of ['.*(a|aa)+$', '.*(a+)+b', '(\\w+\\s?)*$', '(x*){2,}'])
      expect(configWarnings(accept(patch(DEFAULT_CONFIG, { manager: { requestUriIgnorePattern: re } }))).map((w) => w.path), re).toEqual(['manager.requestUriIgnorePattern']);
    for (const re of ['.*\\.(ico|png|gif|jpg|css|js)$', '.*\\.(ico|png)(\\?.*)?$', '.*[(|]+x', '.*(?:ab)+']) expect(backtrackingRisk(re), re).toBeUndefined();
    expect(configWarnings(accept(patch(DEFAULT_CONFIG, { manager: { lockingMode: 'uriPattern:(a|aa)*$' } })))[0].path).toBe('manager.lockingMode');
  });
});

function writeTmp(cfg: unknown): string {
  const file = join(tmp(), 'lab.json');
  writeFileSync(file, JSON.stringify(cfg));
  return file;
}
