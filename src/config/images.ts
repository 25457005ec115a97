/**
 * The images a lab runs: the official image names, and the kit's offline
 * stand-ins of them for machines without a registry (built by
 * scripts/setup/images.sh from Debian packages and Maven Central, with the
 * facts below passed as arguments). This is the one catalogue of both.
 *
 * A stand-in never pretends: its tag names what it really contains, the build
 * checks the Tomcat and Java versions from inside, and `msm-kit up` says loudly
 * when it deploys stand-ins.
 */
import type { JavaVersionNumber, TomcatVersionName } from './schema';

export { OFFICIAL_IMAGES } from './official-images';
import { OFFICIAL_IMAGES } from './official-images';

/** `tomcat:<major.minor>-jre<java>`, the official image for a Tomcat and Java version. */
export function officialTomcatImage(version: TomcatVersionName, java: JavaVersionNumber): string {
  return `tomcat:${TOMCAT_RELEASES[version].tag}-jre${java}`;
}

/** The Tomcat release each supported major version is built from (binary distribution on Maven Central). */
export const TOMCAT_RELEASES: Record<TomcatVersionName, { readonly tag: string; readonly release: string }> = {
  '7': { tag: '7.0', release: '7.0.109' },
  '8.5': { tag: '8.5', release: '8.5.100' },
  '9': { tag: '9.0', release: '9.0.117' },
  '10.1': { tag: '10.1', release: '10.1.59' },
  '11': { tag: '11.0', release: '11.0.24' },
};

/** The oldest Java each Tomcat runs on, where it is above 8 (Tomcat's own requirement: 10.1 is built for Java 11, 11 for Java 17). */
export const TOMCAT_MIN_JAVA: Partial<Record<TomcatVersionName, JavaVersionNumber>> = { '10.1': 11, '11': 17 };

/** Where each Java runtime comes from: the Debian suite that packages it. */
export const JAVA_RUNTIMES: Record<JavaVersionNumber, { readonly suite: string; readonly jrePackage: string }> = {
  8: { suite: 'sid', jrePackage: 'openjdk-8-jre-headless' },
  11: { suite: 'bullseye', jrePackage: 'openjdk-11-jre-headless' },
  17: { suite: 'bookworm', jrePackage: 'openjdk-17-jre-headless' },
  21: { suite: 'trixie', jrePackage: 'openjdk-21-jre-headless' },
};

export type ImageRole = 'tomcat' | 'memcached' | 'redis' | 'nginx' | MonitoringRole;
/** The images of a lab's monitoring (config `monitoring`). */
export type MonitoringRole = 'prometheus' | 'nginxExporter' | 'memcachedExporter' | 'redisExporter';

/** An offline stand-in: its tag and the arguments scripts/setup/images.sh builds it from. */
export interface StandIn {
  readonly role: ImageRole;
  /** The official image it stands in for. */
  readonly official: string;
  readonly tag: string;
  /** `images.sh` arguments (the script's first argument is the kind). */
  readonly buildArgs: readonly string[];
  /** What the stand-in really is, for the loud message. */
  readonly description: string;
}

const LOCAL = 'msm-kit-local';

export function memcachedStandIn(): StandIn {
  return { role: 'memcached', official: OFFICIAL_IMAGES.memcached, tag: `${LOCAL}/memcached:1.6`, buildArgs: ['memcached'], description: "Debian bookworm's memcached 1.6" };
}

/**
 * memcached with SASL (PLAIN, Cyrus sasldb) for labs with manager.username/password:
 * the entrypoint creates the user from MSM_KIT_SASL_USERNAME/_PASSWORD at container
 * start (the image holds no secret); the lab runs it with `-S`.
 */
export function memcachedSaslStandIn(): StandIn {
  return {
    role: 'memcached',
    official: OFFICIAL_IMAGES.memcached,
    tag: `${LOCAL}/memcached-sasl:1.6`,
    buildArgs: ['memcached-sasl'],
    description: "Debian bookworm's memcached 1.6 with Cyrus SASL (sasl2-bin, libsasl2-modules; user created at start)",
  };
}

/**
 * Redis for labs with a `redis` store: Debian bookworm's redis-server 7.0 (the official
 * default is redis:7.0), user redis, run by the lab with its own command line.
 */
export function redisStandIn(): StandIn {
  return { role: 'redis', official: OFFICIAL_IMAGES.redis, tag: `${LOCAL}/redis:7.0`, buildArgs: ['redis'], description: "Debian bookworm's redis-server 7.0" };
}

export function nginxStandIn(): StandIn {
  return { role: 'nginx', official: OFFICIAL_IMAGES.nginx, tag: `${LOCAL}/nginx:1.22`, buildArgs: ['nginx'], description: "Debian bookworm's nginx 1.22 (the official default is 1.27)" };
}

export function tomcatStandIn(version: TomcatVersionName, java: JavaVersionNumber): StandIn {
  const t = TOMCAT_RELEASES[version];
  const j = JAVA_RUNTIMES[java];
  const tag = `${LOCAL}/tomcat:${t.tag}-jre${java}`;
  return {
    role: 'tomcat',
    official: officialTomcatImage(version, java),
    tag,
    buildArgs: ['tomcat', '--tag', tag, '--tomcat-version', t.release, '--java', String(java), '--suite', j.suite, '--jre-package', j.jrePackage],
    description: `Tomcat ${t.release} on Debian ${j.suite}'s ${j.jrePackage}`,
  };
}

/**
 * The monitoring's stand-ins (scripts/setup/images.sh): Debian bookworm's packages, and
 * memcached_exporter (which Debian does not package) built from the Go module proxy.
 * Each has its official image's entrypoint, so the lab runs either with the same arguments.
 */
export const MONITORING_STAND_INS: Record<MonitoringRole, () => StandIn> = {
  prometheus: () => ({ role: 'prometheus', official: OFFICIAL_IMAGES.prometheus, tag: `${LOCAL}/prometheus:2.42`, buildArgs: ['prometheus'], description: "Debian bookworm's prometheus 2.42.0" }),
  nginxExporter: () => ({ role: 'nginxExporter', official: OFFICIAL_IMAGES.nginxExporter, tag: `${LOCAL}/nginx-exporter:0.11`, buildArgs: ['nginx-exporter'], description: "Debian bookworm's prometheus-nginx-exporter 0.11.0" }),
  memcachedExporter: () => ({ role: 'memcachedExporter', official: OFFICIAL_IMAGES.memcachedExporter, tag: `${LOCAL}/memcached-exporter:0.15`, buildArgs: ['memcached-exporter'], description: 'memcached_exporter v0.15.0 built with Go from the module proxy' }),
  redisExporter: () => ({ role: 'redisExporter', official: OFFICIAL_IMAGES.redisExporter, tag: `${LOCAL}/redis-exporter:1.45`, buildArgs: ['redis-exporter'], description: "Debian bookworm's prometheus-redis-exporter 1.45.0" }),
};
