/**
 * lint on a corpus of real Manager elements (msm's wiki and issues, public notes,
 * the seed walkthrough) plus synthetic ones for each rule; every entry records
 * its source and its expected findings (test/lint/corpus/corpus.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crossFieldRules } from '../../src/config/rules';
import { advisoryRules } from '../../src/config/advice';
import { formatFinding, lintText, LINT_RULES, parseMemcachedNodes, type LintOptions } from '../../src/lint/lint';
import { checkJavaRegex, fullMatch, javaRegexToJs } from '../../src/lint/regex';
import { scanXml } from '../../src/lint/xml';

const CORPUS = join(__dirname, 'corpus');
interface Entry {
  file: string;
  source: string;
  options: LintOptions;
  expect: string[];
}
const corpus: Entry[] = JSON.parse(readFileSync(join(CORPUS, 'corpus.json'), 'utf8'));

describe('lint corpus', () => {
  it('has a source for every entry and at least 30 entries', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    for (const e of corpus) expect(e.source.length, e.file).toBeGreaterThan(10);
  });

  for (const e of corpus) {
    it(`${e.file}: ${e.expect.length} finding(s)`, () => {
      const findings = lintText(e.file, readFileSync(join(CORPUS, e.file), 'utf8'), e.options);
      expect(findings.map((f) => `${f.line} ${f.attribute} ${f.rule} ${f.severity}`)).toEqual(e.expect);
      for (const f of findings) expect(f.message, formatFinding(f)).toMatch(/Fix: /);
    });
  }

  it('covers the issue\'s named cases', () => {
    const all = corpus.flatMap((e) => e.expect.map((x) => `${e.file} ${x}`));
    const has = (file: string, part: string) => expect(all.some((x) => x.startsWith(file) && x.includes(part)), `${file} ${part}`).toBe(true);
    has('seed-sticky.xml', 'failoverNodes config:failover-nodes-known error');
    has('wiki-non-sticky-uripattern.xml', 'lockingMode regex-method-uri warning');
    has('syn-no-ids-comma.xml', 'memcached-nodes-misparse error');
    has('syn-templates.xml', 'template unchecked');
    has('msm-samples-placeholders.xml', 'placeholder unchecked');
  });
});

describe('lint rules', () => {
  it('every rule a finding names has a why (lint rules, config rules, advice)', () => {
    const ids = new Set([...Object.keys(LINT_RULES), ...crossFieldRules.map((r) => `config:${r.id}`), ...advisoryRules.map((r) => `config:${r.id}`)]);
    for (const e of corpus)
      for (const x of e.expect) {
        const rule = x.split(' ')[2];
        if (rule.startsWith('config:') && !ids.has(rule)) continue; // a schema field, described in schema.ts
        expect(ids.has(rule), rule).toBe(true);
      }
    for (const why of Object.values(LINT_RULES)) expect(why.length).toBeGreaterThan(30);
  });

  it('never reports template syntax or placeholders as errors', () => {
    const f = lintText('t.xml', '<Manager className="{{ cls }}" memcachedNodes="${nodes}" sticky="<%= s %>" failoverNodes="{% if x %}n1{% endif %}"/>');
    expect(f.filter((x) => x.severity === 'error')).toEqual([]);
    expect(f.map((x) => x.attribute).sort()).toEqual(['className', 'failoverNodes', 'memcachedNodes', 'sticky']);
  });

  it('formats FILE:LINE: attribute: message. Fix: … [severity]', () => {
    const [f] = lintText('ctx.xml', '<Context>\n<Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager"\n memcachedNodes="h1:11211,h2:11211" sticky="false"/></Context>');
    expect(formatFinding(f)).toMatch(/^ctx\.xml:3: memcachedNodes: msm reads .* Fix: .* \[error\]$/);
  });

  it('msm versions: Javolution is fine on 2.1.1, not after; storageKeyPrefix needs 1.8.0', () => {
    const m = (extra: string) => `<Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager" memcachedNodes="n1:a:11211,n2:b:11211" ${extra}/>`;
    const jv = 'transcoderFactoryClass="de.javakaffee.web.msm.serializer.javolution.JavolutionTranscoderFactory"';
    expect(lintText('a', m(jv), { msm: '2.1.1' }).map((f) => f.rule)).not.toContain('retired-serializer');
    expect(lintText('a', m(jv), { msm: '2.3.2' }).map((f) => f.rule)).toContain('retired-serializer');
    expect(lintText('a', m('storageKeyPrefix="context"'), { msm: '1.6.5' }).map((f) => f.rule)).toContain('attribute-since');
    expect(lintText('a', m('requestUriIgnorePattern="^/static/.*"'), { msm: '1.6.1' }).map((f) => f.rule)).toEqual([]);
  });

  it("msm's own className on Tomcat 10.1/11 is an error that says how the kit runs msm there", () => {
    const f = lintText('a', '<Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager" memcachedNodes="n1:a:11211,n2:b:11211"/>', { tomcat: '10.1' });
    expect(f.map((x) => `${x.attribute} ${x.rule} ${x.severity}`)).toContain('className jakarta-tomcat error');
    const msg = f.find((x) => x.rule === 'jakarta-tomcat')!.message;
    expect(msg).toMatch(/msm-kit import FILE --tomcat 10\.1/);
    expect(msg).toContain('msmkit.tomcat.JakartaMemcachedBackupSessionManager');
  });

  it("the kit's jakarta Manager is accepted on Tomcat 10.1/11 and refused on 7-9; Tomcat 10.0 is refused", () => {
    const m = (cls: string) => `<Manager className="${cls}" memcachedNodes="n1:a:11211,n2:b:11211" sticky="false" sessionBackupAsync="false" sessionBackupTimeout="2000" operationTimeout="2000"/>`;
    const kit = 'msmkit.tomcat.JakartaMemcachedBackupSessionManager';
    for (const tomcat of ['10.1', '10.1.59', '11', '11.0.24']) expect(lintText('a', m(kit), { tomcat }).filter((x) => x.severity === 'error'), tomcat).toEqual([]);
    expect(lintText('a', m(kit), { tomcat: '9' }).map((x) => x.rule)).toContain('jakarta-manager-class');
    expect(lintText('a', m(kit), { tomcat: '10.0' }).map((x) => x.rule)).toContain('jakarta-tomcat');
  });

  it('advice is a warning in lint as in validate, never an error: XStream on an otherwise sound Manager exits 0', () => {
    const xml = '<Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager" memcachedNodes="n1:a:11211,n2:b:11211" sticky="false" sessionBackupAsync="false" sessionBackupTimeout="2000" operationTimeout="2000" transcoderFactoryClass="de.javakaffee.web.msm.serializer.xstream.XStreamTranscoderFactory"/>';
    const f = lintText('a', xml, { tomcat: '9', java: 17 });
    const xstream = f.find((x) => x.rule === 'config:xstream-cost');
    expect(xstream?.severity).toBe('warning');
    expect(f.filter((x) => x.severity === 'error')).toEqual([]);
    // every advisory rule that fires in lint is a warning
    for (const x of f.filter((y) => advisoryRules.some((r) => `config:${r.id}` === y.rule))) expect(x.severity, x.rule).toBe('warning');
  });

  it('a file without an msm Manager says so', () => {
    expect(lintText('a', '<Context><Manager pathname=""/></Context>').map((f) => f.rule)).toEqual(['no-msm-manager']);
  });
});

describe('memcachedNodes as msm parses it', () => {
  it('reads each form', () => {
    expect(parseMemcachedNodes('n1:a:11211,n2:b:11212')).toEqual({ form: 'ids', nodes: [{ id: 'n1', host: 'a', port: 11211 }, { id: 'n2', host: 'b', port: 11212 }] });
    expect(parseMemcachedNodes('n1:a:11211 n2:b:11212').nodes).toHaveLength(2);
    expect(parseMemcachedNodes('h1:11211,h2:11211')).toEqual({ form: 'ids', nodes: [{ id: 'h1', host: '11211,h2', port: 11211 }] });
    expect(parseMemcachedNodes('localhost:11211').form).toBe('single');
    expect(parseMemcachedNodes('http://h:8091/pools,http://g:8091/pools').form).toBe('couchbase');
    expect(parseMemcachedNodes('redis://h').form).toBe('redis');
    expect(parseMemcachedNodes('redis://h').redis).toEqual({ host: 'h', port: 6379 });
    expect(parseMemcachedNodes('redis://cache.example:6380').redis).toEqual({ host: 'cache.example', port: 6380 });
    // a password, a database or TLS: valid for msm, but not what the lab config holds
    for (const v of ['redis://:pw@h:6379', 'redis://h:6379/2', 'rediss://h:6379']) expect(parseMemcachedNodes(v)).toEqual({ form: 'redis', nodes: [] });
    expect(parseMemcachedNodes('n1:a:11211, n2:b:11211').form).toBe('invalid');
    expect(parseMemcachedNodes('node-1:a:11211').form).toBe('invalid');
  });
});

describe('the XML scanner', () => {
  it('reports line:col of the first error', () => {
    expect(scanXml('<a>\n  <b x="1" x="2"/>\n</a>').error).toMatchObject({ line: 2, col: 12, message: expect.stringMatching(/given twice/) });
    expect(scanXml('<a>\n</b>').error).toMatchObject({ line: 2, col: 1 });
    expect(scanXml('<a b="&nbsp;"/>').error?.message).toMatch(/unknown entity/);
    expect(scanXml('<a/><b/>').error?.message).toMatch(/second root/);
  });
  it('decodes entities and records ancestors and positions', () => {
    const s = scanXml('<?xml version="1.0"?>\n<!-- c -->\n<Context>\n  <Manager a="x &amp; y"\n     b=\'&#65;\'/>\n</Context>');
    expect(s.error).toBeUndefined();
    const m = s.elements.find((e) => e.name === 'Manager')!;
    expect(m).toMatchObject({ line: 4, col: 3, ancestors: ['Context'] });
    expect(m.attributes.map((a) => [a.name, a.value, a.line])).toEqual([['a', 'x & y', 4], ['b', 'A', 5]]);
  });
});

describe('the Java regex adapter', () => {
  it('accepts Java-only syntax and refuses what Java refuses', () => {
    expect(checkJavaRegex('.*/a++.*')).toEqual({ ok: true });
    expect(checkJavaRegex('(?i).*\\.CSS')).toEqual({ ok: true });
    expect(checkJavaRegex('\\Q/a.b\\E.*')).toEqual({ ok: true });
    expect(checkJavaRegex('(?>a|b)c')).toEqual({ ok: true });
    expect(checkJavaRegex('^(a|b').ok).toBe(false);
    expect(checkJavaRegex('\\y').ok).toBe(false);
  });
  it('full-matches like Matcher.matches()', () => {
    const re = javaRegexToJs('.*\\.(css|js)$')!;
    expect(fullMatch(re, 'GET /a.css')).toBe(true);
    expect(fullMatch(re, 'GET /a.css?v=1')).toBe(false);
    expect(fullMatch(javaRegexToJs('(?i).*\\.CSS')!, 'GET /a.css')).toBe(true);
    expect(fullMatch(javaRegexToJs('\\Q/a.b\\E')!, '/aXb')).toBe(false);
  });
});
