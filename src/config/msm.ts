/** msm's own class names, as context.xml must spell them. */
import type { SerializerName } from './schema';

export const MANAGER_CLASS = 'de.javakaffee.web.msm.MemcachedBackupSessionManager';

/** msm `transcoderFactoryClass` per serializer. */
export const TRANSCODER_FACTORIES: Record<SerializerName, string> = {
  java: 'de.javakaffee.web.msm.JavaSerializationTranscoderFactory',
  kryo: 'de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory',
  xstream: 'de.javakaffee.web.msm.serializer.xstream.XStreamTranscoderFactory',
  flexjson: 'de.javakaffee.web.msm.serializer.json.JSONTranscoderFactory',
};
