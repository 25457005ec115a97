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
  /** Containers that must exist before nginx starts. @default none */
  readonly dependsOn?: dockerContainer.Container[];
}

/** nginx in front of the Tomcat nodes, the lab's only published port. */
export class LoadBalancer extends Construct {
  readonly resource: dockerContainer.Container;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    this.resource = new dockerContainer.Container(this, 'Resource', {
      ...labContainer({ ...props, role: 'load-balancer' }),
      ports: [{ internal: props.port, external: props.hostPort, ip: props.bindAddress, protocol: 'tcp' }],
      upload: [{ file: '/etc/nginx/nginx.conf', content: props.nginxConf }],
      healthcheck: { test: httpCheck(props.port, props.healthPath), ...HEALTH_TIMING },
      wait: true,
      waitTimeout: 60,
      dependsOn: props.dependsOn,
    });
  }
}
