/**
 * JVM, connector and memcached sizing (tomcat.heapMb, tomcat.gc, tomcat.maxThreads,
 * memcached.threads): resolved once, and carried by every artifact that needs them.
 */
import { describe, expect, it } from 'vitest';
import { bundleJvmOptions, renderMemcachedConf, renderSetenv } from '../../src/bundle/bundle';
import { GC_FLAGS, jvmSizing, resolveLab } from '../../src/config/resolve';
import { DEFAULT_HEAP_MB } from '../../src/config/schema';
import { renderServerXml } from '../../src/render/server-xml';
import { Testing } from '../../src/cdktf';
import { renderContextXml } from '../../src/render/context-xml';
import { renderNginxConf } from '../../src/render/nginx-conf';
import { LabStack } from '../../stacks/lab-stack';
import { accept, DEFAULT_CONFIG, patch } from '../helpers';

const lab = (p: object = {}) => resolveLab(accept(patch(DEFAULT_CONFIG, p)));

function memcachedCommands(l: ReturnType<typeof lab>): string[][] {
  const stack = new LabStack(Testing.app(), l.name, {
    lab: l,
    artifacts: {
      contextXml: renderContextXml(l),
      webappContexts: [{ path: `${l.sampleWebapp.dir}/META-INF/context.xml`, xml: renderContextXml(l) }],
      nginxConf: renderNginxConf(l),
      imageContext: 'ctx',
      imageContextHash: 'abc123',
      tomcatImageTag: 'msm-kit/test-tomcat:abc123',
    },
  });
  const doc = JSON.parse(Testing.synth(stack));
  return Object.values(doc.resource.docker_container as Record<string, { command?: string[] }>)
    .map((c) => c.command ?? [])
    .filter((c) => c[0] === 'memcached');
}

describe('tomcat.heapMb and tomcat.gc', () => {
  it('default: -Xms128m -Xmx256m and the JVM picks its collector (what the kit always ran)', () => {
    expect(DEFAULT_HEAP_MB).toBe(256);
    for (const t of lab().tomcats) {
      expect(t.catalinaOpts.split(' ').slice(0, 2)).toEqual(['-Xms128m', '-Xmx256m']);
      expect(t.catalinaOpts).not.toMatch(/-XX:\+Use\w+GC/);
    }
  });

  it('a set heap and collector reach every Tomcat: -Xms half of -Xmx, the one GC flag', () => {
    const l = lab({ tomcat: { heapMb: 1024, gc: 'parallel' } });
    for (const t of l.tomcats) {
      const opts = t.catalinaOpts.split(' ');
      expect(opts).toEqual(expect.arrayContaining(['-Xms512m', '-Xmx1024m', '-XX:+UseParallelGC']));
      expect(opts.filter((o) => /^-XX:\+Use\w+GC$/.test(o))).toEqual(['-XX:+UseParallelGC']);
    }
    expect(jvmSizing(100, 'g1')).toEqual(['-Xms50m', '-Xmx100m', GC_FLAGS.g1]);
  });

  it('bundle leaves heap and GC to the operator, keeps what msm needs', () => {
    const l = lab({ tomcat: { heapMb: 1024, gc: 'g1' }, manager: { serializer: 'kryo' } });
    const opts = bundleJvmOptions(l, l.tomcats[0]);
    expect(opts.some((o) => /^-Xm[sx]|GC$/.test(o))).toBe(false);
    expect(opts.some((o) => o.startsWith('--add-opens'))).toBe(true);
    expect(renderSetenv(l, l.tomcats[0])).not.toContain('-Xmx');
  });
});

describe('tomcat.jvmOptions', () => {
  it('absent: CATALINA_OPTS holds only what the kit sets', () => {
    const def = lab().tomcats[0].catalinaOpts;
    const set = lab({ tomcat: { jvmOptions: [] } }).tomcats[0].catalinaOpts;
    expect(set).toBe(def);
  });

  it("each option reaches every Tomcat once, after the kit's own, in the order given; the bundle's setenv.sh carries them", () => {
    const l = lab({ tomcat: { jvmOptions: ['-XX:TieredStopAtLevel=1', '-Dfile.encoding=UTF-8'] }, manager: { serializer: 'kryo' } });
    for (const t of l.tomcats) {
      const opts = t.catalinaOpts.split(' ');
      const at = opts.indexOf('-XX:TieredStopAtLevel=1');
      expect(at).toBeGreaterThan(opts.indexOf('-Xmx256m'));
      expect(at).toBeGreaterThan(opts.findLastIndex((o) => o.startsWith('--add-opens')));
      expect(opts[at + 1]).toBe('-Dfile.encoding=UTF-8');
      expect(opts.filter((o) => o === '-XX:TieredStopAtLevel=1')).toHaveLength(1);
    }
    expect(renderSetenv(l, l.tomcats[0])).toContain('-XX:TieredStopAtLevel=1 -Dfile.encoding=UTF-8');
  });
});

describe('tomcat.maxThreads', () => {
  it("absent: the Connector keeps Tomcat's default (no attribute)", () => {
    expect(renderServerXml(lab())).not.toContain('maxThreads');
  });
  it('set: on the one HTTP Connector', () => {
    const xml = renderServerXml(lab({ tomcat: { maxThreads: 50 } }));
    expect(xml.match(/<Connector [^>]*>/g)).toEqual([expect.stringContaining(' maxThreads="50" ')]);
  });
});

describe('memcached.threads', () => {
  it("absent: memcached's own thread count (no -t)", () => {
    const cmds = memcachedCommands(lab());
    expect(cmds).toHaveLength(2);
    for (const c of cmds) expect(c).not.toContain('-t');
    expect(renderMemcachedConf(lab(), lab().memcacheds[0])).not.toMatch(/^-t /m);
  });
  it('set: -t N on every memcached node and in the bundle settings', () => {
    const l = lab({ memcached: { threads: 2 } });
    const cmds = memcachedCommands(l);
    expect(cmds).toHaveLength(2);
    for (const c of cmds) expect(c.slice(c.indexOf('-t'), c.indexOf('-t') + 2)).toEqual(['-t', '2']);
    expect(renderMemcachedConf(l, l.memcacheds[0])).toMatch(/^-t 2$/m);
  });
});
