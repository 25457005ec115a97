import { Construct, dockerNetwork } from '../cdktf';

export interface SwarmNetworkProps {
  /** Docker network name. */
  readonly name: string;
  /** IPv4 subnet of the overlay, e.g. 172.28.68.0/24. */
  readonly subnet: string;
  /** Gateway address inside the subnet (set, or Docker picks one and every plan replaces the network). */
  readonly gateway: string;
  /** Labels on the network. @default none */
  readonly labels?: Record<string, string>;
}

/**
 * The Swarm lab's overlay network: spans every host; attachable, so a plain
 * container (a test client, a debugging shell) can join it too.
 */
export class SwarmNetwork extends Construct {
  readonly resource: dockerNetwork.Network;
  readonly name: string;

  constructor(scope: Construct, id: string, props: SwarmNetworkProps) {
    super(scope, id);
    this.name = props.name;
    this.resource = new dockerNetwork.Network(this, 'Resource', {
      name: props.name,
      driver: 'overlay',
      attachable: true,
      ipamConfig: [{ subnet: props.subnet, gateway: props.gateway }],
      labels: Object.entries(props.labels ?? {}).map(([label, value]) => ({ label, value })),
    });
  }
}
