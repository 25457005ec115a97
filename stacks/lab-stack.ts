/**
 * The whole lab as one CDKTF stack: network, memcached nodes, the Tomcat image
 * and nodes, nginx. Construct ids are a public contract: renaming one replaces
 * the resource it names.
 */
import { Construct, dockerProvider, LocalBackend, TerraformOutput, TerraformStack } from '../src/cdktf';
import { TOMCAT_PORT, WEBAPP_DIR, type ResolvedLab } from '../src/config/resolve';
import { BaseImage } from '../src/constructs/base-image';
import { LabNetwork } from '../src/constructs/lab-network';
import { LoadBalancer } from '../src/constructs/load-balancer';
import { MemcachedNode } from '../src/constructs/memcached-node';
import { TomcatImage } from '../src/constructs/tomcat-image';
import { TomcatNode } from '../src/constructs/tomcat-node';
import { HEALTH_PATH } from '../src/render/nginx-conf';
import type { Artifacts } from '../src/synth/artifacts';

export interface LabStackProps {
  readonly lab: ResolvedLab;
  readonly artifacts: Pick<Artifacts, 'contextXml' | 'nginxConf' | 'imageContextDir' | 'imageContextHash' | 'tomcatImageTag'>;
  /** Local state file. @default cdktf's default (terraform.<stack>.tfstate in the working directory) */
  readonly statePath?: string;
}

export class LabStack extends TerraformStack {
  readonly network: LabNetwork;
  readonly memcached: readonly MemcachedNode[];
  readonly tomcats: readonly TomcatNode[];
  readonly loadBalancer: LoadBalancer;

  constructor(scope: Construct, id: string, props: LabStackProps) {
    super(scope, id);
    const { lab, artifacts } = props;
    if (props.statePath) new LocalBackend(this, { path: props.statePath });
    new dockerProvider.DockerProvider(this, 'docker', { host: lab.config.docker.host });

    this.network = new LabNetwork(this, 'Network', { name: lab.networkName, subnet: lab.subnet, gateway: lab.gateway, labels: { 'msm-kit.lab': lab.name } });

    const memcachedImage = new BaseImage(this, 'MemcachedImage', { name: lab.images.memcached });
    const nginxImage = new BaseImage(this, 'NginxImage', { name: lab.images.nginx });
    const tomcatBase = new BaseImage(this, 'TomcatBaseImage', { name: lab.images.tomcat });
    const tomcatImage = new TomcatImage(this, 'TomcatImage', {
      name: artifacts.tomcatImageTag,
      contextDir: artifacts.imageContextDir,
      contextHash: artifacts.imageContextHash,
      base: tomcatBase.resource,
    });

    this.memcached = lab.memcacheds.map(
      (m) =>
        new MemcachedNode(this, `Memcached-${m.id}`, {
          name: m.name,
          host: m.host,
          port: m.port,
          ip: m.ip,
          image: memcachedImage.resource,
          network: this.network,
          lab: lab.name,
        }),
    );

    this.tomcats = lab.tomcats.map(
      (t) =>
        new TomcatNode(this, `Tomcat-${t.name}`, {
          name: t.name,
          ip: t.ip,
          jvmRoute: t.jvmRoute,
          javaOpts: lab.javaOpts,
          port: TOMCAT_PORT,
          image: tomcatImage.resource,
          network: this.network,
          lab: lab.name,
          contextXml: artifacts.contextXml,
          contextXmlPath: `${WEBAPP_DIR}/META-INF/context.xml`,
          dependsOn: this.memcached.map((m) => m.resource),
        }),
    );

    this.loadBalancer = new LoadBalancer(this, 'LoadBalancer', {
      name: lab.loadBalancer.name,
      ip: lab.loadBalancer.ip,
      image: nginxImage.resource,
      network: this.network,
      lab: lab.name,
      nginxConf: artifacts.nginxConf,
      hostPort: lab.loadBalancer.port,
      bindAddress: lab.loadBalancer.bindAddress,
      healthPath: HEALTH_PATH,
      dependsOn: this.tomcats.map((t) => t.resource),
    });

    const url = new TerraformOutput(this, 'url', { value: lab.url, description: 'The lab, through nginx' });
    url.overrideLogicalId('url');
  }
}
