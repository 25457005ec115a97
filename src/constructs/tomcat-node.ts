import { Construct, dockerContainer, type dockerImage } from '../cdktf';
import { labContainer } from './container-defaults';
import { HEALTH_TIMING, httpCheck } from './health';
import type { LabNetwork } from './lab-network';

export interface TomcatNodeProps {
  readonly name: string;
  readonly ip: string;
  readonly image: dockerImage.Image;
  readonly network: LabNetwork;
  readonly lab: string;
  /**
   * Each webapp's META-INF/context.xml (msm's <Manager>), uploaded before the
   * container starts (Tomcat reads it when it deploys the app at start-up). Not in
   * the image, so a Manager-only change replaces the containers and rebuilds nothing.
   */
  readonly contextFiles: readonly { readonly path: string; readonly xml: string }[];
  /** HTTP port of the connector inside the container. */
  readonly port: number;
  /** CATALINA_OPTS: heap, serializer options, -DjvmRoute (resolved once, in resolveLab). */
  readonly catalinaOpts: string;
  /** Path the health check GETs; it must answer 200. */
  readonly healthPath: string;
  /** Containers that must run before Tomcat starts (msm resolves memcached hosts once, at start-up). @default none */
  readonly dependsOn?: dockerContainer.Container[];
  /** Extra environment (`NAME=value`; values may be Terraform references to sensitive variables). @default none */
  readonly env?: string[];
}

/**
 * A string Terraform must take literally: `${` and `%{` start its templates, so
 * context.xml's `${MSM_KIT_MEMCACHED_PASSWORD}` (for Tomcat to substitute) is written
 * `$${...}` in the Terraform JSON.
 */
export const terraformLiteral = (s: string): string => s.replace(/([$%])\{/g, '$1$1{');

/** One Tomcat node running the lab's webapps with msm's <Manager>. */
export class TomcatNode extends Construct {
  readonly resource: dockerContainer.Container;

  constructor(scope: Construct, id: string, props: TomcatNodeProps) {
    super(scope, id);
    this.resource = new dockerContainer.Container(this, 'Resource', {
      ...labContainer({ ...props, role: 'tomcat' }),
      env: [`MSM_KIT_NODE=${props.name}`, `CATALINA_OPTS=${props.catalinaOpts}`, ...(props.env ?? [])],
      // Written as root with mode 0644 into the image's (root-owned, 0755) META-INF/: Tomcat, user "tomcat", reads it.
      upload: props.contextFiles.map((f) => ({ file: f.path, content: terraformLiteral(f.xml), permissions: '0644' })),
      healthcheck: { test: httpCheck(props.port, props.healthPath), ...HEALTH_TIMING },
      wait: true,
      waitTimeout: 150,
      destroyGraceSeconds: 10,
      dependsOn: props.dependsOn,
    });
  }
}
