import { Construct, dockerContainer } from '../cdktf';
import { labContainer, type StoreNodeProps } from './container-defaults';
import { STORE_MEMORY_MB } from '../config/layout';
import { HEALTH_TIMING, tcpCheck } from './health';

export interface MemcachedNodeProps extends StoreNodeProps {
  /**
   * SASL: memcached runs with `-S`, and gets this environment (`NAME=value`,
   * Terraform references to sensitive variables), which the SASL stand-in's
   * entrypoint turns into its user (MSM_KIT_SASL_USERNAME, MSM_KIT_SASL_PASSWORD).
   * @default no SASL
   */
  readonly saslEnv?: string[];
  /**
   * Worker threads (memcached -t).
   * @default memcached's own (4)
   */
  readonly threads?: number;
}

/** One memcached node; reachable only on the lab network, never published to the host. */
export class MemcachedNode extends Construct {
  readonly resource: dockerContainer.Container;
  readonly memoryMb: number;

  constructor(scope: Construct, id: string, props: MemcachedNodeProps) {
    super(scope, id);
    this.memoryMb = props.memoryMb ?? STORE_MEMORY_MB;
    this.resource = new dockerContainer.Container(this, 'Resource', {
      ...labContainer({ ...props, role: 'memcached', aliases: [...new Set([props.name, props.host])] }),
      command: ['memcached', '-p', String(props.port), '-m', String(this.memoryMb), '-c', '1024', ...(props.threads ? ['-t', String(props.threads)] : []), ...(props.saslEnv ? ['-S'] : [])],
      env: props.saslEnv,
      healthcheck: { test: tcpCheck(props.port), ...HEALTH_TIMING },
      wait: true,
      waitTimeout: 60,
    });
  }
}
