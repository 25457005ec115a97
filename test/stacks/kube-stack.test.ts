/** The Kubernetes lab: config, placement, fixed ClusterIPs, the stack's Deployments and Services, the nginx variant, the deploy-time placement check. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Testing } from '../../src/cdktf';
import { cidrWithin } from '../../src/config/kubernetes';
import { KUBE_KEEPALIVE_TIME, KUBE_MIN_READY_SECONDS, KUBE_PRE_STOP_SECONDS } from '../../src/config/layout';
import { resolveLab, type ResolvedLab } from '../../src/config/resolve';
import { UsageError } from '../../src/errors';
import { checkKubePlacements } from '../../src/lab/kube';
import { renderContextXml } from '../../src/render/context-xml';
import { renderNginxConf } from '../../src/render/nginx-conf';
import { KubeStack } from '../../stacks/kube-stack';
import { accept, DEFAULT_CONFIG, patch, refuse, ROOT } from '../helpers';

const EXAMPLE = JSON.parse(readFileSync(join(ROOT, 'examples', 'kubernetes.json'), 'utf8'));
const kubeLab = (p: object = {}) => resolveLab(accept(patch(EXAMPLE, p)), { standIns: true });

function synth(lab: ResolvedLab) {
  const stack = new KubeStack(Testing.app(), lab.name, {
    lab,
    artifacts: { contextXml: renderContextXml(lab), webappContexts: [], nginxConf: renderNginxConf(lab), imageContext: 'unused', imageContextHash: 'abc123', tomcatImageTag: 'msm-kit/k8s-lab-tomcat:abc123' },
  });
  return JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, any>>; provider: Record<string, any>; terraform: any };
}

describe('Kubernetes lab config', () => {
  it('resolves the URL to the NodePort on the node address, the namespace to the lab name, the images to the local names (imported)', () => {
    const lab = kubeLab();
    expect(lab.url).toBe('http://10.250.0.1:30080/');
    expect(lab.kubernetes).toMatchObject({ namespace: 'k8s-lab', nodePort: 30080, testCluster: true, images: { tomcat: 'msm-kit-local/tomcat:9.0-jre17', memcached: 'msm-kit-local/memcached:1.6', nginx: 'msm-kit-local/nginx:1.22' } });
    expect(lab.kubernetes!.registry).toBeUndefined();
  });

  it('spreads pods round-robin over the nodes (memcached, Tomcat, nginx); an explicit placement wins; a registry prefixes the images', () => {
    const lab = kubeLab({ engine: { placement: { 'tomcat-node1': 'node2' }, registry: 'reg.example:5000' } });
    expect(lab.kubernetes!.placement).toEqual({ 'memcached-node1': 'node1', 'memcached-node2': 'node2', 'tomcat-node1': 'node2', 'tomcat-node2': 'node2', nginx: 'node1' });
    expect(lab.kubernetes!.images.memcached).toBe('reg.example:5000/msm-kit-local/memcached:1.6');
  });

  it('gives every node the address plan of network.subnet, inside the Service range', () => {
    const lab = kubeLab();
    expect([lab.loadBalancer.ip, ...lab.memcacheds.map((m) => m.ip), ...lab.tomcats.map((t) => t.ip)]).toEqual(['10.96.57.2', '10.96.57.10', '10.96.57.11', '10.96.57.40', '10.96.57.41']);
    expect(cidrWithin('10.96.57.0/24', '10.96.0.0/16')).toBe(true);
    expect(cidrWithin('10.97.0.0/24', '10.96.0.0/16')).toBe(false);
    expect(cidrWithin('10.96.0.0/15', '10.96.0.0/16')).toBe(false);
  });

  it('refuses a bad engine field, naming it', () => {
    for (const [p, path] of [[{ nodePort: 8080 }, 'engine.nodePort'], [{ namespace: 'Shop' }, 'engine.namespace'], [{ kind: 'k8s' }, 'engine.kind'], [{ serviceCidr: '10.96.0.0' }, 'engine.serviceCidr']] as const)
      expect(refuse(patch(EXAMPLE, { engine: p })).map((x) => x.path)).toContain(path);
    expect(refuse(patch(DEFAULT_CONFIG, { engine: { kind: 'kubernetes' } })).map((x) => x.path)).toContain('network.subnet');
  });

  it('renders nginx.conf as on one engine, with kept-alive connections ended before a pod can stop', () => {
    const conf = renderNginxConf(kubeLab());
    expect(conf).toContain('server 10.96.57.40:8080');
    expect(conf).toMatch(new RegExp(`^  keepalive_time ${KUBE_KEEPALIVE_TIME}s;$`, 'm'));
    expect(conf).toMatch(new RegExp(`^    keepalive_time ${KUBE_KEEPALIVE_TIME}s;$`, 'm'));
    expect(KUBE_KEEPALIVE_TIME).toBeLessThan(KUBE_PRE_STOP_SECONDS);
    expect(renderNginxConf(resolveLab(accept(DEFAULT_CONFIG)))).not.toMatch(/keepalive_time /);
  });

  it('refuses, before deploying, a placement on a node the cluster lacks or that is not Ready', () => {
    const lab = kubeLab();
    expect(() => checkKubePlacements(lab, [{ name: 'node1', ready: true, address: '10.250.0.1' }, { name: 'node2', ready: true, address: '10.250.0.2' }])).not.toThrow();
    expect(() => checkKubePlacements(lab, [{ name: 'node1', ready: true, address: '10.250.0.1' }])).toThrow(UsageError);
    expect(() => checkKubePlacements(lab, [{ name: 'node1', ready: true, address: '' }, { name: 'node2', ready: false, address: '' }])).toThrow(/node2.*not Ready[\s\S]*Fix:/);
  });
});

describe('KubeStack', () => {
  const doc = synth(kubeLab());
  const deployments = doc.resource.kubernetes_deployment_v1;
  const services = doc.resource.kubernetes_service_v1;
  const byName = (m: Record<string, any>, name: string) => Object.values(m).find((r) => r.metadata.name === name);

  it('uses the kubeconfig and asks for the provider version its bindings were generated from', () => {
    expect(doc.provider.kubernetes[0].config_path).toBe('/var/lib/msm-kit-kube/admin.kubeconfig');
    expect(doc.terraform.required_providers.kubernetes.version).toBe('2.38.0');
  });

  it('one Deployment (id Resource) and one Service (id Service, fixed ClusterIP) per node, in the lab namespace', () => {
    expect(Object.keys(deployments).sort()).toEqual(['LoadBalancer_BE9EEC3A', 'Memcached-mnode1_40F669B5', 'Memcached-mnode2_4C10FBE4', 'Tomcat-tomcat-node1_1B355EB4', 'Tomcat-tomcat-node2_32E4631C']);
    expect(Object.values(services).map((s) => [s.metadata.name, s.spec.cluster_ip, s.spec.type]).sort()).toEqual([
      ['memcached-node1', '10.96.57.10', 'ClusterIP'], ['memcached-node2', '10.96.57.11', 'ClusterIP'], ['nginx', '10.96.57.2', 'NodePort'], ['tomcat-node1', '10.96.57.40', 'ClusterIP'], ['tomcat-node2', '10.96.57.41', 'ClusterIP'],
    ]);
    expect(byName(services, 'nginx').spec.port[0].node_port).toBe(30080);
    expect(Object.values(doc.resource.kubernetes_namespace_v1)[0].metadata.name).toBe('k8s-lab');
  });

  it('pins each pod to its node, checks it, reserves CPU and memory, and never pulls an imported image', () => {
    const tomcat = byName(deployments, 'tomcat-node2');
    const pod = tomcat.spec.template.spec;
    expect(pod.node_selector).toEqual({ 'kubernetes.io/hostname': 'node2' });
    const c = pod.container[0];
    expect(c.image).toBe('msm-kit/k8s-lab-tomcat:abc123');
    expect(c.image_pull_policy).toBe('Never');
    expect(c.readiness_probe.http_get.path).toBe(kubeLab().tomcatHealthPath);
    expect(c.startup_probe.failure_threshold).toBeGreaterThanOrEqual(60);
    expect(c.resources.requests).toEqual({ cpu: '250m', memory: `${kubeLab().heapMb + 256}Mi` });
    expect(c.lifecycle.pre_stop[0].exec.command).toEqual(['sleep', String(KUBE_PRE_STOP_SECONDS)]);
    expect(c.env.map((e: any) => e.name)).toEqual(['MSM_KIT_NODE', 'CATALINA_OPTS']);
    const mc = byName(deployments, 'memcached-node1').spec.template.spec.container[0];
    expect(mc.readiness_probe.tcp_socket[0].port).toBe('11211');
    expect(mc.args.slice(0, 3)).toEqual(['memcached', '-p', '11211']);
  });

  it('rolls a Tomcat with a surge, one Tomcat after the other, and replaces a memcached node outright', () => {
    const t1 = byName(deployments, 'tomcat-node1');
    const t2 = byName(deployments, 'tomcat-node2');
    expect(t1.spec.strategy).toEqual({ type: 'RollingUpdate', rolling_update: { max_surge: '1', max_unavailable: '0' } });
    expect(t1.spec.min_ready_seconds).toBe(KUBE_MIN_READY_SECONDS);
    expect(byName(deployments, 'nginx').spec.min_ready_seconds).toBe(KUBE_MIN_READY_SECONDS);
    expect(t2.depends_on).toContain('kubernetes_deployment_v1.Tomcat-tomcat-node1_1B355EB4');
    expect(t1.depends_on.some((d: string) => d.startsWith('kubernetes_deployment_v1.'))).toBe(false);
    expect(byName(deployments, 'memcached-node1').spec.strategy.type).toBe('Recreate');
    expect(byName(deployments, 'memcached-node1').spec.min_ready_seconds).toBeUndefined();
  });

  it('nginx reads its configuration from a ConfigMap; a new configuration changes the pod template (a roll)', () => {
    const nginx = byName(deployments, 'nginx');
    expect(nginx.spec.template.spec.volume[0].config_map.name).toContain('kubernetes_config_map_v1.NginxConf');
    const hash = nginx.spec.template.metadata.annotations['msm-kit.config-hash'];
    const other = synth(kubeLab({ loadBalancer: { failTimeout: 9 } }));
    expect(byName(other.resource.kubernetes_deployment_v1, 'nginx').spec.template.metadata.annotations['msm-kit.config-hash']).not.toBe(hash);
  });

  it('disruption budgets keep all but one Tomcat and all but one memcached node', () => {
    const budgets = Object.values(doc.resource.kubernetes_pod_disruption_budget_v1);
    expect(budgets.map((b) => [b.metadata.name, b.spec.max_unavailable, b.spec.selector.match_labels['msm-kit.role']]).sort()).toEqual([
      ['k8s-lab-memcached', '1', 'memcached'], ['k8s-lab-tomcat', '1', 'tomcat'],
    ]);
  });
});
