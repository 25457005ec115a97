/**
 * The lab config: its shape, its defaults and every msm rule, in one place.
 *
 * Field-level rules (formats, ranges, enums) live on the fields below.
 * Rules that relate several fields live in `rules.ts` as a table, one entry
 * per msm rule, and are attached here with `superRefine`.
 *
 * Every refusal message follows one pattern: what is wrong, then `Fix: ...`.
 * The field path and the bad value are added by `format.ts`.
 */
import { z } from 'zod';
import { closest } from './did-you-mean';
import { crossFieldRules } from './rules';

/** Object schema that refuses unknown keys, suggesting the closest known one. */
function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code !== 'unrecognized_keys') return undefined;
      const hints = iss.keys.map((k) => {
        const near = closest(k, known);
        return near ? `"${k}" (did you mean "${near}"?)` : `"${k}"`;
      });
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

const positiveInt = (what: string, example: number) =>
  z
    .number({ message: `${what} must be a positive whole number. Fix: e.g. ${example}` })
    .int({ message: `${what} must be a positive whole number. Fix: e.g. ${example}` })
    .positive({ message: `${what} must be positive. Fix: e.g. ${example}` });

/** Whether a pattern compiles (JavaScript's engine stands in for java.util.regex). */
export function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

const javaRegex = (what: string) =>
  z.string().min(1, { message: `${what} is empty. Fix: remove the key or give a regex` }).refine(compiles, {
    message: `${what} is not a valid regular expression. Fix: correct the syntax (it is compiled with java.util.regex by msm)`,
  });

export const SUPPORTED_TOMCATS = ['7', '8.5', '9'] as const;
const JAKARTA_TOMCATS = ['10', '10.0', '10.1', '11', '11.0'];

export const TomcatVersion = z.enum(SUPPORTED_TOMCATS, {
  error: (iss) => {
    const v = String(iss.input);
    if (JAKARTA_TOMCATS.includes(v) || /^1[0-9]/.test(v)) {
      return `Tomcat ${v} is a jakarta.* release and no msm release supports it (NoClassDefFoundError: javax/servlet/ServletException). Fix: use "9", or a jakarta-capable manager such as Redisson's`;
    }
    return `unsupported Tomcat version. Fix: use one of "7", "8.5", "9" (as a string)`;
  },
});

export const JavaVersion = z.union([z.literal(8), z.literal(11), z.literal(17), z.literal(21)], {
  error: () => 'unsupported Java version. Fix: use one of 8, 11, 17, 21 (a number)',
});

const JVM_ROUTE_RE = /^[A-Za-z0-9_-]+$/;

export const TomcatNode = strict({
  /** Container name and the node name the sample app prints. */
  name: name('a Tomcat node name'),
  /**
   * Engine jvmRoute, appended to the session id (`<hex>-mnode1.<jvmRoute>`).
   * Required in sticky mode, absent in non-sticky mode.
   * @default none
   */
  jvmRoute: z
    .string()
    .regex(JVM_ROUTE_RE, {
      message:
        'jvmRoute may hold only letters, digits, "_" and "-" (a dot breaks msm\'s session id parsing: the id changes on every request). Fix: e.g. "tomcat1"',
    })
    .optional(),
});

export const MemcachedNode = strict({
  /** msm node id (the `mnode1` in `mnode1:host:11211`); java `\w+`. */
  id: z.string().regex(/^\w+$/, {
    message: 'a memcached node id may hold only letters, digits and "_" (msm parses it as \\w+; "node-1" is refused). Fix: e.g. "mnode1"',
  }),
  /** Container name. */
  name: name('a memcached node name'),
  /**
   * Host Tomcat connects to. msm resolves it once, at start-up.
   * @default the container name
   */
  host: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, {
      message: 'a memcached host may not hold ":", whitespace or other punctuation (msm\'s node syntax is id:host:port; no IPv6 literals). Fix: use a hostname or an IPv4 address',
    })
    .optional(),
  /** @default 11211 */
  port: port('a memcached port').default(11211),
});

export const SERIALIZERS = ['java', 'kryo', 'xstream', 'flexjson'] as const;
export const Serializer = z.enum(SERIALIZERS, {
  error: () => `unknown serializer. Fix: use one of ${SERIALIZERS.join(', ')}`,
});

const LOCKING_RE = /^(none|all|auto|uriPattern:.+)$/;
const STORAGE_KEY_TOKEN_RE = /^(static:[^,]+|host|host\.hash|context|context\.hash|webappVersion)$/;

export const Manager = strict({
  /** msm `sticky`. @default false (the kit's default lab is non-sticky) */
  sticky: z.boolean().default(false),
  /** msm `failoverNodes`: ids from memcached.nodes; sticky mode only. @default none */
  failoverNodes: z.array(z.string()).optional(),
  /** msm `lockingMode`: none, all, auto or uriPattern:<regex>; non-sticky only. @default msm's "none" */
  lockingMode: z
    .string()
    .regex(LOCKING_RE, { message: 'lockingMode must be none, all, auto or uriPattern:<regex>. Fix: e.g. "auto"' })
    .refine((v) => !v.startsWith('uriPattern:') || compiles(v.slice('uriPattern:'.length)), {
      message: 'the regex after "uriPattern:" does not compile. Fix: correct the regex',
    })
    .optional(),
  /** msm `requestUriIgnorePattern`, matched against `METHOD URI`. @default none */
  requestUriIgnorePattern: javaRegex('requestUriIgnorePattern')
    .refine((v) => !/^\^?\//.test(v), {
      message:
        'msm matches this pattern against "METHOD URI" (e.g. "GET /a.css"), so a pattern that starts with "/" or "^/" never matches. Fix: start it with ".*", e.g. ".*\\.(css|js)$"',
    })
    .optional(),
  /** msm `sessionBackupAsync`. @default msm's true; non-sticky setups should use false */
  sessionBackupAsync: z.boolean().optional(),
  /** msm `sessionBackupTimeout` in ms; sync backup only. @default msm's 100 */
  sessionBackupTimeout: positiveInt('sessionBackupTimeout', 100).optional(),
  /** msm `backupThreadCount`; async backup only. @default the number of CPUs */
  backupThreadCount: positiveInt('backupThreadCount', 4).optional(),
  /** msm `operationTimeout` in ms (also the longest wait for a lock). @default msm's 1000 */
  operationTimeout: positiveInt('operationTimeout', 1000).optional(),
  /** msm `lockExpiration` in seconds. @default msm's 5 */
  lockExpiration: positiveInt('lockExpiration', 5).optional(),
  /** msm `memcachedProtocol`. @default msm's "text" */
  memcachedProtocol: z
    .enum(['text', 'binary'], { error: () => 'memcachedProtocol must be "text" or "binary" (msm ignores anything else). Fix: pick one' })
    .optional(),
  /** SASL user (binary protocol only, with password). @default none */
  username: z.string().min(1).optional(),
  /** SASL password (binary protocol only, with username). @default none */
  password: z.string().min(1).optional(),
  /** msm `storageKeyPrefix`: comma list of static:<x>, host, host.hash, context, context.hash, webappVersion. @default msm's "webappVersion" */
  storageKeyPrefix: z
    .string()
    .refine((v) => v.split(',').every((t) => STORAGE_KEY_TOKEN_RE.test(t)), {
      message:
        'storageKeyPrefix is a comma list (no spaces) of static:<x>, host, host.hash, context, context.hash, webappVersion; msm fails at start on any other token. Fix: e.g. "static:app,context.hash"',
    })
    .optional(),
  /** msm `sessionAttributeFilter`: regex on attribute names to store. @default none (all) */
  sessionAttributeFilter: javaRegex('sessionAttributeFilter').optional(),
  /** msm `copyCollectionsForSerialization`; kryo/flexjson only. @default msm's false */
  copyCollectionsForSerialization: z.boolean().optional(),
  /** msm `customConverter`: comma list of class names; kryo only. @default none */
  customConverter: z
    .string()
    .regex(/^[A-Za-z_$][\w$.]*(,[A-Za-z_$][\w$.]*)*$/, {
      message: 'customConverter is a comma list of Java class names. Fix: e.g. "de.javakaffee.web.msm.serializer.kryo.HibernateCollectionsSerializerFactory"',
    })
    .optional(),
  /** msm `enableStatistics`. @default msm's true */
  enableStatistics: z.boolean().optional(),
  /** msm `enabled`. @default msm's true */
  enabled: z.boolean().optional(),
  /** msm `maxInactiveInterval` in seconds; ≤ 0 never expires. @default the Context's session timeout */
  maxInactiveInterval: z.number().int({ message: 'maxInactiveInterval must be a whole number of seconds. Fix: e.g. 1800' }).optional(),
  /** Session serializer; sets transcoderFactoryClass and the jar set. @default "java" */
  serializer: Serializer.default('java'),
});

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const CIDR_RE = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/;
const IMAGE_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const image = (which: string) =>
  z
    .string()
    .regex(IMAGE_RE, { message: `not a Docker image reference. Fix: e.g. "${which}"` })
    .optional();

export const LoadBalancer = strict({
  /** nginx container name. @default "nginx" */
  name: name('the load balancer name').default('nginx'),
  /** Host port nginx is published on. @default 8080 */
  port: port('loadBalancer.port').default(8080),
  /** Host address the port is bound to. @default "127.0.0.1" */
  bindAddress: z
    .string()
    .regex(IPV4_RE, { message: 'bindAddress must be an IPv4 address. Fix: "127.0.0.1" (local only) or "0.0.0.0" (all interfaces)' })
    .default('127.0.0.1'),
  /** nginx `max_fails` per Tomcat. @default 1 */
  maxFails: positiveInt('maxFails', 1).default(1),
  /** nginx `fail_timeout` in seconds. @default 5 */
  failTimeout: positiveInt('failTimeout', 5).default(5),
  /** nginx `proxy_connect_timeout` in seconds. @default 1 */
  connectTimeout: positiveInt('connectTimeout', 1).default(1),
  /** nginx `proxy_read_timeout` in seconds. @default 30 */
  readTimeout: positiveInt('readTimeout', 30).default(30),
  /** nginx `keepalive` connections per upstream. @default 16 */
  keepalive: positiveInt('keepalive', 16).default(16),
});

export const LabConfigSchema = strict({
  /** JSON Schema for editors. */
  $schema: z.string().optional(),
  /** Lab name: prefixes the network, the Tomcat image and the stack. @default "msm-lab" */
  name: name('the lab name').default('msm-lab'),
  tomcat: strict({
    /** Tomcat major version: "7", "8.5" or "9". @default "9" */
    version: TomcatVersion.default('9'),
    /** Java major version of the Tomcat image. @default 17 */
    javaVersion: JavaVersion.default(17),
    /** The Tomcat nodes. @default tomcat-node1, tomcat-node2 */
    nodes: z
      .array(TomcatNode)
      .min(1, { message: 'at least one Tomcat node is needed. Fix: add {"name": "tomcat-node1"}' })
      .max(20, { message: 'at most 20 Tomcat nodes fit the lab network. Fix: remove some' })
      .default([{ name: 'tomcat-node1' }, { name: 'tomcat-node2' }]),
  }).prefault({}),
  memcached: strict({
    /** The memcached nodes. @default mnode1 on memcached-node1, mnode2 on memcached-node2 */
    nodes: z
      .array(MemcachedNode)
      .min(1, { message: 'msm needs at least one memcached node. Fix: add {"id": "mnode1", "name": "memcached-node1"}' })
      .max(20, { message: 'at most 20 memcached nodes fit the lab network. Fix: remove some' })
      .default([
        { id: 'mnode1', name: 'memcached-node1', port: 11211 },
        { id: 'mnode2', name: 'memcached-node2', port: 11211 },
      ]),
  }).prefault({}),
  manager: Manager.prefault({}),
  loadBalancer: LoadBalancer.prefault({}),
  images: strict({
    /** @default "tomcat:<version>-jre<javaVersion>" (official image) */
    tomcat: image('tomcat:9.0-jre17'),
    /** @default "memcached:1.6" */
    memcached: image('memcached:1.6'),
    /** @default "nginx:1.27" */
    nginx: image('nginx:1.27'),
  }).prefault({}),
  network: strict({
    /** Docker network name. @default "<name>-net" */
    name: name('the network name').optional(),
    /** IPv4 subnet with a prefix of /16 to /26; containers get fixed addresses in it. @default "172.28.57.0/24" */
    subnet: z
      .string()
      .refine(
        (v) => {
          const m = CIDR_RE.exec(v);
          return !!m && IPV4_RE.test(m[1]) && Number(m[2]) >= 16 && Number(m[2]) <= 26;
        },
        { message: 'subnet must be an IPv4 CIDR with a prefix from /16 to /26. Fix: e.g. "172.28.57.0/24"' },
      )
      .default('172.28.57.0/24'),
  }).prefault({}),
  docker: strict({
    /** Docker engine the provider talks to. @default "unix:///var/run/docker.sock" */
    host: z
      .string()
      .regex(/^(unix:\/\/\/\S+|tcp:\/\/[A-Za-z0-9.-]+:\d+|ssh:\/\/\S+|npipe:\/\/\S+)$/, {
        message: 'docker.host must be unix:///path, tcp://host:port or ssh://user@host. Fix: e.g. "unix:///var/run/docker.sock"',
      })
      .default('unix:///var/run/docker.sock'),
  }).prefault({}),
}).superRefine(
  (cfg, ctx) => {
    for (const rule of crossFieldRules) {
      let issues;
      try {
        issues = rule.check(cfg);
      } catch {
        continue; // the data this rule reads is malformed; the field errors already say so
      }
      for (const issue of issues) {
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: issue.value, params: { rule: rule.id } });
      }
    }
  },
  // Run the cross-field rules even when a field failed, so one run lists every problem.
  { when: () => true },
);

/** The config as written (defaults optional). */
export type LabConfigInput = z.input<typeof LabConfigSchema>;
/** The config with every default filled in. */
export type LabConfig = z.output<typeof LabConfigSchema>;
export type ManagerConfig = LabConfig['manager'];
