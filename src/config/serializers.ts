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
  java: [
    {
      attribute: 'subList',
      java: () => true,
      what: 'ArrayList.subList() returns a view class that is not Serializable: the whole session fails to serialize (NotSerializableException) and is not stored; copy it into a new ArrayList',
    },
  ],
  kryo: [],
  xstream: [
    {
      attribute: 'subList',
      java: () => true,
      what: 'XStream 1.4.7 cannot rebuild the ArrayList.subList() view (it has no usable constructor and refers to its parent list): the session does not survive; copy it into a new ArrayList',
    },
  ],
  flexjson: [],
};

/** The attributes a serializer cannot carry on a Java version. */
export function serializerGaps(serializer: SerializerName, java: JavaVersionNumber): string[] {
  return SERIALIZER_GAPS[serializer].filter((g) => g.java(java)).map((g) => g.attribute);
}
