import type { dockerContainer, dockerImage } from '../cdktf';
import type { LabNetwork } from './lab-network';

/** What every lab container has: a fixed address on the lab network, no restart policy, a lab label. */
export function labContainer(opts: {
  name: string;
  image: dockerImage.Image;
  network: LabNetwork;
  ip: string;
  lab: string;
  role: string;
  aliases?: string[];
}): dockerContainer.ContainerConfig {
  return {
    name: opts.name,
    hostname: opts.name,
    image: opts.image.imageId,
    networksAdvanced: [{ name: opts.network.resource.name, ipv4Address: opts.ip, aliases: opts.aliases ?? [opts.name] }],
    // Drills stop containers on purpose: Docker must not bring them back by itself.
    restart: 'no',
    mustRun: true,
    labels: [
      { label: 'msm-kit.lab', value: opts.lab },
      { label: 'msm-kit.role', value: opts.role },
    ],
  };
}

/** What a session store node (a memcached or the Redis node) is given: reachable on the lab network only. */
export interface StoreNodeProps {
  readonly name: string;
  /** Hostname Tomcat uses (network alias). */
  readonly host: string;
  readonly port: number;
  readonly ip: string;
  readonly image: dockerImage.Image;
  readonly network: LabNetwork;
  readonly lab: string;
  /** Memory limit of the store in MiB. @default STORE_MEMORY_MB (64) */
  readonly memoryMb?: number;
}
