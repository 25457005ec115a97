/**
 * The exact msm jar set per Tomcat version × serializer, pinned by SHA-256.
 *
 * Coordinates and checksums were read from Maven Central. Where a jar goes matters:
 * the session manager and its memcached client go into `$CATALINA_HOME/lib`; a
 * serializer goes into the webapp's `WEB-INF/lib`, because it must see the app's classes.
 */
import { isJakartaTomcat } from '../config/msm';
import { JMX_EXPORTER_VERSION } from '../config/monitoring';
import type { ResolvedLab, StoreKind } from '../config/resolve';
import type { JavaVersionNumber, SerializerName, TomcatVersionName } from '../config/schema';

/** Where a jar goes; `build`: only an input of a derived jar (never deployed); `java-agent`: a -javaagent (config/monitoring.ts). */
export type JarTarget = 'catalina-lib' | 'webapp-lib' | 'build' | 'java-agent';
export type DeployTarget = Exclude<JarTarget, 'build' | 'java-agent'>;

/**
 * How a jar the kit makes itself is made from pinned inputs (see jars/derive.ts).
 * - `jakarta`: `from` converted to jakarta.* by Apache Tomcat's migration tool (`tool`,
 *   run with -profile=TOMCAT), then rewritten as a deterministic jar (jars/zip.ts).
 * - `javac`: the Java sources under `sourceDir` (relative to the kit's root) compiled with
 *   `javac --release <release>` against `classpath`, packaged deterministically.
 */
export type Derivation =
  | { readonly kind: 'jakarta'; readonly from: Jar; readonly tool: Jar }
  | { readonly kind: 'javac'; readonly sourceDir: string; readonly release: number; readonly classpath: readonly Jar[] };

export interface Jar {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  readonly sha256: string;
  readonly target: JarTarget;
  /**
   * Glob of files in the target directory this jar replaces: the Tomcat image build
   * removes them from the base image before the jar is copied in (e.g. the ECJ
   * bundled with Tomcat 7/8.5, which two ECJs in lib/ would make a lottery).
   */
  readonly replaces?: string;
  /** Maven classifier (`shaded`). @default none */
  readonly classifier?: string;
  /** Made by the kit from pinned inputs, not downloaded; `sha256` pins the result. @default downloaded from Maven */
  readonly derive?: Derivation;
}

/** Java feature version of the Tomcat image (the schema's tomcat.javaVersion). */

export const MSM_VERSION = '2.3.2';

const jar = (gav: string, sha256: string, target: JarTarget, replaces?: string): Jar => {
  const [groupId, artifactId, version] = gav.split(':');
  return replaces === undefined ? { groupId, artifactId, version, sha256, target } : { groupId, artifactId, version, sha256, target, replaces };
};

const CORE = jar('de.javakaffee.msm:memcached-session-manager:2.3.2', 'c3b9c42e75349a8195a1007d7fa50dffe019b1b3858a872e8ea50a3c6ae7aba2', 'catalina-lib');
const SPYMEMCACHED = jar('net.spy:spymemcached:2.12.3', '133092565f8308b9bcbfce83909d11f505d4094b856ead24e299ac93679bb4e2', 'catalina-lib');
/**
 * A Redis store (memcachedNodes="redis://..."): msm 2.3.2's RedisStorageClient was built
 * against jedis 2.9.0, which needs commons-pool2 2.4.2 (its POM). spymemcached stays:
 * msm's StorageClientFactory links against it whatever the store.
 */
const REDIS_JARS = [
  jar('redis.clients:jedis:2.9.0', '1eaa96cb8e5055e4d517467f0f3b2b3cbbc62a7d9d1e8b6a23c617ec60d386fa', 'catalina-lib'),
  jar('org.apache.commons:commons-pool2:2.4.2', '21112aa673733dfcd045354ddf75b31e1d464b99c8e515974349b2532254cc53', 'catalina-lib'),
];

const TC9 = jar('de.javakaffee.msm:memcached-session-manager-tc9:2.3.2', '8b8135c3ff1420191434d5e3f4185a29b39cd39e8072fc62f6e1980339ed97dd', 'catalina-lib');

/**
 * Tomcat 10.1 and 11 (jakarta.*): no msm release exists. Apache Tomcat's migration tool
 * (org.apache.tomcat:jakartaee-migration:1.0.12, classifier shaded) converts msm's core
 * and tc9 jars; the kit's own Manager subclass (tools/java/jakarta-manager) adapts them
 * to what Tomcat 10.1/11 changed (rotateSessionId, no ManagerBase.sessionCounter).
 * The sha256 of a derived jar pins the kit's deterministic output (jars/zip.ts).
 */
const MIGRATION_TOOL: Jar = { ...jar('org.apache.tomcat:jakartaee-migration:1.0.12', '0cfab9437781bf3d1e6c834e5fa87ea31db7cc48717f55896b0750ce815ee382', 'build'), classifier: 'shaded' };
const jakarta = (from: Jar, sha256: string): Jar => ({ groupId: 'msm-kit.derived', artifactId: `${from.artifactId}-jakarta`, version: from.version, sha256, target: from.target, derive: { kind: 'jakarta', from, tool: MIGRATION_TOOL } });
const CORE_JAKARTA = jakarta(CORE, '34c6ccff7fd9dc0335a00bd06b4cb501a030b3ef711c74a59f2e3bd05b49e73d');
const TC9_JAKARTA = jakarta(TC9, 'dfc8479174bfc868c65211a7bf0a2c71231702747722e84680bccb93932e54aa');
/** Tomcat's API to compile against: tomcat-catalina, -servlet-api and -juli of one version (sha256 in that order). */
const tomcatApi = (version: string, [catalina, servlet, juli]: readonly [string, string, string]): readonly Jar[] => [
  jar(`org.apache.tomcat:tomcat-catalina:${version}`, catalina, 'build'),
  jar(`org.apache.tomcat:tomcat-servlet-api:${version}`, servlet, 'build'),
  jar(`org.apache.tomcat:tomcat-juli:${version}`, juli, 'build'),
];
/** A Manager jar the kit compiles from its own sources (catalina lib). */
const kitManager = (artifactId: string, version: string, sha256: string, derive: Omit<Extract<Derivation, { kind: 'javac' }>, 'kind'>): Jar => ({
  groupId: 'msm-kit.derived',
  artifactId,
  version,
  sha256,
  target: 'catalina-lib',
  derive: { kind: 'javac', ...derive },
});
/** Tomcat 9's API (the stand-in's Tomcat 9.0.117, Maven Central). */
const TOMCAT9_API = tomcatApi('9.0.117', [
  '434541f25b3f7b64d7d5bb63c1ea1648b8363e8e1c5c35f8d7a180f7aa42066c',
  '1412bd8c3cfc7b9d39e518cea693833786e7e219b4dbdefd3acc24136b86f2f9',
  '0f28b2d42b208843b06b13104fe408afd682818c3682c5b166041629b136ce9f',
]);
/**
 * The kit's Manager for the javax.* Tomcats 7, 8.5 and 9: msmkit.tomcat.KitMemcachedBackupSessionManager
 * (tools/java/kit-manager): a primary read that fails on a dead node loads the backup copy
 * (config/msm.ts). Compiled once against msm's core + tc9 and Tomcat 9's API, Java 8 bytecode:
 * it uses only members that tc7, tc8 and tc9 share (same class, same signatures), which the
 * e2e drills prove on Tomcat 7 and 9. Its classes name no javax.* type (Apache's migration
 * tool leaves the jar byte-identical; test/jars/kit-manager.test.ts checks there is none), so
 * the same jar serves the jakarta.* Tomcats 10.1 and 11 beside the converted msm.
 */
const KIT_MANAGER = kitManager('msm-kit-manager', '1.5.0', '2245d1ef320cc7ac2917da5afe91986bb045361adaed0018f1950625564bd9a5', {
  sourceDir: 'tools/java/kit-manager',
  release: 8,
  classpath: [CORE, TC9, ...TOMCAT9_API],
});
/** Tomcat 10.1's API (Maven Central; the 10.1 line's latest there when pinned). */
const TOMCAT_API = tomcatApi('10.1.56', [
  '8271c90a0a147ee53639cade2fab3b079b53184949e982464052a468efcce3f5',
  '48c3fded60740da1ade60cf5475b86c4825878a91d6505c1a2777dadc9c5edf0',
  '977034fe4c61bf59766d7b0c3190de5c9b7e6b2c86c0b65c77e6a79cc2171d75',
]);
/** The kit's Manager for Tomcat 10.1/11: msmkit.tomcat.JakartaMemcachedBackupSessionManager (config/msm.ts). Java 11 bytecode: 10.1's minimum. */
const JAKARTA_MANAGER = kitManager('msm-kit-jakarta-manager', '1.2.0', '9748794331922237f7b72a65b8e4b6080b6217f254a28ebf55207e545735ed00', {
  sourceDir: 'tools/java/jakarta-manager',
  release: 11,
  classpath: [CORE_JAKARTA, TC9_JAKARTA, KIT_MANAGER, ...TOMCAT_API],
});

/** The Tomcat-specific manager jars per supported Tomcat version. */
const TOMCAT_JARS: Record<TomcatVersionName, readonly Jar[]> = {
  '7': [jar('de.javakaffee.msm:memcached-session-manager-tc7:2.3.2', '8ab5c5a5335347b9ca63320cc88bf8ec9d72cfb4f92f1b2b1e5c1700132d0cc9', 'catalina-lib'), KIT_MANAGER],
  '8.5': [jar('de.javakaffee.msm:memcached-session-manager-tc8:2.3.2', 'b4e1060d5a23638f3dc0c861b872e3f08f6ed9ded6611a593c7963ff666b7525', 'catalina-lib'), KIT_MANAGER],
  '9': [TC9, KIT_MANAGER],
  '10.1': [TC9_JAKARTA, KIT_MANAGER, JAKARTA_MANAGER],
  '11': [TC9_JAKARTA, KIT_MANAGER, JAKARTA_MANAGER],
};

export { isJakartaTomcat };

/** Serializer jars (WEB-INF/lib). flexjson has no msm 2.x build and is refused by the schema. */
const SERIALIZER_JARS: Record<SerializerName, readonly Jar[]> = {
  java: [],
  kryo: [
    jar('de.javakaffee.msm:msm-kryo-serializer:2.3.2', 'f28aababb3450303ab4dd89930b6988a5ad9562b473fe0f638c9960287de05d8', 'webapp-lib'),
    jar('de.javakaffee:kryo-serializers:0.41', '1806df481482e0cbb6ad3bebc25be80d95f47ced6bd71fb7adc4d00a88d36051', 'webapp-lib'),
    jar('com.esotericsoftware:kryo:4.0.0', '4fbb738d8f9ca41c2f9d1ea43866624037a8df1f63fe5abe7df6ea10e3f92d4c', 'webapp-lib'),
    jar('com.esotericsoftware:reflectasm:1.11.3', 'a61b1919fc26262d1c95b0167f87e6985cdd90be3dab1a14479fb351d08c63d4', 'webapp-lib'),
    jar('com.esotericsoftware:minlog:1.3.0', 'f7b399d3a5478a4f3e0d98bd1c9f47766119c66414bc33aa0f6cde0066f24cc2', 'webapp-lib'),
    jar('org.objenesis:objenesis:2.2', '2ee6c7e5a871d3f007b5a0c08c89b3b50772f345d45376c8ddc564647eb9aabe', 'webapp-lib'),
    jar('org.ow2.asm:asm:5.0.4', '896618ed8ae62702521a78bc7be42b7c491a08e6920a15f89a3ecdec31e9a220', 'webapp-lib'),
  ],
  xstream: [
    // msm's last xstream build is 2.1.1; its TranscoderFactory API is unchanged in 2.3.2.
    jar('de.javakaffee.msm:msm-xstream-serializer:2.1.1', '0999fef4d31c46d75028cc24f0800c8c99d15e9187dbb965799afc08e903686a', 'webapp-lib'),
    jar('com.thoughtworks.xstream:xstream:1.4.7', '7f8039c0ee7284f9c2a9554b5e2bc20bf26b74b37f690633a75ff1993136f364', 'webapp-lib'),
    jar('xmlpull:xmlpull:1.1.3.1', '34e08ee62116071cbb69c0ed70d15a7a5b208d62798c59f2120bb8929324cb63', 'webapp-lib'),
    jar('xpp3:xpp3_min:1.1.4c', 'bfc90e9e32d0eab1f397fb974b5f150a815188382ac41f372a7149d5bc178008', 'webapp-lib'),
  ],
  flexjson: [],
};

/**
 * kryo-serializers for Java 9+: 0.41 (what msm-kryo-serializer 2.3.2 declares) fails
 * at the first backup there (NoSuchFieldException: parentOffset, in SubListSerializers).
 * 0.45 works with msm's kryo 4.0.0 (its POM asks for kryo 5.0.0-RC1, which msm 2.3.2
 * cannot load: hence pinned jars, never Maven resolution).
 */
const KRYO_SERIALIZERS_JAVA9 = jar('de.javakaffee:kryo-serializers:0.45', '7da1c5e1d51bdefea1536d6ccf87fb63b2be85d76287c523bee1c4125fc4b2a1', 'webapp-lib');

/**
 * The JSP compiler for Tomcat 7 and 8.5 on Java 9+: their bundled ECJ (4.4.2 / 4.6.3)
 * cannot read Java 9+ class files ("Failed to load class [java.lang.System]").
 * org.eclipse.jdt:ecj:3.26.0 is ECJ 4.20, the one Tomcat 9 ships; it replaces lib/ecj-*.jar.
 */
const ECJ_JAVA9 = jar('org.eclipse.jdt:ecj:3.26.0', 'ac0ba5876eaf7ebb47749a0d1be179c51f194b9dd0b875d1c09e1b530f5a2db5', 'catalina-lib', 'ecj-*.jar');

/**
 * The jar set for one Tomcat version, serializer and Java version, in a fixed order.
 * On Java 8 it is the set msm 2.3.2 declares; on Java 9+ Kryo gets kryo-serializers
 * 0.45 and Tomcat 7/8.5 get ECJ 3.26.0 (required on purpose: a set picked for the
 * wrong Java fails only at run time).
 */
export function jarSet(tomcatVersion: TomcatVersionName, serializer: SerializerName, javaVersion: JavaVersionNumber, store: StoreKind = 'memcached'): readonly Jar[] {
  const java9 = javaVersion >= 9;
  const serializerJars = SERIALIZER_JARS[serializer].map((j) => (java9 && j.artifactId === 'kryo-serializers' ? KRYO_SERIALIZERS_JAVA9 : j));
  const ecj = java9 && (tomcatVersion === '7' || tomcatVersion === '8.5') ? [ECJ_JAVA9] : [];
  const redis = store === 'redis' ? REDIS_JARS : [];
  return [isJakartaTomcat(tomcatVersion) ? CORE_JAKARTA : CORE, ...TOMCAT_JARS[tomcatVersion], SPYMEMCACHED, ...redis, ...ecj, ...serializerJars];
}

/** The jar set a resolved lab needs. */
export function labJars(lab: Pick<ResolvedLab, 'tomcatVersion' | 'javaVersion' | 'serializer' | 'store'>): readonly Jar[] {
  return jarSet(lab.tomcatVersion, lab.serializer, lab.javaVersion, lab.store);
}

/** msm's own jars for $CATALINA_HOME/lib on a Tomcat version: its core, then the Tomcat-specific (-tcN) jar. */
export function msmCatalinaJars(tomcatVersion: TomcatVersionName): readonly [Jar, Jar] {
  return [isJakartaTomcat(tomcatVersion) ? CORE_JAKARTA : CORE, TOMCAT_JARS[tomcatVersion][0]];
}

/** The artifactId of msm's core jar; its Tomcat-specific jars are named `<it>-tcN`. */
export const MSM_CORE_ARTIFACT = CORE.artifactId;

/** The Tomcat versions a session-manager jar (core or -tcN, by artifactId) serves; empty for one the kit knows for none. */
export function tomcatsServedBy(artifactId: string): TomcatVersionName[] {
  return (Object.keys(TOMCAT_JARS) as TomcatVersionName[]).filter((v) => msmCatalinaJars(v).some((j) => j.artifactId === artifactId));
}

/** The store client jars msm links against in $CATALINA_HOME/lib: spymemcached always, jedis and commons-pool2 for Redis. */
export function storeClientJars(store: StoreKind): readonly Jar[] {
  return store === 'redis' ? [SPYMEMCACHED, ...REDIS_JARS] : [SPYMEMCACHED];
}

/** A serializer's jars (WEB-INF/lib) on a Java version, the factory jar first; none for java. */
export function serializerJars(serializer: SerializerName, javaVersion: JavaVersionNumber): readonly Jar[] {
  return jarSet('9', serializer, javaVersion).filter((j) => j.target === 'webapp-lib');
}

export function jarFileName(j: Jar): string {
  return `${j.artifactId}-${j.version}${j.classifier ? `-${j.classifier}` : ''}.jar`;
}

/** Path of a jar under a Maven repository root. */
export function jarRepoPath(j: Jar): string {
  return `${j.groupId.replace(/\./g, '/')}/${j.artifactId}/${j.version}/${jarFileName(j)}`;
}

/**
 * Prometheus's JMX exporter as a java agent, for a monitored lab's Tomcats. 1.0.1 is the
 * newest Maven Central serves here; its classes are Java 8 class files (major 52), so it runs
 * on every Java the kit supports.
 */
export const JMX_EXPORTER_AGENT = jar(`io.prometheus.jmx:jmx_prometheus_javaagent:${JMX_EXPORTER_VERSION}`, '7d61f737fd661610ccc14aea79764faa1ea94a340cbc8f0029b3d2edea3d80c1', 'java-agent');

/** Every distinct jar the kit knows, for `msm-kit jars --all`. */
export function allJars(): readonly Jar[] {
  const byName = new Map<string, Jar>();
  for (const j of [CORE, SPYMEMCACHED, ...REDIS_JARS, ...Object.values(TOMCAT_JARS).flat(), CORE_JAKARTA, ...Object.values(SERIALIZER_JARS).flat(), KRYO_SERIALIZERS_JAVA9, ECJ_JAVA9, JMX_EXPORTER_AGENT]) byName.set(jarRepoPath(j), j);
  return [...byName.values()];
}
