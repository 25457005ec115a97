/**
 * The lab config: its shape, its defaults and every msm rule, in one place.
 *
 * Field-level rules (formats, ranges, enums) live on the fields below, each
 * field with its description (shown by editors through lab.config.schema.json).
 * Rules that relate several fields live in `rules.ts` as a table, one entry
 * per msm rule, and are attached in `load.ts` (LabConfigSchema).
 *
 * Every refusal message follows one pattern: what is wrong, then `Fix: ...`.
 * The field path and the bad value are added by `format.ts`.
 */
import { z } from 'zod';
import { closest } from './did-you-mean';
import { checkJavaRegex } from './java-regex';
import { SAMPLE_WEBAPP_SOURCE } from './layout';
import { DEFAULT_SCRAPE_SECONDS } from './monitoring';
import { OFFICIAL_IMAGES } from './official-images';
import { printable } from './show';
import { KUBE_NODE_LABEL, KUBE_TEST_CLUSTER, SWARM_HOST_LABEL, SWARM_TEST_CLUSTER } from './layout';

/** Object schema that refuses unknown keys, suggesting the closest known one. */
function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code !== 'unrecognized_keys') return undefined;
      // The key comes from the file: escaped and cut (it may hold terminal escapes, or be huge); its value is never shown.
      const hints = iss.keys.slice(0, 10).map((k) => {
        const near = k.length <= 64 ? closest(k, known) : undefined;
        return near ? `${printable(k, 40)} (did you mean "${near}"?)` : printable(k, 40);
      });
      if (iss.keys.length > 10) hints.push(`and ${iss.keys.length - 10} more`);
      return `unknown key ${hints.join(', ')}. Fix: remove it; known keys here are ${known.join(', ')}`;
    },
  });
}

/** A DNS label: safe as a Docker container name, a hostname, an XML attribute and an nginx token. */
const NAME_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const name = (what: string) =>
  z.string().regex(NAME_RE, {
    message: `${what} must be a lowercase DNS label (a-z, 0-9, inner "-", at most 63 characters). Fix: rename it, e.g. "tomcat-node1"`,
  });

const port = (what: string) =>
  z
    .number({ message: `${what} must be a whole number. Fix: use a port between 1 and 65535` })
    .int({ message: `${what} must be a whole number. Fix: use a port between 1 and 65535` })
    .min(1, { message: `${what} is out of range. Fix: use a port between 1 and 65535` })
    .max(65535, { message: `${what} is out of range. Fix: use a port between 1 and 65535` });

/** Java's Integer.MAX_VALUE: Tomcat's digester cannot set a larger number on an int attribute and skips it silently. */
export const JAVA_INT_MAX = 2147483647;

const positiveInt = (what: string, example: number, max = JAVA_INT_MAX, maxWhy = "the largest Java int; Tomcat/msm silently ignore a larger value") =>
  z
    .number({ message: `${what} must be a positive whole number. Fix: e.g. ${example}` })
    .int({ message: `${what} must be a positive whole number. Fix: e.g. ${example}` })
    .positive({ message: `${what} must be positive. Fix: e.g. ${example}` })
    .max(max, { message: `${what} is above ${max} (${maxWhy}). Fix: e.g. ${example}` });

/** Whether java.util.regex compiles a pattern (src/config/java-regex.ts; JavaScript's engine when no Java is found). */
export function compiles(pattern: string): boolean {
  return checkJavaRegex(pattern).ok;
}

/** A regex msm compiles with java.util.regex: checked with Java's semantics, its error quoted. */
const javaRegex = (what: string) =>
  z
    .string()
    .min(1, { message: `${what} is empty. Fix: remove the key or give a regex` })
    .superRefine((v, ctx) => {
      const r = checkJavaRegex(v);
      if (!r.ok)
        ctx.addIssue({
          code: 'custom',
          input: v,
          message: `${what} is not a valid regular expression for java.util.regex (${r.message}). Fix: correct the syntax (msm compiles it with Java's Pattern.compile; e.g. escape a literal "{" as "\\{")`,
        });
    });

/** Tomcat's heap: the lab's default and the range the schema accepts, in MiB. */
export const DEFAULT_HEAP_MB = 256;
export const MIN_HEAP_MB = 64;
export const MAX_HEAP_MB = 32768;
/** Garbage collectors tomcat.gc names (each a -XX:+Use<...>GC flag on Java 8 to 21). */
export const GC_NAMES = ['serial', 'parallel', 'g1'] as const;

export const SUPPORTED_TOMCATS = ['7', '8.5', '9', '10.1', '11'] as const;

export const TomcatVersion = z.enum(SUPPORTED_TOMCATS, {
  error: (iss) => {
    const v = String(iss.input);
    if (/^10(\.0(\.\d+)?)?$/.test(v)) return `Tomcat ${v}: the kit runs msm on the jakarta.* Tomcats 10.1 and 11 (msm converted by Apache's migration tool), not on 10.0 (end of life). Fix: use "10.1" or "11"`;
    if (/^1[01]\.\d/.test(v)) return `give the Tomcat major version, not a release. Fix: use "${v.startsWith('10') ? '10.1' : '11'}"`;
    return `unsupported Tomcat version. Fix: use one of "7", "8.5", "9", "10.1", "11" (as a string)`;
  },
});

export const JAVA_VERSIONS = [8, 11, 17, 21] as const;
export const JavaVersion = z.union([z.literal(8), z.literal(11), z.literal(17), z.literal(21)], {
  error: () => 'unsupported Java version. Fix: use one of 8, 11, 17, 21 (a number)',
});

const JVM_ROUTE_RE = /^[A-Za-z0-9_-]{1,63}$/;

export const TomcatNode = strict({
  name: name('a Tomcat node name').describe("Container name and the node name the sample app prints."),
  jvmRoute: z
    .string()
    .regex(JVM_ROUTE_RE, {
      message:
        'jvmRoute may hold only letters, digits, "_" and "-", at most 63 (a dot breaks msm\'s session id parsing: the id changes on every request; it is also part of every memcached key). Fix: e.g. "tomcat1"',
    })
    .optional().describe("Engine jvmRoute, appended to the session id (`<hex>-mnode1.<jvmRoute>`). Required in sticky mode, absent in non-sticky mode. @default none"),
});

/** A DNS name (RFC 1123 labels; "_" allowed as Docker names allow it): at most 253 characters, labels 1-63. */
const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;

/** A host msm connects to: a DNS name or IPv4 address, nothing msm's node or URL syntax would split. */
const host = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, {
      message: `${what} may not hold ":", whitespace or other punctuation (msm's node syntax is id:host:port, the Redis URL redis://host:port; no IPv6 literals). Fix: use a hostname or an IPv4 address`,
    })
    .refine((v) => !/^[A-Za-z0-9._-]+$/.test(v) || HOSTNAME_RE.test(v), {
      message: `${what} must be a DNS name (labels of 1-63 characters, not starting or ending with "-" or ".", at most 253 in all) or an IPv4 address. Fix: e.g. "memcached-node1" or "10.0.0.5"`,
    });

export const MemcachedNode = strict({
  id: z.string().regex(/^\w{1,32}$/, {
    message: 'a memcached node id may hold only letters, digits and "_", at most 32 (msm parses it as \\w+; "node-1" is refused; it is part of every session id and memcached key). Fix: e.g. "mnode1"',
  }).describe("msm node id (the `mnode1` in `mnode1:host:11211`); java `\\w+`."),
  name: name('a memcached node name').describe("Container name of the memcached node."),
  host: host('a memcached host')
    .optional().describe("Host Tomcat connects to. msm resolves it once, at start-up. @default the container name"),
  port: port('a memcached port').default(11211).describe("TCP port of the memcached node. @default 11211"),
});

export const RedisNode = strict({
  name: name('the Redis node name').default('redis-node1').describe('Container name of the Redis node. @default "redis-node1"'),
  host: host('the Redis host').optional().describe("Host Tomcat connects to (msm's redis://host:port). @default the container name"),
  port: port('the Redis port').default(6379).describe("TCP port of the Redis node. @default 6379"),
});

/** The memcached nodes a config names when it names no store at all. */
export const DEFAULT_MEMCACHED_NODES = [
  { id: 'mnode1', name: 'memcached-node1', port: 11211 },
  { id: 'mnode2', name: 'memcached-node2', port: 11211 },
] as const;

export const SERIALIZERS = ['java', 'kryo', 'xstream', 'flexjson'] as const;
export const Serializer = z.enum(SERIALIZERS, {
  error: () => `unknown serializer. Fix: use one of ${SERIALIZERS.join(', ')}`,
});

const LOCKING_RE = /^(none|all|auto|uriPattern:.+)$/;
/** msm's tokens; a static value is printable ASCII without ",", ":" (msm's token separator) or spaces (memcached keys hold none). */
const STORAGE_KEY_TOKEN_RE = /^(static:[\x21-\x2b\x2d-\x39\x3b-\x7e]{1,200}|host|host\.hash|context|context\.hash|webappVersion)$/;

export const Manager = strict({
  sticky: z.boolean().default(false).describe("msm `sticky`. @default false (the kit's default lab is non-sticky)"),
  failoverNodes: z.array(z.string()).optional().describe("msm `failoverNodes`: ids from memcached.nodes; sticky mode only. @default none"),
  lockingMode: z
    .string()
    .regex(LOCKING_RE, { message: 'lockingMode must be none, all, auto or uriPattern:<regex>. Fix: e.g. "auto"' })
    .superRefine((v, ctx) => {
      if (!v.startsWith('uriPattern:')) return;
      const r = checkJavaRegex(v.slice('uriPattern:'.length));
      if (!r.ok) ctx.addIssue({ code: 'custom', input: v, message: `the regex after "uriPattern:" does not compile with java.util.regex (${r.message}). Fix: correct the regex` });
    })
    .optional().describe("msm `lockingMode`: none, all, auto or uriPattern:<regex>; non-sticky only. @default msm's \"none\""),
  requestUriIgnorePattern: javaRegex('requestUriIgnorePattern')
    .refine((v) => !/^\^?\//.test(v), {
      message:
        'msm matches this pattern against "METHOD URI" (e.g. "GET /a.css"), so a pattern that starts with "/" or "^/" never matches. Fix: start it with ".*", e.g. ".*\\.(css|js)$"',
    })
    .optional().describe("msm `requestUriIgnorePattern`, matched against `METHOD URI`. @default none"),
  sessionBackupAsync: z.boolean().optional().describe("msm `sessionBackupAsync`. @default msm's true; non-sticky setups should use false"),
  sessionBackupTimeout: positiveInt('sessionBackupTimeout', 100).optional().describe("msm `sessionBackupTimeout` in ms; sync backup only. @default msm's 100"),
  backupThreadCount: positiveInt('backupThreadCount', 4).optional().describe("msm `backupThreadCount`; async backup only. @default the number of CPUs"),
  operationTimeout: positiveInt('operationTimeout', 1000).optional().describe("msm `operationTimeout` in ms (also the longest wait for a lock). @default msm's 1000"),
  lockExpiration: positiveInt('lockExpiration', 5).optional().describe("msm `lockExpiration` in seconds. @default msm's 5"),
  memcachedProtocol: z
    .enum(['text', 'binary'], { error: () => 'memcachedProtocol must be "text" or "binary" (msm ignores anything else). Fix: pick one' })
    .optional().describe("msm `memcachedProtocol`. @default msm's \"text\""),
  username: z.string().min(1).optional().describe("SASL user (binary protocol only, with password). @default none"),
  password: z.string().min(1).optional().describe("SASL password (binary protocol only, with username). @default none"),
  storageKeyPrefix: z
    .string()
    .refine((v) => v.split(',').every((t) => STORAGE_KEY_TOKEN_RE.test(t)), {
      message:
        'storageKeyPrefix is a comma list (no spaces) of static:<x>, host, host.hash, context, context.hash, webappVersion, where <x> is printable ASCII without ",", ":" or spaces (msm fails at start on any other token; memcached keys hold no spaces or control characters). Fix: e.g. "static:app,context.hash"',
    })
    .optional().describe("msm `storageKeyPrefix`: comma list of static:<x>, host, host.hash, context, context.hash, webappVersion. @default msm's \"webappVersion\""),
  sessionAttributeFilter: javaRegex('sessionAttributeFilter').optional().describe("msm `sessionAttributeFilter`: regex on attribute names to store. @default none (all)"),
  copyCollectionsForSerialization: z.boolean().optional().describe("msm `copyCollectionsForSerialization`; kryo/flexjson only. @default msm's false"),
  customConverter: z
    .string()
    .regex(/^[A-Za-z_$][\w$.]*(,[A-Za-z_$][\w$.]*)*$/, {
      message: 'customConverter is a comma list of Java class names. Fix: e.g. "de.javakaffee.web.msm.serializer.kryo.HibernateCollectionsSerializerFactory"',
    })
    .optional().describe("msm `customConverter`: comma list of class names; kryo only. @default none"),
  enableStatistics: z.boolean().optional().describe("msm `enableStatistics`. @default msm's true"),
  enabled: z.boolean().optional().describe("msm `enabled`. @default msm's true"),
  maxInactiveInterval: z
    .number()
    .int({ message: 'maxInactiveInterval must be a whole number of seconds. Fix: e.g. 1800' })
    .min(-JAVA_INT_MAX - 1, { message: `maxInactiveInterval is outside Java's int range (Tomcat silently ignores it). Fix: e.g. 1800, or -1 for never` })
    .max(JAVA_INT_MAX, { message: `maxInactiveInterval is above ${JAVA_INT_MAX}, the largest Java int (Tomcat silently ignores it). Fix: e.g. 1800, or -1 for never` }).optional().describe("msm `maxInactiveInterval` in seconds; ≤ 0 never expires. @default the Context's session timeout"),
  serializer: Serializer.default('java').describe("Session serializer; sets transcoderFactoryClass and the jar set. @default \"java\""),
  formLoginWorkaround: z
    .boolean()
    .default(false)
    .describe(
      "Not an msm attribute: adds Tomcat's FormAuthenticator valve with changeSessionIdOnAuthentication=\"false\" to every webapp's context, so that FORM login works when the login page and the POST to j_security_check reach different Tomcats (non-sticky mode; without it that POST answers 408). Trade-off: it turns off Tomcat's session-fixation protection (the session id is not changed at login, so an id planted before login stays valid after it). @default false",
    ),
});

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const CIDR_RE = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/;
const IMAGE_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const image = (which: string) =>
  z
    .string()
    .regex(IMAGE_RE, { message: `not a Docker image reference. Fix: e.g. "${which}"` })
    .optional();

/** Upper bounds nginx can honour (the renderer writes worker_connections NGINX_LIMITS.keepalive). */
export const NGINX_LIMITS = { maxFails: 1000, seconds: 86400, connectTimeout: 75, keepalive: 1024 } as const;

export const LoadBalancer = strict({
  name: name('the load balancer name').default('nginx').describe("nginx container name. @default \"nginx\""),
  port: port('loadBalancer.port').default(8080).describe("Host port nginx is published on. @default 8080"),
  bindAddress: z
    .string()
    .regex(IPV4_RE, { message: 'bindAddress must be an IPv4 address. Fix: "127.0.0.1" (local only) or "0.0.0.0" (all interfaces)' })
    .default('127.0.0.1').describe("Host address the port is bound to. @default \"127.0.0.1\""),
  maxFails: positiveInt('maxFails', 1, NGINX_LIMITS.maxFails, 'a node that must fail over 1000 times within fail_timeout is never taken out').default(1).describe("nginx `max_fails` per Tomcat. @default 1"),
  failTimeout: positiveInt('failTimeout', 5, NGINX_LIMITS.seconds, 'a day; nginx keeps times in 32-bit milliseconds and refuses more than 24 days').default(5).describe("nginx `fail_timeout` in seconds. @default 5"),
  connectTimeout: positiveInt('connectTimeout', 1, NGINX_LIMITS.connectTimeout, 'nginx documents that a connect timeout usually cannot exceed 75 seconds').default(1).describe("nginx `proxy_connect_timeout` in seconds. @default 1"),
  readTimeout: positiveInt('readTimeout', 30, NGINX_LIMITS.seconds, 'a day; nginx keeps times in 32-bit milliseconds and refuses more than 24 days').default(30).describe("nginx `proxy_read_timeout` in seconds. @default 30"),
  keepalive: positiveInt('keepalive', 16, NGINX_LIMITS.keepalive, "the generated nginx.conf's worker_connections; nginx allocates every cached connection up front").default(16).describe("nginx `keepalive` connections per upstream. @default 16"),
  tls: z
    .union(
      [
        z.literal('self-signed'),
        strict({
          certificate: z.string().min(1, { message: 'certificate is empty. Fix: give the path of a PEM certificate, e.g. "./cert.pem"' }).describe('PEM certificate (chain), relative to the config file.'),
          key: z.string().min(1, { message: 'key is empty. Fix: give the path of its PEM private key, e.g. "./key.pem"' }).describe('PEM private key of the certificate, relative to the config file; not readable by group or others.'),
        }),
      ],
      { error: () => 'tls must be "self-signed" or { "certificate": "./cert.pem", "key": "./key.pem" }. Fix: pick one, or remove tls for plain HTTP' },
    )
    .optional()
    .describe('TLS at nginx: "self-signed" (the kit makes a certificate for the lab under <out>/tls) or { certificate, key } (PEM files relative to the config file, checked before anything is deployed). With TLS the plain port redirects to HTTPS. @default none (plain HTTP)'),
  httpsPort: port('loadBalancer.httpsPort').default(8443).describe('Host port nginx serves HTTPS on (with tls), bound to bindAddress like port. @default 8443'),
});

/** A context path Tomcat can map to a directory name: `/`, or `/seg[/seg...]` (no `#`, no `.`/`..` segments). */
const CONTEXT_PATH_RE = /^\/$|^(\/(?!\.{1,2}(\/|$))[A-Za-z0-9._~-]{1,64}){1,8}$/;

export const Webapp = strict({
  contextPath: z
    .string()
    .regex(CONTEXT_PATH_RE, { message: 'contextPath must be "/" or "/name" (segments of A-Z a-z 0-9 . _ ~ -, no trailing "/"). Fix: e.g. "/shop"' })
    .refine((v) => v.toUpperCase() !== '/ROOT', { message: 'contextPath "/ROOT" would be the directory ROOT, which Tomcat serves at "/". Fix: use "/" or another name' })
    .describe('Where the app answers: "/" (Tomcat\'s ROOT) or "/name".'),
  source: z
    .string()
    .min(1, { message: `source is empty. Fix: a .war file or an exploded webapp directory, relative to the config file, or "${SAMPLE_WEBAPP_SOURCE}"` })
    .describe(`A .war file or an exploded webapp directory, relative to the config file; "${SAMPLE_WEBAPP_SOURCE}" is the kit's sample app (the page verify and the drills read).`),
});

/** JVM options the kit sets itself, each with the setting that owns it (tomcat.jvmOptions refuses them). */
export const KIT_OWNED_JVM_OPTIONS: ReadonlyArray<{ readonly pattern: RegExp; readonly owner: string }> = [
  { pattern: /^-X(mx|ms)\d|^-XX:(MaxHeapSize|InitialHeapSize)=/, owner: 'the heap is tomcat.heapMb (-Xmx; -Xms is half of it)' },
  { pattern: /^-XX:[+-]Use\w*GC$/, owner: 'the collector is tomcat.gc ("serial", "parallel" or "g1")' },
  { pattern: /^-DjvmRoute=/, owner: 'the kit sets -DjvmRoute per node from tomcat.nodes[].jvmRoute' },
  { pattern: /^-javaagent:/, owner: 'the Tomcat image carries no agent but the kit\'s own (monitoring.enabled adds the JMX exporter)' },
];

/** One extra JVM option: starts with "-", no whitespace (CATALINA_OPTS is split on spaces), not one the kit owns. */
const JvmOption = z.string().superRefine((o, ctx) => {
  if (!o.startsWith('-')) {
    ctx.addIssue({ code: 'custom', message: `not a JVM option (they start with "-"). Fix: e.g. "-XX:+HeapDumpOnOutOfMemoryError", or remove it` });
  } else if (/\s/.test(o)) {
    ctx.addIssue({ code: 'custom', message: `this option contains whitespace; CATALINA_OPTS is split on spaces, so it would become several options. Fix: one option per item, no spaces` });
  } else {
    const owned = KIT_OWNED_JVM_OPTIONS.find((k) => k.pattern.test(o));
    if (owned) ctx.addIssue({ code: 'custom', message: `this option is set by the kit: ${owned.owner}. Fix: remove it from tomcat.jvmOptions and use that setting` });
  }
});

/** engine.kind "swarm": the lab as Swarm services (docs/swarm.md). */
const SwarmEngine = strict({
  kind: z.literal('swarm').describe('"swarm": deploy the lab as Swarm services, each node placed on a host (see docs/swarm.md).'),
  manager: z
    .string()
    .regex(/^(unix:\/\/\/\S+|tcp:\/\/[A-Za-z0-9.-]+:\d+|ssh:\/\/\S+)$/, { message: 'engine.manager must be unix:///path, tcp://host:port or ssh://user@host of a Swarm manager. Fix: e.g. "tcp://10.0.0.5:2375"' })
    .default(SWARM_TEST_CLUSTER.manager).describe(`Docker API of a Swarm manager. @default "${SWARM_TEST_CLUSTER.manager}" (host1 of scripts/setup/swarm-cluster.sh)`),
  registry: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, { message: 'engine.registry must be host[:port] of a registry every Swarm node pulls from. Fix: e.g. "registry.example.com:5000"' })
    .default(SWARM_TEST_CLUSTER.registry).describe(`Registry every Swarm node pulls from; the kit pushes the Tomcat image there and expects the other images as <registry>/<image>. @default "${SWARM_TEST_CLUSTER.registry}" (the test cluster's)`),
  hosts: z
    .array(z.string().regex(/^[A-Za-z0-9_.-]{1,63}$/, { message: 'a host is the value of a node label msm-kit.host. Fix: use letters, digits, _ . -' }))
    .min(1)
    .default([...SWARM_TEST_CLUSTER.hosts]).describe(`Values of the node label ${SWARM_HOST_LABEL} to spread nodes over, round-robin (memcached nodes, then Tomcat nodes, then nginx). @default ${SWARM_TEST_CLUSTER.hosts.join(', ')}`),
  placement: z
    .record(z.string(), z.string().regex(/^(node:[a-z0-9]{25}|[A-Za-z0-9_.-]{1,63})$/, { message: 'a placement is a host (label value) or node:<25-character node id>. Fix: e.g. "host2"' }))
    .default({}).describe(`Where a node runs, by node name (tomcat-node1, memcached-node1, nginx...): a ${SWARM_HOST_LABEL} label value, or node:<node id>. @default the round-robin spread over hosts`),
});

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** engine.kind "kubernetes": the lab as Deployments and Services on a cluster (docs/kubernetes.md). */
const KubernetesEngine = strict({
  kind: z.literal('kubernetes').describe('"kubernetes": deploy the lab onto a Kubernetes cluster, one Deployment and one Service per node (see docs/kubernetes.md).'),
  kubeconfig: z.string().min(1).default(KUBE_TEST_CLUSTER.kubeconfig)
    .describe(`Kubeconfig file of the cluster (its current context is used). @default "${KUBE_TEST_CLUSTER.kubeconfig}" (scripts/setup/kube-cluster.sh's cluster)`),
  namespace: z.string().regex(DNS_LABEL, { message: 'engine.namespace must be a DNS label: lowercase letters, digits and -, starting with a letter, at most 63. Fix: e.g. "msm-lab"' })
    .optional().describe("Namespace the lab is created in (and deleted with, by down). @default the lab's name"),
  nodePort: z.number().int().min(30000, { message: 'engine.nodePort must be in the NodePort range 30000-32767. Fix: e.g. 30080' }).max(32767, { message: 'engine.nodePort must be in the NodePort range 30000-32767. Fix: e.g. 30080' }).default(30080)
    .describe("NodePort of nginx's Service: the lab answers on http://<nodeAddress>:<nodePort>/. @default 30080"),
  nodeAddress: z.string().regex(/^[A-Za-z0-9.-]+$/, { message: 'engine.nodeAddress must be a host name or an IPv4 address of a cluster node. Fix: e.g. "10.250.0.1"' }).default(KUBE_TEST_CLUSTER.nodeAddress)
    .describe(`Address of a cluster node this machine reaches: verify and the drills use its NodePort. @default "${KUBE_TEST_CLUSTER.nodeAddress}" (the test cluster's node1)`),
  serviceCidr: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { message: 'engine.serviceCidr must be an IPv4 CIDR. Fix: e.g. "10.96.0.0/16"' }).default(KUBE_TEST_CLUSTER.serviceCidr)
    .describe(`The cluster's Service range (kube-apiserver --service-cluster-ip-range): network.subnet must lie in it, and every Service of the lab gets its fixed ClusterIP there by the address plan, so the addresses msm and nginx resolve once never move. @default "${KUBE_TEST_CLUSTER.serviceCidr}"`),
  nodes: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { message: 'a node is a Kubernetes node name (label kubernetes.io/hostname). Fix: e.g. "node1"' })).min(1)
    .default([...KUBE_TEST_CLUSTER.nodes]).describe(`Cluster nodes to spread the lab's pods over, round-robin (memcached nodes, then Tomcat nodes, then nginx), pinned by ${KUBE_NODE_LABEL}. @default ${KUBE_TEST_CLUSTER.nodes.join(', ')}`),
  placement: z.record(z.string(), z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { message: 'a placement is a Kubernetes node name. Fix: e.g. "node2"' }))
    .default({}).describe('Where a node runs, by node name (tomcat-node1, memcached-node1, nginx...): a cluster node name. @default the round-robin spread over nodes'),
  registry: z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, { message: 'engine.registry must be host[:port] of a registry every node pulls from. Fix: e.g. "registry.example.com:5000"' })
    .optional().describe("Registry every node pulls from: the kit pushes the lab's images there. @default none: the images are imported into the test cluster's nodes (scripts/setup/kube-cluster.sh import); another cluster needs one"),
});


/** The lab config's fields, without the cross-field rules (see LabConfigSchema in load.ts). */
export const LabConfigFields = strict({
  $schema: z.string().optional().describe("JSON Schema for editors."),
  name: name('the lab name').default('msm-lab').describe("Lab name: prefixes the network, the Tomcat image and the stack. @default \"msm-lab\""),
  tomcat: strict({
    version: TomcatVersion.default('9').describe("Tomcat major version: \"7\", \"8.5\", \"9\", or the jakarta.* \"10.1\" (Java 11+) and \"11\" (Java 17+), on which the kit runs msm converted by Apache's migration tool. @default \"9\""),
    javaVersion: JavaVersion.default(17).describe("Java major version of the Tomcat image. @default 17"),
    nodes: z
      .array(TomcatNode)
      .min(1, { message: 'at least one Tomcat node is needed. Fix: add {"name": "tomcat-node1"}' })
      .max(20, { message: 'at most 20 Tomcat nodes fit the lab network. Fix: remove some' })
      .default([{ name: 'tomcat-node1' }, { name: 'tomcat-node2' }]).describe("The Tomcat nodes. @default tomcat-node1, tomcat-node2"),
    heapMb: positiveInt('tomcat.heapMb', DEFAULT_HEAP_MB, MAX_HEAP_MB, `${MAX_HEAP_MB / 1024} GiB; a lab node needs far less`)
      .min(MIN_HEAP_MB, { message: `tomcat.heapMb is below ${MIN_HEAP_MB} MiB (Tomcat with msm and a webapp does not start reliably in less). Fix: e.g. ${DEFAULT_HEAP_MB}` })
      .default(DEFAULT_HEAP_MB)
      .describe(`Maximum Java heap of every Tomcat in MiB (-Xmx; -Xms is half of it). Sessions live in the heap as well as in the store. @default ${DEFAULT_HEAP_MB}`),
    gc: z
      .enum(GC_NAMES, { error: () => `tomcat.gc must be one of ${GC_NAMES.map((g) => `"${g}"`).join(', ')}. Fix: pick one, or remove the key to keep the JVM's own choice` })
      .optional()
      .describe('Garbage collector of every Tomcat JVM: "serial" (-XX:+UseSerialGC), "parallel" (-XX:+UseParallelGC) or "g1" (-XX:+UseG1GC); all three exist on Java 8 to 21. @default the JVM\'s own choice (Serial on a container with one CPU or under 1792 MiB, G1 otherwise on Java 9+, Parallel on Java 8)'),
    jvmOptions: z
      .array(JvmOption)
      .max(50, { message: 'tomcat.jvmOptions has more than 50 options. Fix: keep the ones you need' })
      .optional()
      .describe('Extra JVM options of every Tomcat, one per item, added after the kit\'s own (CATALINA_OPTS), e.g. ["-XX:+HeapDumpOnOutOfMemoryError", "-Dfile.encoding=UTF-8"]. Heap, collector, jvmRoute and agents are the kit\'s (tomcat.heapMb, tomcat.gc, tomcat.nodes[].jvmRoute, monitoring) and are refused here. @default none'),
    maxThreads: positiveInt('tomcat.maxThreads', 200, 10000, 'each thread reserves its own stack; 10 000 is far past what one node serves')
      .optional()
      .describe("maxThreads of every Tomcat's HTTP connector: requests served at once. @default Tomcat's 200"),
  }).prefault({}).describe("The Tomcat nodes: version, Java version, JVM and connector settings, and the nodes themselves."),
  memcached: strict({
    nodes: z
      .array(MemcachedNode)
      .min(1, { message: 'msm needs at least one memcached node. Fix: add {"id": "mnode1", "name": "memcached-node1"}' })
      .max(20, { message: 'at most 20 memcached nodes fit the lab network. Fix: remove some' })
      .default(DEFAULT_MEMCACHED_NODES.map((n) => ({ ...n }))).describe("The memcached nodes. @default mnode1 on memcached-node1, mnode2 on memcached-node2"),
    threads: positiveInt('memcached.threads', 4, 64, 'memcached warns above 64 worker threads; more threads than cores only add switching')
      .optional()
      .describe("Worker threads of every memcached node (memcached -t). @default memcached's 4"),
  }).optional().describe("The memcached nodes msm stores sessions in (msm memcachedNodes). Exclusive with redis. @default mnode1 on memcached-node1, mnode2 on memcached-node2, unless redis is set"),
  redis: RedisNode.optional().describe('Redis as the session store instead of memcached: msm memcachedNodes="redis://host:port", one node, no node ids, no failoverNodes, no SASL. Exclusive with memcached. @default none (memcached)'),
  manager: Manager.prefault({}).describe("msm's <Manager> attributes, under msm's own names; unset ones keep msm's default."),
  loadBalancer: LoadBalancer.prefault({}).describe("The nginx load balancer in front of the Tomcat nodes."),
  images: strict({
    tomcat: image('tomcat:9.0-jre17').describe("Base Tomcat image. @default \"tomcat:<version>-jre<javaVersion>\" (the official image; without a registry, the kit's stand-in of it)"),
    memcached: image('memcached:1.6').describe("memcached image. @default \"memcached:1.6\""),
    redis: image('redis:7.0').describe("Redis image (a lab with redis). @default \"redis:7.0\""),
    nginx: image('nginx:1.27').describe("nginx image. @default \"nginx:1.27\""),
    prometheus: image(OFFICIAL_IMAGES.prometheus).describe(`Prometheus image (monitoring). @default "${OFFICIAL_IMAGES.prometheus}"`),
    nginxExporter: image(OFFICIAL_IMAGES.nginxExporter).describe(`nginx exporter image (monitoring). @default "${OFFICIAL_IMAGES.nginxExporter}"`),
    memcachedExporter: image(OFFICIAL_IMAGES.memcachedExporter).describe(`memcached exporter image (monitoring of a memcached lab). @default "${OFFICIAL_IMAGES.memcachedExporter}"`),
    redisExporter: image(OFFICIAL_IMAGES.redisExporter).describe(`Redis exporter image (monitoring of a Redis lab). @default "${OFFICIAL_IMAGES.redisExporter}"`),
  }).prefault({}).describe("Image overrides; leave them unset to use the official images (or, without a registry, the kit's stand-ins of them)."),
  monitoring: strict({
    enabled: z
      .boolean({ message: 'monitoring.enabled must be true or false. Fix: e.g. false to deploy no monitoring' })
      .optional()
      .describe('Deploy Prometheus, the nginx and store exporters, and the JMX exporter agent in every Tomcat (see docs/monitoring.md); `msm-kit status` reads them. @default true (false on a Swarm lab, which the kit does not monitor)'),
    port: port('monitoring.port')
      .optional()
      .describe("Host port Prometheus is published on, on 127.0.0.1. @default a free port the engine picks (msm-kit status and up print it)"),
    scrapeSeconds: positiveInt('monitoring.scrapeSeconds', DEFAULT_SCRAPE_SECONDS, 300, 'Prometheus marks a series stale after 5 minutes without a sample')
      .default(DEFAULT_SCRAPE_SECONDS)
      .describe(`How often Prometheus scrapes every target, in seconds. @default ${DEFAULT_SCRAPE_SECONDS}`),
  }).prefault({}).describe("The lab's monitoring: Prometheus on 127.0.0.1 and exporters on the lab network."),
  network: strict({
    name: name('the network name').optional().describe("Docker network name. @default \"<name>-net\""),
    subnet: z
      .string()
      .refine(
        (v) => {
          const m = CIDR_RE.exec(v);
          return !!m && IPV4_RE.test(m[1]) && Number(m[2]) >= 16 && Number(m[2]) <= 26;
        },
        { message: 'subnet must be an IPv4 CIDR with a prefix from /16 to /26. Fix: e.g. "172.28.57.0/24"' },
      )
      .default('172.28.57.0/24').describe("IPv4 subnet with a prefix of /16 to /26; containers get fixed addresses in it. @default \"172.28.57.0/24\""),
  }).prefault({}).describe("The lab's Docker network."),
  docker: strict({
    host: z
      .string()
      .regex(/^(unix:\/\/\/\S+|tcp:\/\/[A-Za-z0-9.-]+:\d+|ssh:\/\/\S+|npipe:\/\/\S+)$/, {
        message: 'docker.host must be unix:///path, tcp://host:port or ssh://user@host. Fix: e.g. "unix:///var/run/docker.sock"',
      })
      .default('unix:///var/run/docker.sock').describe("Docker engine the provider talks to. @default \"unix:///var/run/docker.sock\""),
  }).prefault({}).describe("The Docker engine the lab is deployed on."),
  webapps: z
    .array(Webapp)
    .min(1, { message: `at least one webapp is needed. Fix: add {"contextPath": "/", "source": "${SAMPLE_WEBAPP_SOURCE}"}` })
    .max(20, { message: 'at most 20 webapps. Fix: remove some' })
    .default([{ contextPath: '/', source: SAMPLE_WEBAPP_SOURCE }])
    .describe(`The webapps every Tomcat runs, each with msm's <Manager> in its own context. @default the sample app at "/" ({"contextPath": "/", "source": "${SAMPLE_WEBAPP_SOURCE}"})`),
  engine: z
    .discriminatedUnion('kind', [SwarmEngine, KubernetesEngine], {
      error: (iss) => (iss.code === 'invalid_union' ? 'engine.kind must be "swarm" or "kubernetes". Fix: e.g. {"kind": "kubernetes"}, or remove engine to deploy on one Docker engine' : undefined),
    })
    .optional().describe("Deploy onto a Docker Swarm or a Kubernetes cluster instead of one engine. @default one engine (docker.host)"),
});

/** The config as written (defaults optional). */
export type LabConfigInput = z.input<typeof LabConfigFields>;
/** The config with every default filled in. */
export type LabConfig = z.output<typeof LabConfigFields>;
export type ManagerConfig = LabConfig['manager'];
export type TomcatVersionName = LabConfig['tomcat']['version'];
export type JavaVersionNumber = LabConfig['tomcat']['javaVersion'];
export type SerializerName = LabConfig['manager']['serializer'];
export type GcName = (typeof GC_NAMES)[number];

/** The memcached nodes of a config: its own; the defaults when it names no store; none with a Redis store. */
export function memcachedNodesOf(c: Pick<LabConfig, 'memcached' | 'redis'>): z.output<typeof MemcachedNode>[] {
  return c.memcached?.nodes ?? (c.redis ? [] : DEFAULT_MEMCACHED_NODES.map((n) => ({ ...n })));
}
