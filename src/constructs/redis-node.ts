import { Construct, dockerContainer } from '../cdktf';
import { labContainer, type StoreNodeProps } from './container-defaults';
import { STORE_MEMORY_MB } from '../config/layout';
import { HEALTH_TIMING, tcpCheck } from './health';

/** The Redis node's props: those of every store node (memoryMb: past it Redis evicts the least recently used session; every msm key has a TTL). */
export type RedisNodeProps = StoreNodeProps;

/**
 * The Redis node of a lab with a `redis` store; reachable only on the lab network,
 * never published to the host. Sessions are a cache of live sessions, as with
 * memcached: no persistence (a restarted Redis is empty), memory capped.
 * `--protected-mode no`: without a config file Redis refuses clients from other
 * hosts; the lab network is private and msm sends no password.
 */
export class RedisNode extends Construct {
  readonly resource: dockerContainer.Container;
  readonly memoryMb: number;

  constructor(scope: Construct, id: string, props: RedisNodeProps) {
    super(scope, id);
    this.memoryMb = props.memoryMb ?? STORE_MEMORY_MB;
    this.resource = new dockerContainer.Container(this, 'Resource', {
      ...labContainer({ ...props, role: 'redis', aliases: [...new Set([props.name, props.host])] }),
      // `--save '""'`: Redis reads its arguments as config lines, where "" is the empty list (no
      // snapshots); Terraform refuses an empty string in a command.
      command: ['redis-server', '--port', String(props.port), '--protected-mode', 'no', '--save', '""', '--appendonly', 'no', '--maxmemory', `${this.memoryMb}mb`, '--maxmemory-policy', 'volatile-lru'],
      healthcheck: { test: tcpCheck(props.port), ...HEALTH_TIMING },
      wait: true,
      waitTimeout: 60,
    });
  }
}
