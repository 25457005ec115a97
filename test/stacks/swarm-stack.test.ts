/** The Swarm lab: config, placement, the stack's services, the nginx variant, deploy-time placement check. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Testing } from '../../src/cdktf';
import { resolveLab, type ResolvedLab } from '../../src/config/resolve';
import { renderContextXml } from '../../src/render/context-xml';
import { renderNginxConf } from '../../src/render/nginx-conf';
import { checkPlacements } from '../../src/lab/swarm';
import { UsageError } from '../../src/errors';
import { SwarmStack } from '../../stacks/swarm-stack';
import { accept, DEFAULT_CONFIG, patch, refuse, ROOT, STICKY_CONFIG } from '../helpers';

const SWARM_EXAMPLE = JSON.parse(readFileSync(join(ROOT, 'examples', 'swarm.json'), 'utf8'));
const swarmLab = (p: object = {}, base: object = SWARM_EXAMPLE) => resolveLab(accept(patch(base, p)), { standIns: true });

function synth(lab: ResolvedLab) {
  const stack = new SwarmStack(Testing.app(), lab.name, {
    lab,
    artifacts: { contextXml: renderContextXml(lab), webappContexts: [], nginxConf: renderNginxConf(lab), imageContext: 'unused', imageContextHash: 'abc123', tomcatImageTag: 'reg:5000/msm-kit/t-tomcat:abc123' },
  });
  return JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, any>>; provider: Record<string, any> };
}

function nginxTest(conf: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'msm-swarm-nginx-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const nginx = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find(existsSync);
  if (!nginx) throw new Error('nginx is not installed: `nginx -t` cannot run (apt-get install nginx-light)');
  execFileSync(nginx, ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', `pid ${dir}/nginx.pid;`], { stdio: 'pipe' });
}

describe('Swarm lab config', () => {
  it('a lab without engine resolves as before: no swarm, images and docker host untouched', () => {
    const lab = resolveLab(accept(DEFAULT_CONFIG));
    expect(lab.swarm).toBeUndefined();
    expect(lab.dockerHost).toBe('unix:///var/run/docker.sock');
  });

  it('spreads nodes round-robin over the hosts by default (memcached, Tomcat, nginx), an explicit placement wins', () => {
    const lab = swarmLab({ engine: { placement: undefined } });
    expect(Object.fromEntries(Object.entries(lab.swarm!.placement).map(([n, p]) => [n, p.where]))).toEqual({
      'memcached-node1': 'host1', 'memcached-node2': 'host2', 'tomcat-node1': 'host3', 'tomcat-node2': 'host1', nginx: 'host2',
    });
    const pinned = swarmLab({ engine: { placement: { nginx: 'node:abcdefghijklmnopqrstuvwxy' } } });
    expect(pinned.swarm!.placement.nginx.constraint).toBe('node.id==abcdefghijklmnopqrstuvwxy');
    expect(pinned.swarm!.placement['tomcat-node2'].constraint).toBe('node.labels.msm-kit.host==host3');
  });

  it('pulls every image from the registry; lab.images keep the names this machine builds', () => {
    const lab = swarmLab();
    expect(lab.images.tomcat).toBe('msm-kit-local/tomcat:9.0-jre17');
    expect(lab.swarm!.images).toEqual({ tomcat: '10.199.0.1:18129/msm-kit-local/tomcat:9.0-jre17', memcached: '10.199.0.1:18129/msm-kit-local/memcached:1.6', nginx: '10.199.0.1:18129/msm-kit-local/nginx:1.22' });
  });

  it('refuses a bad manager address and a malformed placement, naming the field', () => {
    expect(refuse(patch(SWARM_EXAMPLE, { engine: { manager: 'http://x' } })).map((p) => p.path)).toContain('engine.manager');
    expect(refuse(patch(SWARM_EXAMPLE, { engine: { placement: { nginx: 'host 2' } } })).map((p) => p.path)).toContain('engine.placement.nginx');
  });
});

describe('SwarmStack', () => {
  const doc = synth(swarmLab());
  const services = doc.resource.docker_service;

  it('talks to the manager and has an attachable overlay with a fixed gateway (else every plan replaces it)', () => {
    expect(doc.provider.docker[0].host).toBe('unix:///run/msmsw/h1.sock');
    const net = Object.values(doc.resource.docker_network)[0];
    expect(net).toMatchObject({ name: 'sw-lab-net', driver: 'overlay', attachable: true, ipam_config: [{ subnet: '172.28.68.0/24', gateway: '172.28.68.1' }] });
  });

  it('one dnsrr service per node, placed by constraint, restarted by the Swarm, with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['LoadBalancer_BE9EEC3A', 'Memcached-mnode1_40F669B5', 'Memcached-mnode2_4C10FBE4', 'Tomcat-tomcat-node1_1B355EB4', 'Tomcat-tomcat-node2_32E4631C']);
    for (const s of Object.values(services)) {
      expect(s.endpoint_spec.mode).toBe('dnsrr');
      expect(s.task_spec.restart_policy.condition).toBe('any');
      expect(s.task_spec.container_spec.healthcheck.test[0]).toBe('CMD');
      expect(s.task_spec.placement.constraints).toHaveLength(1);
      expect(s.task_spec.container_spec.stop_grace_period).toBeUndefined();
    }
    const t2 = services['Tomcat-tomcat-node2_32E4631C'];
    expect(t2.task_spec.placement.constraints).toEqual(['node.labels.msm-kit.host==host3']);
    expect(t2.task_spec.container_spec.image).toBe('reg:5000/msm-kit/t-tomcat:abc123');
    expect(t2.task_spec.networks_advanced[0].aliases).toEqual(['msm-tomcats']);
    expect(t2.task_spec.container_spec.env.MSM_KIT_NODE).toBe('tomcat-node2');
  });

  it('a change rolls one task at a time: a Tomcat starts its new task first, a store and nginx stop the old one first', () => {
    for (const [id, s] of Object.entries(services)) {
      expect(s.update_config).toMatchObject({ parallelism: 1, failure_action: 'rollback', order: id.startsWith('Tomcat-') ? 'start-first' : 'stop-first' });
    }
  });

  it('nginx publishes its port in host mode on its node and gets nginx.conf as a Swarm config', () => {
    const lb = services['LoadBalancer_BE9EEC3A'];
    expect(lb.endpoint_spec.ports).toEqual([{ target_port: 80, published_port: 18120, publish_mode: 'host', protocol: 'tcp' }]);
    expect(lb.task_spec.container_spec.configs[0].file_name).toBe('/etc/nginx/nginx.conf');
    const cfg = Object.values(doc.resource.docker_config)[0];
    expect(Buffer.from(cfg.data, 'base64').toString()).toBe(renderNginxConf(swarmLab()));
  });
});

describe('nginx.conf, Swarm variant', () => {
  const nonSticky = renderNginxConf(swarmLab());
  const sticky = renderNginxConf(swarmLab({}, { ...STICKY_CONFIG, engine: { kind: 'swarm' }, network: { subnet: '172.28.68.0/24' } }));

  it('re-resolves through Docker DNS per request: no upstream block, variables in proxy_pass', () => {
    for (const conf of [nonSticky, sticky]) {
      expect(conf).toContain('resolver 127.0.0.11 valid=1s ipv6=off;');
      expect(conf).not.toMatch(/^\s*upstream /m);
      expect(conf).toMatch(/proxy_pass http:\/\/\$msm_(pick|backend):8080;/);
      expect(conf).toContain('error_page 502 504 = @msm_any;');
      expect(conf).toContain('set $msm_any msm-tomcats;');
    }
    expect(nonSticky).toContain('split_clients "$request_id" $msm_pick {\n    50.00% tomcat-node1;\n    * tomcat-node2;\n  }');
    expect(sticky).toMatch(/map \$msm_route \$msm_backend \{\n    default \$msm_pick;\n    "~\^[^"]+\$" tomcat-node1;/);
  });

  it('passes the real nginx -t (sticky and non-sticky)', () => {
    nginxTest(nonSticky);
    nginxTest(sticky);
  });

  it('leaves the one-engine nginx.conf alone (no resolver)', () => {
    expect(renderNginxConf(resolveLab(accept(DEFAULT_CONFIG)))).not.toContain('resolver');
  });
});

describe('placement check at deploy time', () => {
  const nodes = [
    { id: 'aaaaaaaaaaaaaaaaaaaaaaaaa', host: 'host1', addr: '10.199.0.2', state: 'ready' },
    { id: 'bbbbbbbbbbbbbbbbbbbbbbbbb', host: 'host2', addr: '10.199.0.3', state: 'ready' },
  ];

  it('accepts placements naming existing hosts or node ids', () => {
    expect(() => checkPlacements(swarmLab({ engine: { placement: { nginx: 'host1', 'tomcat-node1': 'node:bbbbbbbbbbbbbbbbbbbbbbbbb', 'tomcat-node2': 'host2', 'memcached-node2': 'host1' } } }), nodes)).not.toThrow();
  });

  it('refuses a host no node has, naming the field, the value and the hosts there are', () => {
    let err: unknown;
    try {
      checkPlacements(swarmLab(), nodes); // tomcat-node2 on host3: no such node
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/engine\.placement\.tomcat-node2: no node of the Swarm .* has the label msm-kit\.host=host3 \(got "host3"\)/);
    expect((err as Error).message).toMatch(/Fix: use one of the hosts host1, host2/);
  });
});
