/**
 * The lab's monitoring: where each piece listens, what it is called, and the
 * resolved view (config `monitoring`) every renderer, construct and command reads.
 * Each fact lives here once.
 *
 * One Prometheus per lab scrapes, over the lab network only:
 * - every Tomcat's JMX exporter java agent (Tomcat's session counts and request
 *   counters, msm's statistics: backups, failures, failovers);
 * - the nginx exporter, reading nginx's stub_status on a private port;
 * - one memcached exporter (multi-target: /scrape?target=<node>) for all memcached
 *   nodes, or one Redis exporter for the Redis node.
 * Prometheus alone is published, on 127.0.0.1.
 */
import { CATALINA_HOME } from './layout';

/** Where the JMX exporter agent listens inside every Tomcat container (never published). */
export const JMX_EXPORTER_PORT = 9404;
/** Prometheus's own port inside its container. */
export const PROMETHEUS_PORT = 9090;
/** The nginx exporter's port (its image's default). */
export const NGINX_EXPORTER_PORT = 9113;
/** The memcached exporter's port (its image's default). */
export const MEMCACHED_EXPORTER_PORT = 9150;
/** The Redis exporter's port (its image's default). */
export const REDIS_EXPORTER_PORT = 9121;
/** nginx's stub_status: a server on this port in the lab network, never published. */
export const NGINX_STATUS_PORT = 8081;
export const NGINX_STATUS_PATH = '/stub_status';
/** The agent and its rules in the Tomcat image (templates/monitoring/jmx-exporter.yaml). */
export const JMX_EXPORTER_DIR = `${CATALINA_HOME}/msm-kit`;
export const JMX_EXPORTER_CONFIG = `${JMX_EXPORTER_DIR}/jmx-exporter.yaml`;
/** Where Prometheus reads its configuration (uploaded by the stack). */
export const PROMETHEUS_CONFIG_PATH = '/etc/prometheus/prometheus.yml';
/** Prometheus's job names: what `msm-kit status` queries by. */
export const SCRAPE_JOBS = { tomcat: 'tomcat', nginx: 'nginx', memcached: 'memcached', redis: 'redis' } as const;
/** Default scrape interval of a lab's Prometheus, in seconds. */
export const DEFAULT_SCRAPE_SECONDS = 5;
/** How long a lab's Prometheus keeps samples. */
export const PROMETHEUS_RETENTION = '1d';

/** Whether a config deploys monitoring: `monitoring.enabled`, by default on one engine and off on Swarm. */
export function monitoringEnabled(c: { readonly monitoring: { readonly enabled?: boolean }; readonly engine?: unknown }): boolean {
  return c.monitoring.enabled ?? c.engine === undefined;
}

/** The monitoring's containers are named after the lab: `<lab>-prometheus`, `<lab>-nginx-exporter`, `<lab>-memcached-exporter` / `<lab>-redis-exporter`. */
export function monitoringContainerName(lab: string, part: 'prometheus' | 'nginx-exporter' | 'memcached-exporter' | 'redis-exporter'): string {
  return `${lab}-${part}`;
}

/** One container of the monitoring. */
export interface MonitoringContainer {
  readonly name: string;
  readonly ip: string;
}

/** The monitoring of a lab (config `monitoring`), resolved once. */
export interface ResolvedMonitoring {
  readonly prometheus: MonitoringContainer & {
    /** Host port Prometheus is published on, on 127.0.0.1. @default absent: a free port the engine picks (`msm-kit status` asks the engine) */
    readonly hostPort?: number;
  };
  readonly nginxExporter: MonitoringContainer;
  /**
   * The store's exporter: memcached (every node, multi-target) or Redis.
   * @default absent in a SASL lab: the memcached exporter cannot authenticate
   */
  readonly storeExporter?: MonitoringContainer & { readonly kind: 'memcached' | 'redis' };
  readonly scrapeSeconds: number;
}

/** The JMX exporter java agent's version (the jar, pinned by SHA-256, is in jars/manifest.ts) and its file in the image. */
export const JMX_EXPORTER_VERSION = '1.0.1';
export const JMX_EXPORTER_AGENT_FILE = `jmx_prometheus_javaagent-${JMX_EXPORTER_VERSION}.jar`;

/** The -javaagent option every Tomcat of a monitored lab gets. */
export function jmxAgentOption(): string {
  return `-javaagent:${JMX_EXPORTER_DIR}/${JMX_EXPORTER_AGENT_FILE}=${JMX_EXPORTER_PORT}:${JMX_EXPORTER_CONFIG}`;
}

/** How a JMX attribute becomes a Prometheus metric (the JMX exporter's rules, rendered by render/jmx-exporter-config.ts). */
export interface JmxMetric {
  /** The metric's name as Prometheus shows it. */
  readonly metric: string;
  /** The MBean attribute (Tomcat's Manager or GlobalRequestProcessor, msm's `msmStat*` getters on the Manager). */
  readonly attribute: string;
  readonly bean: 'Manager' | 'GlobalRequestProcessor';
  readonly type: 'COUNTER' | 'GAUGE';
  readonly help: string;
  /** Multiplies the value (milliseconds to seconds). @default 1 */
  readonly valueFactor?: number;
}

/**
 * What every Tomcat of a monitored lab exposes: Tomcat's session counts and request
 * counters, and msm's statistics (msm's Manager keeps them with enableStatistics, its
 * default; Tomcat's MBean registry exposes its getters by introspection).
 */
/**
 * Not here: Tomcat's `sessionCounter` (msm's createSession never counts it: always 0) and
 * msm's own String[] timing getters (`msmStat*Info`: the JMX exporter reads numbers only;
 * the kit's Manager gives the backup, load and size probes as numbers instead).
 */
export const JMX_METRICS: readonly JmxMetric[] = [
  { metric: 'tomcat_sessions_active', bean: 'Manager', attribute: 'activeSessions', type: 'GAUGE', help: 'Sessions this Tomcat holds in memory now (per webapp).' },
  { metric: 'tomcat_sessions_expired_total', bean: 'Manager', attribute: 'expiredSessions', type: 'COUNTER', help: 'Sessions that expired on this Tomcat (per webapp).' },
  { metric: 'tomcat_sessions_rejected_total', bean: 'Manager', attribute: 'rejectedSessions', type: 'COUNTER', help: 'Sessions refused for maxActiveSessions (per webapp).' },
  { metric: 'msm_requests_with_session_total', bean: 'Manager', attribute: 'msmStatNumRequestsWithSession', type: 'COUNTER', help: 'Requests that had a session (msm).' },
  { metric: 'msm_requests_without_session_total', bean: 'Manager', attribute: 'msmStatNumRequestsWithoutSession', type: 'COUNTER', help: 'Requests without a session (msm).' },
  { metric: 'msm_requests_unmodified_session_total', bean: 'Manager', attribute: 'msmStatNumNoSessionModification', type: 'COUNTER', help: 'Requests whose session msm did not write again: unchanged (msm).' },
  { metric: 'msm_backup_failures_total', bean: 'Manager', attribute: 'msmStatNumBackupFailures', type: 'COUNTER', help: 'Session writes to the store that failed (msm).' },
  { metric: 'msm_tomcat_failovers_total', bean: 'Manager', attribute: 'msmStatNumTomcatFailover', type: 'COUNTER', help: 'Sessions loaded from the store after another Tomcat served them (msm, sticky mode).' },
  { metric: 'msm_memcached_failovers_total', bean: 'Manager', attribute: 'msmStatNumMemcachedFailover', type: 'COUNTER', help: 'Sessions moved to another memcached node because theirs failed (msm).' },
  { metric: 'msm_non_sticky_ping_failures_total', bean: 'Manager', attribute: 'msmStatNumNonStickySessionsPingFailed', type: 'COUNTER', help: 'Non-sticky session pings to the store that failed (msm).' },
  // msm's probes as numbers: the kit's Manager (tools/java/kit-manager, getMsmKit*) reads them for the exporter.
  { metric: 'msm_backups_timed_total', bean: 'Manager', attribute: 'msmKitBackupCount', type: 'COUNTER', help: 'Session backups msm wrote to the store and timed (msm, through the kit\'s Manager).' },
  { metric: 'msm_backup_seconds_avg', bean: 'Manager', attribute: 'msmKitBackupMillisAvg', type: 'GAUGE', help: 'Average time of a session backup since the Tomcat started (msm).', valueFactor: 0.001 },
  { metric: 'msm_backup_seconds_max', bean: 'Manager', attribute: 'msmKitBackupMillisMax', type: 'GAUGE', help: 'Longest session backup since the Tomcat started (msm).', valueFactor: 0.001 },
  { metric: 'msm_loads_timed_total', bean: 'Manager', attribute: 'msmKitLoadCount', type: 'COUNTER', help: 'Sessions msm loaded from the store and timed (msm).' },
  { metric: 'msm_load_seconds_avg', bean: 'Manager', attribute: 'msmKitLoadMillisAvg', type: 'GAUGE', help: 'Average time to load a session from the store since the Tomcat started (msm).', valueFactor: 0.001 },
  { metric: 'msm_session_bytes_avg', bean: 'Manager', attribute: 'msmKitSessionBytesAvg', type: 'GAUGE', help: 'Average size of a session as stored, serialized, in bytes (msm).' },
  { metric: 'msm_session_bytes_max', bean: 'Manager', attribute: 'msmKitSessionBytesMax', type: 'GAUGE', help: 'Largest session stored since the Tomcat started, serialized, in bytes (msm).' },
  { metric: 'tomcat_requests_total', bean: 'GlobalRequestProcessor', attribute: 'requestCount', type: 'COUNTER', help: 'Requests this Tomcat served (per connector).' },
  { metric: 'tomcat_request_errors_total', bean: 'GlobalRequestProcessor', attribute: 'errorCount', type: 'COUNTER', help: 'Requests answered with an error status (per connector).' },
  { metric: 'tomcat_request_processing_seconds_total', bean: 'GlobalRequestProcessor', attribute: 'processingTime', type: 'COUNTER', help: 'Time spent serving requests (per connector).', valueFactor: 0.001 },
];
