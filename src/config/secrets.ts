/**
 * The SASL credentials (manager.username/password) never appear in synth
 * output: context.xml names environment variables (`${MSM_KIT_MEMCACHED_PASSWORD}`),
 * which Tomcat's digester substitutes when the JVM runs with
 * `-Dorg.apache.tomcat.util.digester.PROPERTY_SOURCE=...EnvironmentPropertySource`
 * (present in Tomcat 7.0.109, 8.5.100 and 9.0.117: checked in their jars). The
 * Terraform JSON declares sensitive variables; the values come from
 * `TF_VAR_<name>` at apply/destroy time (`msm-kit up/down` sets them from the config).
 */

/** Environment variable inside Tomcat, Terraform variable, and environment variable of the memcached SASL stand-in, per secret. */
export const SECRETS = {
  username: { env: 'MSM_KIT_MEMCACHED_USERNAME', tfVar: 'memcached_username', memcachedEnv: 'MSM_KIT_SASL_USERNAME' },
  password: { env: 'MSM_KIT_MEMCACHED_PASSWORD', tfVar: 'memcached_password', memcachedEnv: 'MSM_KIT_SASL_PASSWORD' },
} as const;

export type SecretKey = keyof typeof SECRETS;

/** The JVM option that makes Tomcat's digester read `${NAME}` from the environment. */
export const ENV_PROPERTY_SOURCE_OPT =
  '-Dorg.apache.tomcat.util.digester.PROPERTY_SOURCE=org.apache.tomcat.util.digester.EnvironmentPropertySource';

/** The placeholder context.xml holds instead of the secret. */
export const secretPlaceholder = (key: SecretKey): string => '${' + SECRETS[key].env + '}';

export interface SecretValues {
  readonly username?: string;
  readonly password?: string;
}

/** True when the lab uses SASL (both set: the rules refuse one without the other). */
export const usesSasl = (m: SecretValues): boolean => m.username !== undefined && m.password !== undefined;

/** `TF_VAR_*` for terraform apply/destroy: the secrets' values, only for a SASL lab. */
export function terraformSecretEnv(m: SecretValues): Record<string, string> {
  if (!usesSasl(m)) return {};
  return Object.fromEntries((Object.keys(SECRETS) as SecretKey[]).map((k) => [`TF_VAR_${SECRETS[k].tfVar}`, m[k] as string]));
}
