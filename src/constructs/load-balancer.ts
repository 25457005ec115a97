import { Construct, dockerContainer, type dockerImage } from '../cdktf';
import { labContainer } from './container-defaults';
import { HEALTH_TIMING, httpCheck } from './health';
import type { LabNetwork } from './lab-network';

export interface LoadBalancerProps {
  readonly name: string;
  readonly ip: string;
  readonly image: dockerImage.Image;
  readonly network: LabNetwork;
  readonly lab: string;
  /** Generated nginx.conf. */
  readonly nginxConf: string;
  /** nginx's listening port inside the container. */
  readonly port: number;
  /** Host port to publish `port` on. */
  readonly hostPort: number;
  /** Host address the port is bound to. */
  readonly bindAddress: string;
  /** Path that answers 200 without touching Tomcat. */
  readonly healthPath: string;
  /**
   * TLS: the certificate and key uploaded from these files (Terraform paths; the
   * content never enters the Terraform JSON), `port` published on `hostPort` too.
   * @default none (plain HTTP only)
   */
  readonly tls?: {
    readonly certificate: string;
    readonly key: string;
    /** Hash of both files: a new pair replaces the container. */
    readonly hash: string;
    readonly port: number;
    readonly hostPort: number;
    readonly certificatePath: string;
    readonly keyPath: string;
  };
  /** Containers that must exist before nginx starts. @default none */
  readonly dependsOn?: dockerContainer.Container[];
}

/** nginx in front of the Tomcat nodes, the lab's only published port. */
export class LoadBalancer extends Construct {
  readonly resource: dockerContainer.Container;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const tls = props.tls;
    this.resource = new dockerContainer.Container(this, 'Resource', {
      ...labContainer({ ...props, role: 'load-balancer' }),
      ports: [
        { internal: props.port, external: props.hostPort, ip: props.bindAddress, protocol: 'tcp' },
        ...(tls ? [{ internal: tls.port, external: tls.hostPort, ip: props.bindAddress, protocol: 'tcp' }] : []),
      ],
      upload: [
        { file: '/etc/nginx/nginx.conf', content: props.nginxConf },
        ...(tls
          ? [
              { file: tls.certificatePath, source: tls.certificate, sourceHash: tls.hash, permissions: '0644' },
              { file: tls.keyPath, source: tls.key, sourceHash: tls.hash, permissions: '0600' },
            ]
          : []),
      ],
      healthcheck: { test: httpCheck(props.port, props.healthPath), ...HEALTH_TIMING },
      wait: true,
      waitTimeout: 60,
      dependsOn: props.dependsOn,
    });
  }
}
