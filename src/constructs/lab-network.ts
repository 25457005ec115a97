import { Construct, dockerNetwork } from '../cdktf';

export interface LabNetworkProps {
  /** Docker network name. */
  readonly name: string;
  /** IPv4 subnet, e.g. 172.28.57.0/24. */
  readonly subnet: string;
  /** Gateway address inside the subnet. */
  readonly gateway: string;
  /** Labels on the network. @default none */
  readonly labels?: Record<string, string>;
}

/** The lab's bridge network with a fixed subnet, so every container gets a fixed address. */
export class LabNetwork extends Construct {
  readonly resource: dockerNetwork.Network;
  readonly name: string;

  constructor(scope: Construct, id: string, props: LabNetworkProps) {
    super(scope, id);
    this.name = props.name;
    this.resource = new dockerNetwork.Network(this, 'Resource', {
      name: props.name,
      driver: 'bridge',
      ipamConfig: [{ subnet: props.subnet, gateway: props.gateway }],
      labels: Object.entries(props.labels ?? {}).map(([label, value]) => ({ label, value })),
    });
  }
}
