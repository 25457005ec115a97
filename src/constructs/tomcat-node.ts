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
  /** Generated context.xml, uploaded as the webapp's META-INF/context.xml. */
  readonly contextXml: string;
  /** Where context.xml goes in the container. */
  readonly contextXmlPath: string;
  /** Engine jvmRoute (sticky mode), passed as -DjvmRoute. @default none */
  readonly jvmRoute?: string;
  /** HTTP port of the connector. @default 8080 */
  readonly port?: number;
  /** Extra JVM options. @default "-Xms128m -Xmx256m" */
  readonly javaOpts?: string;
  /** Containers that must run before Tomcat starts (msm resolves memcached hosts once, at start-up). @default none */
  readonly dependsOn?: dockerContainer.Container[];
}

/** One Tomcat node running the sample app with msm's <Manager>. */
export class TomcatNode extends Construct {
  readonly resource: dockerContainer.Container;
  readonly port: number;
  readonly catalinaOpts: string;

  constructor(scope: Construct, id: string, props: TomcatNodeProps) {
    super(scope, id);
    this.port = props.port ?? 8080;
    this.catalinaOpts = [props.javaOpts ?? '-Xms128m -Xmx256m', '-Djava.security.egd=file:/dev/./urandom', props.jvmRoute ? `-DjvmRoute=${props.jvmRoute}` : '']
      .filter(Boolean)
      .join(' ');
    this.resource = new dockerContainer.Container(this, 'Resource', {
      ...labContainer({ ...props, role: 'tomcat' }),
      env: [`MSM_KIT_NODE=${props.name}`, `CATALINA_OPTS=${this.catalinaOpts}`],
      upload: [{ file: props.contextXmlPath, content: props.contextXml }],
      healthcheck: { test: httpCheck(this.port, '/health.txt'), ...HEALTH_TIMING },
      wait: true,
      waitTimeout: 150,
      destroyGraceSeconds: 10,
      dependsOn: props.dependsOn,
    });
  }
}
