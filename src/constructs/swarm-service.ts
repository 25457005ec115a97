import { Construct, type dockerConfig, dockerService } from '../cdktf';
import { HEALTH_TIMING } from './health';
import type { SwarmNetwork } from './swarm-network';

export interface SwarmServiceProps {
  /** Service name: also the DNS name of its task on the overlay. */
  readonly name: string;
  readonly image: string;
  readonly network: SwarmNetwork;
  readonly lab: string;
  readonly role: string;
  /** Swarm placement constraint, e.g. `node.labels.msm-kit.host==host2`. */
  readonly constraint: string;
  /** Health check command (Docker's CMD form). */
  readonly healthcheck: string[];
  /** More DNS names of the task on the overlay. @default none */
  readonly aliases?: string[];
  /** Environment (`NAME=value`). @default none */
  readonly env?: string[];
  /** A Swarm config mounted as a file. @default none */
  readonly file?: { readonly config: dockerConfig.Config; readonly path: string };
  /** Port published in host mode on the task's node: `{ target, published }`. @default none */
  readonly publish?: { readonly target: number; readonly published: number };
  /** Services that must exist first. @default none */
  readonly dependsOn?: dockerService.Service[];
  /**
   * How a change replaces the task (update_config, parallelism 1, rolled back when the
   * new task fails): `start-first` keeps the old task serving until the new one is
   * healthy (Tomcat: no gap); `stop-first` stops it first, for a node that cannot run
   * twice (a store: its address and data are the node; nginx: its host-mode port).
   * @default 'stop-first'
   */
  readonly updateOrder?: 'start-first' | 'stop-first';
}

/**
 * One lab node as a Swarm service of one replica, pinned by its placement
 * constraint. Endpoint mode dnsrr: its name resolves to the task's own address
 * (the VIP mode's IPVS does not work on every kernel, e.g. the test cluster's).
 * The Swarm restarts a failed task (restart policy `any`, health check included);
 * `converge_config` makes apply wait until the task runs.
 */
export class SwarmService extends Construct {
  readonly resource: dockerService.Service;

  constructor(scope: Construct, id: string, props: SwarmServiceProps) {
    super(scope, id);
    const { interval, timeout, retries, startPeriod } = HEALTH_TIMING;
    this.resource = new dockerService.Service(this, 'Resource', {
      name: props.name,
      labels: [
        { label: 'msm-kit.lab', value: props.lab },
        { label: 'msm-kit.role', value: props.role },
      ],
      taskSpec: {
        containerSpec: {
          image: props.image,
          hostname: props.name,
          env: Object.fromEntries((props.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
          healthcheck: { test: props.healthcheck, interval, timeout, retries, startPeriod },
          configs: props.file ? [{ configId: props.file.config.id, configName: props.file.config.name, fileName: props.file.path }] : undefined,
          labels: [
            { label: 'msm-kit.lab', value: props.lab },
            { label: 'msm-kit.role', value: props.role },
          ],
          // No stop_grace_period: with one, the provider's destroy waits that long for the
          // container's removal and fails when removal is slower (vfs), though Docker's own 10 s grace applies anyway.
        },
        networksAdvanced: [{ name: props.network.resource.id, aliases: props.aliases }],
        placement: { constraints: [props.constraint] },
        restartPolicy: { condition: 'any', delay: '1s', window: '10s' },
      },
      mode: { replicated: { replicas: 1 } },
      endpointSpec: {
        mode: 'dnsrr',
        ports: props.publish ? [{ targetPort: props.publish.target, publishedPort: props.publish.published, publishMode: 'host', protocol: 'tcp' }] : undefined,
      },
      updateConfig: { parallelism: 1, order: props.updateOrder ?? 'stop-first', failureAction: 'rollback', monitor: '5s' },
      convergeConfig: { delay: '1s', timeout: '5m' },
      dependsOn: props.dependsOn,
    });
  }
}
