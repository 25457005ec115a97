/**
 * Renderers: golden files for the default and sticky labs, context.xml parses
 * and carries exactly the expected Manager attributes, every generated
 * nginx.conf passes the real `nginx -t`, values are escaped.
 */
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { resolveLab } from '../../src/config/resolve';
import { Manager } from '../../src/config/schema';
import { PASS_THROUGH, renderContextXml } from '../../src/render/context-xml';
import { renderNginxConf } from '../../src/render/nginx-conf';
import { accept, DEFAULT_CONFIG, golden, nginxT, patch, STICKY_CONFIG } from '../helpers';

const labs = {
  'non-sticky': resolveLab(accept(DEFAULT_CONFIG)),
  sticky: resolveLab(accept(STICKY_CONFIG)),
};


function managerOf(xml: string): Record<string, string> {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml, true);
  return doc.Context.Manager;
}


describe('context.xml', () => {
  it('passes through exactly the schema\'s Manager keys (besides sticky, failoverNodes, serializer and formLoginWorkaround, resolved apart)', () => {
    const schemaKeys = Object.keys(Manager.shape).filter((k) => !['sticky', 'failoverNodes', 'serializer', 'formLoginWorkaround'].includes(k));
    expect([...PASS_THROUGH].sort()).toEqual(schemaKeys.sort());
  });

  for (const [mode, lab] of Object.entries(labs)) {
    it(`${mode}: matches its golden file`, () => golden(`${mode}/context.xml`, renderContextXml(lab)));
  }

  it('non-sticky: parses and carries exactly the expected Manager attributes', () => {
    expect(managerOf(renderContextXml(labs['non-sticky']))).toEqual({
      className: 'msmkit.tomcat.KitMemcachedBackupSessionManager',
      memcachedNodes: 'mnode1:memcached-node1:11211,mnode2:memcached-node2:11211',
      sticky: 'false',
      lockingMode: 'auto',
      requestUriIgnorePattern: '.*\\.(ico|png|gif|jpg|css|js)$',
      sessionBackupAsync: 'false',
      sessionBackupTimeout: '2000',
      operationTimeout: '2000',
      transcoderFactoryClass: 'de.javakaffee.web.msm.JavaSerializationTranscoderFactory',
    });
  });

  it('sticky: carries failoverNodes and no lockingMode', () => {
    const m = managerOf(renderContextXml(labs.sticky));
    expect(m.sticky).toBe('true');
    expect(m.failoverNodes).toBe('mnode2');
    expect(m).not.toHaveProperty('lockingMode');
  });

  it("memcachedNodes matches msm's own node-list regex (single comma, id:host:port)", () => {
    const node = '([\\w]+):([^:]+):([\\d]+)';
    const list = new RegExp(`^${node}(?:[ ,]${node})*$`);
    const m = managerOf(renderContextXml(labs['non-sticky']));
    expect(m.memcachedNodes).toMatch(list);
    expect(m.memcachedNodes).not.toMatch(/, /);
  });

  it('escapes attribute values whatever they contain', () => {
    const lab = resolveLab(accept(patch(DEFAULT_CONFIG, { manager: { requestUriIgnorePattern: '.*"&<x>\'.*' } })));
    const xml = renderContextXml(lab);
    expect(xml).toContain('&quot;&amp;&lt;x&gt;');
    expect(managerOf(xml).requestUriIgnorePattern).toBe('.*"&<x>\'.*');
  });

  it('maps serializers to their transcoder factory', () => {
    const lab = resolveLab(accept(patch(DEFAULT_CONFIG, { manager: { serializer: 'xstream' } })));
    expect(managerOf(renderContextXml(lab)).transcoderFactoryClass).toBe('de.javakaffee.web.msm.serializer.xstream.XStreamTranscoderFactory');
  });
});

describe('nginx.conf', () => {
  for (const [mode, lab] of Object.entries(labs)) {
    it(`${mode}: matches its golden file`, () => golden(`${mode}/nginx.conf`, renderNginxConf(lab)));
    it(`${mode}: passes nginx -t`, () => nginxT(renderNginxConf(lab)));
  }

  it('non-sticky: round-robin upstream with failover settings and keepalive', () => {
    const conf = renderNginxConf(labs['non-sticky']);
    expect(conf).toMatch(/upstream msm_tomcats \{\n    zone msm_tomcats 64k;\n    server 172\.28\.57\.40:8080 max_fails=1 fail_timeout=5s; # tomcat-node1\n    server 172\.28\.57\.41:8080/);
    expect(conf).toContain('proxy_next_upstream error timeout http_502 http_503 http_404;');
    expect(conf).toContain('proxy_set_header Connection "";');
    expect(conf).toContain('proxy_http_version 1.1;');
    expect(conf).toContain('X-Forwarded-For');
    expect(conf).not.toContain('backup');
    expect(conf).not.toContain('map $cookie');
    expect(conf).not.toContain('$msm_route');
  });

  it('names the Tomcat that answered in a response header, in both modes', () => {
    for (const lab of Object.values(labs)) {
      const conf = renderNginxConf(lab);
      expect(conf).toContain('map $upstream_addr $msm_node {\n    default $upstream_addr;\n    "~(^|\\s)172\\.28\\.57\\.40:8080$" tomcat-node1;\n    "~(^|\\s)172\\.28\\.57\\.41:8080$" tomcat-node2;\n  }');
      expect(conf).toContain('add_header X-Msm-Kit-Node $msm_node always;');
    }
  });

  it('sticky: one upstream per route with the other nodes as backup', () => {
    const conf = renderNginxConf(labs.sticky);
    expect(conf).toMatch(/upstream msm_route_1_tomcat1 \{\n    zone msm_route_1_tomcat1 64k;\n    server 172\.28\.57\.40:8080 [^\n]*; # tomcat-node1\n    server 172\.28\.57\.41:8080 [^\n]* backup; # tomcat-node2/);
    expect(conf).toMatch(/upstream msm_route_2_tomcat2 \{\n    zone msm_route_2_tomcat2 64k;\n    server 172\.28\.57\.41:8080 [^\n]*; # tomcat-node2\n    server 172\.28\.57\.40:8080 [^\n]* backup;/);
    expect(conf).toContain('map $cookie_JSESSIONID $msm_route_cookie');
    expect(conf).toContain(';jsessionid=');
    expect(conf).toContain('proxy_pass http://$msm_upstream;');
  });

  it('three sticky nodes and custom balancer settings still pass nginx -t', () => {
    const cfg = patch(STICKY_CONFIG, {
      tomcat: { nodes: [{ name: 'a', jvmRoute: 'ra' }, { name: 'b', jvmRoute: 'rb' }, { name: 'c', jvmRoute: 'r_c-3' }] },
      loadBalancer: { maxFails: 3, failTimeout: 20, keepalive: 4 },
    });
    nginxT(renderNginxConf(resolveLab(accept(cfg))));
  });
});
