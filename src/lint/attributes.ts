/**
 * What Tomcat and msm accept on a hand-written <Manager>: the setters of
 * msm 2.3.2's MemcachedBackupSessionManager (and Tomcat's ManagerBase), with the
 * Java type Tomcat converts the attribute to, and the msm version that added each.
 */

export type JavaType = 'String' | 'boolean' | 'int' | 'long';

export interface AttributeInfo {
  readonly type: JavaType;
  /** msm release that added the setter (from msm's SetupAndConfiguration "since" notes). */
  readonly since?: string;
}

/** msm's own setters (tomcat9/.../MemcachedBackupSessionManager.java, msm 2.3.2). */
export const MSM_ATTRIBUTES: Readonly<Record<string, AttributeInfo>> = {
  memcachedNodes: { type: 'String' },
  failoverNodes: { type: 'String' },
  sticky: { type: 'boolean', since: '1.4.0' },
  lockingMode: { type: 'String', since: '1.4.0' },
  lockExpiration: { type: 'int', since: '1.4.0' },
  operationTimeout: { type: 'long', since: '1.6.0' },
  requestUriIgnorePattern: { type: 'String' },
  sessionAttributeFilter: { type: 'String', since: '1.5.0' },
  transcoderFactoryClass: { type: 'String', since: '1.1.0' },
  copyCollectionsForSerialization: { type: 'boolean' },
  customConverter: { type: 'String' },
  enableStatistics: { type: 'boolean' },
  backupThreadCount: { type: 'int', since: '1.3.0' },
  memcachedProtocol: { type: 'String', since: '1.3.0' },
  enabled: { type: 'boolean' },
  username: { type: 'String', since: '1.6.0' },
  password: { type: 'String', since: '1.6.0' },
  storageKeyPrefix: { type: 'String', since: '1.8.0' },
  sessionBackupAsync: { type: 'boolean' },
  sessionBackupTimeout: { type: 'int' },
  maxInactiveInterval: { type: 'int' },
};

/** Tomcat's own Manager setters (ManagerBase, Tomcat 7–9): accepted, not msm's business. */
export const TOMCAT_MANAGER_ATTRIBUTES: Readonly<Record<string, AttributeInfo>> = {
  maxActiveSessions: { type: 'int' },
  processExpiresFrequency: { type: 'int' },
  secureRandomClass: { type: 'String' },
  secureRandomAlgorithm: { type: 'String' },
  secureRandomProvider: { type: 'String' },
  sessionAttributeNameFilter: { type: 'String' },
  sessionAttributeValueClassNameFilter: { type: 'String' },
  warnOnSessionAttributeFilterFailure: { type: 'boolean' },
  notifyBindingListenerOnUnchangedValue: { type: 'boolean' },
  notifyAttributeListenerOnUnchangedValue: { type: 'boolean' },
  persistAuthentication: { type: 'boolean' },
  sessionIdLength: { type: 'int' },
  duplicates: { type: 'int' },
  sessionMaxAliveTime: { type: 'int' },
};

/** The Digester sets className itself. */
export const CLASS_NAME = 'className';

/**
 * Tomcat's IntrospectionUtils looks for `set` + the name with its first letter
 * upper-cased: `Sticky` finds setSticky, `STICKY` does not.
 */
export function setterName(attribute: string): string {
  return attribute.charAt(0).toUpperCase() + attribute.slice(1);
}

/** The known attribute an attribute name reaches through its setter, if any. */
export function knownAttribute(name: string): { name: string; info: AttributeInfo; msm: boolean } | undefined {
  for (const [table, msm] of [[MSM_ATTRIBUTES, true], [TOMCAT_MANAGER_ATTRIBUTES, false]] as const) {
    for (const [known, info] of Object.entries(table)) if (setterName(known) === setterName(name)) return { name: known, info, msm };
  }
  return undefined;
}

/** Compares dotted versions ("2.3.2" vs "1.8.3"): negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Serializer factories msm no longer ships, with the last msm release that had them. */
export const RETIRED_TRANSCODERS: Readonly<Record<string, { name: string; last: string }>> = {
  'de.javakaffee.web.msm.serializer.javolution.JavolutionTranscoderFactory': { name: 'Javolution', last: '2.1.1' },
  'de.javakaffee.web.msm.serializer.json.JSONTranscoderFactory': { name: 'flexjson', last: '1.8.3' },
};
