import { Construct, dockerContainer, type dockerImage } from '../cdktf';
import { PROMETHEUS_CONFIG_PATH, PROMETHEUS_PORT, PROMETHEUS_RETENTION } from '../config/monitoring';
import { labContainer } from './container-defaults';
import type { LabNetwork } from './lab-network';
import { terraformLiteral } from './tomcat-node';

export interface PrometheusServerProps {
  readonly name: string;
  readonly ip: string;
  readonly image: dockerImage.Image;
  readonly network: LabNetwork;
  readonly lab: string;
  /** prometheus.yml (render/prometheus-yml.ts), uploaded before the container starts. */
  readonly config: string;
  /** Host port on 127.0.0.1. @default a free port the engine picks */
  readonly hostPort?: number;
}

/**
 * The lab's Prometheus: scrapes the exporters over the lab network, published on
 * 127.0.0.1 only. Its samples live in the container (a lab's monitoring, not an
 * archive): a new configuration replaces it and starts an empty history.
 */
export class PrometheusServer extends Construct {
  readonly resource: dockerContainer.Container;

  constructor(scope: Construct, id: string, props: PrometheusServerProps) {
    super(scope, id);
    this.resource = new dockerContainer.Container(this, 'Resource', {
      ...labContainer({ ...props, role: 'prometheus' }),
      // The official image's command, with a short retention.
      command: [`--config.file=${PROMETHEUS_CONFIG_PATH}`, '--storage.tsdb.path=/prometheus', `--storage.tsdb.retention.time=${PROMETHEUS_RETENTION}`],
      upload: [{ file: PROMETHEUS_CONFIG_PATH, content: terraformLiteral(props.config), permissions: '0644' }],
      ports: [{ internal: PROMETHEUS_PORT, ...(props.hostPort !== undefined ? { external: props.hostPort } : {}), ip: '127.0.0.1', protocol: 'tcp' }],
    });
  }
}
