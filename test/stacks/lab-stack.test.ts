/** The synthesized stack has the expected resources and properties (cdktf Testing, pure Node). */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Testing } from '../../src/cdktf';
import { resolveLab, type ResolvedLab } from '../../src/config/resolve';
import { renderContextXml } from '../../src/render/context-xml';
import { renderNginxConf } from '../../src/render/nginx-conf';
import { LabStack } from '../../stacks/lab-stack';
import { accept, DEFAULT_CONFIG, patch, STICKY_CONFIG } from '../helpers';

function synth(lab: ResolvedLab, nginxConfDir?: string) {
  const app = Testing.app();
  const stack = new LabStack(app, lab.name, {
    lab,
    artifacts: {
      contextXml: renderContextXml(lab),
      webappContexts: [{ path: `${lab.sampleWebapp.dir}/META-INF/context.xml`, xml: renderContextXml(lab) }],
      nginxConf: renderNginxConf(lab),
      nginxConfDir,
      imageContext: '${path.module}/../../../tomcat-image',
      imageContextHash: 'abc123',
      tomcatImageTag: 'msm-kit/test-tomcat:abc123',
    },
  });
  const json = Testing.synth(stack);
  return { json, doc: JSON.parse(json) };
}

const nonSticky = resolveLab(accept(DEFAULT_CONFIG));
const sticky = resolveLab(accept(STICKY_CONFIG));

describe('LabStack', () => {
  it('keeps its Terraform resource addresses (construct ids are a contract: renaming one destroys the resource)', () => {
    const addresses = (doc: { resource: Record<string, Record<string, unknown>> }) =>
      Object.entries(doc.resource)
        .flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`))
        .sort();
    expect(addresses(synth(nonSticky).doc)).toEqual([
      'docker_container.LoadBalancer_BE9EEC3A',
      'docker_container.Memcached-mnode1_40F669B5',
      'docker_container.Memcached-mnode2_4C10FBE4',
      'docker_container.NginxExporter_DDB2EA0D',
      'docker_container.Prometheus_2BCCDD01',
      'docker_container.StoreExporter_DF28BC01',
      'docker_container.Tomcat-tomcat-node1_1B355EB4',
      'docker_container.Tomcat-tomcat-node2_32E4631C',
      'docker_image.MemcachedImage_2058B08D',
      'docker_image.NginxExporterImage_B4804155',
      'docker_image.NginxImage_2613ACE4',
      'docker_image.PrometheusImage_855C410A',
      'docker_image.StoreExporterImage_C2FF6526',
      'docker_image.TomcatBaseImage_66A4A002',
      'docker_image.TomcatImage_600CABEF',
      'docker_network.Network_1C6012B5',
    ]);
    expect(Object.keys(synth(nonSticky).doc.output)).toEqual(['url']);
  });

  it('has one network with the fixed subnet', () => {
    const { json } = synth(nonSticky);
    expect(
      Testing.toHaveResourceWithProperties(json, 'docker_network', {
        name: 'msm-lab-net',
        ipam_config: [{ subnet: '172.28.57.0/24', gateway: '172.28.57.1' }],
      }),
    ).toBe(true);
    expect(Testing.toHaveResourceWithProperties(json, 'docker_network', { name: 'other-net' })).toBe(false);
  });

  it('runs every memcached node on the lab network, never published to the host', () => {
    const { doc } = synth(nonSticky);
    const containers = Object.values(doc.resource.docker_container) as Array<Record<string, any>>;
    const mc = containers.filter((c) => c.labels.some((l: any) => l.value === 'memcached'));
    expect(mc.map((c) => c.name)).toEqual(['memcached-node1', 'memcached-node2']);
    for (const c of mc) {
      expect(c.ports).toBeUndefined();
      expect(c.healthcheck.test.join(' ')).toContain('/dev/tcp/127.0.0.1/11211');
    }
    expect(mc.map((c) => c.networks_advanced[0].ipv4_address)).toEqual(['172.28.57.10', '172.28.57.11']);
  });

  it('builds the Tomcat image from the synthesized context and uploads context.xml to every node', () => {
    const { doc } = synth(nonSticky);
    const images = Object.values(doc.resource.docker_image) as Array<Record<string, any>>;
    const built = images.find((i) => i.build);
    expect(built).toMatchObject({ name: 'msm-kit/test-tomcat:abc123', build: { context: '${path.module}/../../../tomcat-image' }, triggers: { context: 'abc123' }, keep_locally: true });
    expect(images.map((i) => i.name).sort()).toEqual(['memcached:1.6', 'msm-kit/test-tomcat:abc123', 'nginx/nginx-prometheus-exporter:0.11.0', 'nginx:1.27', 'prom/memcached-exporter:v0.15.0', 'prom/prometheus:v2.42.0', 'tomcat:9.0-jre17']);
    const tomcats = (Object.values(doc.resource.docker_container) as Array<Record<string, any>>).filter((c) => c.labels.some((l: any) => l.value === 'tomcat'));
    expect(tomcats).toHaveLength(2);
    for (const t of tomcats) {
      expect(t.upload).toEqual([{ file: '/usr/local/tomcat/webapps/ROOT/META-INF/context.xml', content: renderContextXml(nonSticky), permissions: '0644' }]);
      expect(t.wait).toBe(true);
      expect(t.depends_on).toHaveLength(2);
      expect(t.env.find((e: string) => e.startsWith('CATALINA_OPTS='))).not.toContain('jvmRoute');
    }
  });

  it('passes each node its jvmRoute in sticky mode', () => {
    const { doc } = synth(sticky);
    const tomcats = (Object.values(doc.resource.docker_container) as Array<Record<string, any>>).filter((c) => c.labels.some((l: any) => l.value === 'tomcat'));
    expect(tomcats.map((t) => t.env.find((e: string) => e.startsWith('CATALINA_OPTS=')).match(/-DjvmRoute=(\S+)/)?.[1])).toEqual(['tomcat1', 'tomcat2']);
  });

  it('publishes nginx on 127.0.0.1 only, with the generated nginx.conf', () => {
    const { json } = synth(nonSticky);
    expect(
      Testing.toHaveResourceWithProperties(json, 'docker_container', {
        name: 'nginx',
        ports: [{ internal: 80, external: 8080, ip: '127.0.0.1', protocol: 'tcp' }],
        upload: [{ file: '/etc/nginx/nginx.conf', content: renderNginxConf(nonSticky) }],
      }),
    ).toBe(true);
  });

  it("mounts nginx's configuration directory on a local engine, and records the configuration in a Config that reloads nginx", () => {
    const { doc, json } = synth(nonSticky, '${path.module}/../../../nginx');
    const lb = doc.resource.docker_container.LoadBalancer_BE9EEC3A;
    expect(lb.volumes).toEqual([{ host_path: '${abspath("${path.module}/../../../nginx")}', container_path: '/etc/nginx/msm-kit', read_only: true }]);
    expect(lb.command).toEqual(['nginx', '-c', '/etc/nginx/msm-kit/nginx.conf', '-g', 'daemon off;']);
    expect(lb.upload ?? []).toEqual([]);
    const configs = Object.entries(doc.resource.terraform_data) as Array<[string, any]>;
    expect(configs.map(([id]) => id)).toEqual(['LoadBalancer_Config_410E7DC1']); // an address, like the others: a contract
    const sha = createHash('sha256').update(renderNginxConf(nonSticky)).digest('hex');
    expect(configs[0][1].input).toEqual({ sha256: sha });
    expect(configs[0][1].triggers_replace).toEqual({ sha256: sha });
    expect(configs[0][1].depends_on).toEqual(['docker_container.LoadBalancer_BE9EEC3A']);
    expect(configs[0][1].provisioner).toEqual([
      { 'local-exec': { command: 'docker exec nginx nginx -q -t -c /etc/nginx/msm-kit/nginx.conf && docker exec nginx nginx -c /etc/nginx/msm-kit/nginx.conf -s reload', environment: { DOCKER_HOST: 'unix:///var/run/docker.sock' } } },
    ]);
    // A different configuration: the same container, another Config.
    const other = synth(resolveLab(accept(patch(DEFAULT_CONFIG, { loadBalancer: { keepalive: 8 } }))), '${path.module}/../../../nginx').doc;
    expect(other.resource.docker_container.LoadBalancer_BE9EEC3A).toEqual(lb);
    expect((Object.values(other.resource.terraform_data)[0] as any).input.sha256).not.toBe(sha);
    expect(json).not.toContain('upstream');
  });

  it('uploads the configuration into nginx when the engine is on another host (no directory to mount)', () => {
    const remote = resolveLab(accept(patch(DEFAULT_CONFIG, { docker: { host: 'tcp://10.1.2.3:2375' } })));
    const { doc } = synth(remote, '${path.module}/../../../nginx');
    expect(doc.resource.docker_container.LoadBalancer_BE9EEC3A.upload).toEqual([{ file: '/etc/nginx/nginx.conf', content: renderNginxConf(remote) }]);
    expect(doc.resource.docker_container.LoadBalancer_BE9EEC3A.volumes).toBeUndefined();
    expect(doc.resource.terraform_data).toBeUndefined();
  });

  it('has a stable url output and the configured provider host', () => {
    const { doc } = synth(nonSticky);
    expect(doc.output.url.value).toBe('http://127.0.0.1:8080/');
    expect(doc.provider.docker).toEqual([{ host: 'unix:///var/run/docker.sock' }]);
  });

  it('synthesizes byte-identical JSON twice', () => {
    expect(synth(sticky).json).toBe(synth(sticky).json);
  });
});

describe('LabStack JVM options', () => {
  it('opens the JDK packages XStream reflects into on Java 9+, and only then', () => {
    const opts = (cfg: unknown) =>
      (Object.values(synth(resolveLab(accept(cfg))).doc.resource.docker_container) as Array<Record<string, any>>)
        .filter((c) => c.labels.some((l: any) => l.value === 'tomcat'))[0]
        .env.find((e: string) => e.startsWith('CATALINA_OPTS='));
    expect(opts(patch(DEFAULT_CONFIG, { manager: { serializer: 'xstream' } }))).toContain('--add-opens=java.base/java.text=ALL-UNNAMED');
    expect(opts(patch(DEFAULT_CONFIG, { manager: { serializer: 'xstream' }, tomcat: { javaVersion: 8 } }))).not.toContain('--add-opens');
    expect(opts(DEFAULT_CONFIG)).not.toContain('--add-opens');
  });
});

describe('LabStack with a Redis store', () => {
  const lab = resolveLab(accept(patch(DEFAULT_CONFIG, { memcached: undefined, redis: { name: 'redis-node1', port: 6379 } })));

  it('resolves one Redis node, no memcached, and msm memcachedNodes="redis://host:port"', () => {
    expect(lab.store).toBe('redis');
    expect(lab.memcacheds).toEqual([]);
    expect(lab.redis).toEqual({ name: 'redis-node1', host: 'redis-node1', port: 6379, ip: '172.28.57.10' });
    expect(lab.memcachedNodes).toBe('redis://redis-node1:6379');
    expect(lab.images).toEqual({ tomcat: 'tomcat:9.0-jre17', redis: 'redis:7.0', nginx: 'nginx:1.27', prometheus: 'prom/prometheus:v2.42.0', nginxExporter: 'nginx/nginx-prometheus-exporter:0.11.0', redisExporter: 'oliver006/redis_exporter:v1.45.0' });
    expect(renderContextXml(lab)).toContain('memcachedNodes="redis://redis-node1:6379"');
    expect(renderContextXml(lab)).not.toContain('failoverNodes');
  });

  it('a config that names no store still gets the two memcached nodes', () => {
    const plain = resolveLab(accept(patch(DEFAULT_CONFIG, { memcached: undefined })));
    expect(plain.store).toBe('memcached');
    expect(plain.memcachedNodes).toBe('mnode1:memcached-node1:11211,mnode2:memcached-node2:11211');
    expect(plain.redis).toBeUndefined();
  });

  it('deploys Redis instead of memcached: its own image, on the lab network only, Tomcats after it', () => {
    const { doc } = synth(lab);
    const addresses = Object.entries(doc.resource as Record<string, Record<string, unknown>>).flatMap(([t, byName]) => Object.keys(byName).map((n) => `${t}.${n}`));
    expect(addresses.filter((a) => /Memcached/.test(a))).toEqual([]);
    expect(addresses).toContain('docker_container.Redis_FF642DF2');
    expect(addresses).toContain('docker_image.RedisImage_6F7B1809');
    const containers = Object.values(doc.resource.docker_container) as Array<Record<string, any>>;
    const redis = containers.find((c) => c.name === 'redis-node1')!;
    expect(redis.ports).toBeUndefined();
    expect(redis.command.slice(0, 5)).toEqual(['redis-server', '--port', '6379', '--protected-mode', 'no']);
    expect(redis.command).toContain('--maxmemory');
    expect(redis.networks_advanced[0].ipv4_address).toBe('172.28.57.10');
    for (const t of containers.filter((c) => c.labels.some((l: any) => l.value === 'tomcat'))) expect(t.depends_on).toEqual(['docker_container.Redis_FF642DF2']);
  });
});

describe('LabStack with monitoring (the default on one engine)', () => {
  const containers = (lab: ResolvedLab) => Object.values(synth(lab).doc.resource.docker_container) as Array<Record<string, any>>;
  const role = (c: Record<string, any>) => c.labels.find((l: any) => l.label === 'msm-kit.role')?.value;

  it('runs Prometheus published on 127.0.0.1 only, with the rendered prometheus.yml uploaded', () => {
    const prom = containers(nonSticky).filter((c) => role(c) === 'prometheus');
    expect(prom).toHaveLength(1);
    expect(prom[0].name).toBe('msm-lab-prometheus');
    expect(prom[0].ports).toEqual([{ internal: 9090, ip: '127.0.0.1', protocol: 'tcp' }]);
    expect(prom[0].upload[0].file).toBe('/etc/prometheus/prometheus.yml');
    expect(prom[0].upload[0].content).toContain("- job_name: tomcat");
  });

  it('a fixed monitoring.port is the published port', () => {
    const lab = resolveLab(accept(patch(DEFAULT_CONFIG, { monitoring: { port: 19090 } })));
    expect(containers(lab).find((c) => role(c) === 'prometheus')!.ports).toEqual([{ internal: 9090, external: 19090, ip: '127.0.0.1', protocol: 'tcp' }]);
  });

  it('publishes nothing else than nginx and Prometheus, and those on 127.0.0.1', () => {
    const published = containers(nonSticky).filter((c) => c.ports?.length);
    expect(published.map(role).sort()).toEqual(['load-balancer', 'prometheus']);
    for (const c of published) for (const p of c.ports) expect(p.ip).toBe('127.0.0.1');
  });

  it('runs the nginx exporter after nginx, reading stub_status on the lab network, and one memcached exporter for both nodes', () => {
    const all = containers(nonSticky);
    const nginxExporter = all.find((c) => role(c) === 'nginx-exporter')!;
    expect(nginxExporter.command[0]).toBe('-nginx.scrape-uri=http://172.28.57.2:8081/stub_status');
    expect(nginxExporter.depends_on).toEqual(['docker_container.LoadBalancer_BE9EEC3A']);
    expect(all.filter((c) => role(c) === 'memcached-exporter')).toHaveLength(1);
    expect(renderNginxConf(nonSticky)).toContain('listen 8081;');
  });

  it('starts every Tomcat with the JMX exporter agent', () => {
    for (const t of containers(nonSticky).filter((c) => role(c) === 'tomcat'))
      expect(t.env.find((e: string) => e.startsWith('CATALINA_OPTS='))).toContain('-javaagent:/usr/local/tomcat/msm-kit/jmx_prometheus_javaagent-1.0.1.jar=9404:/usr/local/tomcat/msm-kit/jmx-exporter.yaml');
  });

  it('monitoring.enabled false: no Prometheus, no exporter, no agent, no stub_status', () => {
    const lab = resolveLab(accept(patch(DEFAULT_CONFIG, { monitoring: { enabled: false } })));
    expect(lab.monitoring).toBeUndefined();
    const all = containers(lab);
    expect(all.map(role).filter((r) => /prometheus|exporter/.test(r))).toEqual([]);
    for (const t of all.filter((c) => role(c) === 'tomcat')) expect(t.env.join(' ')).not.toContain('-javaagent');
    expect(renderNginxConf(lab)).not.toContain('stub_status');
  });

  it('a Redis lab gets the Redis exporter; a SASL lab no memcached exporter', () => {
    const redis = resolveLab(accept(patch(DEFAULT_CONFIG, { memcached: undefined, redis: { name: 'redis-node1', port: 6379 } })));
    expect(containers(redis).find((c) => role(c) === 'redis-exporter')!.command[0]).toBe('-redis.addr=redis://172.28.57.10:6379');
    const sasl = resolveLab(accept(patch(DEFAULT_CONFIG, { manager: { username: 'u', password: 'p', memcachedProtocol: 'binary' } })));
    expect(sasl.monitoring?.storeExporter).toBeUndefined();
    expect(containers(sasl).map(role).filter((r) => /exporter/.test(r))).toEqual(['nginx-exporter']);
  });
});
