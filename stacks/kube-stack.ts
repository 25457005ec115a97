/**
 * The lab on a Kubernetes cluster (config `engine.kind = "kubernetes"`): a namespace; per
 * memcached node, Tomcat node and nginx a Deployment of one pod pinned to its cluster node
 * and a Service with a fixed ClusterIP (the address plan of network.subnet, inside the
 * cluster's Service range), so context.xml and nginx.conf are the one-engine ones; nginx's
 * configuration as a ConfigMap, its Service a NodePort; disruption budgets that keep all
 * but one Tomcat and all but one memcached node through a voluntary disruption (a drain).
 * The images are on the nodes already (imported, or in the registry: src/lab/kube.ts).
 * Construct ids are a contract.
 */
import { createHash } from 'node:crypto';
import { Construct, kubernetesBindings, LocalBackend, TerraformOutput, TerraformStack } from '../src/cdktf';
import { KUBE_LAB_LABEL, KUBE_ROLE_LABEL, KUBE_PRE_STOP_SECONDS, LB_HEALTH_PATH, NGINX_CONF_FILE, NGINX_CONF_MOUNT, NGINX_PORT, STORE_MEMORY_MB, TOMCAT_PORT } from '../src/config/layout';
import type { ResolvedLab } from '../src/config/resolve';
import { KubeNode } from '../src/constructs/kube-node';
import type { LabStackArtifacts } from './lab-stack';

export interface KubeStackProps {
  /** A lab resolved with a Kubernetes engine (lab.kubernetes set). */
  readonly lab: ResolvedLab;
  readonly artifacts: LabStackArtifacts;
  /** Local state file, relative to the stack's directory. @default cdktf's default */
  readonly statePath?: string;
}

/** Memory a Tomcat pod asks for beyond its heap (metaspace, threads, code cache, buffers), in MiB. */
const TOMCAT_NON_HEAP_MB = 256;
/** Seconds a Tomcat may take to start before its liveness check counts (a cold JVM on a busy node). */
const TOMCAT_STARTUP_SECONDS = 180;

export class KubeStack extends TerraformStack {
  readonly memcached: readonly KubeNode[];
  readonly tomcats: readonly KubeNode[];
  readonly loadBalancer: KubeNode;

  constructor(scope: Construct, id: string, props: KubeStackProps) {
    super(scope, id);
    const { lab, artifacts } = props;
    const kube = lab.kubernetes;
    if (!kube) throw new Error('KubeStack needs a lab resolved with a Kubernetes engine (lab.kubernetes)');
    const k = kubernetesBindings();
    if (props.statePath) new LocalBackend(this, { path: props.statePath });
    new k.provider.KubernetesProvider(this, 'kubernetes', { configPath: kube.kubeconfig });
    const pull = kube.registry ? 'IfNotPresent' : 'Never';

    const namespace = new k.namespace.NamespaceV1(this, 'Namespace', { metadata: { name: kube.namespace, labels: { [KUBE_LAB_LABEL]: lab.name } } });
    const ns = namespace.metadata.name;
    const common = { namespace: ns, lab: lab.name, imagePullPolicy: pull } as const;

    this.memcached = lab.memcacheds.map(
      (m) =>
        new KubeNode(this, `Memcached-${m.id}`, {
          ...common,
          name: m.name,
          role: 'memcached',
          image: kube.images.memcached,
          node: kube.placement[m.name],
          port: m.port,
          clusterIp: m.ip,
          check: { tcp: true },
          requests: { cpu: '100m', memory: `${STORE_MEMORY_MB + 32}Mi` },
          args: ['memcached', '-p', String(m.port), '-m', String(STORE_MEMORY_MB), '-c', '1024', ...(lab.memcachedThreads ? ['-t', String(lab.memcachedThreads)] : [])],
          rollout: 'recreate',
        }),
    );

    // Each Tomcat's Deployment waits for the previous one's: a change rolls one Tomcat at a time
    // (each keeps answering through its surge), so nginx always has a Tomcat that is not going away.
    const tomcats: KubeNode[] = [];
    for (const t of lab.tomcats)
      tomcats.push(
        new KubeNode(this, `Tomcat-${t.name}`, {
          ...common,
          name: t.name,
          role: 'tomcat',
          image: artifacts.tomcatImageTag,
          node: kube.placement[t.name],
          port: TOMCAT_PORT,
          clusterIp: t.ip,
          check: { httpPath: lab.tomcatHealthPath },
          requests: { cpu: '250m', memory: `${lab.heapMb + TOMCAT_NON_HEAP_MB}Mi` },
          env: { MSM_KIT_NODE: t.name, CATALINA_OPTS: t.catalinaOpts },
          rollout: 'surge',
          preStopSeconds: KUBE_PRE_STOP_SECONDS,
          startupSeconds: TOMCAT_STARTUP_SECONDS,
          // msm resolves the memcached addresses once, at start-up: their Services exist first.
          dependsOn: [...this.memcached.map((m) => m.service), ...tomcats.slice(-1).map((p) => p.resource)],
        }),
      );
    this.tomcats = tomcats;

    const conf = new k.configMap.ConfigMapV1(this, 'NginxConf', { metadata: { name: `${lab.loadBalancer.name}-conf`, namespace: ns, labels: { [KUBE_LAB_LABEL]: lab.name } }, data: { [NGINX_CONF_FILE]: artifacts.nginxConf } });
    this.loadBalancer = new KubeNode(this, 'LoadBalancer', {
      ...common,
      name: lab.loadBalancer.name,
      role: 'load-balancer',
      image: kube.images.nginx,
      node: kube.placement[lab.loadBalancer.name],
      port: NGINX_PORT,
      clusterIp: lab.loadBalancer.ip,
      check: { httpPath: LB_HEALTH_PATH },
      requests: { cpu: '100m', memory: '64Mi' },
      args: ['nginx', '-c', `${NGINX_CONF_MOUNT}/${NGINX_CONF_FILE}`, '-g', 'daemon off;'],
      configMap: { name: conf.metadata.name, mountPath: NGINX_CONF_MOUNT, hash: createHash('sha256').update(artifacts.nginxConf).digest('hex').slice(0, 16) },
      nodePort: kube.nodePort,
      rollout: 'surge',
      preStopSeconds: KUBE_PRE_STOP_SECONDS,
      dependsOn: this.tomcats.map((t) => t.service),
    });

    // A drain (voluntary disruption) takes at most one Tomcat and one memcached node at a time.
    for (const [id, role] of [['TomcatBudget', 'tomcat'], ['MemcachedBudget', 'memcached']] as const)
      new k.podDisruptionBudget.PodDisruptionBudgetV1(this, id, {
        metadata: { name: `${lab.name}-${role}`, namespace: ns, labels: { [KUBE_LAB_LABEL]: lab.name } },
        spec: { maxUnavailable: '1', selector: { matchLabels: { [KUBE_LAB_LABEL]: lab.name, [KUBE_ROLE_LABEL]: role } } },
      });

    const placement = new TerraformOutput(this, 'placement', { value: kube.placement, description: 'The cluster node each pod runs on' });
    placement.overrideLogicalId('placement');
  }
}
