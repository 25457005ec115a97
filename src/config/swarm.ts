/**
 * A Swarm lab (config `engine.kind = "swarm"`): where each node runs and which
 * images the Swarm nodes pull. Applied by resolveLab on top of the one-engine
 * resolution, so a lab without `engine` resolves exactly as before.
 */
import { SWARM_HOST_LABEL } from './layout';
import type { ResolvedImages, ResolvedLab } from './resolve';
import type { LabConfig } from './schema';

export type EngineConfig = NonNullable<LabConfig['engine']>;

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
  readonly images: ResolvedImages;
  /** By node (container) name: memcached nodes, Tomcat nodes, nginx. */
  readonly placement: Readonly<Record<string, SwarmPlacement>>;
}

/** Names of the lab's nodes in spread order: memcached, Tomcat, nginx. */
export function swarmNodeNames(lab: Pick<ResolvedLab, 'memcacheds' | 'tomcats' | 'loadBalancer'>): string[] {
  return [...lab.memcacheds.map((m) => m.name), ...lab.tomcats.map((t) => t.name), lab.loadBalancer.name];
}

export function placementConstraint(where: string): string {
  return where.startsWith('node:') ? `node.id==${where.slice('node:'.length)}` : `node.labels.${SWARM_HOST_LABEL}==${where}`;
}

/** An image as the Swarm nodes pull it: from the registry. */
export const inRegistry = (registry: string, image: string): string => (image.startsWith(`${registry}/`) ? image : `${registry}/${image}`);

export function withSwarm(lab: ResolvedLab, engine: EngineConfig): ResolvedLab {
  const names = swarmNodeNames(lab);
  const placement: Record<string, SwarmPlacement> = {};
  names.forEach((n, i) => {
    const where = engine.placement[n] ?? engine.hosts[i % engine.hosts.length];
    placement[n] = { where, constraint: placementConstraint(where) };
  });
  const images = Object.fromEntries(Object.entries(lab.images).map(([k, v]) => [k, inRegistry(engine.registry, v)])) as unknown as ResolvedImages;
  return {
    ...lab,
    dockerHost: engine.manager,
    swarm: { manager: engine.manager, registry: engine.registry, hosts: engine.hosts, images, placement },
  };
}
