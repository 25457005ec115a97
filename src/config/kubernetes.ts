/**
 * A Kubernetes lab (config `engine.kind = "kubernetes"`): the cluster, the namespace,
 * where each pod runs and which images the nodes run. Applied by resolveLab on top of the
 * one-engine resolution. Every node's address (ResolvedLab.tomcats[].ip, memcacheds[].ip,
 * loadBalancer.ip) is its Service's fixed ClusterIP: the same address plan, in a block of
 * the cluster's Service range (network.subnet), so context.xml and nginx.conf render as on
 * one engine and the addresses msm and nginx resolve once never move when a pod does.
 */
import { KUBE_NODE_LABEL, KUBE_TEST_CLUSTER } from './layout';
import type { LabConfig } from './schema';
import { inRegistry } from './swarm';

export type KubernetesEngineConfig = Extract<NonNullable<LabConfig['engine']>, { kind: 'kubernetes' }>;

export interface KubernetesImages {
  readonly tomcat: string;
  readonly memcached: string;
  readonly nginx: string;
}

export interface ResolvedKubernetes {
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly nodePort: number;
  readonly nodeAddress: string;
  readonly serviceCidr: string;
  readonly nodes: readonly string[];
  /** By node (Deployment) name: the cluster node its pod is pinned to (nodeSelector KUBE_NODE_LABEL). */
  readonly placement: Readonly<Record<string, string>>;
  /** Where the images come from: pushed to a registry, or imported into the test cluster's nodes. */
  readonly registry?: string;
  /** The images as the nodes run them (under the registry when there is one). */
  readonly images: KubernetesImages;
  /** Whether this is scripts/setup/kube-cluster.sh's cluster (its kubeconfig): images are imported, nodes can be stopped. */
  readonly testCluster: boolean;
}

export const nodeSelector = (node: string): Record<string, string> => ({ [KUBE_NODE_LABEL]: node });

/** The Kubernetes side of a lab: `names` in spread order (memcached nodes, Tomcat nodes, nginx). */
export function resolveKubernetes(engine: KubernetesEngineConfig, labName: string, names: readonly string[], images: KubernetesImages): ResolvedKubernetes {
  const placement: Record<string, string> = {};
  names.forEach((n, i) => {
    placement[n] = engine.placement[n] ?? engine.nodes[i % engine.nodes.length];
  });
  const pulled = (image: string) => (engine.registry ? inRegistry(engine.registry, image) : image);
  return {
    kubeconfig: engine.kubeconfig,
    namespace: engine.namespace ?? labName,
    nodePort: engine.nodePort,
    nodeAddress: engine.nodeAddress,
    serviceCidr: engine.serviceCidr,
    nodes: engine.nodes,
    placement,
    ...(engine.registry ? { registry: engine.registry } : {}),
    images: { tomcat: pulled(images.tomcat), memcached: pulled(images.memcached), nginx: pulled(images.nginx) },
    testCluster: engine.kubeconfig === KUBE_TEST_CLUSTER.kubeconfig,
  };
}

const ipv4ToInt = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** Whether CIDR `inner` lies wholly inside CIDR `outer` (both IPv4 a.b.c.d/p). */
export function cidrWithin(inner: string, outer: string): boolean {
  const [ia, ip] = inner.split('/');
  const [oa, op] = outer.split('/');
  const [ipn, opn] = [Number(ip), Number(op)];
  if (ipn < opn) return false;
  const size = 2 ** (32 - opn);
  return Math.floor(ipv4ToInt(ia) / size) === Math.floor(ipv4ToInt(oa) / size);
}

/** Kubernetes object names the lab uses (Deployments, Services, the namespace): DNS-1035 labels. */
export const KUBE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
