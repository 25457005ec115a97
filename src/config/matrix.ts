/**
 * The version matrix: every Tomcat × Java × serializer the schema knows, and
 * those it accepts (the rules decide, so the matrix can never drift from them).
 */
import { ConfigError } from '../errors';
import { parseConfig } from './load';
import { JAVA_VERSIONS, SERIALIZERS, SUPPORTED_TOMCATS, type JavaVersionNumber, type SerializerName, type TomcatVersionName } from './schema';

export interface Combination {
  readonly tomcat: TomcatVersionName;
  readonly java: JavaVersionNumber;
  readonly serializer: SerializerName;
}

export function allCombinations(): Combination[] {
  return SUPPORTED_TOMCATS.flatMap((tomcat) => JAVA_VERSIONS.flatMap((java) => SERIALIZERS.map((serializer) => ({ tomcat, java, serializer }))));
}

/**
 * The Java versions CI deploys Tomcat 10.1 and 11 on: their oldest and newest. Their
 * jar set does not change with Java (one converted msm; the Java 9+ Kryo set), so
 * the versions between add run time, not coverage. Tomcat 7-9 run on every Java.
 */
export const JAKARTA_CI_JAVA: Partial<Record<TomcatVersionName, readonly JavaVersionNumber[]>> = { '10.1': [11, 21], '11': [17, 21] };

/** Whether CI (scripts/matrix.js) deploys a supported combination. */
export function deployedInCi(c: Combination): boolean {
  const javas = JAKARTA_CI_JAVA[c.tomcat];
  return javas === undefined || javas.includes(c.java);
}

/** The config of one combination: `base` with its versions and serializer. */
export function combinationConfig(c: Combination, base: Record<string, unknown> = {}): Record<string, unknown> {
  const b = base as { tomcat?: Record<string, unknown>; manager?: Record<string, unknown> };
  return { ...base, tomcat: { ...b.tomcat, version: c.tomcat, javaVersion: c.java }, manager: { ...b.manager, serializer: c.serializer } };
}

/** Combinations the schema and its rules accept on top of `base`; the others with the first reason. */
export function matrix(base: Record<string, unknown> = {}): { supported: Combination[]; refused: Array<Combination & { reason: string }> } {
  const supported: Combination[] = [];
  const refused: Array<Combination & { reason: string }> = [];
  for (const c of allCombinations()) {
    try {
      parseConfig(combinationConfig(c, base), 'matrix');
      supported.push(c);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      refused.push({ ...c, reason: e.problems[0].message });
    }
  }
  return { supported, refused };
}
