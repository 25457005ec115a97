/**
 * Where things are in the lab: ports, paths inside the images, the address
 * plan. Each fact lives here once; renderers, constructs and commands import it.
 */
import { resolve } from 'node:path';

/** Tomcat's HTTP connector port inside its container (the official image's). */
export const TOMCAT_PORT = 8080;
/** nginx's listening port inside its container; published on loadBalancer.port. */
export const NGINX_PORT = 80;
/** Tomcat's home in the official image (and in the kit's stand-ins). */
export const CATALINA_HOME = '/usr/local/tomcat';
/** Where the sample app (deployed as ROOT) lives in the Tomcat image. */
export const WEBAPP_DIR = `${CATALINA_HOME}/webapps/ROOT`;
/** Answered by nginx itself, without touching Tomcat: the balancer's health check. */
export const LB_HEALTH_PATH = '/msm-kit-health';
/** A static file of the sample app: a Tomcat's health check. */
export const TOMCAT_HEALTH_PATH = '/health.txt';
/** Heap of every Tomcat JVM. */
export const BASE_JVM_OPTIONS: readonly string[] = ['-Xms128m', '-Xmx256m', '-Djava.security.egd=file:/dev/./urandom'];
/** Fixed address plan inside the lab subnet: .1 gateway, .2 nginx, .10+ memcached, .40+ Tomcat. */
export const ADDRESS_PLAN = { gateway: 1, loadBalancer: 2, memcached: 10, tomcat: 40 } as const;
/** Terraform state of a lab, under the output directory: `<out>/state/<name>.tfstate`. */
export const STATE_SUBDIR = 'state';
/** The Tomcat image's build context, under the output directory. */
export const IMAGE_CONTEXT_SUBDIR = 'tomcat-image';
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
