/**
 * context.xml: the webapp's <Context> with msm's <Manager>, attributes exactly
 * as msm reads them. Pure: config in, text out.
 *
 * Written by hand, not by an XML library: every attribute value is escaped
 * here so that Tomcat's parser reads back exactly the config value. `&`, `<`,
 * `>` and `"` become entities (text that merely looks like an entity, `&lt;`,
 * is escaped too), and tab, newline and CR become character references (XML
 * attribute normalization would turn them into spaces). Characters XML 1.0
 * cannot hold at all are refused by the config rules (rules.ts,
 * manager-values-tomcat-safe); meeting one here is a bug.
 */
import { CHANGE_SESSION_ID_ATTRIBUTE, FORM_AUTHENTICATOR_CLASS } from '../config/form-login';
import { managerClass, XML_FORBIDDEN } from '../config/msm';
import type { ManagerSettings, ResolvedLab } from '../config/resolve';
import { secretPlaceholder } from '../config/secrets';
import { SESSION_COOKIE_SAMESITE } from '../config/tls';

/** Tomcat 8.5+'s RFC 6265 cookie processor (its default there; named to set sameSiteCookies). */
export const COOKIE_PROCESSOR_CLASS = 'org.apache.tomcat.util.http.Rfc6265CookieProcessor';

/**
 * msm attributes copied from the Manager settings when set, in output order.
 * Typed against the schema: a key missing here or unknown to the schema fails
 * to compile (and test/render/render.test.ts checks both directions).
 */
export const PASS_THROUGH = [
  'lockingMode',
  'requestUriIgnorePattern',
  'sessionBackupAsync',
  'sessionBackupTimeout',
  'backupThreadCount',
  'operationTimeout',
  'lockExpiration',
  'memcachedProtocol',
  'username',
  'password',
  'storageKeyPrefix',
  'sessionAttributeFilter',
  'copyCollectionsForSerialization',
  'customConverter',
  'enableStatistics',
  'enabled',
  'maxInactiveInterval',
] as const satisfies readonly (keyof ManagerSettings)[];

// Compile-time check of the other direction: every Manager setting is passed through.
type Missing = Exclude<keyof ManagerSettings, (typeof PASS_THROUGH)[number]>;
const _everySettingPassed: [Missing] extends [never] ? true : Missing = true;
void _everySettingPassed;

/** The <Manager> attributes, in output order. */
export function managerAttributes(lab: ResolvedLab): Array<[string, string]> {
  const m = lab.manager;
  const attrs: Array<[string, string]> = [
    ['className', managerClass(lab.tomcatVersion)],
    ['memcachedNodes', lab.memcachedNodes],
    ['sticky', String(lab.sticky)],
  ];
  if (lab.failoverNodes.length) attrs.push(['failoverNodes', lab.failoverNodes.join(',')]);
  for (const key of PASS_THROUGH) {
    const v = m[key];
    if (v === undefined) continue;
    // The SASL credentials are never written: Tomcat reads them from its environment (config/secrets.ts).
    attrs.push([key, key === 'username' || key === 'password' ? secretPlaceholder(key) : String(v)]);
  }
  attrs.push(['transcoderFactoryClass', lab.transcoderFactoryClass]);
  return attrs;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** An attribute value as XML that any conforming parser reads back unchanged. */
export function xmlAttr(value: string): string {
  if (XML_FORBIDDEN.test(value)) throw new Error(`refusing to write ${JSON.stringify(value)} into context.xml: XML 1.0 cannot hold it`);
  return value.replace(/[&<>"\t\n\r]/g, (c) => ESCAPES[c]);
}

/**
 * SameSite on the session cookie: Tomcat's CookieProcessor has sameSiteCookies
 * from 8.5.42 and 9.0.21 (older 8.5/9 releases log that they ignore it); Tomcat 7
 * has no CookieProcessor at all, so there the kit's nginx adds SameSite
 * (render/nginx-conf.ts; config/advice.ts tomcat7-no-samesite says so).
 */
export function cookieProcessor(lab: ResolvedLab): string[] {
  if (lab.tomcatVersion === '7') return [];
  return [`  <CookieProcessor className="${COOKIE_PROCESSOR_CLASS}" sameSiteCookies="${SESSION_COOKIE_SAMESITE.toLowerCase()}"/>`];
}

/**
 * manager.formLoginWorkaround: Tomcat's FORM authenticator without the session id
 * change at login (config/form-login.ts says why, and what it costs). Written right
 * after the Manager, so that a merge into an app's own context.xml carries it along
 * (config/webapps.ts mergeManager). An explicit Authenticator valve replaces the one
 * Tomcat would add from web.xml's login-config; in a webapp with no
 * security-constraint it never asks for a login.
 */
export function formAuthenticatorValve(lab: ResolvedLab): string[] {
  if (!lab.formLoginWorkaround) return [];
  return [
    '  <!-- manager.formLoginWorkaround: FORM login across Tomcats, with session-fixation protection OFF. -->',
    `  <Valve className="${FORM_AUTHENTICATOR_CLASS}" ${CHANGE_SESSION_ID_ATTRIBUTE}="false"/>`,
  ];
}

export function renderContextXml(lab: ResolvedLab): string {
  const attrs = managerAttributes(lab)
    .map(([k, v]) => ` ${k}="${xmlAttr(v)}"`)
    .join('');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Context useHttpOnly="true">',
    `  <!-- Generated by msm-kit (${lab.sticky ? 'sticky' : 'non-sticky'} mode); do not edit, edit the lab config. -->`,
    ...cookieProcessor(lab),
    `  <Manager${attrs}/>`,
    ...formAuthenticatorValve(lab),
    '</Context>',
    '',
  ].join('\n');
}
