/**
 * A Swarm lab (config `engine.kind = "swarm"`): where each node runs and which
 * images the Swarm nodes pull. Applied by resolveLab on top of the one-engine
 * resolution, so a lab without `engine` resolves exactly as before.
 */
import { SWARM_HOST_LABEL } from './layout';
import type { LabConfig } from './schema';

export type EngineConfig = Extract<NonNullable<LabConfig['engine']>, { kind: 'swarm' }>;

/** Image names by role (the shape of ResolvedLab.images; resolve.ts imports this file, not the other way round). */
export interface SwarmImages {
  readonly tomcat: string;
  readonly memcached: string;
  readonly nginx: string;
}

export interface SwarmPlacement {
  /** The placement as written (a host label value or `node:<id>`). */
  readonly where: string;
  /** The Swarm placement constraint. */
  readonly constraint: string;
}

export interface ResolvedSwarm {
  readonly manager: string;
  readonly registry: string;
  readonly hosts: readonly string[];
  /** The images as the Swarm nodes pull them: lab.images under the registry (lab.images stay the names on the machine that builds or pulls them). */
  readonly images: SwarmImages;
  /** By node (container) name: memcached nodes, Tomcat nodes, nginx. */
  readonly placement: Readonly<Record<string, SwarmPlacement>>;
}

export function placementConstraint(where: string): string {
  return where.startsWith('node:') ? `node.id==${where.slice('node:'.length)}` : `node.labels.${SWARM_HOST_LABEL}==${where}`;
}

/** An image as the Swarm nodes pull it: from the registry. */
export const inRegistry = (registry: string, image: string): string => (image.startsWith(`${registry}/`) ? image : `${registry}/${image}`);

/**
 * The Swarm side of a lab: `names` in spread order (memcached nodes, Tomcat
 * nodes, nginx), each placed as the config says or round-robin over the hosts;
 * `images` as this machine knows them, pulled by the Swarm from the registry.
 */
export function resolveSwarm(engine: EngineConfig, names: readonly string[], images: SwarmImages): ResolvedSwarm {
  const placement: Record<string, SwarmPlacement> = {};
  names.forEach((n, i) => {
    const where = engine.placement[n] ?? engine.hosts[i % engine.hosts.length];
    placement[n] = { where, constraint: placementConstraint(where) };
  });
  return {
    manager: engine.manager,
    registry: engine.registry,
    hosts: engine.hosts,
    images: { tomcat: inRegistry(engine.registry, images.tomcat), memcached: inRegistry(engine.registry, images.memcached), nginx: inRegistry(engine.registry, images.nginx) },
    placement,
  };
}
