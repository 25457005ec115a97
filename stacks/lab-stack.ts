/**
 * The whole lab as one CDKTF stack: network, memcached nodes, the Tomcat image
 * and nodes, nginx. Construct ids are a public contract: renaming one replaces
 * the resource it names.
 */
import { Construct, dockerProvider, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from '../src/cdktf';
import { SECRETS, usesSasl, type SecretKey } from '../src/config/secrets';
import { isLocalEngine, LB_HEALTH_PATH, NGINX_PORT, TOMCAT_PORT } from '../src/config/layout';
import type { ResolvedLab } from '../src/config/resolve';
import { NGINX_CERT_PATH, NGINX_KEY_PATH, NGINX_TLS_PORT } from '../src/config/tls';
import { BaseImage } from '../src/constructs/base-image';
import { LabNetwork } from '../src/constructs/lab-network';
import { LoadBalancer } from '../src/constructs/load-balancer';
import { MemcachedNode } from '../src/constructs/memcached-node';
import { RedisNode } from '../src/constructs/redis-node';
import { TomcatImage } from '../src/constructs/tomcat-image';
import { TomcatNode } from '../src/constructs/tomcat-node';
import { Exporter } from '../src/constructs/exporter';
import { PrometheusServer } from '../src/constructs/prometheus-server';
import { renderPrometheusYml } from '../src/render/prometheus-yml';
import { MEMCACHED_EXPORTER_PORT, NGINX_EXPORTER_PORT, NGINX_STATUS_PATH, NGINX_STATUS_PORT, REDIS_EXPORTER_PORT } from '../src/config/monitoring';

/** What the stack deploys besides the resolved lab: rendered files and the Tomcat image build context. */
export interface LabStackArtifacts {
  readonly contextXml: string;
  /**
   * Each webapp's META-INF/context.xml (path in the container, content), as
   * writeArtifacts computed them: LabStack uploads them to every Tomcat; the
   * Swarm stack ignores them (its image has them baked in).
   */
  readonly webappContexts: readonly { readonly path: string; readonly xml: string }[];
  readonly nginxConf: string;
  /**
   * The directory holding nginxConf (relative to the stack's directory, like imageContext):
   * on an engine on this machine nginx mounts it and a new configuration is a reload (see LoadBalancer).
   * @default none (the configuration is uploaded: a change replaces nginx)
   */
  readonly nginxConfDir?: string;
  /** Build context of the Tomcat image, relative to the stack's directory (see TomcatImage). */
  readonly imageContext: string;
  /** SHA-256 over the build context; a change rebuilds the image. */
  readonly imageContextHash: string;
  readonly tomcatImageTag: string;
  /** prometheus.yml of a monitored lab, as writeArtifacts wrote it. @default rendered from the lab (render/prometheus-yml.ts) */
  readonly prometheusYml?: string;
  /** The certificate and key nginx serves (paths Terraform resolves, like imageContext; their hash). @default none (plain HTTP) */
  readonly tls?: { readonly certificate: string; readonly key: string; readonly hash: string };
}

export interface LabStackProps {
  readonly lab: ResolvedLab;
  readonly artifacts: LabStackArtifacts;
  /** Local state file, relative to the stack's directory (where terraform runs). @default cdktf's default (terraform.<stack>.tfstate) */
  readonly statePath?: string;
}

export class LabStack extends TerraformStack {
  readonly network: LabNetwork;
  readonly memcached: readonly MemcachedNode[];
  /** The Redis node of a lab with a `redis` store. @default none */
  readonly redis?: RedisNode;
  readonly tomcats: readonly TomcatNode[];
  readonly loadBalancer: LoadBalancer;
  /** A monitored lab's Prometheus. @default none (monitoring off) */
  readonly prometheus?: PrometheusServer;
  /** A monitored lab's exporters: nginx's, and the store's (none for memcached with SASL). @default none */
  readonly exporters: readonly Exporter[] = [];

  constructor(scope: Construct, id: string, props: LabStackProps) {
    super(scope, id);
    const { lab, artifacts } = props;
    if (props.statePath) new LocalBackend(this, { path: props.statePath });
    new dockerProvider.DockerProvider(this, 'docker', { host: lab.dockerHost });

    this.network = new LabNetwork(this, 'Network', { name: lab.networkName, subnet: lab.subnet, gateway: lab.gateway, labels: { 'msm-kit.lab': lab.name } });

    // Only the store the lab runs: memcached nodes, or one Redis node.
    const memcachedImage = lab.memcacheds.length && lab.images.memcached ? new BaseImage(this, 'MemcachedImage', { name: lab.images.memcached }) : undefined;
    const nginxImage = new BaseImage(this, 'NginxImage', { name: lab.images.nginx });
    const tomcatBase = new BaseImage(this, 'TomcatBaseImage', { name: lab.images.tomcat });
    const tomcatImage = new TomcatImage(this, 'TomcatImage', {
      name: artifacts.tomcatImageTag,
      contextDir: artifacts.imageContext,
      contextHash: artifacts.imageContextHash,
      base: tomcatBase.resource,
    });

    // SASL credentials: sensitive variables (TF_VAR_memcached_username/password at apply
    // time), never values in the Terraform JSON; memcached and Tomcat get them as
    // environment variables (memcached's entrypoint creates the user, Tomcat's digester
    // substitutes them into context.xml).
    const secrets = usesSasl(lab.manager)
      ? (Object.keys(SECRETS) as SecretKey[]).map((k) => {
          const v = new TerraformVariable(this, SECRETS[k].tfVar, { type: 'string', sensitive: true, nullable: false, description: `SASL ${k} of the memcached nodes (manager.${k}); set TF_VAR_${SECRETS[k].tfVar}` });
          v.overrideLogicalId(SECRETS[k].tfVar);
          return { key: k, ref: v.stringValue };
        })
      : [];
    const tomcatEnv = secrets.map((s) => `${SECRETS[s.key].env}=${s.ref}`);
    const memcachedEnv = secrets.length ? secrets.map((s) => `${SECRETS[s.key].memcachedEnv}=${s.ref}`) : undefined;

    this.memcached = lab.memcacheds.map(
      (m) =>
        new MemcachedNode(this, `Memcached-${m.id}`, {
          name: m.name,
          host: m.host,
          port: m.port,
          ip: m.ip,
          image: memcachedImage!.resource,
          network: this.network,
          lab: lab.name,
          saslEnv: memcachedEnv,
          threads: lab.memcachedThreads,
        }),
    );

    if (lab.redis && lab.images.redis) {
      const redisImage = new BaseImage(this, 'RedisImage', { name: lab.images.redis });
      this.redis = new RedisNode(this, 'Redis', { ...lab.redis, image: redisImage.resource, network: this.network, lab: lab.name });
    }
    const stores = [...this.memcached.map((m) => m.resource), ...(this.redis ? [this.redis.resource] : [])];

    this.tomcats = lab.tomcats.map(
      (t) =>
        new TomcatNode(this, `Tomcat-${t.name}`, {
          name: t.name,
          ip: t.ip,
          catalinaOpts: t.catalinaOpts,
          port: TOMCAT_PORT,
          healthPath: lab.tomcatHealthPath,
          image: tomcatImage.resource,
          network: this.network,
          lab: lab.name,
          contextFiles: artifacts.webappContexts,
          dependsOn: stores,
          env: tomcatEnv,
        }),
    );

    this.loadBalancer = new LoadBalancer(this, 'LoadBalancer', {
      name: lab.loadBalancer.name,
      ip: lab.loadBalancer.ip,
      image: nginxImage.resource,
      network: this.network,
      lab: lab.name,
      nginxConf: artifacts.nginxConf,
      // An engine elsewhere cannot mount this machine's directory: the configuration is uploaded then.
      confDir: artifacts.nginxConfDir !== undefined && isLocalEngine(lab.dockerHost) ? artifacts.nginxConfDir : undefined,
      dockerHost: lab.dockerHost,
      port: NGINX_PORT,
      hostPort: lab.loadBalancer.port,
      bindAddress: lab.loadBalancer.bindAddress,
      healthPath: LB_HEALTH_PATH,
      tls: artifacts.tls && { ...artifacts.tls, port: NGINX_TLS_PORT, hostPort: lab.loadBalancer.httpsPort, certificatePath: NGINX_CERT_PATH, keyPath: NGINX_KEY_PATH },
      dependsOn: this.tomcats.map((t) => t.resource),
    });

    const m = lab.monitoring;
    if (m) {
      if (!lab.images.prometheus || !lab.images.nginxExporter) throw new Error('a monitored lab needs its images (resolveLab gives them)');
      const common = { network: this.network, lab: lab.name };
      const exporters = [
        new Exporter(this, 'NginxExporter', {
          ...common,
          ...m.nginxExporter,
          role: 'nginx-exporter',
          image: new BaseImage(this, 'NginxExporterImage', { name: lab.images.nginxExporter }).resource,
          // It reads stub_status once at start and exits when it cannot: after nginx, with retries (nginx is replaced in a rolling change).
          args: [`-nginx.scrape-uri=http://${lab.loadBalancer.ip}:${NGINX_STATUS_PORT}${NGINX_STATUS_PATH}`, `-web.listen-address=:${NGINX_EXPORTER_PORT}`, '-nginx.retries=30', '-nginx.retry-interval=2s'],
          dependsOn: [this.loadBalancer.resource],
        }),
      ];
      // The store's exporter: memcached multi-target (Prometheus names the node: /scrape?target=; the
      // default address is the first node), or Redis.
      const store = m.storeExporter;
      const spec =
        store?.kind === 'memcached' && lab.images.memcachedExporter
          ? { image: lab.images.memcachedExporter, args: [`--memcached.address=${lab.memcacheds[0].ip}:${lab.memcacheds[0].port}`, `--web.listen-address=:${MEMCACHED_EXPORTER_PORT}`] }
          : store?.kind === 'redis' && lab.redis && lab.images.redisExporter
            ? { image: lab.images.redisExporter, args: [`-redis.addr=redis://${lab.redis.ip}:${lab.redis.port}`, `-web.listen-address=:${REDIS_EXPORTER_PORT}`] }
            : undefined;
      if (store && spec)
        exporters.push(
          new Exporter(this, 'StoreExporter', {
            ...common,
            name: store.name,
            ip: store.ip,
            role: `${store.kind}-exporter`,
            image: new BaseImage(this, 'StoreExporterImage', { name: spec.image }).resource,
            args: spec.args,
          }),
        );
      this.exporters = exporters;
      this.prometheus = new PrometheusServer(this, 'Prometheus', {
        ...common,
        ...m.prometheus,
        image: new BaseImage(this, 'PrometheusImage', { name: lab.images.prometheus }).resource,
        config: artifacts.prometheusYml ?? renderPrometheusYml(lab),
      });
    }

    const url = new TerraformOutput(this, 'url', { value: lab.url, description: 'The lab, through nginx' });
    url.overrideLogicalId('url');
  }
}
