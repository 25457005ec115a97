/**
 * The validated config turned into what everything downstream reads: names,
 * addresses, image names, msm's memcachedNodes string, the transcoder class,
 * JVM options, every default resolved once. Renderers, constructs, the stack
 * and the commands read a ResolvedLab, never the raw config.
 */
import { ENV_PROPERTY_SOURCE_OPT, usesSasl } from './secrets';
import { memcachedSaslStandIn, memcachedStandIn, MONITORING_STAND_INS, nginxStandIn, OFFICIAL_IMAGES, officialTomcatImage, redisStandIn, tomcatStandIn, type ImageRole, type MonitoringRole, type StandIn } from './images';
import { jmxAgentOption, monitoringContainerName, monitoringEnabled, type ResolvedMonitoring } from './monitoring';
import { ADDRESS_PLAN, BASE_JVM_OPTIONS, KIT_PROBE_CONTEXT, SAMPLE_WEBAPP_SOURCE, TOMCAT_HEALTH_PATH, WEBAPPS_DIR } from './layout';
import { TRANSCODER_FACTORIES } from './msm';
import { resolveKubernetes, type ResolvedKubernetes } from './kubernetes';
import { resolveSwarm, type ResolvedSwarm } from './swarm';
import { DEFAULT_HEAP_MB, memcachedNodesOf, type GcName, type JavaVersionNumber, type LabConfig, type ManagerConfig, type SerializerName, type TomcatVersionName } from './schema';
import { contextDirName, isSample } from './webapps';

export interface ResolvedTomcat {
  readonly name: string;
  readonly jvmRoute?: string;
  readonly ip: string;
  /** CATALINA_OPTS of this node: heap, serializer options, -DjvmRoute. */
  readonly catalinaOpts: string;
}

export interface ResolvedWebapp {
  /** `/` or `/shop`. */
  readonly contextPath: string;
  /** Absolute path of the WAR or directory; undefined for the kit's sample app. */
  readonly source?: string;
  /** Tomcat's directory name for the context path (`ROOT`, `shop`, `a#b`). */
  readonly dirName: string;
  /** Where the app lives in the image (`/usr/local/tomcat/webapps/shop`). */
  readonly dir: string;
}

export interface ResolvedMemcached {
  readonly id: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly ip: string;
}

/**
 * msm <Manager> attributes written as set in the config (msm's own names).
 * sticky, failoverNodes, serializer and formLoginWorkaround (not msm's) are resolved separately.
 */
export type ManagerSettings = Omit<ManagerConfig, 'sticky' | 'failoverNodes' | 'serializer' | 'formLoginWorkaround'>;

/** A lab with a Redis store: its one node (msm memcachedNodes="redis://host:port"). */
export interface ResolvedRedis {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly ip: string;
}

/** Where sessions are stored: memcached nodes (msm's default) or one Redis node. */
export type StoreKind = 'memcached' | 'redis';

export interface ResolvedImages {
  readonly tomcat: string;
  /** The memcached image. @default absent in a Redis lab, which runs none */
  readonly memcached?: string;
  /** The Redis image. @default absent: the lab stores sessions in memcached */
  readonly redis?: string;
  readonly nginx: string;
  /** The monitoring's images (config `monitoring`). @default absent: no monitoring */
  readonly prometheus?: string;
  readonly nginxExporter?: string;
  /** @default absent unless a monitored memcached lab without SASL */
  readonly memcachedExporter?: string;
  /** @default absent unless a monitored Redis lab */
  readonly redisExporter?: string;
}

export interface ResolveOptions {
  /**
   * Use the kit's offline stand-ins for every image the config leaves at its
   * official default (machines without a registry).
   * @default false
   */
  readonly standIns?: boolean;
}

export interface ResolvedLab {
  readonly name: string;
  readonly sticky: boolean;
  readonly tomcatVersion: TomcatVersionName;
  readonly javaVersion: JavaVersionNumber;
  readonly serializer: SerializerName;
  readonly manager: ManagerSettings;
  /** msm failoverNodes (sticky mode); empty when none. */
  readonly failoverNodes: readonly string[];
  /** manager.formLoginWorkaround: context.xml gets FormAuthenticator with changeSessionIdOnAuthentication="false" (config/form-login.ts). */
  readonly formLoginWorkaround: boolean;
  readonly dockerHost: string;
  readonly networkName: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly tomcats: readonly ResolvedTomcat[];
  /** The store msm writes sessions to. */
  readonly store: StoreKind;
  /** The memcached nodes (none in a Redis lab). */
  readonly memcacheds: readonly ResolvedMemcached[];
  /** Heap and GC options in every Tomcat's CATALINA_OPTS (tomcat.heapMb, tomcat.gc). */
  readonly jvmSizing: readonly string[];
  /** Each Tomcat's heap in MiB (tomcat.heapMb): a Kubernetes pod's memory request is sized from it. */
  readonly heapMb: number;
  /** The HTTP connector's maxThreads (tomcat.maxThreads). @default absent: Tomcat's 200 */
  readonly maxThreads?: number;
  /** Worker threads of every memcached node (memcached.threads, memcached -t). @default absent: memcached's 4 */
  readonly memcachedThreads?: number;
  /** The Redis node. @default absent: memcached */
  readonly redis?: ResolvedRedis;
  readonly loadBalancer: LabConfig['loadBalancer'] & { readonly ip: string };
  /** The images deployed (stand-ins when asked for). */
  readonly images: ResolvedImages;
  /** The stand-ins in use, by role (empty unless `standIns`). */
  readonly standIns: Partial<Record<ImageRole, StandIn>>;
  /** msm's memcachedNodes attribute: `id:host:port` joined by a single comma, or `redis://host:port`. */
  readonly memcachedNodes: string;
  readonly transcoderFactoryClass: string;
  /** JVM options every Tomcat gets (heap, and what the serializer needs on this Java). */
  readonly javaOpts: string;
  /** The URL the lab answers on, from the host. */
  readonly url: string;
  /** The webapps, in config order (the sample app among them). */
  readonly webapps: readonly ResolvedWebapp[];
  /** The kit's sample app (verify's probe, the Tomcat health check): listed in the config, or added at KIT_PROBE_CONTEXT. */
  readonly sampleWebapp: ResolvedWebapp;
  /** The sample app's page through nginx (verify's and the drills' probe): `url` plus its context path. */
  readonly probeUrl: string;
  /** The page `up` prints: the first of your own webapps through nginx, else the sample app's page (probeUrl). */
  readonly appUrl: string;
  /** The sample app's static file a Tomcat's health check GETs. */
  readonly tomcatHealthPath: string;
  /** Set for a Swarm lab (config `engine`): placements, registry, manager. @default absent: one engine */
  readonly swarm?: ResolvedSwarm;
  /** Set for a Kubernetes lab (config `engine.kind = "kubernetes"`): cluster, namespace, placements, images. @default absent: one engine */
  readonly kubernetes?: ResolvedKubernetes;
  /** Prometheus and the exporters (config `monitoring`). @default absent: monitoring.enabled false, or a Swarm lab */
  readonly monitoring?: ResolvedMonitoring;
}

/**
 * The monitoring of a config: on by default on one engine, off on Swarm (the rule
 * monitoring-not-on-swarm refuses it there). No memcached exporter in a SASL lab: it
 * cannot authenticate (config/advice.ts says so).
 */
export function monitoringOf(config: LabConfig, at: (offset: number) => string): ResolvedMonitoring | undefined {
  if (!monitoringEnabled(config)) return undefined;
  const o = ADDRESS_PLAN.monitoring;
  const kind = config.redis ? 'redis' : usesSasl(config.manager) ? undefined : 'memcached';
  return {
    prometheus: { name: monitoringContainerName(config.name, 'prometheus'), ip: at(o), ...(config.monitoring.port !== undefined ? { hostPort: config.monitoring.port } : {}) },
    nginxExporter: { name: monitoringContainerName(config.name, 'nginx-exporter'), ip: at(o + 1) },
    ...(kind ? { storeExporter: { name: monitoringContainerName(config.name, `${kind}-exporter`), ip: at(o + 2), kind } } : {}),
    scrapeSeconds: config.monitoring.scrapeSeconds,
  };
}

/** The store's containers: the memcached nodes, or the Redis node. */
export function storeNames(lab: Pick<ResolvedLab, 'memcacheds' | 'redis'>): string[] {
  return [...lab.memcacheds.map((m) => m.name), ...(lab.redis ? [lab.redis.name] : [])];
}

function webappsOf(config: LabConfig): { webapps: ResolvedWebapp[]; sampleWebapp: ResolvedWebapp; tomcatHealthPath: string } {
  // Your apps only: the kit's own sample app goes beside them, at a path of the kit's (rules.ts keeps it free).
  const listed = config.webapps.some((w) => isSample(w.source)) ? config.webapps : [...config.webapps, { contextPath: KIT_PROBE_CONTEXT, source: SAMPLE_WEBAPP_SOURCE }];
  const webapps = listed.map((w) => ({
    contextPath: w.contextPath,
    source: isSample(w.source) ? undefined : w.source,
    dirName: contextDirName(w.contextPath),
    dir: `${WEBAPPS_DIR}/${contextDirName(w.contextPath)}`,
  }));
  const sampleWebapp = webapps.find((w) => w.source === undefined)!;
  return { webapps, sampleWebapp, tomcatHealthPath: `${sampleWebapp.contextPath === '/' ? '' : sampleWebapp.contextPath}${TOMCAT_HEALTH_PATH}` };
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Network base address and prefix of a CIDR (host bits cleared). */
export function subnetBase(cidr: string): { base: number; prefix: number } {
  const [ip, p] = cidr.split('/');
  const prefix = Number(p);
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(ipToInt(ip) / size) * size, prefix };
}

/**
 * XStream 1.4.7 reflects into JDK internals in static initializers; on Java 9+
 * msm's manager then fails to start (InaccessibleObjectException: module
 * java.base does not "opens java.text"). These opens let it run.
 */
export const XSTREAM_OPENS = ['java.base/java.lang', 'java.base/java.lang.reflect', 'java.base/java.text', 'java.base/java.util', 'java.base/java.util.concurrent', 'java.base/java.util.concurrent.atomic', 'java.base/java.net', 'java.base/java.util.regex', 'java.desktop/java.awt.font'];

/**
 * msm's Kryo (kryo 4.0.0 + kryo-serializers 0.45) on Java 9+ reflects into the
 * classes it serializes: java.util is the minimum for a session at all; the rest
 * for common attribute types (AtomicInteger, URI/InetAddress, Pattern,
 * SimpleDateFormat). Java 8 knows no --add-opens and must not get them.
 */
export const KRYO_OPENS = ['java.base/java.lang', 'java.base/java.util', 'java.base/java.util.concurrent', 'java.base/java.util.concurrent.atomic', 'java.base/java.net', 'java.base/java.util.regex', 'java.base/java.text'];

/** The -XX flag of each collector tomcat.gc names. */
export const GC_FLAGS: Readonly<Record<GcName, string>> = { serial: '-XX:+UseSerialGC', parallel: '-XX:+UseParallelGC', g1: '-XX:+UseG1GC' };

/** Heap (-Xms half of -Xmx) and, when set, the collector: the JVM options tomcat.heapMb and tomcat.gc make. */
export function jvmSizing(heapMb: number = DEFAULT_HEAP_MB, gc?: GcName): string[] {
  return [`-Xms${Math.floor(heapMb / 2)}m`, `-Xmx${heapMb}m`, ...(gc ? [GC_FLAGS[gc]] : [])];
}

/** The `--add-opens` options a serializer needs on a Java version (none on Java 8, which knows no --add-opens). */
export function addOpens(serializer: SerializerName, java: number): string[] {
  if (java < 9) return [];
  const opens = serializer === 'xstream' ? XSTREAM_OPENS : serializer === 'kryo' ? KRYO_OPENS : [];
  return opens.map((m) => `--add-opens=${m}=ALL-UNNAMED`);
}

export function javaOptions(serializer: SerializerName, java: JavaVersionNumber, sizing: readonly string[] = jvmSizing()): string {
  return [...sizing, ...BASE_JVM_OPTIONS, ...addOpens(serializer, java)].join(' ');
}

function images(config: LabConfig, standIns: boolean, monitoring: ResolvedMonitoring | undefined): { images: ResolvedImages; standIns: Partial<Record<ImageRole, StandIn>> } {
  const { version, javaVersion } = config.tomcat;
  // `only`: no official image does what the lab needs, so the stand-in is used even without
  // --stand-ins (SASL: the official memcached image has no user database the kit can fill).
  const candidates: Record<ImageRole, { set?: string; official: string; standIn: () => StandIn; only?: boolean }> = {
    redis: { set: config.images.redis, official: OFFICIAL_IMAGES.redis, standIn: redisStandIn },
    tomcat: { set: config.images.tomcat, official: officialTomcatImage(version, javaVersion), standIn: () => tomcatStandIn(version, javaVersion) },
    memcached: usesSasl(config.manager)
      ? { set: config.images.memcached, official: OFFICIAL_IMAGES.memcached, standIn: memcachedSaslStandIn, only: true }
      : { set: config.images.memcached, official: OFFICIAL_IMAGES.memcached, standIn: memcachedStandIn },
    nginx: { set: config.images.nginx, official: OFFICIAL_IMAGES.nginx, standIn: nginxStandIn },
    ...(Object.fromEntries(
      (Object.keys(MONITORING_STAND_INS) as MonitoringRole[]).map((r) => [r, { set: config.images[r], official: OFFICIAL_IMAGES[r], standIn: MONITORING_STAND_INS[r] }]),
    ) as Record<MonitoringRole, { set?: string; official: string; standIn: () => StandIn }>),
  };
  const used: Partial<Record<ImageRole, StandIn>> = {};
  const out: Partial<Record<ImageRole, string>> = {};
  const monitored: MonitoringRole[] = monitoring ? ['prometheus', 'nginxExporter', ...(monitoring.storeExporter ? [monitoring.storeExporter.kind === 'redis' ? ('redisExporter' as const) : ('memcachedExporter' as const)] : [])] : [];
  // Only the images the lab runs: a Redis lab runs no memcached, a memcached lab no Redis.
  for (const role of ['tomcat', config.redis ? 'redis' : 'memcached', 'nginx', ...monitored] as const) {
    const c = candidates[role];
    if (c.set !== undefined) out[role] = c.set;
    else if (standIns || c.only === true) {
      used[role] = c.standIn();
      out[role] = used[role].tag;
    } else out[role] = c.official;
  }
  // Only the images the lab runs, in a fixed order.
  const { tomcat, nginx, memcached, redis, ...rest } = out;
  return { images: { tomcat: tomcat!, ...(redis ? { redis } : { memcached }), nginx: nginx!, ...rest }, standIns: used };
}

/** A webapp's page under a base URL (its context path, with the trailing slash Tomcat redirects to). */
const contextUrl = (w: ResolvedWebapp, base: string): string => new URL(w.contextPath.replace(/\/?$/, '/'), base).href;

export function resolveLab(config: LabConfig, opts: ResolveOptions = {}): ResolvedLab {
  const apps = webappsOf(config);
  const { base, prefix } = subnetBase(config.network.subnet);
  const at = (offset: number) => intToIp(base + offset);
  const memcacheds = memcachedNodesOf(config).map((n, i) => ({
    id: n.id,
    name: n.name,
    host: n.host ?? n.name,
    port: n.port,
    ip: at(ADDRESS_PLAN.memcached + i),
  }));
  // The Redis node takes the first store address, where a memcached lab's first node sits.
  const redis = config.redis && { name: config.redis.name, host: config.redis.host ?? config.redis.name, port: config.redis.port, ip: at(ADDRESS_PLAN.memcached) };
  const { sticky, failoverNodes, serializer, formLoginWorkaround, ...manager } = config.manager;
  const sizing = jvmSizing(config.tomcat.heapMb, config.tomcat.gc);
  const baseOpts = [javaOptions(serializer, config.tomcat.javaVersion, sizing), ...(config.tomcat.jvmOptions ?? [])].join(' ');
  // SASL: context.xml names the secrets as ${ENV}; Tomcat substitutes them from its environment.
  const monitoring = monitoringOf(config, at);
  const withSecrets = usesSasl(manager) ? `${baseOpts} ${ENV_PROPERTY_SOURCE_OPT}` : baseOpts;
  const javaOpts = monitoring ? `${withSecrets} ${jmxAgentOption()}` : withSecrets;
  const lbUrlHost = config.loadBalancer.bindAddress === '0.0.0.0' ? '127.0.0.1' : config.loadBalancer.bindAddress;
  const labUrl = config.loadBalancer.tls === undefined ? `http://${lbUrlHost}:${config.loadBalancer.port}/` : `https://${lbUrlHost}:${config.loadBalancer.httpsPort}/`;
  const lab: ResolvedLab = {
    name: config.name,
    sticky,
    tomcatVersion: config.tomcat.version,
    javaVersion: config.tomcat.javaVersion,
    serializer,
    manager,
    failoverNodes: failoverNodes ?? [],
    formLoginWorkaround,
    dockerHost: config.docker.host,
    networkName: config.network.name ?? `${config.name}-net`,
    subnet: `${intToIp(base)}/${prefix}`,
    gateway: at(ADDRESS_PLAN.gateway),
    tomcats: config.tomcat.nodes.map((n, i) => ({
      name: n.name,
      jvmRoute: n.jvmRoute,
      ip: at(ADDRESS_PLAN.tomcat + i),
      catalinaOpts: n.jvmRoute ? `${javaOpts} -DjvmRoute=${n.jvmRoute}` : javaOpts,
    })),
    store: redis ? 'redis' : 'memcached',
    memcacheds,
    jvmSizing: sizing,
    heapMb: config.tomcat.heapMb,
    ...(config.tomcat.maxThreads !== undefined ? { maxThreads: config.tomcat.maxThreads } : {}),
    ...(config.memcached?.threads !== undefined ? { memcachedThreads: config.memcached.threads } : {}),
    ...(redis ? { redis } : {}),
    loadBalancer: { ...config.loadBalancer, ip: at(ADDRESS_PLAN.loadBalancer) },
    ...images(config, opts.standIns ?? false, monitoring),
    ...(monitoring ? { monitoring } : {}),
    memcachedNodes: redis ? `redis://${redis.host}:${redis.port}` : memcacheds.map((m) => `${m.id}:${m.host}:${m.port}`).join(','),
    transcoderFactoryClass: TRANSCODER_FACTORIES[serializer],
    javaOpts,
    url: labUrl,
    ...apps,
    probeUrl: contextUrl(apps.sampleWebapp, labUrl),
    appUrl: contextUrl(apps.webapps.find((w) => w.source !== undefined) ?? apps.sampleWebapp, labUrl),
  };
  if (!config.engine) return lab;
  // Swarm or Kubernetes: placement in spread order (memcached, Tomcat, nginx).
  const names = [...lab.memcacheds.map((m) => m.name), ...lab.tomcats.map((t) => t.name), lab.loadBalancer.name];
  const { memcached } = lab.images;
  if (memcached === undefined) throw new Error(`a ${config.engine.kind} lab stores sessions in memcached (the rule redis-not-on-swarm-or-kubernetes refuses Redis there)`);
  if (config.engine.kind === 'kubernetes') {
    const kubernetes = resolveKubernetes(config.engine, config.name, names, { ...lab.images, memcached });
    // nginx's NodePort on a node's address is the lab's URL (no TLS on Kubernetes yet: the rule tls-not-on-kubernetes).
    const url = `http://${kubernetes.nodeAddress}:${kubernetes.nodePort}/`;
    return { ...lab, kubernetes, url, probeUrl: contextUrl(apps.sampleWebapp, url), appUrl: contextUrl(apps.webapps.find((w) => w.source !== undefined) ?? apps.sampleWebapp, url) };
  }
  // A Swarm lab: the provider talks to the manager.
  return { ...lab, dockerHost: config.engine.manager, swarm: resolveSwarm(config.engine, names, { ...lab.images, memcached }) };
}
