/**
 * `validate`: check a config against every msm rule. With --json it is the
 * scripts' one typed door to a config: what a script needs to know about a lab
 * (names, URL, images, paths), so no script reads the config itself.
 */
import type { Command } from 'commander';
import { basename, resolve } from 'node:path';
import { SWARM_TEST_CLUSTER, CDKTF_SUBDIR, statePathFor } from '../../config/layout';
import { loadConfig } from '../../config/load';
import type { ResolvedKubernetes } from '../../config/kubernetes';
import { resolveLab, type ResolvedLab } from '../../config/resolve';
import { configWarnings } from '../../config/advice';
import { configOption, outOption, standInsOption, warn } from '../options';

/** What `validate --json` prints. Stable: scripts depend on these names. */
export interface LabFacts {
  readonly file: string;
  readonly name: string;
  readonly mode: 'sticky' | 'non-sticky';
  readonly tomcat: { readonly version: string; readonly java: number };
  readonly serializer: string;
  readonly url: string;
  readonly bind: { readonly address: string; readonly port: number };
  /** The images deployed with these options. */
  readonly images: ResolvedLab['images'];
  /** Stand-ins in use (with --stand-ins), by role: tag and images.sh arguments. */
  readonly standIns: ResolvedLab['standIns'];
  readonly outDir: string;
  readonly stackDir: string;
  readonly statePath: string;
  readonly network: { readonly name: string; readonly subnet: string };
  readonly containers: { readonly tomcat: string[]; readonly memcached: string[]; readonly redis?: string; readonly loadBalancer: string };
  /** Where sessions are stored: memcached (the nodes above) or redis. */
  readonly store: ResolvedLab['store'];
  /** The sample app's page (verify's probe): `url` plus its context path. */
  readonly probeUrl: string;
  /** The page `up` prints: your first app, else the sample app (ResolvedLab.appUrl). */
  readonly appUrl: string;
  /** The webapps: context path and absolute source (none for the sample app). */
  readonly webapps: Array<{ readonly contextPath: string; readonly source?: string }>;
  /** Advice that applies (setups that run but lose data or expose the lab). */
  readonly warnings: Array<{ readonly path: string; readonly message: string }>;
  /** A Swarm lab only: its manager, registry, the images as the Swarm pulls them, where each node runs, and whether the manager is the test cluster's. */
  readonly swarm?: { readonly manager: string; readonly registry: string; readonly images: ResolvedLab['images']; readonly placement: Record<string, string>; readonly testCluster: boolean };
  /** A Kubernetes lab only: kubeconfig, namespace, NodePort, the images the nodes run, where each pod runs, and whether it is the test cluster. */
  readonly kubernetes?: ResolvedKubernetes;
}

export function labFacts(file: string, lab: ResolvedLab, outDir: string, warnings: LabFacts['warnings'] = []): LabFacts {
  return {
    file: resolve(file),
    name: lab.name,
    mode: lab.sticky ? 'sticky' : 'non-sticky',
    tomcat: { version: lab.tomcatVersion, java: lab.javaVersion },
    serializer: lab.serializer,
    url: lab.url,
    bind: { address: lab.loadBalancer.bindAddress, port: lab.loadBalancer.port },
    images: lab.images,
    standIns: lab.standIns,
    outDir: resolve(outDir),
    stackDir: resolve(outDir, CDKTF_SUBDIR, 'stacks', lab.name),
    statePath: statePathFor(lab.name, outDir),
    network: { name: lab.networkName, subnet: lab.subnet },
    containers: { tomcat: lab.tomcats.map((t) => t.name), memcached: lab.memcacheds.map((m) => m.name), ...(lab.redis ? { redis: lab.redis.name } : {}), loadBalancer: lab.loadBalancer.name },
    store: lab.store,
    probeUrl: lab.probeUrl,
    appUrl: lab.appUrl,
    webapps: lab.webapps.map((w) => ({ contextPath: w.contextPath, source: w.source })),
    warnings,
    ...(lab.swarm
      ? {
          swarm: {
            manager: lab.swarm.manager,
            registry: lab.swarm.registry,
            images: lab.swarm.images,
            placement: Object.fromEntries(Object.entries(lab.swarm.placement).map(([n, p]) => [n, p.where])),
            testCluster: lab.swarm.manager === SWARM_TEST_CLUSTER.manager,
          },
        }
      : {}),
    ...(lab.kubernetes ? { kubernetes: lab.kubernetes } : {}),
  };
}

/** The URL, and where nginx really listens when that is not the URL's host (0.0.0.0: every interface). */
/** Where the lab answers: `page` (a URL under lab.url, @default lab.url), and how nginx listens when that is not plain. */
export function bindText(lab: ResolvedLab, page: string = lab.url): string {
  const { bindAddress, port } = lab.loadBalancer;
  if (lab.kubernetes) return `${page} (nginx's NodePort on ${lab.kubernetes.nodeAddress}, namespace ${lab.kubernetes.namespace})`;
  if (lab.loadBalancer.tls !== undefined) return `${page} (TLS; http://${bindAddress}:${port}/ redirects to it)`;
  if (lab.url === `http://${bindAddress}:${port}/`) return page;
  return `${page} (nginx listens on ${bindAddress}:${port}${bindAddress === '0.0.0.0' ? ', every interface of this host' : ''})`;
}

export function register(program: Command): void {
  const cmd = program.command('validate').description('check a lab config against every msm rule (--json: the lab facts scripts use)');
  standInsOption(outOption(configOption(cmd)))
    .option('--json', 'print the lab facts as JSON (name, url, images, paths, containers)')
    .action((o: { config: string; out: string; json?: boolean; standIns?: boolean }) => {
      const cfg = loadConfig(o.config);
      const lab = resolveLab(cfg, { standIns: o.standIns });
      if (o.json) {
        process.stdout.write(JSON.stringify(labFacts(o.config, lab, o.out, configWarnings(cfg)), null, 2) + '\n');
        return;
      }
      warn(o.config, cfg);
      console.log(
        `${o.config}: valid — ${lab.sticky ? 'sticky' : 'non-sticky'}, Tomcat ${lab.tomcatVersion} on Java ${lab.javaVersion}, ` +
          `${lab.tomcats.length} Tomcat × ${lab.redis ? `Redis (${lab.redis.name})` : `${lab.memcacheds.length} memcached`}, serializer ${lab.serializer}, ${bindText(lab)}` +
          (lab.webapps.length > 1 || lab.webapps[0].source !== undefined ? `; webapps ${lab.webapps.map((w) => `${w.contextPath} (${w.source === undefined ? 'sample app' : basename(w.source)})`).join(', ')}` : ''),
      );
    });
}
