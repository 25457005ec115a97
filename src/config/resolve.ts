/**
 * Derived values of a validated config, computed once: addresses, image names,
 * msm's memcachedNodes string, the transcoder class and the jar set.
 * Renderers and constructs read this, never the raw config.
 */
import { jarSet, TRANSCODER_FACTORIES, type Jar } from '../jars/manifest';
import type { LabConfig } from './schema';

export const TOMCAT_PORT = 8080;
export const CATALINA_HOME = '/usr/local/tomcat';
/** Where the webapp (the sample app, deployed as ROOT) lives in the Tomcat image. */
export const WEBAPP_DIR = `${CATALINA_HOME}/webapps/ROOT`;

export interface ResolvedTomcat {
  readonly name: string;
  readonly jvmRoute?: string;
  readonly ip: string;
}

export interface ResolvedMemcached {
  readonly id: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly ip: string;
}

export interface ResolvedLab {
  readonly config: LabConfig;
  readonly name: string;
  readonly sticky: boolean;
  readonly networkName: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly tomcats: readonly ResolvedTomcat[];
  readonly memcacheds: readonly ResolvedMemcached[];
  readonly loadBalancer: LabConfig['loadBalancer'] & { readonly ip: string };
  readonly images: { readonly tomcat: string; readonly memcached: string; readonly nginx: string };
  /** msm's memcachedNodes attribute: `id:host:port` joined by a single comma. */
  readonly memcachedNodes: string;
  readonly transcoderFactoryClass: string;
  readonly jars: readonly Jar[];
  /** JVM options every Tomcat gets (heap, and what the serializer needs on this Java). */
  readonly javaOpts: string;
  /** The URL the lab answers on, from the host. */
  readonly url: string;
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

/** Fixed address plan: .1 gateway, .2 nginx, .10+ memcached, .40+ Tomcat. */
export const ADDRESS_PLAN = { gateway: 1, loadBalancer: 2, memcached: 10, tomcat: 40 } as const;

export function defaultTomcatImage(version: LabConfig['tomcat']['version'], java: number): string {
  return `tomcat:${version === '9' ? '9.0' : version === '7' ? '7.0' : '8.5'}-jre${java}`;
}

/**
 * XStream 1.4.7 reflects into JDK internals in static initializers; on Java 9+
 * msm's manager then fails to start (InaccessibleObjectException: module
 * java.base does not "opens java.text"). These opens let it run.
 */
export const XSTREAM_OPENS = ['java.base/java.lang', 'java.base/java.lang.reflect', 'java.base/java.text', 'java.base/java.util', 'java.base/java.util.concurrent', 'java.desktop/java.awt.font'];

/**
 * msm's Kryo (kryo 4.0.0 + kryo-serializers 0.45) on Java 9+ reflects into the
 * classes it serializes: java.util is the minimum for a session at all; the rest
 * for common attribute types (AtomicInteger, URI/InetAddress, Pattern,
 * SimpleDateFormat). Java 8 knows no --add-opens and must not get them.
 */
export const KRYO_OPENS = ['java.base/java.lang', 'java.base/java.util', 'java.base/java.util.concurrent', 'java.base/java.util.concurrent.atomic', 'java.base/java.net', 'java.base/java.util.regex', 'java.base/java.text'];

export function javaOptions(config: LabConfig): string {
  const opts = ['-Xms128m', '-Xmx256m'];
  if (config.manager.serializer === 'xstream' && config.tomcat.javaVersion >= 9) opts.push(...XSTREAM_OPENS.map((m) => `--add-opens=${m}=ALL-UNNAMED`));
  if (config.manager.serializer === 'kryo' && config.tomcat.javaVersion >= 9) opts.push(...KRYO_OPENS.map((m) => `--add-opens=${m}=ALL-UNNAMED`));
  return opts.join(' ');
}

export function resolveLab(config: LabConfig): ResolvedLab {
  const { base, prefix } = subnetBase(config.network.subnet);
  const at = (offset: number) => intToIp(base + offset);
  const memcacheds = config.memcached.nodes.map((n, i) => ({
    id: n.id,
    name: n.name,
    host: n.host ?? n.name,
    port: n.port,
    ip: at(ADDRESS_PLAN.memcached + i),
  }));
  const lbUrlHost = config.loadBalancer.bindAddress === '0.0.0.0' ? '127.0.0.1' : config.loadBalancer.bindAddress;
  return {
    config,
    name: config.name,
    sticky: config.manager.sticky,
    networkName: config.network.name ?? `${config.name}-net`,
    subnet: `${intToIp(base)}/${prefix}`,
    gateway: at(ADDRESS_PLAN.gateway),
    tomcats: config.tomcat.nodes.map((n, i) => ({ name: n.name, jvmRoute: n.jvmRoute, ip: at(ADDRESS_PLAN.tomcat + i) })),
    memcacheds,
    loadBalancer: { ...config.loadBalancer, ip: at(ADDRESS_PLAN.loadBalancer) },
    images: {
      tomcat: config.images.tomcat ?? defaultTomcatImage(config.tomcat.version, config.tomcat.javaVersion),
      memcached: config.images.memcached ?? 'memcached:1.6',
      nginx: config.images.nginx ?? 'nginx:1.27',
    },
    memcachedNodes: memcacheds.map((m) => `${m.id}:${m.host}:${m.port}`).join(','),
    transcoderFactoryClass: TRANSCODER_FACTORIES[config.manager.serializer],
    jars: jarSet(config.tomcat.version, config.manager.serializer, config.tomcat.javaVersion),
    javaOpts: javaOptions(config),
    url: `http://${lbUrlHost}:${config.loadBalancer.port}/`,
  };
}
