/**
 * The lab on a Docker Swarm (config `engine.kind = "swarm"`): an overlay network
 * and one service per node, each pinned to its host by a placement constraint.
 * Images come from the Swarm's registry (the kit builds and pushes the Tomcat
 * image before apply: see src/lab/swarm.ts). Construct ids are a contract.
 */
import { Construct, dockerProvider, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from '../src/cdktf';
import { SECRETS, usesSasl, type SecretKey } from '../src/config/secrets';
import { LB_HEALTH_PATH, NGINX_PORT, SWARM_TOMCATS_ALIAS, TOMCAT_HEALTH_PATH, TOMCAT_PORT } from '../src/config/layout';
import type { ResolvedLab } from '../src/config/resolve';
import { httpCheck, tcpCheck } from '../src/constructs/health';
import { SwarmConfig } from '../src/constructs/swarm-config';
import { SwarmNetwork } from '../src/constructs/swarm-network';
import { SwarmService } from '../src/constructs/swarm-service';
import type { LabStackArtifacts } from './lab-stack';

export interface SwarmStackProps {
  /** A lab resolved with `engine` (lab.swarm set). */
  readonly lab: ResolvedLab;
  readonly artifacts: LabStackArtifacts;
  /** Local state file, relative to the stack's directory. @default cdktf's default */
  readonly statePath?: string;
}

export class SwarmStack extends TerraformStack {
  readonly network: SwarmNetwork;
  readonly memcached: readonly SwarmService[];
  readonly tomcats: readonly SwarmService[];
  readonly loadBalancer: SwarmService;

  constructor(scope: Construct, id: string, props: SwarmStackProps) {
    super(scope, id);
    const { lab, artifacts } = props;
    const swarm = lab.swarm;
    if (!swarm) throw new Error('SwarmStack needs a lab resolved with engine (lab.swarm)');
    if (props.statePath) new LocalBackend(this, { path: props.statePath });
    new dockerProvider.DockerProvider(this, 'docker', { host: swarm.manager });
    const where = (name: string) => swarm.placement[name].constraint;

    this.network = new SwarmNetwork(this, 'Network', { name: lab.networkName, subnet: lab.subnet, gateway: lab.gateway, labels: { 'msm-kit.lab': lab.name } });

    const secrets = usesSasl(lab.manager)
      ? (Object.keys(SECRETS) as SecretKey[]).map((k) => {
          const v = new TerraformVariable(this, SECRETS[k].tfVar, { type: 'string', sensitive: true, nullable: false, description: `SASL ${k} of the memcached nodes (manager.${k}); set TF_VAR_${SECRETS[k].tfVar}` });
          v.overrideLogicalId(SECRETS[k].tfVar);
          return { key: k, ref: v.stringValue };
        })
      : [];

    this.memcached = lab.memcacheds.map(
      (m) =>
        new SwarmService(this, `Memcached-${m.id}`, {
          name: m.name,
          image: swarm.images.memcached,
          network: this.network,
          lab: lab.name,
          role: 'memcached',
          constraint: where(m.name),
          healthcheck: tcpCheck(m.port),
          aliases: m.host !== m.name ? [m.host] : undefined,
          env: secrets.map((s) => `${SECRETS[s.key].memcachedEnv}=${s.ref}`),
        }),
    );

    // The image has context.xml baked in (the build context holds it); the node's
    // own settings (jvmRoute) come through CATALINA_OPTS.
    this.tomcats = lab.tomcats.map(
      (t) =>
        new SwarmService(this, `Tomcat-${t.name}`, {
          name: t.name,
          image: artifacts.tomcatImageTag,
          network: this.network,
          lab: lab.name,
          role: 'tomcat',
          constraint: where(t.name),
          healthcheck: httpCheck(TOMCAT_PORT, TOMCAT_HEALTH_PATH),
          aliases: [SWARM_TOMCATS_ALIAS],
          env: [`MSM_KIT_NODE=${t.name}`, `CATALINA_OPTS=${t.catalinaOpts}`, ...secrets.map((s) => `${SECRETS[s.key].env}=${s.ref}`)],
          dependsOn: this.memcached.map((m) => m.resource),
          // A change starts the new task before it stops the old one: the node keeps answering.
          updateOrder: 'start-first',
        }),
    );

    const nginxConf = new SwarmConfig(this, 'NginxConf', { name: `${lab.name}-nginx-conf`, content: artifacts.nginxConf });
    this.loadBalancer = new SwarmService(this, 'LoadBalancer', {
      name: lab.loadBalancer.name,
      image: swarm.images.nginx,
      network: this.network,
      lab: lab.name,
      role: 'load-balancer',
      constraint: where(lab.loadBalancer.name),
      healthcheck: httpCheck(NGINX_PORT, LB_HEALTH_PATH),
      file: { config: nginxConf.resource, path: '/etc/nginx/nginx.conf' },
      publish: { target: NGINX_PORT, published: lab.loadBalancer.port },
      dependsOn: this.tomcats.map((t) => t.resource),
    });

    const placement = new TerraformOutput(this, 'placement', { value: Object.fromEntries(Object.entries(swarm.placement).map(([n, p]) => [n, p.where])), description: 'Where each node runs' });
    placement.overrideLogicalId('placement');
  }
}
