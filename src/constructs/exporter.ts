import { Construct, dockerContainer, type dockerImage } from '../cdktf';
import { labContainer } from './container-defaults';
import type { LabNetwork } from './lab-network';

export interface ExporterProps {
  readonly name: string;
  readonly ip: string;
  readonly image: dockerImage.Image;
  readonly network: LabNetwork;
  readonly lab: string;
  /** The `msm-kit.role` label: nginx-exporter, memcached-exporter, redis-exporter. */
  readonly role: string;
  /** Arguments to the image's entrypoint (the exporter binary, in the official image and the stand-in alike). */
  readonly args: string[];
  /** Containers that must run first (what the exporter connects to at start). @default none */
  readonly dependsOn?: dockerContainer.Container[];
}

/** A Prometheus exporter on the lab network (never published): Prometheus scrapes it there. */
export class Exporter extends Construct {
  readonly resource: dockerContainer.Container;

  constructor(scope: Construct, id: string, props: ExporterProps) {
    super(scope, id);
    this.resource = new dockerContainer.Container(this, 'Resource', {
      ...labContainer(props),
      command: props.args,
      dependsOn: props.dependsOn,
    });
  }
}
