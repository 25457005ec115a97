/**
 * What each serializer cannot carry: attribute types of the sample app's
 * attributes.jsp that do not survive a trip through msm, found by deploying
 * every combination (scripts/matrix.js fails when reality differs from this).
 */
import type { JavaVersionNumber, SerializerName } from './schema';

export interface SerializerGap {
  /** The attribute (its name in attributes.jsp). */
  readonly attribute: string;
  /** On which Java versions. */
  readonly java: (j: JavaVersionNumber) => boolean;
  /** What happens. */
  readonly what: string;
}

export const SERIALIZER_GAPS: Record<SerializerName, readonly SerializerGap[]> = {
  java: [],
  kryo: [],
  xstream: [],
  flexjson: [],
};

/** The attributes a serializer cannot carry on a Java version. */
export function serializerGaps(serializer: SerializerName, java: JavaVersionNumber): string[] {
  return SERIALIZER_GAPS[serializer].filter((g) => g.java(java)).map((g) => g.attribute);
}
