/**
 * Where things are in the lab: ports, paths inside the images, the address
 * plan. Each fact lives here once; renderers, constructs and commands import it.
 */
import { resolve } from 'node:path';

/** Tomcat's HTTP connector port inside its container (the official image's). */
/** Memory a session store node may use, in MiB (memcached -m, Redis maxmemory): the lab's and the bundle's. */
export const STORE_MEMORY_MB = 64;

export const TOMCAT_PORT = 8080;
/** nginx's listening port inside its container; published on loadBalancer.port. */
export const NGINX_PORT = 80;
/** Tomcat's home in the official image (and in the kit's stand-ins). */
export const CATALINA_HOME = '/usr/local/tomcat';
/** Where the sample app (deployed as ROOT) lives in the Tomcat image. */
export const WEBAPP_DIR = `${CATALINA_HOME}/webapps/ROOT`;
/** Where Tomcat deploys webapps from in the image: one directory per app (`ROOT` is `/`, `a#b` is `/a/b`). */
export const WEBAPPS_DIR = `${CATALINA_HOME}/webapps`;
/** `webapps[].source` naming the kit's own sample app (the counter page verify reads) instead of a file. */
export const SAMPLE_WEBAPP_SOURCE = 'msm-kit:sample';
/**
 * Where the kit deploys its sample app when the config lists none (your own apps only):
 * it is every Tomcat's health check and the probe verify and the drills drive, so a lab
 * never depends on a page of yours to tell a working Tomcat from a broken one.
 */
export const KIT_PROBE_CONTEXT = '/msm-kit';
/** Response header nginx adds: the name of the Tomcat node that answered (from $upstream_addr). */
export const NODE_HEADER = 'X-Msm-Kit-Node';
/** Answered by nginx itself, without touching Tomcat: the balancer's health check. */
export const LB_HEALTH_PATH = '/msm-kit-health';
/** A static file of the sample app: a Tomcat's health check. */
export const TOMCAT_HEALTH_PATH = '/health.txt';
/** Tomcat's connector `connectionTimeout` (ms), which is also how long it keeps an idle kept-alive connection (server.xml). */
export const TOMCAT_CONNECTION_TIMEOUT_MS = 20_000;
/**
 * How long nginx keeps an idle connection to a Tomcat (`keepalive_timeout` in each upstream):
 * below Tomcat's, so nginx closes an idle connection before Tomcat does. Why: nginx's default is
 * 60 s; a request sent on a connection Tomcat had just closed fails, and with `max_fails` 1 nginx
 * takes that Tomcat out for `fail_timeout`. Seen in CI (sticky `drill restart`): a route's backup
 * Tomcat, idle on that route for about 20 s, was taken out that way as its primary stopped, and the
 * route answered 502 ("no live upstreams") for 6 s, 694 requests.
 */
export const NGINX_UPSTREAM_KEEPALIVE_TIMEOUT_S = 15;
/** JVM options of every Tomcat the kit deploys, besides heap and GC (tomcat.heapMb, tomcat.gc: resolve.ts jvmSizing). */
export const BASE_JVM_OPTIONS: readonly string[] = ['-Djava.security.egd=file:/dev/./urandom'];
/** Fixed address plan inside the lab subnet: .1 gateway, .2 nginx, .10+ memcached (at most 20), .30+ monitoring (3), .40+ Tomcat. */
export const ADDRESS_PLAN = { gateway: 1, loadBalancer: 2, memcached: 10, monitoring: 30, tomcat: 40 } as const;
/** Terraform state of a lab, under the output directory: `<out>/state/<name>.tfstate`. */
export const STATE_SUBDIR = 'state';
/** Plots the drills write (`drill-<scenario>.svg`), under the output directory. */
export const REPORTS_SUBDIR = 'reports';
/** A monitored lab's prometheus.yml, under the output directory. */
export const MONITORING_SUBDIR = 'monitoring';
/** The Tomcat image's build context, under the output directory. */
export const IMAGE_CONTEXT_SUBDIR = 'tomcat-image';
/**
 * nginx's configuration, under the output directory: `<out>/nginx/nginx.conf`. On an
 * engine on this machine the directory is bind-mounted (read-only) into nginx, so that
 * a new configuration is a reload, never a new container (see LoadBalancer).
 */
export const NGINX_CONF_SUBDIR = 'nginx';
/** The configuration's file name, in NGINX_CONF_SUBDIR and in the container. */
export const NGINX_CONF_FILE = 'nginx.conf';
/** Where NGINX_CONF_SUBDIR is mounted in nginx's container (nginx runs with `-c` on the file in it). */
export const NGINX_CONF_MOUNT = '/etc/nginx/msm-kit';
/** nginx's own configuration path: where it is uploaded when no directory can be mounted (an engine on another host). */
export const NGINX_CONF_UPLOADED = '/etc/nginx/nginx.conf';
/** An engine on this machine (a unix socket) sees this machine's files: a bind mount works. */
export const isLocalEngine = (dockerHost: string): boolean => dockerHost.startsWith('unix://');
/** Where the Terraform JSON goes, under the output directory (`msm-kit synth`/`up`). */
export const CDKTF_SUBDIR = 'cdktf.out';
/** The output directory when none is given. */
export const DEFAULT_OUT_DIR = 'out';

/**
 * The record of the last successful apply, beside the state: what `up` compares
 * to skip terraform when nothing changed. `<outDir>/state/<name>.applied.json`.
 */
export function appliedMarkPathFor(labName: string, outDir: string = DEFAULT_OUT_DIR): string {
  return resolve(outDir, STATE_SUBDIR, `${labName}.applied.json`);
}

/** The state file of a lab synthesized into outDir: `<outDir>/state/<name>.tfstate` (absolute). */
export function statePathFor(labName: string, outDir: string = DEFAULT_OUT_DIR): string {
  return resolve(outDir, STATE_SUBDIR, `${labName}.tfstate`);
}

/** Node label a Swarm lab places its services by (scripts/setup/swarm-cluster.sh sets it to host1..N). */
export const SWARM_HOST_LABEL = 'msm-kit.host';
/** The test cluster of scripts/setup/swarm-cluster.sh (the script holds the same values): the default engine.* of a Swarm lab. */
export const SWARM_TEST_CLUSTER = { manager: 'unix:///run/msmsw/h1.sock', registry: '10.199.0.1:18129', hosts: ['host1', 'host2', 'host3'] } as const;
/** Docker's embedded DNS server inside every container on a user network: nginx re-resolves Swarm tasks through it. */
export const DOCKER_DNS = '127.0.0.11';
/** DNS alias every Tomcat task of a Swarm lab carries: nginx's round-robin name for all of them. */
export const SWARM_TOMCATS_ALIAS = 'msm-tomcats';
/** The engine of one host of the test cluster (`hostN` → its dockerd's socket), for drills that stop a task or a host. */
export const testClusterEngine = (host: string): string | undefined => (/^host[1-9]$/.test(host) ? `unix:///run/msmsw/h${host.slice(4)}.sock` : undefined);
/** The test cluster's script, relative to the package root. */
export const SWARM_CLUSTER_SCRIPT = 'scripts/setup/swarm-cluster.sh';

/** The test cluster's script (scripts/setup/kube-cluster.sh), relative to the package root. */
export const KUBE_CLUSTER_SCRIPT = 'scripts/setup/kube-cluster.sh';
/**
 * The test cluster of scripts/setup/kube-cluster.sh (its header holds the same values): the
 * default engine.* of a Kubernetes lab. `nodeAddress` is node1's address, where NodePorts
 * answer from this machine; `serviceCidr` the cluster's Service range.
 */
export const KUBE_TEST_CLUSTER = {
  version: 'v1.34.4',
  kubeconfig: '/var/lib/msm-kit-kube/admin.kubeconfig',
  nodeAddress: '10.250.0.1',
  nodes: ['node1', 'node2'],
  serviceCidr: '10.96.0.0/16',
} as const;
/** The node label a Kubernetes lab pins its pods by (nodeSelector): every kubelet sets it to its node name. */
export const KUBE_NODE_LABEL = 'kubernetes.io/hostname';
/** Labels on everything a Kubernetes lab creates: the lab's name and the node's role. */
export const KUBE_LAB_LABEL = 'msm-kit.lab';
export const KUBE_ROLE_LABEL = 'msm-kit.role';
/**
 * Seconds a Tomcat or nginx pod waits (preStop) before it gets SIGTERM: its Service drops the pod
 * from its endpoints first, so no new connection reaches it. A kept-alive connection is pinned to
 * its pod (by conntrack, through the ClusterIP or the NodePort), so on a Kubernetes lab nginx ends
 * every kept-alive connection, to Tomcat and from clients, within KUBE_KEEPALIVE_TIME seconds
 * (`keepalive_time`: the last answer says `Connection: close`): none is left to a pod when it stops,
 * and no request meets a process that is shutting down (a Tomcat could apply its write and lose
 * its answer; nginx would reset the client's connection).
 */
export const KUBE_PRE_STOP_SECONDS = 4;
export const KUBE_KEEPALIVE_TIME = 2;
/** Seconds a surging Deployment's new pod must stay Ready before its old pod is stopped (minReadySeconds). */
export const KUBE_MIN_READY_SECONDS = 3;
