/** msm's own class names, as context.xml must spell them. */
import type { SerializerName, TomcatVersionName } from './schema';

export const MANAGER_CLASS = 'de.javakaffee.web.msm.MemcachedBackupSessionManager';

/**
 * The kit's own subclass of msm's Manager for the javax.* Tomcats 7, 8.5 and 9
 * (tools/java/kit-manager): in non-sticky mode a read that fails on a dead memcached node
 * loads the session's backup copy instead of starting an empty session.
 */
export const KIT_MANAGER_CLASS = 'msmkit.tomcat.KitMemcachedBackupSessionManager';

/**
 * The kit's own subclass of msm's (converted) Manager for Tomcat 10.1 and 11
 * (tools/java/jakarta-manager): the kit's Manager above, converted to jakarta.*, that also
 * follows rotateSessionId and survives Tomcat 11's removal of ManagerBase.sessionCounter.
 */
export const JAKARTA_MANAGER_CLASS = 'msmkit.tomcat.JakartaMemcachedBackupSessionManager';

/** Whether a Tomcat version is a jakarta.* release (msm converted by the kit). */
export function isJakartaTomcat(v: TomcatVersionName): boolean {
  return v === '10.1' || v === '11';
}

/** The Manager className the kit writes for a Tomcat version. */
export function managerClass(tomcat: TomcatVersionName): string {
  return isJakartaTomcat(tomcat) ? JAKARTA_MANAGER_CLASS : KIT_MANAGER_CLASS;
}

/** msm `transcoderFactoryClass` per serializer. */
export const TRANSCODER_FACTORIES: Record<SerializerName, string> = {
  java: 'de.javakaffee.web.msm.JavaSerializationTranscoderFactory',
  kryo: 'de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory',
  xstream: 'de.javakaffee.web.msm.serializer.xstream.XStreamTranscoderFactory',
  flexjson: 'de.javakaffee.web.msm.serializer.json.JSONTranscoderFactory',
};

/** A character XML 1.0 cannot hold, even as a reference (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates). */
export const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** memcached's longest key, in bytes (KEY_MAX_LENGTH). */
export const MEMCACHED_KEY_MAX = 250;
/** Length of a Tomcat session id's hex part (Tomcat's default sessionIdLength: 16 bytes). */
export const SESSION_ID_HEX = 32;
/** msm's prefix of a non-sticky session's backup copy on the next node (SessionIdFormat.createBackupKey). */
export const MSM_BACKUP_KEY_PREFIX = 'bak:';
/** msm's prefix of a session's validity info (SessionIdFormat.createValidityInfoKeyName). */
export const MSM_VALIDITY_KEY_PREFIX = 'validity:';
/** msm's longest key prefix besides storageKeyPrefix ("bak:" before "validity:"). */
export const MSM_KEY_PREFIX_MAX = (MSM_BACKUP_KEY_PREFIX + MSM_VALIDITY_KEY_PREFIX).length;
/** What msm's storageKeyPrefix tokens expand to in the lab (host "localhost", the ROOT context, no webapp version); hashes are 8 hex. */
export const STORAGE_TOKEN_LENGTH: Record<string, number> = { host: 'localhost'.length, 'host.hash': 8, context: 0, 'context.hash': 8, webappVersion: 0 };
