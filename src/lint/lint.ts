/**
 * `msm-kit lint`: checks hand-written msm <Manager> elements against msm's real
 * behaviour, without a lab.
 *
 * One place for each rule: a Manager's attributes are mapped onto the lab
 * config (the Manager schema, the memcached nodes) and checked by the very
 * schema, cross-field rules and advice `validate` uses. What exists only in
 * hand-written XML (XML syntax, class names, attribute names and spellings that
 * Tomcat converts, memcachedNodes forms the config cannot hold, Java regexes,
 * msm versions) is checked in addition, by the rules in LINT_RULES, each with
 * its `why`.
 */
import { advisoryRules } from '../config/advice';
import { closest } from '../config/did-you-mean';
import { labConfigSchema } from '../config/load';
import { crossFieldRules } from '../config/rules';
import { JAKARTA_MANAGER_CLASS, KIT_MANAGER_CLASS, MANAGER_CLASS, TRANSCODER_FACTORIES } from '../config/msm';
import { compiles, SUPPORTED_TOMCATS, type LabConfigInput, type SerializerName } from '../config/schema';
import { CLASS_NAME, compareVersions, knownAttribute, MSM_ATTRIBUTES, RETIRED_TRANSCODERS, TOMCAT_MANAGER_ATTRIBUTES } from './attributes';
import { checkJavaRegex, fullMatch, javaRegexToJs } from './regex';
import { scanXml, type Position, type XmlAttribute, type XmlElement } from './xml';

export type Severity = 'error' | 'warning' | 'unchecked';

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /**
   * The attribute the finding is about; `(xml)` for the file's syntax, `(element)` for the Manager itself;
   * in `lint DIR`: `(jar)` for a jar file, `(jvm)` for bin/setenv.sh's JVM options, `(tomcat)` for the directory.
   */
  readonly attribute: string;
  readonly severity: Severity;
  /** A LINT_RULES id, or `config:<id>` for a rule of the lab config (schema field, rules.ts, advice.ts). */
  readonly rule: string;
  /** What is wrong, then `Fix: …`. */
  readonly message: string;
}

export interface LintOptions {
  /** Tomcat version the Manager runs on ("9", "9.0.117", "8.5", "7"). @default "9" */
  readonly tomcat?: string;
  /** Java feature version. @default unknown (checks that depend on it say so) */
  readonly java?: number;
  /** msm version in use. @default "2.3.2" */
  readonly msm?: string;
}

export const DEFAULT_MSM = '2.3.2';

/** Rules that exist only for hand-written XML, each with the msm/Tomcat behaviour it encodes. */
export const LINT_RULES = {
  'xml-well-formed': "Tomcat's digester refuses a file that is not well-formed XML: the context (for server.xml, the whole server) does not start.",
  'no-msm-manager': 'the file holds no <Manager> whose className is msm\'s, so Tomcat keeps its StandardManager and sessions are never shared.',
  'manager-class': "Tomcat loads className verbatim (no trim): a typo, a line break or an old msm class name is a ClassNotFoundException and the context does not start.",
  'manager-placement': 'Tomcat reads a <Manager> only inside a <Context> (a context file, conf/context.xml or a <Context> in server.xml); elsewhere it is ignored.',
  'jakarta-tomcat': "no msm release supports Tomcat 10+ (jakarta.*): msm's released jars fail at start with NoClassDefFoundError: javax/servlet/ServletException. msm-kit converts them (Apache's migration tool) and adds its own Manager subclass for 10.1 and 11; 10.0 is not covered.",
  'jakarta-manager-class': "the kit's Manager subclass for Tomcat 10.1/11 (msmkit.tomcat.JakartaMemcachedBackupSessionManager) is built against jakarta.*: on Tomcat 7-9 it does not load.",
  'unknown-attribute': 'Tomcat calls set<Name> for each attribute (first letter case-insensitive, the rest exact); with no such setter it logs "failed to set property" and drops the value, so msm runs with its default.',
  'attribute-since': 'an attribute added in a later msm release has no setter in the one in use: Tomcat drops it with a warning.',
  'boolean-value': "Tomcat converts boolean attributes with Boolean.valueOf: anything but \"true\" (any case, no spaces) is false.",
  'number-value': 'Tomcat converts numeric attributes with Integer.parseInt / Long.parseLong; when that fails the setter is not called and msm keeps its default.',
  'memcached-nodes-format': 'msm full-matches memcachedNodes against its forms (id:host:port separated by one comma or whitespace; host:port; http://host:port/bucket; redis://); anything else is "wrong format" and the manager fails to start.',
  'memcached-nodes-misparse': 'msm\'s node regex ([\\w]+):([^:]+):([\\d]+) lets the host swallow commas and spaces: "h1:11211,h2:11211" is ONE node, id "h1", host "11211,h2", which never resolves.',
  'memcached-port-range': 'a port above 65535 makes InetSocketAddress throw at start.',
  'memcached-host': 'msm resolves hosts once, at start; a dotted number that is not an IPv4 address never resolves, and the node is never reached.',
  'memcached-one-node': 'with one memcached node msm has no other node for the backup copy (non-sticky) or for failover (sticky): when it goes down every session is lost.',
  'memcached-single-node': 'with a single host:port (no id) msm puts no node id in the session id: no memcached failover, no backup copy, and locking is limited.',
  'failover-token': 'msm splits failoverNodes on each space or comma: "n1, n2" yields an empty id, which is not a node, and msm fails to start.',
  'failover-form': 'failoverNodes names node ids; the Couchbase and single-node forms have none, so any id fails at start; the redis:// form ignores it.',
  'redis-form': 'memcachedNodes="redis://…" (msm 2.x) is one Redis endpoint: jedis 2.9.0 and commons-pool2 2.4.2 join spymemcached in lib/, there are no node ids, no failover, and the URL must parse.',
  'retired-serializer': 'msm-javolution-serializer was last released with msm 2.1.1 and msm-flexjson-serializer with 1.8.3; with a later msm the factory class is missing (or built for another API) and the manager fails to start.',
  'unknown-transcoder': 'a transcoderFactoryClass the kit does not know cannot be checked: it must be in WEB-INF/lib and implement de.javakaffee.web.msm.TranscoderFactory.',
  'kryo-java9': "msm-kryo-serializer 2.3.2's declared set (kryo-serializers 0.41) fails on Java 9+ at the first backup (NoSuchFieldException: parentOffset): sessions get a new id on every request; kryo-serializers 0.45 with kryo 4.0.x works.",
  'java-regex': 'msm compiles requestUriIgnorePattern, uriPattern: and sessionAttributeFilter with java.util.regex at start; a PatternSyntaxException stops the manager.',
  'regex-method-uri': 'since msm 1.6.2, requestUriIgnorePattern and uriPattern: are full-matched against "METHOD URI[?query]" (e.g. "GET /a.css"): a pattern written for the bare path never matches.',
  'regex-query': 'msm appends "?query" to the URI it matches (except for POST): a pattern ending at the file extension misses /a.js?v=1.',
  'regex-static-none': 'a requestUriIgnorePattern meant for static files that matches none of them ignores nothing: every static request loads and stores the session.',
  'session-filter-non-sticky': 'in non-sticky mode msm stores only the attributes sessionAttributeFilter matches, and the session lives in memcached: the others are lost after each request.',
  'placeholder': 'Tomcat replaces ${name} from system properties at start (unresolved ones stay literal); the value is unknown here.',
  'template': 'template syntax ({{ }}, {% %}, <% %>) is filled in by another tool; the value is unknown here.',
  // lint DIR: what a $CATALINA_BASE / $CATALINA_HOME holds (src/lint/tomcat-dir.ts)
  'tomcat-version': "which -tcN jar a Tomcat needs depends on its version, read from lib/catalina.jar (MANIFEST.MF or ServerInfo.properties) or RELEASE-NOTES; without them it is unknown here.",
  'tc-jar-mismatch': "each memcached-session-manager-tcN jar is built against one Tomcat line's internal API: on another Tomcat the Manager fails at start (NoSuchMethodError, VerifyError, AbstractMethodError).",
  'msm-jar-missing': "Tomcat creates the Manager with the common class loader, which sees $CATALINA_BASE/lib and $CATALINA_HOME/lib only: without msm's core and -tcN jars there, ClassNotFoundException and the context does not start.",
  'store-client-missing': 'msm links against spymemcached whatever the store, and against jedis and commons-pool2 for a redis:// store; a missing client jar in lib/ is a NoClassDefFoundError at start.',
  'msm-jar-versions': "msm's core and -tcN jars of different releases call each other's methods as they were in their own release: NoSuchMethodError or AbstractMethodError at start or on the first request.",
  'msm-jar-twice': "msm's jars both in lib/ and in a webapp's WEB-INF/lib are loaded twice (the webapp loader looks in WEB-INF/lib first): the Manager and the webapp see different classes of one name (ClassCastException, LinkageError).",
  'serializer-jar-missing': "a serializer's factory class (transcoderFactoryClass) is loaded with the webapp's class loader: without its jar in WEB-INF/lib (or lib/) the Manager fails at start with ClassNotFoundException.",
  'serializer-in-lib': "a serializer in lib/ cannot see the webapp's classes: sessions holding them fail to deserialize (ClassNotFoundException, after a reload too); serializer jars go into WEB-INF/lib.",
  'kryo-serializers-java9': "kryo-serializers older than the kit's Java 9+ pin fails on Java 9+ at the first backup (NoSuchFieldException: parentOffset), and no --add-opens helps: every request gets a new session.",
  'add-opens-missing': 'on Java 9+ the serializer reflects into JDK packages that must be opened to it (--add-opens in JAVA_OPTS or CATALINA_OPTS): without them XStream stops the manager at start, and Kryo fails on the attribute types those packages hold.',
  'add-opens-java8': 'Java 8 knows no --add-opens: with it in JAVA_OPTS or CATALINA_OPTS the JVM refuses to start ("Unrecognized option").',
  'java-version': 'what the serializer needs depends on the Java version, taken from --java or the release file of the JAVA_HOME (JRE_HOME) bin/setenv.sh sets; without them it is unknown here.',
} as const;

export type LintRuleId = keyof typeof LINT_RULES;

/**
 * Severity of the lab config's rules (config/rules.ts) in lint terms (default: error):
 * those a Tomcat runs with anyway (msm ignores the attribute) are warnings here.
 * Advice (config/advice.ts) is always a warning; it needs no entry.
 */
const CONFIG_SEVERITY: Record<string, Severity> = {
  'failover-sticky-only': 'warning',
  'locking-non-sticky-only': 'warning',
  'sasl-binary-only': 'warning',
  'backup-timeout-sync-only': 'warning',
  'backup-threads-async-only': 'warning',
  'memcached-ids-unique': 'warning',
  'memcached-endpoints-unique': 'warning',
  'jvm-route-sticky': 'warning',
  memcachedProtocol: 'warning',
};

/** The kit's serializer name for a transcoder factory class. */
const SERIALIZER_OF: Record<string, SerializerName> = Object.fromEntries(Object.entries(TRANSCODER_FACTORIES).map(([k, v]) => [v, k as SerializerName]));

const KNOWN_CLASSES = [MANAGER_CLASS, KIT_MANAGER_CLASS, 'de.javakaffee.web.msm.DummyMemcachedBackupSessionManager', JAKARTA_MANAGER_CLASS];

/** Static URLs a requestUriIgnorePattern is usually meant for. */
const STATIC_PROBES = ['/a.css', '/a.js', '/js/app.js', '/img/a.png', '/a.gif', '/a.jpg', '/a.jpeg', '/favicon.ico', '/static/a.css', '/a.svg', '/a.woff2', '/a.html'];

const PLACEHOLDER_RE = /\$\{[^}]*\}/;

type NodesForm = 'ids' | 'single' | 'couchbase' | 'redis' | 'unknown' | 'invalid';

export interface ParsedNodes {
  readonly form: NodesForm;
  readonly nodes: ReadonlyArray<{ id: string; host: string; port: number }>;
  /** The redis:// form the lab config can hold (`redis://host[:port]`: no password, no database, no TLS). @default absent */
  readonly redis?: { readonly host: string; readonly port: number };
}

const NODE = '([\\w]+):([^:]+):([\\d]+)';
const NODES_RE = new RegExp(`^${NODE}(?:(?:\\s+|,)${NODE})*$`);
const NODE_G = new RegExp(NODE, 'g');
const SINGLE_RE = /^([^:]+):(\d+)$/;
const COUCHBASE_NODE = 'http://([^:]+):([\\d]+)/[\\w]+';
const COUCHBASE_RE = new RegExp(`^${COUCHBASE_NODE}(?:(?:\\s+|,)${COUCHBASE_NODE})*$`);

/** memcachedNodes as msm 2.3.2 parses it (MemcachedNodesManager's regexes). */
export function parseMemcachedNodes(value: string): ParsedNodes {
  if (/^rediss?:\/\//.test(value)) {
    const plain = /^redis:\/\/([A-Za-z0-9._-]+)(?::(\d{1,5}))?\/?$/.exec(value);
    return plain ? { form: 'redis', nodes: [], redis: { host: plain[1], port: Number(plain[2] ?? 6379) } } : { form: 'redis', nodes: [] };
  }
  if (NODES_RE.test(value)) {
    // msm's find() loop over the node regex: greedy hosts, as msm sees them.
    const nodes = [...value.matchAll(NODE_G)].map((m) => ({ id: m[1], host: m[2], port: Number(m[3]) }));
    return { form: 'ids', nodes };
  }
  const single = SINGLE_RE.exec(value);
  if (single) return { form: 'single', nodes: [{ id: '', host: single[1], port: Number(single[2]) }] };
  if (COUCHBASE_RE.test(value)) return { form: 'couchbase', nodes: [] };
  return { form: 'invalid', nodes: [] };
}

interface Ctx {
  readonly file: string;
  readonly opts: LintOptions;
  readonly msm: string;
  readonly out: Finding[];
}

function finding(ctx: Ctx, at: Position, attribute: string, severity: Severity, rule: string, message: string): void {
  ctx.out.push({ file: ctx.file, line: at.line, col: at.col, attribute, severity, rule, message });
}

/** What a Manager element says, read as Tomcat and msm read it. */
export interface ManagerReading {
  readonly element: XmlElement;
  /** Attributes by their known name (as the setter sees them). */
  readonly attributes: ReadonlyMap<string, XmlAttribute>;
  readonly nodes: ParsedNodes;
  /** The lab config these attributes map onto (manager and memcached nodes; tomcat from the options). */
  readonly config: LabConfigInput;
  /** Attributes that the config cannot hold, by name, with why. */
  readonly unmapped: ReadonlyMap<string, string>;
  readonly sticky: boolean;
  /** Attributes whose value is not known here (placeholders, templates) or was dropped (not parsable). */
  readonly unchecked: ReadonlySet<string>;
}

function isMsmManager(el: XmlElement): boolean {
  if (el.name !== 'Manager') return false;
  const cls = el.attributes.find((a) => a.name === CLASS_NAME)?.value ?? '';
  return /javakaffee|msm|memcached/i.test(cls) || el.attributes.some((a) => /^memcachedNodes$/i.test(a.name));
}

/** A Tomcat version ("9.0.117", "8.5", "10.1.2") as the kit names it; `version` absent for one it does not support. */
export function normalizeTomcat(v: string | undefined): { version?: (typeof SUPPORTED_TOMCATS)[number]; jakarta: boolean } {
  if (v === undefined) return { version: '9', jakarta: false };
  const major = v.split('.')[0];
  if (major === '10') return /^10\.1(\.|$)/.test(v) ? { version: '10.1', jakarta: true } : { jakarta: true };
  if (major === '11') return { version: '11', jakarta: true };
  if (Number(major) >= 12) return { jakarta: true };
  if (major === '8') return { version: '8.5', jakarta: false };
  if (major === '7' || major === '9') return { version: major as '7' | '9', jakarta: false };
  return { jakarta: false };
}

const JAVA_INT = /^[+-]?\d+$/;

/** Reads one Manager element: XML-only findings go to ctx; returns the config mapping. */
function readManager(ctx: Ctx, el: XmlElement, engine: XmlElement | undefined): ManagerReading {
  const attrs = new Map<string, XmlAttribute>();
  const unmapped = new Map<string, string>();
  const manager: Record<string, unknown> = {};
  const skip = new Set<string>(); // attributes whose value is unknown (placeholders, templates) or already refused here

  // className
  const cls = el.attributes.find((a) => a.name === CLASS_NAME);
  const tomcat = normalizeTomcat(ctx.opts.tomcat);
  const jakartaClass = cls?.value === JAKARTA_MANAGER_CLASS;
  if (tomcat.jakarta && tomcat.version === undefined)
    finding(ctx, cls ?? el, CLASS_NAME, 'error', 'jakarta-tomcat', `Tomcat ${ctx.opts.tomcat} is a jakarta.* release and no msm release supports it (NoClassDefFoundError: javax/servlet/ServletException); msm-kit runs msm on Tomcat 10.1 and 11 only. Fix: move to Tomcat 10.1 or 11 and see "msm-kit lint --tomcat 11", or run this webapp on Tomcat 9`);
  else if (tomcat.jakarta && !jakartaClass)
    finding(ctx, cls ?? el, CLASS_NAME, 'error', 'jakarta-tomcat', `Tomcat ${ctx.opts.tomcat} is a jakarta.* release and no msm release supports it: msm's released jars fail at start (NoClassDefFoundError: javax/servlet/ServletException). msm-kit runs msm there, converted to jakarta.* by Apache's migration tool. Fix: "msm-kit import FILE --tomcat ${tomcat.version}" makes a lab config; "msm-kit bundle" then gives the converted jars and className="${JAKARTA_MANAGER_CLASS}" (or deploy the lab with "msm-kit up"); see docs/jakarta.md`);
  else if (!tomcat.jakarta && jakartaClass)
    finding(ctx, cls!, CLASS_NAME, 'error', 'jakarta-manager-class', `${JAKARTA_MANAGER_CLASS} is msm-kit's Manager for the jakarta.* Tomcats 10.1 and 11; on Tomcat ${ctx.opts.tomcat ?? '9'} it does not load. Fix: className="${MANAGER_CLASS}", or lint with --tomcat 10.1 / 11 if that is the Tomcat`);
  if (!cls) finding(ctx, el, CLASS_NAME, 'error', 'manager-class', `the <Manager> has no className, so Tomcat uses its StandardManager and sessions are never shared. Fix: add className="${MANAGER_CLASS}"`);
  else if (cls.templated || PLACEHOLDER_RE.test(cls.value)) finding(ctx, cls, CLASS_NAME, 'unchecked', cls.templated ? 'template' : 'placeholder', `unchecked: ${JSON.stringify(cls.value)} is filled in later. Fix: none needed; run lint on the rendered file to check it`);
  else if (!KNOWN_CLASSES.includes(cls.value)) {
    // (msm's own className on 10.1/11 is reported above, as jakarta-tomcat)
    const trimmed = cls.value.trim();
    const why = KNOWN_CLASSES.includes(trimmed)
      ? 'it holds whitespace or a line break, and Tomcat does not trim it'
      : closest(trimmed, KNOWN_CLASSES)
        ? 'it is misspelled'
        : 'it is no msm manager class';
    finding(ctx, cls, CLASS_NAME, 'error', 'manager-class', `${JSON.stringify(cls.value)}: ${why}, so Tomcat fails with ClassNotFoundException and the context does not start. Fix: className="${MANAGER_CLASS}"`);
  }

  // placement
  const parent = el.ancestors[el.ancestors.length - 1];
  if (parent !== undefined && parent !== 'Context')
    finding(ctx, el, '(element)', 'error', 'manager-placement', `this <Manager> sits inside <${parent}>, where Tomcat does not read it: sessions are never shared. Fix: move it into the webapp's <Context>`);

  // attribute names, types, placeholders
  for (const a of el.attributes) {
    if (a.name === CLASS_NAME) continue;
    const known = knownAttribute(a.name);
    if (!known) {
      const near = closest(a.name, [...Object.keys(MSM_ATTRIBUTES), ...Object.keys(TOMCAT_MANAGER_ATTRIBUTES)]);
      finding(ctx, a, a.name, 'warning', 'unknown-attribute', `no setter set${a.name.charAt(0).toUpperCase() + a.name.slice(1)} exists: Tomcat logs "failed to set property" and drops it. Fix: ${near ? `write "${near}"` : 'remove it'}`);
      continue;
    }
    if (known.name !== a.name) {
      // First letter case differs: the setter still matches; read it under its real name.
    }
    attrs.set(known.name, a);
    if (!known.msm) {
      unmapped.set(known.name, "a Tomcat ManagerBase setting the lab config does not hold");
    }
    if (known.msm && known.info.since && compareVersions(ctx.msm, known.info.since) < 0) {
      finding(ctx, a, known.name, 'warning', 'attribute-since', `msm ${ctx.msm} has no ${known.name} (added in ${known.info.since}): Tomcat drops it. Fix: upgrade msm to ${DEFAULT_MSM}, or remove it`);
      skip.add(known.name);
      continue;
    }
    if (a.templated) {
      finding(ctx, a, known.name, 'unchecked', 'template', `unchecked: the value holds template syntax (${JSON.stringify(a.value)}). Fix: none needed; run lint on the rendered file to check it`);
      skip.add(known.name);
      continue;
    }
    if (PLACEHOLDER_RE.test(a.value)) {
      finding(ctx, a, known.name, 'unchecked', 'placeholder', `unchecked: ${JSON.stringify(a.value)} is replaced from a system property at start. Fix: none needed; pass --tomcat/--java/--msm and lint the resolved value to check it`);
      skip.add(known.name);
      continue;
    }
    const v = a.value;
    if (known.info.type === 'boolean') {
      const lower = v.toLowerCase();
      if (lower !== 'true' && lower !== 'false')
        finding(ctx, a, known.name, 'warning', 'boolean-value', `${JSON.stringify(v)} is not true or false: Tomcat reads it as false. Fix: write "true" or "false"`);
      if (known.msm) manager[known.name] = lower === 'true';
    } else if (known.info.type === 'int' || known.info.type === 'long') {
      const limit = known.info.type === 'int' ? 2 ** 31 : 2 ** 63;
      const n = Number(v);
      if (!JAVA_INT.test(v) || n >= limit || n < -limit) {
        finding(ctx, a, known.name, 'warning', 'number-value', `${JSON.stringify(v)} is not a Java ${known.info.type}: the setter is not called and msm keeps its default. Fix: write a whole number${/\d/.test(v) ? `, e.g. "${v.replace(/[^\d-]/g, '') || '1000'}"` : ''}`);
        skip.add(known.name);
      } else if (known.msm) manager[known.name] = n;
    } else if (known.msm && known.name !== 'memcachedNodes') manager[known.name] = v;
  }

  const sticky = typeof manager.sticky === 'boolean' ? manager.sticky : true; // msm's default
  manager.sticky = sticky;

  // memcachedNodes
  const nodesAttr = attrs.get('memcachedNodes');
  let nodes: ParsedNodes = { form: 'unknown', nodes: [] };
  if (!nodesAttr) finding(ctx, el, 'memcachedNodes', 'error', 'memcached-nodes-format', 'memcachedNodes is missing: msm fails to start. Fix: add memcachedNodes="n1:host1:11211,n2:host2:11211"');
  else if (!skip.has('memcachedNodes')) {
    nodes = parseMemcachedNodes(nodesAttr.value);
    if (!checkNodes(ctx, nodesAttr, nodes, sticky)) nodes = { form: 'invalid', nodes: nodes.nodes };
    if (nodes.form !== 'ids' && !nodes.redis) unmapped.set('memcachedNodes', `the ${nodes.form === 'single' ? 'single host:port (no id)' : nodes.form === 'couchbase' ? 'Couchbase bucket URL' : nodes.form === 'redis' ? 'redis:// URL with a password, a database or TLS' : 'unparsable'} form; the lab config holds id:host:port nodes or a plain redis://host:port`);
  }

  // failoverNodes
  const failAttr = attrs.get('failoverNodes');
  if (failAttr && !skip.has('failoverNodes')) {
    const tokens = failAttr.value.split(/[ ,]/);
    const trimmed = failAttr.value.trim();
    if (trimmed === '') delete manager.failoverNodes;
    else {
      if (tokens.some((t) => t.trim() === ''))
        finding(ctx, failAttr, 'failoverNodes', 'error', 'failover-token', `msm splits ${JSON.stringify(failAttr.value)} on every space and comma, which yields an empty id that is no node: msm fails to start. Fix: one separator, e.g. "${tokens.filter((t) => t.trim()).join(',')}"`);
      const ids = tokens.map((t) => t.trim()).filter((t) => t);
      if (nodes.form === 'single' || nodes.form === 'couchbase')
        finding(ctx, failAttr, 'failoverNodes', 'error', 'failover-form', `the ${nodes.form === 'single' ? 'single host:port' : 'Couchbase'} form of memcachedNodes has no node ids, so "${ids.join(',')}" names no node: msm fails to start. Fix: remove failoverNodes`);
      else if (nodes.form === 'redis')
        finding(ctx, failAttr, 'failoverNodes', 'warning', 'failover-form', 'msm ignores failoverNodes with a redis:// memcachedNodes (Redis does its own failover). Fix: remove failoverNodes');
      if (nodes.form === 'ids' || nodes.form === 'unknown') manager.failoverNodes = ids;
      else delete manager.failoverNodes;
    }
  } else delete manager.failoverNodes;

  // lockingMode: msm upper-cases none/all/auto/app for its enum
  const lockAttr = attrs.get('lockingMode');
  if (lockAttr && typeof manager.lockingMode === 'string') {
    const v = manager.lockingMode;
    if (!v.startsWith('uriPattern:') && /^(none|all|auto|app)$/i.test(v)) manager.lockingMode = v.toLowerCase();
    if (v.startsWith('uriPattern:')) {
      const ok = checkRegex(ctx, lockAttr, 'lockingMode', v.slice('uriPattern:'.length), 'uri');
      if (!ok) delete manager.lockingMode;
      else if (!compiles(v.slice('uriPattern:'.length))) manager.lockingMode = 'uriPattern:.*';
    }
  }
  for (const key of ['requestUriIgnorePattern', 'sessionAttributeFilter'] as const) {
    const a = attrs.get(key);
    if (!a || typeof manager[key] !== 'string') continue;
    const ok = checkRegex(ctx, a, key, manager[key] as string, key === 'requestUriIgnorePattern' ? 'uri' : 'names');
    if (!ok) delete manager[key];
    else if (!compiles(manager[key] as string)) manager[key] = '.*';
  }

  // transcoderFactoryClass → serializer
  const tAttr = attrs.get('transcoderFactoryClass');
  let serializerKnown = true;
  if (tAttr && typeof manager.transcoderFactoryClass === 'string') {
    const cls2 = manager.transcoderFactoryClass;
    const retired = RETIRED_TRANSCODERS[cls2];
    if (retired && compareVersions(ctx.msm, retired.last) > 0)
      finding(ctx, tAttr, 'transcoderFactoryClass', 'error', 'retired-serializer', `the ${retired.name} serializer was last released with msm ${retired.last}; msm ${ctx.msm} has none, so the manager fails to start. Fix: use de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory or the default Java serialization (remove the attribute)`);
    if (SERIALIZER_OF[cls2] && SERIALIZER_OF[cls2] !== 'flexjson') manager.serializer = SERIALIZER_OF[cls2];
    else {
      serializerKnown = false;
      if (!retired) {
        const near = closest(cls2, Object.values(TRANSCODER_FACTORIES));
        finding(ctx, tAttr, 'transcoderFactoryClass', near && near !== cls2 ? 'error' : 'unchecked', near && near !== cls2 ? 'manager-class' : 'unknown-transcoder', near && near !== cls2 ? `${JSON.stringify(cls2)} is misspelled: ClassNotFoundException at start. Fix: "${near}"` : `unchecked: ${JSON.stringify(cls2)} is no msm serializer the kit knows. Fix: none needed if the class is in WEB-INF/lib and implements de.javakaffee.web.msm.TranscoderFactory`);
      }
      unmapped.set('transcoderFactoryClass', retired ? `the ${retired.name} serializer, which the kit does not ship` : 'a transcoder factory the kit does not ship');
    }
    delete manager.transcoderFactoryClass;
  }
  if (manager.serializer === 'kryo') {
    if (ctx.opts.java === undefined || ctx.opts.java >= 9)
      finding(ctx, tAttr!, 'transcoderFactoryClass', 'warning', 'kryo-java9', `${ctx.opts.java === undefined ? 'if this Tomcat runs on Java 9 or newer, ' : `on Java ${ctx.opts.java} `}msm-kryo-serializer's declared jar set (kryo-serializers 0.41) fails at the first backup and every request gets a new session. Fix: in WEB-INF/lib use de.javakaffee:kryo-serializers:0.45 with kryo 4.0.x (\`msm-kit jars\` shows the pinned set), and --add-opens=java.base/java.util=ALL-UNNAMED`);
  }

  if (!sticky) {
    const f = attrs.get('sessionAttributeFilter');
    if (f && manager.sessionAttributeFilter !== undefined)
      finding(ctx, f, 'sessionAttributeFilter', 'warning', 'session-filter-non-sticky', 'in non-sticky mode the session lives in memcached, so every attribute this filter does not match is lost after each request. Fix: remove it, or make sure it matches every attribute the app reads later');
  }

  const memcached =
    nodes.form === 'ids'
      ? { nodes: nodes.nodes.map((n, i) => ({ id: n.id, name: `memcached-node${i + 1}`, host: n.host, port: n.port })) }
      : undefined;
  const tomcatNodes = engine
    ? [{ name: 'tomcat-node1', ...(engine.attributes.find((a) => a.name === 'jvmRoute') ? { jvmRoute: engine.attributes.find((a) => a.name === 'jvmRoute')!.value } : {}) }]
    : sticky
      ? [{ name: 'tomcat-node1', jvmRoute: 'tomcat1' }, { name: 'tomcat-node2', jvmRoute: 'tomcat2' }]
      : [{ name: 'tomcat-node1' }, { name: 'tomcat-node2' }];
  const config: LabConfigInput = {
    tomcat: {
      version: tomcat.version ?? '9',
      ...(ctx.opts.java !== undefined && [8, 11, 17, 21].includes(ctx.opts.java) ? { javaVersion: ctx.opts.java as 8 } : {}),
      nodes: tomcatNodes,
    },
    ...(memcached ? { memcached } : {}),
    ...(nodes.redis ? { redis: { name: 'redis-node1', host: nodes.redis.host, port: nodes.redis.port } } : {}),
    manager: manager as LabConfigInput['manager'],
  };
  if (!serializerKnown) (config as { _serializerUnknown?: boolean })._serializerUnknown = true;
  return { element: el, attributes: attrs, nodes, config, unmapped, sticky, unchecked: skip };
}

function checkNodes(ctx: Ctx, a: XmlAttribute, parsed: ParsedNodes, sticky: boolean): boolean {
  const v = a.value;
  const before = ctx.out.length;
  const example = 'Fix: e.g. "n1:host1:11211,n2:host2:11211" (one comma, no spaces)';
  switch (parsed.form) {
    case 'invalid': {
      let hint = 'msm fails to start with "wrong format"';
      if (/,\s+/.test(v)) hint = 'a comma followed by whitespace is not a separator msm accepts ("wrong format" at start)';
      else if (/^[\w]+:[^:]+:\d+/.test(v) && /-/.test(v.split(':')[0])) hint = 'a node id may only hold letters, digits and "_"';
      else if (/\[/.test(v)) hint = 'msm cannot take IPv6 literals (the host may not hold ":")';
      finding(ctx, a, 'memcachedNodes', 'error', 'memcached-nodes-format', `${JSON.stringify(v)} matches none of msm's forms: ${hint}. ${example}`);
      return false;
    }
    case 'redis': {
      const m = /^rediss?:\/\/(?:([^@/]*)@)?([^:/@]+)(?::([^/]*))?(?:\/(\w*))?$/.exec(v);
      if (!m || (m[3] !== undefined && !/^\d+$/.test(m[3]))) {
        finding(ctx, a, 'memcachedNodes', 'error', 'redis-form', `${JSON.stringify(v)} is not a Redis URL msm can use (redis://[user:]password@host[:port][/db], one endpoint, a numeric port): msm fails to start. Fix: e.g. "redis://:secret@redis.example.com:6379"`);
        return false;
      }
      finding(ctx, a, 'memcachedNodes', 'warning', 'redis-form', `the redis:// form needs jedis 2.9.0 and commons-pool2 2.4.2 (what msm 2.3.2 was built against) in $CATALINA_HOME/lib beside spymemcached; it has no node ids, so no failoverNodes and no node id in the session id, and one Redis is a single point of failure for non-sticky sessions. Fix: none needed if those jars are in lib/ (\`msm-kit jars\` with a "redis" config lists them)${parsed.redis ? '' : '; the lab config holds only a plain redis://host:port (no password, database or TLS)'}`);
      return true;
    }
    case 'single':
      finding(ctx, a, 'memcachedNodes', 'warning', 'memcached-single-node', `${JSON.stringify(v)} is one node without an id: no node id in the session id, no memcached failover, no backup copy. Fix: name it and add a second node, e.g. "n1:${parsed.nodes[0].host}:${parsed.nodes[0].port},n2:host2:11211"`);
      break;
    case 'ids':
      for (const n of parsed.nodes) {
        if (/[,\s]/.test(n.host)) {
          finding(ctx, a, 'memcachedNodes', 'error', 'memcached-nodes-misparse', `msm reads ${JSON.stringify(v)} as node "${n.id}" with host ${JSON.stringify(n.host)} and port ${n.port}, a host that never resolves: sessions are never stored. Fix: give every node an id, e.g. "n1:${n.id}:${n.host.split(/[,\s]+/)[0]},n2:${n.host.split(/[,\s]+/).slice(-1)[0]}:${n.port}"`);
          return false;
        }
      }
      if (parsed.nodes.length === 1)
        finding(ctx, a, 'memcachedNodes', 'warning', 'memcached-one-node', `one memcached node leaves msm nowhere to ${sticky ? 'fail over to' : 'write the backup copy'}: when it goes down, every session is lost. Fix: add a second node, e.g. "${v},n2:host2:11211"`);
      break;
    default:
      break;
  }
  for (const n of parsed.nodes) {
    if (n.port > 65535 || n.port < 1) finding(ctx, a, 'memcachedNodes', 'error', 'memcached-port-range', `port ${n.port} of ${n.id || n.host} is out of range: msm fails to start. Fix: use the memcached port (11211 by default)`);
    if (/^[\d.]+$/.test(n.host) && !/^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(n.host))
      finding(ctx, a, 'memcachedNodes', 'error', 'memcached-host', `host ${JSON.stringify(n.host)}${n.id ? ` of ${n.id}` : ''} looks like an IPv4 address but is not one; it never resolves and sessions are never stored there. Fix: correct the address`);
  }
  return !ctx.out.slice(before).some((f) => f.severity === 'error');
}

/** Checks a Java regex; for URI patterns also what msm matches it against. Returns whether it compiles. */
function checkRegex(ctx: Ctx, a: XmlAttribute, attribute: string, pattern: string, kind: 'uri' | 'names'): boolean {
  const what = attribute === 'lockingMode' ? 'the uriPattern: regex' : attribute;
  const check = checkJavaRegex(pattern);
  if (!check.ok) {
    finding(ctx, a, attribute, 'error', 'java-regex', `${what} ${JSON.stringify(pattern)} does not compile with java.util.regex (${check.message}): msm fails to start. Fix: correct the regex`);
    return false;
  }
  if (kind !== 'uri' || compareVersions(ctx.msm, '1.6.2') < 0) return true;
  const re = javaRegexToJs(pattern);
  if (!re) return true;
  const literalPaths = [...pattern.replace(/\\\./g, '.').matchAll(/\/[A-Za-z0-9_\-./]*/g)].map((m) => m[0]).filter((p) => p.length > 1);
  const candidates = [...new Set([...STATIC_PROBES, ...literalPaths])];
  const withMethod = candidates.filter((c) => fullMatch(re, `GET ${c}`) || fullMatch(re, `POST ${c}`));
  const bare = candidates.filter((c) => fullMatch(re, c));
  if (withMethod.length === 0 && bare.length > 0) {
    finding(ctx, a, attribute, 'warning', 'regex-method-uri', `msm full-matches ${what} against "METHOD URI" (e.g. "GET ${bare[0]}"), so ${JSON.stringify(pattern)}, written for the bare path, never matches${attribute === 'lockingMode' ? ': no request is ever locked' : ''}. Fix: let it match the method and a query, e.g. ".*(${pattern.replace(/^\^/, '').replace(/\$$/, '')})(\\?.*)?"`);
    return true;
  }
  const getHits = candidates.filter((c) => fullMatch(re, `GET ${c}`));
  if (getHits.length > 0 && getHits.every((c) => !fullMatch(re, `GET ${c}?v=1`))) {
    finding(ctx, a, attribute, 'warning', 'regex-query', `msm appends the query string to the URI it matches: ${JSON.stringify(pattern)} matches "GET ${getHits[0]}" but not "GET ${getHits[0]}?v=1". Fix: allow a query, e.g. ${JSON.stringify(pattern.replace(/\$$/, '') + '(\\?.*)?$')}`);
    return true;
  }
  if (attribute === 'requestUriIgnorePattern' && /css|js|png|gif|jpe?g|ico/i.test(pattern) && getHits.length === 0 && withMethod.length === 0)
    finding(ctx, a, attribute, 'warning', 'regex-static-none', `${JSON.stringify(pattern)} matches none of the usual static URLs ("GET /a.css", "GET /img/a.png", ...), so msm ignores nothing. Fix: e.g. ".*\\.(ico|png|gif|jpg|css|js)(\\?.*)?$"`);
  return true;
}

function configAttribute(path: readonly PropertyKey[]): string | undefined {
  if (path[0] === 'manager') return path[1] === undefined ? undefined : path[1] === 'serializer' ? 'transcoderFactoryClass' : String(path[1]);
  if (path[0] === 'memcached') return 'memcachedNodes';
  if (path[0] === 'tomcat' && path[3] === 'jvmRoute') return 'jvmRoute';
  return undefined;
}

/** In lint's words: the config's "manager.x" is the attribute x. */
function lintMessage(message: string): string {
  return message.replace(/manager\.(\w+)/g, '$1').replace(/tomcat\.nodes\[\d+\]\.jvmRoute|"jvmRoute": "tomcat\d+"/g, 'jvmRoute on the <Engine>');
}

/** The lab config's schema with the msm rules, without those about the Docker lab's own topology. */
const MANAGER_SCHEMA = labConfigSchema(crossFieldRules.filter((r) => !r.labOnly));

/** Runs the lab config's schema, cross-field rules and advice on a Manager's mapping. */
function configFindings(ctx: Ctx, r: ManagerReading, engine: XmlElement | undefined): void {
  const serializerUnknown = (r.config as { _serializerUnknown?: boolean })._serializerUnknown === true;
  const { _serializerUnknown, ...raw } = r.config as LabConfigInput & { _serializerUnknown?: boolean };
  void _serializerUnknown;
  const nodesKnown = r.nodes.form === 'ids';
  const result = MANAGER_SCHEMA.safeParse(raw, { reportInput: true });
  const issues: Array<{ path: readonly PropertyKey[]; message: string; rule?: string; advice?: boolean }> = result.success
    ? []
    : result.error.issues.map((i) => ({ path: i.path, message: i.message, rule: (i as { params?: { rule?: string } }).params?.rule }));
  if (result.success)
    for (const rule of advisoryRules.filter((r) => !r.labOnly)) for (const i of rule.check(result.data)) issues.push({ path: i.path, message: i.message, rule: rule.id, advice: true });
  const seen = new Set<string>();
  for (const issue of issues) {
    const attribute = configAttribute(issue.path);
    if (!attribute) continue;
    if (r.unchecked.has(attribute) || (issue.rule === 'backup-timeout-cold-start' && (r.unchecked.has('sessionBackupAsync') || r.unchecked.has('sessionBackupTimeout')))) continue;
    if (!nodesKnown && (attribute === 'memcachedNodes' || issue.rule?.startsWith('failover-'))) continue;
    if (issue.rule === 'flexjson-unpublished') continue; // lint checks serializers per msm version (retired-serializer)
    if (issue.rule === 'serializer-options' && serializerUnknown) continue;
    if (issue.rule === 'jvm-route-sticky' && !engine) continue;
    if (attribute === 'jvmRoute' && !engine) continue;
    const neverMatches = /never matches/.test(issue.message);
    if (neverMatches && compareVersions(ctx.msm, '1.6.2') < 0) continue;
    const key = `${attribute}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const at = attribute === 'jvmRoute' ? (engine!.attributes.find((a) => a.name === 'jvmRoute') ?? engine!) : (r.attributes.get(attribute) ?? r.element);
    // Advice (config/advice.ts) never refuses, in validate or here: always a warning.
    const severity = neverMatches || issue.advice ? 'warning' : (CONFIG_SEVERITY[issue.rule ?? attribute] ?? 'error');
    if (neverMatches) ctx.out.splice(0, ctx.out.length, ...ctx.out.filter((f) => !(f.rule === 'regex-method-uri' && f.attribute === attribute && f.line === at.line)));
    finding(ctx, at, attribute, severity, `config:${issue.rule ?? attribute}`, lintMessage(issue.message));
  }
}

/** The msm Managers of a file, read; `error` when the file is not well-formed. */
export function readManagers(file: string, text: string, opts: LintOptions = {}): { findings: Finding[]; managers: ManagerReading[]; engine?: XmlElement } {
  const ctx: Ctx = { file, opts, msm: opts.msm ?? DEFAULT_MSM, out: [] };
  const scan = scanXml(text);
  // Not well-formed: reported, and the Managers read before the error are still checked.
  if (scan.error) finding(ctx, scan.error, '(xml)', 'error', 'xml-well-formed', `not well-formed XML at ${scan.error.line}:${scan.error.col}: ${scan.error.message}. Fix: correct the XML there (Tomcat refuses the whole file)`);
  const engine = scan.elements.find((e) => e.name === 'Engine');
  const managers = scan.elements.filter(isMsmManager).map((el) => readManager(ctx, el, engine));
  if (managers.length === 0 && !scan.error)
    finding(ctx, { line: 1, col: 1 }, '(file)', 'warning', 'no-msm-manager', `no msm <Manager> in this file${scan.elements.some((e) => e.name === 'Manager') ? ' (its <Manager> is not msm\'s)' : ''}. Fix: add <Manager className="${MANAGER_CLASS}" memcachedNodes="n1:host1:11211,n2:host2:11211" .../> inside the <Context>`);
  for (const r of managers) configFindings(ctx, r, engine);
  return { findings: ctx.out, managers, engine };
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, unchecked: 2 };

/** Lints one file's text: every finding, sorted by line. */
export function lintText(file: string, text: string, opts: LintOptions = {}): Finding[] {
  return readManagers(file, text, opts).findings.sort((a, b) => a.line - b.line || a.col - b.col || ORDER[a.severity] - ORDER[b.severity]);
}

/** `FILE:LINE: attribute: message. Fix: … [severity]` */
export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}: ${f.attribute}: ${f.message} [${f.severity}]`;
}
