/**
 * Cross-field msm rules: one entry per rule, each with its own test in
 * test/config/rules.test.ts. Field-level rules live on the fields in schema.ts.
 */
import { TOMCAT_MIN_JAVA } from './images';
import { MEMCACHED_KEY_MAX, MSM_KEY_PREFIX_MAX, SESSION_ID_HEX, STORAGE_TOKEN_LENGTH, XML_FORBIDDEN } from './msm';
import { KIT_PROBE_CONTEXT, SAMPLE_WEBAPP_SOURCE } from './layout';
import { monitoringContainerName, monitoringEnabled } from './monitoring';
import { cidrWithin, KUBE_NAME } from './kubernetes';
import { memcachedNodesOf, type LabConfig } from './schema';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const LOOPBACK = /^(localhost(\.localdomain)?|ip6-localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0\.0\.0\.0)$/i;

/** Secret Manager attributes: their values never appear in a message. */
export const SECRET_KEYS = ['username', 'password'] as const;
const shown = (key: string, value: unknown) => ((SECRET_KEYS as readonly string[]).includes(key) ? '***' : value);

export interface RuleIssue {
  readonly path: (string | number)[];
  readonly value: unknown;
  readonly message: string;
}

export interface Rule {
  readonly id: string;
  /** What msm does that makes this rule necessary. */
  readonly why: string;
  readonly check: (cfg: LabConfig) => RuleIssue[];
  /**
   * About the Docker lab's own topology (container names, what a name resolves to
   * inside a container), not about msm: `lint` of a hand-written Manager skips it.
   * @default false
   */
  readonly labOnly?: boolean;
}

function duplicates<T>(items: readonly T[], key: (t: T) => string | undefined): Array<{ index: number; key: string }> {
  const seen = new Set<string>();
  const out: Array<{ index: number; key: string }> = [];
  items.forEach((item, index) => {
    const k = key(item);
    if (k === undefined) return;
    if (seen.has(k)) out.push({ index, key: k });
    seen.add(k);
  });
  return out;
}

/** A rule about memcached nodes: a Redis store has none (the redis-* rules speak for it). */
const memcachedOnly = (check: Rule['check']): Rule['check'] => (c) => (c.redis ? [] : check(c));

export const crossFieldRules: readonly Rule[] = [
  {
    id: 'memcached-ids-unique',
    why: 'msm keys sessions by node id; a repeated id makes two nodes one.',
    check: (c) =>
      duplicates(memcachedNodesOf(c), (n) => n.id).map(({ index, key }) => ({
        path: ['memcached', 'nodes', index, 'id'],
        value: key,
        message: 'this memcached node id is used twice. Fix: give every memcached node its own id',
      })),
  },
  {
    id: 'memcached-endpoints-unique',
    why: 'two msm nodes on one host:port are one memcached: the backup copy would land on the primary.',
    check: (c) =>
      duplicates(memcachedNodesOf(c), (n) => `${n.host ?? n.name}:${n.port}`).map(({ index, key }) => ({
        path: ['memcached', 'nodes', index, 'port'],
        value: key,
        message: 'this host:port is already used by another memcached node. Fix: use another host or port',
      })),
  },
  {
    id: 'container-names-unique',
    labOnly: true,
    why: 'Docker container names are unique per engine.',
    check: (c) => {
      const all: Array<{ path: (string | number)[]; name: string }> = [
        ...c.tomcat.nodes.map((n, i) => ({ path: ['tomcat', 'nodes', i, 'name'], name: n.name })),
        ...memcachedNodesOf(c).map((n, i) => ({ path: ['memcached', 'nodes', i, 'name'], name: n.name })),
        ...(c.redis ? [{ path: ['redis', 'name'], name: c.redis.name }] : []),
        { path: ['loadBalancer', 'name'], name: c.loadBalancer.name },
      ];
      // The monitoring's containers are named after the lab (config/resolve.ts monitoringOf).
      const parts = ['prometheus', 'nginx-exporter', c.redis ? 'redis-exporter' : 'memcached-exporter'] as const;
      const monitoring = monitoringEnabled(c) ? parts.map((n) => monitoringContainerName(c.name, n)) : [];
      for (const n of monitoring) all.push({ path: ['name'], name: n });
      return duplicates(all, (x) => x.name).map(({ index, key }) => ({
        path: all[index].path,
        value: key,
        message: 'this container name is already used by another node. Fix: give every container its own name',
      }));
    },
  },
  {
    id: 'failover-nodes-known',
    why: 'msm refuses to start when failoverNodes names an id missing from memcachedNodes (the seed\'s "mem-node2" mistake).',
    check: memcachedOnly((c) => {
      const ids = new Set(memcachedNodesOf(c).map((n) => n.id));
      return (c.manager.failoverNodes ?? []).flatMap((id, i) =>
        ids.has(id)
          ? []
          : [{ path: ['manager', 'failoverNodes', i], value: id, message: `not a memcached node id. Fix: use one of ${[...ids].join(', ')}` }],
      );
    }),
  },
  {
    id: 'failover-needs-two-nodes',
    why: 'msm refuses failoverNodes with a single memcached node.',
    check: memcachedOnly((c) =>
      (c.manager.failoverNodes?.length ?? 0) > 0 && memcachedNodesOf(c).length < 2
        ? [{ path: ['manager', 'failoverNodes'], value: c.manager.failoverNodes, message: 'failoverNodes needs at least two memcached nodes. Fix: remove failoverNodes or add a node' }]
        : []),
  },
  {
    id: 'failover-not-all',
    why: 'with every node a failover node msm starts, then fails at run time.',
    check: memcachedOnly((c) => {
      const f = new Set(c.manager.failoverNodes ?? []);
      return f.size > 0 && memcachedNodesOf(c).every((n) => f.has(n.id))
        ? [{ path: ['manager', 'failoverNodes'], value: c.manager.failoverNodes, message: 'every memcached node is a failover node, leaving none for sessions. Fix: leave at least one node out' }]
        : [];
    }),
  },
  {
    id: 'failover-sticky-only',
    why: 'in non-sticky mode failoverNodes removes nodes from the backup rotation (with two nodes, no backup is ever written).',
    check: (c) =>
      !c.manager.sticky && (c.manager.failoverNodes?.length ?? 0) > 0
        ? [{ path: ['manager', 'failoverNodes'], value: c.manager.failoverNodes, message: 'failoverNodes is for sticky mode; in non-sticky mode it silently disables backups. Fix: remove it, or set manager.sticky to true' }]
        : [],
  },
  {
    id: 'locking-non-sticky-only',
    why: 'msm ignores lockingMode when sticky.',
    check: (c) =>
      c.manager.sticky && c.manager.lockingMode !== undefined
        ? [{ path: ['manager', 'lockingMode'], value: c.manager.lockingMode, message: 'msm ignores lockingMode in sticky mode. Fix: remove it, or set manager.sticky to false' }]
        : [],
  },
  {
    id: 'jvm-route-sticky',
    why: 'sticky mode needs each node\'s jvmRoute so the balancer can route by it; non-sticky mode must not set one.',
    check: (c) =>
      c.tomcat.nodes.flatMap((n, i): RuleIssue[] => {
        if (c.manager.sticky && n.jvmRoute === undefined)
          return [{ path: ['tomcat', 'nodes', i, 'jvmRoute'], value: undefined, message: 'sticky mode needs a jvmRoute on every Tomcat node (nginx routes by it). Fix: add e.g. "jvmRoute": "tomcat' + (i + 1) + '"' }];
        if (!c.manager.sticky && n.jvmRoute !== undefined)
          return [{ path: ['tomcat', 'nodes', i, 'jvmRoute'], value: n.jvmRoute, message: 'non-sticky mode has no jvmRoute (msm only warns, and the route suffix then misleads). Fix: remove it, or set manager.sticky to true' }];
        return [];
      }),
  },
  {
    id: 'jvm-routes-unique',
    why: 'two nodes with one route make route-based balancing send one node\'s sessions to the other.',
    check: (c) =>
      duplicates(c.tomcat.nodes, (n) => n.jvmRoute).map(({ index, key }) => ({
        path: ['tomcat', 'nodes', index, 'jvmRoute'],
        value: key,
        message: 'this jvmRoute is used twice. Fix: give every Tomcat node its own jvmRoute',
      })),
  },
  {
    id: 'sasl-binary-only',
    why: 'msm uses username/password only with the binary protocol and both set; otherwise it silently ignores them.',
    check: (c) => {
      const m = c.manager;
      const out: RuleIssue[] = [];
      for (const key of ['username', 'password'] as const) {
        if (m[key] === undefined) continue;
        if (m.memcachedProtocol !== 'binary')
          out.push({ path: ['manager', key], value: shown(key, m[key]), message: `${key} only works with the binary protocol (msm silently ignores it). Fix: set manager.memcachedProtocol to "binary"` });
        const other = key === 'username' ? 'password' : 'username';
        if (m[other] === undefined)
          out.push({ path: ['manager', other], value: undefined, message: `${key} is set without ${other}; msm needs both for SASL. Fix: set manager.${other}` });
      }
      return out;
    },
  },
  {
    id: 'serializer-options',
    why: 'copyCollectionsForSerialization and customConverter make the Java and XStream serializers fail at start.',
    check: (c) => {
      const m = c.manager;
      if (m.serializer !== 'java' && m.serializer !== 'xstream') return [];
      const out: RuleIssue[] = [];
      if (m.copyCollectionsForSerialization)
        out.push({ path: ['manager', 'copyCollectionsForSerialization'], value: true, message: `msm fails at start with copyCollectionsForSerialization and the ${m.serializer} serializer. Fix: remove it, or use serializer "kryo"` });
      if (m.customConverter !== undefined)
        out.push({ path: ['manager', 'customConverter'], value: m.customConverter, message: `msm fails at start with customConverter and the ${m.serializer} serializer. Fix: remove it, or use serializer "kryo"` });
      return out;
    },
  },
  {
    id: 'manager-values-tomcat-safe',
    why:
      "context.xml is read by Tomcat's XML parser and then its digester: XML 1.0 cannot hold control characters (U+0000-U+001F but tab, LF, CR), U+FFFE/U+FFFF or unpaired surrogates, even escaped; and the digester replaces ${name} with a system property or environment variable, so the value msm gets is another string.",
    check: (c) =>
      Object.entries(c.manager).flatMap(([key, v]): RuleIssue[] => {
        if (typeof v !== 'string') return [];
        const bad = XML_FORBIDDEN.exec(v);
        if (bad)
          return [{ path: ['manager', key], value: shown(key, v), message: `holds U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which XML 1.0 (context.xml) cannot hold. Fix: remove the control character` }];
        if (v.includes('${'))
          return [{ path: ['manager', key], value: shown(key, v), message: 'holds "${", which Tomcat replaces with a property when it reads context.xml (msm would get another string). Fix: remove the "${" (in a regex write "\\$\\{")' }];
        return [];
      }),
  },
  {
    id: 'enabled-sticky-only',
    why: 'msm throws IllegalStateException ("Disabling this session manager is not allowed in non-sticky mode") when enabled is false in non-sticky mode; Tomcat logs it and msm stays enabled.',
    check: (c) =>
      c.manager.enabled === false && !c.manager.sticky
        ? [{ path: ['manager', 'enabled'], value: false, message: 'msm cannot be disabled in non-sticky mode (it throws and stays enabled). Fix: remove enabled, or set manager.sticky to true' }]
        : [],
  },
  {
    id: 'memcached-host-distinct',
    labOnly: true,
    why:
      "a memcached node's host becomes a network alias of its container: a host that is another container's name or alias resolves to two containers; localhost/127.x inside a Tomcat container is that Tomcat itself; a lab address of another container is that container.",
    check: (c) => {
      const owners = new Map<string, string>(); // lowercase name -> owner
      c.tomcat.nodes.forEach((n) => owners.set(n.name.toLowerCase(), `Tomcat node ${n.name}`));
      owners.set(c.loadBalancer.name.toLowerCase(), `the load balancer ${c.loadBalancer.name}`);
      memcachedNodesOf(c).forEach((n) => owners.set(n.name.toLowerCase(), `memcached node ${n.id}`));
      const hosts = new Map<string, number>();
      return memcachedNodesOf(c).flatMap((n, i): RuleIssue[] => {
        if (n.host === undefined || typeof n.host !== 'string') return [];
        const h = n.host.toLowerCase();
        const path = ['memcached', 'nodes', i, 'host'];
        if (LOOPBACK.test(h))
          return [{ path, value: n.host, message: 'inside a Tomcat container this address is the Tomcat itself, not memcached. Fix: remove host (the container name is used) or use the memcached host\'s real name' }];
        const owner = owners.get(h);
        if (owner !== undefined && h !== n.name.toLowerCase())
          return [{ path, value: n.host, message: `this is the name of ${owner}; as an alias of this node it would resolve to two containers. Fix: remove host, or use a name no other container has` }];
        if (!IPV4.test(h)) {
          const j = hosts.get(h);
          hosts.set(h, i);
          if (j !== undefined)
            return [{ path, value: n.host, message: `memcached node ${memcachedNodesOf(c)[j].id} uses this host too; each host becomes an alias of its own container, so it would resolve to both. Fix: give each node its own host` }];
        }
        return [];
      });
    },
  },
  {
    id: 'storage-key-length',
    why: 'memcached refuses keys over 250 bytes; msm\'s key is storageKeyPrefix + "_" + the session id (32 hex, "-", node id, ".", jvmRoute), and its lock, validity and backup keys add up to 13 more ("bak:validity:").',
    check: (c) => {
      const p = c.manager.storageKeyPrefix;
      if (typeof p !== 'string') return [];
      const parts = p.split(',').map((t) => (t.startsWith('static:') ? Buffer.byteLength(t.slice(7)) : STORAGE_TOKEN_LENGTH[t] ?? 0)).filter((n) => n > 0);
      const prefix = parts.length === 0 ? 0 : parts.reduce((a, b) => a + b, 0) + parts.length; // ":" between tokens, "_" after
      const id = Math.max(0, ...memcachedNodesOf(c).map((n) => (typeof n.id === 'string' ? n.id.length : 0)));
      const route = Math.max(0, ...c.tomcat.nodes.map((n) => (typeof n.jvmRoute === 'string' ? n.jvmRoute.length + 1 : 0)));
      const longest = MSM_KEY_PREFIX_MAX + prefix + SESSION_ID_HEX + 1 + id + route;
      return longest > MEMCACHED_KEY_MAX
        ? [{ path: ['manager', 'storageKeyPrefix'], value: p, message: `msm's longest memcached key would be ${longest} bytes (memcached's limit: ${MEMCACHED_KEY_MAX}). Fix: shorten the static part by at least ${longest - MEMCACHED_KEY_MAX} bytes` }]
        : [];
    },
  },
  // Lifted (issue 8), both fixed by the jar set rather than refused; see src/jars/manifest.ts:
  // - kryo on Java 9+: kryo-serializers 0.41 fails there (NoSuchFieldException: parentOffset);
  //   jarSet() picks 0.45 with kryo 4.0.0 on Java 9+, and javaOptions() adds the --add-opens.
  // - Tomcat 7/8.5 on Java 9+: their ECJ cannot compile JSPs ("Failed to load class
  //   [java.lang.System]"); jarSet() adds ECJ 3.26.0, which replaces lib/ecj-*.jar.
  // Deployed here (Tomcat+Java+serializer, two nodes, counter 1..10 on one session):
  // 7+8+kryo, 7+17+java, 7+21+kryo, 8.5+11+xstream, 9+21+kryo (docs/config.md, "Tomcat × Java, deployed").
  {
    id: 'tomcat-min-java',
    why: 'Tomcat 10.1 is compiled for Java 11 and Tomcat 11 for Java 17: on an older JVM Tomcat itself does not start (UnsupportedClassVersionError).',
    check: (c) => {
      const min = TOMCAT_MIN_JAVA[c.tomcat.version];
      return min !== undefined && c.tomcat.javaVersion < min
        ? [{ path: ['tomcat', 'javaVersion'], value: c.tomcat.javaVersion, message: `Tomcat ${c.tomcat.version} needs Java ${min} or later (UnsupportedClassVersionError on Java ${c.tomcat.javaVersion}). Fix: set tomcat.javaVersion to ${min} or later` }]
        : [];
    },
  },
  {
    id: 'jvm-options-java8',
    why: 'Java 8 knows no "--" options (--add-opens, --add-exports, ...: Java 9+): with one in CATALINA_OPTS the JVM refuses to start ("Unrecognized option") and Tomcat never answers.',
    check: (c) =>
      c.tomcat.javaVersion >= 9
        ? []
        : (c.tomcat.jvmOptions ?? []).flatMap((o, i) =>
            o.startsWith('--')
              ? [{ path: ['tomcat', 'jvmOptions', i], value: o, message: `Java ${c.tomcat.javaVersion} does not know this option (Java 9+ only): the JVM would refuse to start. Fix: remove it, or set tomcat.javaVersion to 11 or later` }]
              : [],
          ),
  },
  // Tomcat 10.1/11 (msm converted to jakarta.* by the kit) take every serializer 9 takes:
  // deployed on Tomcat 11 / Java 17, java, kryo and xstream each carried what they carry on
  // Tomcat 9 (verify -n 10 --attributes; docs/jakarta.md).
  {
    id: 'flexjson-unpublished',
    why: 'msm-flexjson-serializer was last published as 1.8.3 (msm 1.x); msm 2.x has no build of it on Maven Central.',
    check: (c) =>
      c.manager.serializer === 'flexjson'
        ? [{ path: ['manager', 'serializer'], value: 'flexjson', message: 'no msm-flexjson-serializer for msm 2.x exists on Maven Central (last: 1.8.3, for msm 1.x). Fix: use serializer "java" or "xstream"' }]
        : [],
  },
  {
    id: 'backup-timeout-sync-only',
    why: 'msm uses sessionBackupTimeout only with synchronous backup.',
    check: (c) =>
      c.manager.sessionBackupTimeout !== undefined && c.manager.sessionBackupAsync !== false
        ? [{ path: ['manager', 'sessionBackupTimeout'], value: c.manager.sessionBackupTimeout, message: 'sessionBackupTimeout only applies to synchronous backup. Fix: set manager.sessionBackupAsync to false, or remove it' }]
        : [],
  },
  {
    id: 'https-port-distinct',
    why: 'with tls nginx publishes loadBalancer.port (the redirect to HTTPS) and loadBalancer.httpsPort on the same host address; Docker cannot bind one port twice.',
    labOnly: true,
    check: (c) =>
      c.loadBalancer.tls !== undefined && c.loadBalancer.httpsPort === c.loadBalancer.port
        ? [{ path: ['loadBalancer', 'httpsPort'], value: c.loadBalancer.httpsPort, message: 'httpsPort is the same as port: both are published on the host. Fix: give loadBalancer.httpsPort its own port, e.g. 8443' }]
        : [],
  },
  {
    id: 'placement-names-nodes',
    why: 'A Swarm or Kubernetes lab places its nodes by node name; a placement for a name the lab has no node of would be silently unused (a typo leaves the node on its default host).',
    labOnly: true,
    check: (c) => {
      if (!c.engine) return [];
      const names = [...memcachedNodesOf(c).map((n) => n.name), ...(c.redis ? [c.redis.name] : []), ...c.tomcat.nodes.map((n) => n.name), c.loadBalancer.name];
      return Object.keys(c.engine.placement)
        .filter((k) => !names.includes(k))
        .map((k) => ({ path: ['engine', 'placement', k], value: k, message: `no node of the lab has this name. Fix: use one of ${names.join(', ')}` }));
    },
  },
  {
    id: 'backup-threads-async-only',
    why: 'msm uses backupThreadCount only with asynchronous backup.',
    check: (c) =>
      c.manager.backupThreadCount !== undefined && c.manager.sessionBackupAsync === false
        ? [{ path: ['manager', 'backupThreadCount'], value: c.manager.backupThreadCount, message: 'backupThreadCount only applies to asynchronous backup. Fix: remove it, or set manager.sessionBackupAsync to true' }]
        : [],
  },
  {
    id: 'webapp-context-paths-unique',
    why: 'Tomcat deploys one webapp per context path (one directory per name): a second app at the same path would replace the first.',
    check: (c) =>
      duplicates(c.webapps, (w) => w.contextPath.toLowerCase()).map(({ index, key }) => {
        const first = c.webapps.find((w) => w.contextPath.toLowerCase() === key)!.contextPath;
        return {
          path: ['webapps', index, 'contextPath'],
          value: c.webapps[index].contextPath,
          message: `another webapp already uses this context path${first !== c.webapps[index].contextPath ? ` (${first}: paths differing only in case clash on case-insensitive file systems)` : ''}. Fix: give every webapp its own contextPath`,
        };
      }),
  },
  {
    id: 'webapp-probe-path-free',
    why: `The kit's sample app is every Tomcat's health check and the probe verify and the drills drive; a config that lists only its own apps gets it at ${KIT_PROBE_CONTEXT}, which must then be free (and it is listed once at most).`,
    labOnly: true,
    check: (c) => {
      const samples = c.webapps.map((w, i) => ({ w, i })).filter(({ w }) => w.source === SAMPLE_WEBAPP_SOURCE);
      if (samples.length === 0)
        return c.webapps
          .map((w, i) => ({ w, i }))
          .filter(({ w }) => w.contextPath.toLowerCase() === KIT_PROBE_CONTEXT)
          .map(({ w, i }) => ({
            path: ['webapps', i, 'contextPath'],
            value: w.contextPath,
            message: `${KIT_PROBE_CONTEXT} is where the kit puts its sample app (the health check and verify's probe) when the config lists none. Fix: move your app to another contextPath, or list the sample app yourself at a free path, e.g. {"contextPath": "/kit-probe", "source": "${SAMPLE_WEBAPP_SOURCE}"}`,
          }));
      return samples.slice(1).map(({ i }) => ({ path: ['webapps', i, 'source'], value: SAMPLE_WEBAPP_SOURCE, message: 'the sample app is listed twice. Fix: keep one' }));
    },
  },
  // Redis as the store (msm 2.x RedisStorageClient: memcachedNodes="redis://host:port").
  {
    id: 'redis-excludes-memcached',
    why: 'msm takes one store: memcachedNodes is either memcached nodes or one redis:// URL, never both.',
    check: (c) =>
      c.redis && c.memcached
        ? [{ path: ['redis'], value: `redis ${c.redis.name} and ${c.memcached.nodes.length} memcached node(s)`, message: 'a lab stores sessions in memcached or in Redis, not both. Fix: remove the memcached block (to use Redis) or the redis block (to use memcached)' }]
        : [],
  },
  {
    id: 'redis-no-failover-nodes',
    why: 'with a redis:// URL msm has no node ids: failoverNodes names nothing and is ignored.',
    check: (c) =>
      c.redis && (c.manager.failoverNodes?.length ?? 0) > 0
        ? [{ path: ['manager', 'failoverNodes'], value: c.manager.failoverNodes, message: 'a Redis store has one node and no node ids, so there is nothing to fail over to. Fix: remove manager.failoverNodes' }]
        : [],
  },
  {
    id: 'redis-no-memcached-protocol',
    why: "memcachedProtocol selects spymemcached's text or binary protocol; msm's Redis client (Jedis) ignores it.",
    check: (c) =>
      c.redis && c.manager.memcachedProtocol !== undefined
        ? [{ path: ['manager', 'memcachedProtocol'], value: c.manager.memcachedProtocol, message: 'memcachedProtocol has no effect on a Redis store. Fix: remove manager.memcachedProtocol' }]
        : [],
  },
  {
    id: 'redis-no-sasl',
    why: "msm passes username/password only to spymemcached's SASL login; Redis auth would have to be inside the redis:// URL, which the kit does not write (the password would sit in context.xml in clear).",
    check: (c) =>
      c.redis
        ? SECRET_KEYS.filter((k) => c.manager[k] !== undefined).map((k) => ({
            path: ['manager', k],
            value: shown(k, c.manager[k]),
            message: `manager.${k} is memcached SASL; msm does not use it with Redis. Fix: remove manager.${k} (keep Redis on the lab's private network)`,
          }))
        : [],
  },
  {
    id: 'redis-not-on-swarm',
    labOnly: true,
    why: 'the Swarm stack deploys memcached services only; a Redis service there is not built yet.',
    check: (c) =>
      c.redis && c.engine?.kind === 'swarm'
        ? [{ path: ['redis'], value: c.redis.name, message: 'Redis is not supported on a Swarm lab yet. Fix: use memcached.nodes on Swarm, or remove engine to deploy on one Docker engine' }]
        : [],
  },
  {
    id: 'memcached-threads-not-on-swarm',
    labOnly: true,
    why: "the Swarm stack runs memcached with its image's own command (no -t), so a thread count would be silently ignored there.",
    check: (c) =>
      c.engine?.kind === 'swarm' && c.memcached?.threads !== undefined
        ? [{ path: ['memcached', 'threads'], value: c.memcached.threads, message: 'memcached.threads is not applied on a Swarm lab (its memcached services keep the image\'s command). Fix: remove memcached.threads, or remove engine to deploy on one Docker engine' }]
        : [],
  },
  {
    id: 'monitoring-not-on-swarm',
    labOnly: true,
    why: 'the Swarm stack deploys no Prometheus and no exporters yet; a Swarm lab with monitoring.enabled would silently run unmonitored.',
    check: (c) =>
      c.engine?.kind === 'swarm' && c.monitoring.enabled === true
        ? [{ path: ['monitoring', 'enabled'], value: true, message: 'monitoring is not deployed on a Swarm lab yet. Fix: remove monitoring.enabled (it is off on Swarm), or remove engine to deploy on one Docker engine' }]
        : [],
  },
  {
    id: 'monitoring-port-distinct',
    labOnly: true,
    why: "Prometheus and nginx are published on the host: the same host port twice makes Docker refuse the second container half-way through an apply.",
    check: (c) => {
      const p = c.monitoring.port;
      if (p === undefined || !monitoringEnabled(c)) return [];
      const taken = [c.loadBalancer.port, ...(c.loadBalancer.tls !== undefined ? [c.loadBalancer.httpsPort] : [])];
      return taken.includes(p) ? [{ path: ['monitoring', 'port'], value: p, message: 'nginx is already published on this host port. Fix: pick another port for Prometheus, or remove monitoring.port (a free port is picked)' }] : [];
    },
  },
  {
    id: 'redis-host-distinct',
    labOnly: true,
    why: "the Redis node's host becomes a network alias of its container: localhost/127.x inside a Tomcat container is that Tomcat itself; another container's name resolves to that container.",
    check: (c) => {
      const h = c.redis?.host;
      if (typeof h !== 'string') return [];
      if (LOOPBACK.test(h)) return [{ path: ['redis', 'host'], value: h, message: 'inside a Tomcat container this address is the Tomcat itself, not Redis. Fix: remove host (the container name is used)' }];
      const others = [...c.tomcat.nodes.map((n) => n.name), c.loadBalancer.name].map((n) => n.toLowerCase());
      return others.includes(h.toLowerCase()) && h.toLowerCase() !== c.redis!.name.toLowerCase()
        ? [{ path: ['redis', 'host'], value: h, message: 'this is the name of another container of the lab; as an alias of Redis it would resolve to two containers. Fix: remove host, or use a name no other container has' }]
        : [];
    },
  },
  {
    id: 'kubernetes-names',
    labOnly: true,
    why: 'on Kubernetes every node is a Deployment and a Service of that name, and the lab name names the namespace (by default) and the disruption budgets: Kubernetes wants DNS-1035 labels there, which, unlike the names the kit accepts elsewhere, start with a letter.',
    check: (c) => {
      if (c.engine?.kind !== 'kubernetes') return [];
      const names: Array<{ path: (string | number)[]; value: string }> = [
        ...memcachedNodesOf(c).map((n, i) => ({ path: ['memcached', 'nodes', i, 'name'], value: n.name })),
        ...c.tomcat.nodes.map((n, i) => ({ path: ['tomcat', 'nodes', i, 'name'], value: n.name })),
        { path: ['loadBalancer', 'name'], value: c.loadBalancer.name },
      ];
      const bad = names.filter((n) => !KUBE_NAME.test(n.value)).map((n) => ({ ...n, message: 'on Kubernetes a node name is a Deployment and Service name: a DNS label starting with a letter. Fix: e.g. "tomcat-node1"' }));
      if (!KUBE_NAME.test(c.name) || c.name.length > 52)
        bad.push({ path: ['name'], value: c.name, message: 'on Kubernetes the lab name names its namespace and disruption budgets: a DNS label starting with a letter, at most 52 characters. Fix: e.g. "msm-lab"' });
      return bad;
    },
  },
  {
    id: 'kubernetes-subnet-in-service-range',
    labOnly: true,
    why: "on Kubernetes every node's Service gets a fixed ClusterIP by the address plan of network.subnet, so that the address msm and nginx resolve once never moves; the API server accepts a fixed ClusterIP only inside its Service range.",
    check: (c) =>
      c.engine?.kind === 'kubernetes' && !cidrWithin(c.network.subnet, c.engine.serviceCidr)
        ? [{ path: ['network', 'subnet'], value: c.network.subnet, message: `on Kubernetes network.subnet is the block of the cluster's Service range (engine.serviceCidr ${c.engine.serviceCidr}) the lab's Services take their fixed addresses from. Fix: pick a /24 inside it that no other Service uses, e.g. "${c.engine.serviceCidr.split('.').slice(0, 2).join('.')}.57.0/24"` }]
        : [],
  },
  {
    id: 'kubernetes-memcached-host-is-name',
    labOnly: true,
    why: "on Kubernetes a memcached node is reached through its Service, whose name is the node's name; another host name would resolve to nothing.",
    check: (c) =>
      c.engine?.kind !== 'kubernetes'
        ? []
        : memcachedNodesOf(c).flatMap((n, i) =>
            n.host !== undefined && n.host !== n.name
              ? [{ path: ['memcached', 'nodes', i, 'host'], value: n.host, message: `on Kubernetes Tomcat reaches this node through its Service "${n.name}". Fix: remove host` }]
              : [],
          ),
  },
  {
    id: 'kubernetes-not-yet',
    labOnly: true,
    why: 'the Kubernetes stack deploys memcached, Tomcat and nginx over plain HTTP only, so far: Redis, TLS, SASL and monitoring there are not built yet, and would be silently missing.',
    check: (c) => {
      if (c.engine?.kind !== 'kubernetes') return [];
      const fix = 'or remove engine to deploy on one Docker engine';
      return [
        ...(c.redis ? [{ path: ['redis'], value: c.redis.name, message: `Redis is not supported on a Kubernetes lab yet. Fix: use memcached.nodes, ${fix}` }] : []),
        ...(c.loadBalancer.tls !== undefined ? [{ path: ['loadBalancer', 'tls'], value: '(set)', message: `TLS is not supported on a Kubernetes lab yet. Fix: remove loadBalancer.tls, ${fix}` }] : []),
        ...(c.manager.username !== undefined ? [{ path: ['manager', 'username'], value: '***', message: `memcached SASL is not supported on a Kubernetes lab yet. Fix: remove manager.username and manager.password, ${fix}` }] : []),
        ...(c.monitoring.enabled === true ? [{ path: ['monitoring', 'enabled'], value: true, message: `monitoring is not deployed on a Kubernetes lab yet. Fix: remove monitoring.enabled (it is off on Kubernetes), ${fix}` }] : []),
      ];
    },
  },
];
