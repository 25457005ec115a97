import { Construct, kubernetesBindings, type ITerraformDependable } from '../cdktf';
import { KUBE_LAB_LABEL, KUBE_MIN_READY_SECONDS, KUBE_ROLE_LABEL } from '../config/layout';
import { nodeSelector } from '../config/kubernetes';

/** The label that tells one node's pod from the others (its Service selects by it). */
export const KUBE_NODE_NAME_LABEL = 'msm-kit.node';

/** How Kubernetes tells that a node's container is up: an HTTP GET that must answer 2xx/3xx, or a TCP connect. */
export type KubeCheck = { readonly httpPath: string } | { readonly tcp: true };

export interface KubeNodeProps {
  /** The node's name: its Deployment's, Service's and container's (a DNS label). */
  readonly name: string;
  readonly namespace: string;
  /** The lab's name (label KUBE_LAB_LABEL on everything). */
  readonly lab: string;
  /** The node's role (label KUBE_ROLE_LABEL): a disruption budget selects by it. */
  readonly role: 'memcached' | 'tomcat' | 'load-balancer';
  readonly image: string;
  /** Never for images imported into the nodes, IfNotPresent for a registry's. */
  readonly imagePullPolicy: 'Never' | 'IfNotPresent';
  /** The cluster node the pod is pinned to. */
  readonly node: string;
  /** The container's port; the Service's too. */
  readonly port: number;
  /** The Service's fixed ClusterIP: the address everyone resolves once. */
  readonly clusterIp: string;
  /** Readiness and liveness check. */
  readonly check: KubeCheck;
  /** CPU and memory the scheduler reserves (Kubernetes quantities: "250m", "512Mi"). */
  readonly requests: { readonly cpu: string; readonly memory: string };
  /** The container's arguments (the image's CMD; its entrypoint stays). @default the image's */
  readonly args?: string[];
  /** @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** A ConfigMap mounted read-only at `mountPath`; `hash` (of its content) in the pod template, so a new content rolls the pod. @default none */
  readonly configMap?: { readonly name: string; readonly mountPath: string; readonly hash: string };
  /** Publish the Service on this NodePort of every node. @default ClusterIP only */
  readonly nodePort?: number;
  /**
   * How a change replaces the pod: `surge` starts the new pod and stops the old one once the
   * new one is ready (the node keeps answering); `recreate` stops the old one first (a store
   * node: two pods behind one Service would split the sessions between two empty stores).
   */
  readonly rollout: 'surge' | 'recreate';
  /** Seconds the container waits, on its way out, before it gets SIGTERM: the Service drops the pod first. @default 0 */
  readonly preStopSeconds?: number;
  /** What must exist before the Deployment is created (Services whose names the pod resolves at start-up). @default none */
  readonly dependsOn?: ITerraformDependable[];
  /** Seconds the pod may take to start before its liveness check counts. @default 0 */
  readonly startupSeconds?: number;
}

/**
 * One node of a Kubernetes lab: a Deployment of one pod (child `Resource`), pinned to its
 * cluster node, and a Service (child `Service`) with a fixed ClusterIP in front of it. A
 * node's pod that dies is started again by its Deployment; its address stays its Service's.
 */
export class KubeNode extends Construct {
  readonly resource: InstanceType<ReturnType<typeof kubernetesBindings>['deployment']['DeploymentV1']>;
  readonly service: InstanceType<ReturnType<typeof kubernetesBindings>['service']['ServiceV1']>;

  constructor(scope: Construct, id: string, props: KubeNodeProps) {
    super(scope, id);
    const k = kubernetesBindings();
    const labels = { [KUBE_LAB_LABEL]: props.lab, [KUBE_ROLE_LABEL]: props.role, [KUBE_NODE_NAME_LABEL]: props.name };
    const select = { [KUBE_LAB_LABEL]: props.lab, [KUBE_NODE_NAME_LABEL]: props.name };
    const port = String(props.port);
    const probe = 'httpPath' in props.check ? { httpGet: { path: props.check.httpPath, port } } : { tcpSocket: [{ port }] };
    const volume = props.configMap && 'config';
    this.resource = new k.deployment.DeploymentV1(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        replicas: '1',
        // A surge waits this long after the new pod is Ready before the old one goes: the Service's
        // endpoints (and every node's kube-proxy) take the new pod in first, never zero pods between.
        ...(props.rollout === 'surge' ? { minReadySeconds: KUBE_MIN_READY_SECONDS } : {}),
        selector: { matchLabels: select },
        strategy: props.rollout === 'surge' ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '0' } } : { type: 'Recreate' },
        template: {
          metadata: { labels, ...(props.configMap ? { annotations: { 'msm-kit.config-hash': props.configMap.hash } } : {}) },
          spec: {
            nodeSelector: nodeSelector(props.node),
            // The pods talk to each other only; no API access is needed.
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 30,
            container: [
              {
                name: props.name,
                image: props.image,
                imagePullPolicy: props.imagePullPolicy,
                ...(props.args ? { args: props.args } : {}),
                env: Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value })),
                port: [{ containerPort: props.port }],
                resources: { requests: { cpu: props.requests.cpu, memory: props.requests.memory } },
                readinessProbe: { ...probe, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 2 },
                ...(props.startupSeconds ? { startupProbe: { ...probe, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: props.startupSeconds } } : {}),
                livenessProbe: { ...probe, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 6 },
                ...(props.preStopSeconds ? { lifecycle: { preStop: [{ exec: { command: ['sleep', String(props.preStopSeconds)] } }] } } : {}),
                ...(volume ? { volumeMount: [{ name: volume, mountPath: props.configMap!.mountPath, readOnly: true }] } : {}),
              },
            ],
            ...(volume ? { volume: [{ name: volume, configMap: { name: props.configMap!.name } }] } : {}),
          },
        },
      },
      waitForRollout: true,
      dependsOn: props.dependsOn,
      timeouts: { create: '5m', update: '5m' },
    });
    this.service = new k.service.ServiceV1(this, 'Service', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        selector: select,
        clusterIp: props.clusterIp,
        type: props.nodePort === undefined ? 'ClusterIP' : 'NodePort',
        port: [{ name: 'main', port: props.port, targetPort: port, ...(props.nodePort === undefined ? {} : { nodePort: props.nodePort }) }],
      },
    });
  }
}
