import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { importManager, nginxUpstreams } from '../../src/lint/import';

const corpus = (f: string) => readFileSync(join(__dirname, 'corpus', f), 'utf8');
const refusal = (f: string) => {
  try {
    importManager(f, corpus(f));
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    throw e;
  }
  throw new Error(`${f} was imported`);
};

describe('import', () => {
  it('turns the wiki sticky example and an nginx upstream into a valid lab config', () => {
    const nginx = 'http {\n upstream app { ip_hash; server 10.0.0.1:8080; server 10.0.0.2:8080; server 10.0.0.3:8080 backup; }\n server { listen 8088; location / { proxy_pass http://app; } }\n}';
    const r = importManager('ctx.xml', corpus('wiki-sticky-kryo.xml'), { java: 8, nginx: { file: 'nginx.conf', text: nginx } });
    expect(r.config).toMatchObject({
      tomcat: { version: '9', javaVersion: 8, nodes: [{ name: 'tomcat-node1', jvmRoute: 'tomcat1' }, { name: 'tomcat-node2', jvmRoute: 'tomcat2' }] },
      memcached: { nodes: [{ id: 'n1', host: 'host1.yourdomain.com', port: 11211 }, { id: 'n2', host: 'host2.yourdomain.com', port: 11211 }] },
      manager: { sticky: true, failoverNodes: ['n1'], serializer: 'kryo' },
      loadBalancer: { port: 8088 },
    });
    expect(r.notes.join('\n')).toMatch(/ip_hash is replaced/);
  });

  it('refuses, by name, what the config cannot express or msm would refuse', () => {
    expect(refusal('wiki-couchbase.xml')).toMatch(/memcachedNodes: the lab config cannot express the Couchbase/);
    expect(refusal('issue-417-elasticache.xml')).toMatch(/single host:port/);
    expect(refusal('msm-samples-placeholders.xml')).toMatch(/sticky: its value is not known here/);
    expect(refusal('seed-sticky.xml')).toMatch(/failoverNodes: not a memcached node id/);
    expect(refusal('syn-no-ids-comma.xml')).toMatch(/memcachedNodes: msm reads/);
    expect(refusal('syn-server-xml.xml')).toMatch(/inside <Host>/);
  });

  it('turns a plain redis:// Manager into a lab config with a redis store, and refuses one with a password', () => {
    const ctx = (nodes: string) => `<Context><Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager" memcachedNodes="${nodes}" sticky="false" sessionBackupAsync="false" lockingMode="auto"/></Context>`;
    const r = importManager('ctx.xml', ctx('redis://sessions.internal:6380'));
    expect(r.config).toMatchObject({ redis: { name: 'redis-node1', host: 'sessions.internal', port: 6380 }, manager: { sticky: false } });
    expect(r.config).not.toHaveProperty('memcached');
    expect(() => importManager('ctx.xml', ctx('redis://:secret@sessions.internal:6380'))).toThrow(/password, a database or TLS/);
  });

  it('reads upstreams without backups and the listen port', () => {
    expect(nginxUpstreams('upstream a { server x:1; server y:2 backup; } # upstream b { server z:3; }\nlisten 127.0.0.1:81;')).toEqual({ upstreams: [{ name: 'a', servers: ['x:1'], ipHash: false }], listen: 81 });
  });
});
