import { createHash } from 'node:crypto';
import { Construct, DataResource, dockerContainer, type dockerImage } from '../cdktf';
import { NGINX_CONF_FILE, NGINX_CONF_MOUNT, NGINX_CONF_UPLOADED } from '../config/layout';
import { labContainer } from './container-defaults';
import { HEALTH_TIMING, httpCheck } from './health';
import type { LabNetwork } from './lab-network';

export interface LoadBalancerProps {
  readonly name: string;
  readonly ip: string;
  readonly image: dockerImage.Image;
  readonly network: LabNetwork;
  readonly lab: string;
  /** Generated nginx.conf. */
  readonly nginxConf: string;
  /**
   * The host directory holding `nginxConf` as NGINX_CONF_FILE (a path Terraform resolves,
   * like the image context), bind-mounted read-only at NGINX_CONF_MOUNT: a new
   * configuration is then loaded by `nginx -s reload` in the running container (the
   * `Config` resource's provisioner), never by a new container. Only for an engine on
   * this machine (`docker.host` a unix socket).
   * @default none: the configuration is uploaded into the container, and a change replaces it
   */
  readonly confDir?: string;
  /** The engine's address, for the reload's `docker exec`. @default the docker CLI's default */
  readonly dockerHost?: string;
  /** nginx's listening port inside the container. */
  readonly port: number;
  /** Host port to publish `port` on. */
  readonly hostPort: number;
  /** Host address the port is bound to. */
  readonly bindAddress: string;
  /** Path that answers 200 without touching Tomcat. */
  readonly healthPath: string;
  /**
   * TLS: the certificate and key uploaded from these files (Terraform paths; the
   * content never enters the Terraform JSON), `port` published on `hostPort` too.
   * @default none (plain HTTP only)
   */
  readonly tls?: {
    readonly certificate: string;
    readonly key: string;
    /** Hash of both files: a new pair replaces the container. */
    readonly hash: string;
    readonly port: number;
    readonly hostPort: number;
    readonly certificatePath: string;
    readonly keyPath: string;
  };
  /** Containers that must exist before nginx starts. @default none */
  readonly dependsOn?: dockerContainer.Container[];
}

/** nginx in front of the Tomcat nodes, the lab's only published port. */
export class LoadBalancer extends Construct {
  readonly resource: dockerContainer.Container;
  /**
   * With `confDir`: the configuration nginx serves, as Terraform records it (`input.sha256`).
   * A new one replaces this resource only, whose provisioner tests it and reloads nginx.
   * @default none (without confDir)
   */
  readonly config?: DataResource;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const tls = props.tls;
    const mounted = props.confDir !== undefined;
    this.resource = new dockerContainer.Container(this, 'Resource', {
      ...labContainer({ ...props, role: 'load-balancer' }),
      ports: [
        { internal: props.port, external: props.hostPort, ip: props.bindAddress, protocol: 'tcp' },
        ...(tls ? [{ internal: tls.port, external: tls.hostPort, ip: props.bindAddress, protocol: 'tcp' }] : []),
      ],
      ...(mounted
        ? {
            volumes: [{ hostPath: `\${abspath("${props.confDir}")}`, containerPath: NGINX_CONF_MOUNT, readOnly: true }],
            command: ['nginx', '-c', `${NGINX_CONF_MOUNT}/${NGINX_CONF_FILE}`, '-g', 'daemon off;'],
          }
        : {}),
      upload: [
        ...(mounted ? [] : [{ file: NGINX_CONF_UPLOADED, content: props.nginxConf }]),
        ...(tls
          ? [
              { file: tls.certificatePath, source: tls.certificate, sourceHash: tls.hash, permissions: '0644' },
              { file: tls.keyPath, source: tls.key, sourceHash: tls.hash, permissions: '0600' },
            ]
          : []),
      ],
      healthcheck: { test: httpCheck(props.port, props.healthPath), ...HEALTH_TIMING },
      wait: true,
      waitTimeout: 60,
      dependsOn: props.dependsOn,
    });
    if (mounted) {
      const sha256 = createHash('sha256').update(props.nginxConf).digest('hex');
      // Test first: a configuration nginx refuses fails the apply and leaves the old one serving.
      const conf = `${NGINX_CONF_MOUNT}/${NGINX_CONF_FILE}`;
      const exec = `docker exec ${props.name} nginx -q -t -c ${conf} && docker exec ${props.name} nginx -c ${conf} -s reload`;
      this.config = new DataResource(this, 'Config', {
        input: { sha256 },
        triggersReplace: { sha256 },
        dependsOn: [this.resource],
        provisioners: [{ type: 'local-exec', command: exec, environment: props.dockerHost ? { DOCKER_HOST: props.dockerHost } : undefined }],
      });
    }
  }
}
