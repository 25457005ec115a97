/**
 * Advice: setups msm accepts and runs, but that lose data or expose the lab in
 * a way users do not expect. Unlike the rules (rules.ts), advice never refuses a
 * config: `validate`, `synth` and `up` print it as warnings. Each entry says why.
 */
import type { ConfigProblem } from '../errors';
import { formatPath } from './load';
import { showValue } from './show';
import { javaRegexEngine } from './java-regex';
import { monitoringEnabled } from './monitoring';
import type { Rule } from './rules';
import type { LabConfig } from './schema';

/** msm's own sessionBackupTimeout when unset, in ms. */
export const MSM_SESSION_BACKUP_TIMEOUT = 100;
/** The backup timeout below which a cold or busy JVM relocates sessions (measured with the cold-start drill). */
export const SAFE_SESSION_BACKUP_TIMEOUT = 1000;

export const advisoryRules: readonly Rule[] = [
  {
    id: 'monitoring-no-sasl-store',
    why: 'the memcached exporter (memcached_exporter 0.15) has no SASL: against memcached run with -S its stats command is refused, so a SASL lab gets no memcached exporter and `status` shows no store figures.',
    check: (c) =>
      monitoringEnabled(c) && !c.redis && c.manager.username !== undefined
        ? [{ path: ['monitoring'], value: undefined, message: 'with SASL the lab runs no memcached exporter (it cannot authenticate); Tomcat, msm and nginx figures are still collected. Fix: nothing to do, or set monitoring.enabled to false' }]
        : [],
  },
  {
    id: 'backup-timeout-cold-start',
    why:
      'with synchronous backup msm waits sessionBackupTimeout (100 ms unless set) for the session write; when it times out (a cold JVM, a busy host) msm marks the memcached node unavailable and the next requests load the session from its backup copy, which it writes after the response: the last update is lost (the cold-start drill lost 10 sessions and 32 updates with 100 ms, none with 2000 ms).',
    check: (c) => {
      const m = c.manager;
      const timeout = m.sessionBackupTimeout ?? MSM_SESSION_BACKUP_TIMEOUT;
      if (m.sessionBackupAsync !== false || timeout >= SAFE_SESSION_BACKUP_TIMEOUT) return [];
      return [
        {
          path: ['manager', 'sessionBackupTimeout'],
          value: m.sessionBackupTimeout,
          message: `msm waits only ${timeout} ms for each session write; a slower write (a cold or busy JVM) makes msm relocate sessions to a backup copy that misses the last update. Fix: set manager.sessionBackupTimeout to 2000 and manager.operationTimeout to 2000`,
        },
      ];
    },
  },
  {
    id: 'bind-beyond-loopback',
    why: 'loadBalancer.bindAddress other than 127.x publishes the lab (an unauthenticated sample app that stores what it is sent in sessions) on that interface; 0.0.0.0 means every interface of the host, reachable from other machines.',
    check: (c) => {
      const a = c.loadBalancer.bindAddress;
      if (/^127\./.test(a)) return [];
      const where = a === '0.0.0.0' ? 'on every interface of this host (0.0.0.0)' : `on ${a}`;
      return [
        {
          path: ['loadBalancer', 'bindAddress'],
          value: a,
          message: `nginx will listen ${where}, port ${c.loadBalancer.port}: other machines can reach the lab. Fix: use "127.0.0.1" unless you mean to expose it`,
        },
      ];
    },
  },
  {
    id: 'regex-backtracking',
    why: 'msm matches requestUriIgnorePattern against every request and sessionAttributeFilter against every attribute, inside the request thread; a repeated group that can match the same text in several ways (nested quantifiers, overlapping alternatives: ".*(a|aa)+$") backtracks exponentially on a crafted URI and ties up a Tomcat thread per request.',
    check: (c) => {
      const m = c.manager;
      const candidates: Array<[string, string | undefined]> = [
        ['requestUriIgnorePattern', m.requestUriIgnorePattern],
        ['sessionAttributeFilter', m.sessionAttributeFilter],
        ['lockingMode', m.lockingMode?.startsWith('uriPattern:') ? m.lockingMode.slice('uriPattern:'.length) : undefined],
      ];
      return candidates.flatMap(([key, re]) => {
        const risk = re === undefined ? undefined : backtrackingRisk(re);
        return risk === undefined
          ? []
          : [{ path: ['manager', key], value: m[key as keyof typeof m], message: `the group ${risk} repeats something that can itself match in several ways; on a crafted request java.util.regex backtracks exponentially, on every request. Fix: make the repeated part unambiguous (e.g. "(a|aa)+" → "a+"), or drop the repetition` }];
      });
    },
  },
  {
    id: 'tomcat7-no-samesite',
    labOnly: true,
    why: "Tomcat 7 has no CookieProcessor (it came with 8.5; sameSiteCookies with 8.5.42 and 9.0.21), so it cannot mark its session cookie SameSite; the kit's nginx adds SameSite=Lax to JSESSIONID instead (proxy_cookie_flags), which a Tomcat 7 reached without the kit's nginx (bundle) does not get.",
    check: (c) =>
      c.tomcat.version === '7'
        ? [{ path: ['tomcat', 'version'], value: c.tomcat.version, message: "Tomcat 7 cannot mark the session cookie SameSite (no CookieProcessor before 8.5); the kit's nginx adds SameSite=Lax to JSESSIONID, a balancer of your own must do the same. Fix: use Tomcat 8.5 or 9 for SameSite set by Tomcat itself" }]
        : [],
  },
  {
    id: 'form-login-no-fixation-protection',
    why: "manager.formLoginWorkaround sets changeSessionIdOnAuthentication=\"false\" on Tomcat's FormAuthenticator: the session id is no longer changed at login, so an attacker who makes a victim use a session id he knows (session fixation) shares the victim's session once the victim logs in. It is what makes FORM login work across Tomcats in non-sticky mode (config/form-login.ts).",
    check: (c) =>
      c.manager.formLoginWorkaround
        ? [{ path: ['manager', 'formLoginWorkaround'], value: true, message: "Tomcat's session-fixation protection is off for FORM login in every webapp of the lab (the session id is not changed at login). Fix: accept it knowingly, or remove it and use sticky mode for FORM login" }]
        : [],
  },
  {
    id: 'form-login-workaround-sticky',
    why: 'in sticky mode a session stays on its Tomcat, notes included, so FORM login works without the workaround; it would only rescue a login whose Tomcat fails between the login page and the POST, at the cost of session-fixation protection for every login.',
    check: (c) =>
      c.manager.formLoginWorkaround && c.manager.sticky
        ? [{ path: ['manager', 'formLoginWorkaround'], value: true, message: 'in sticky mode FORM login works without it (the session and its notes stay on one Tomcat); it only helps a login whose Tomcat fails mid-login. Fix: remove it, unless that case is worth turning session-fixation protection off' }]
        : [],
  },
  {
    id: 'java-regex-unchecked',
    why: 'regexes are checked with java.util.regex through `java`; without Java the JavaScript engine stands in, and it accepts some patterns Java refuses (`{id}`) and refuses some Java accepts (`(?i)`).',
    check: (c) => {
      const m = c.manager;
      const has = m.requestUriIgnorePattern !== undefined || m.sessionAttributeFilter !== undefined || m.lockingMode?.startsWith('uriPattern:');
      return has && javaRegexEngine() === 'javascript'
        ? [{ path: ['manager'], value: undefined, message: "no `java` on PATH: the regexes were checked with JavaScript's engine, not Java's. Fix: install a JRE (or set MSM_KIT_JAVA to a java binary) and validate again" }]
        : [];
    },
  },
  // From `npm run bench:load` (docs/benchmarks.md, "Load benchmark": 1.5 ms page, 20 KB session, two full runs, min-max).
  {
    id: 'xstream-cost',
    why:
      'msm\'s XStream serializer writes XML: on the load benchmark (non-sticky, 20 KB session graph, two runs) it stored 146 KB per session against 42 KB with java and 30 KB with kryo, cost the Tomcats 2.0-2.6x the CPU per request of java, and, in runs with a 5-s warm-up (JVMs still compiling; not repeated at steady state), served 12-20 % of the no-msm rate on the write page against 31-36 % with java.',
    check: (c) =>
      c.manager.serializer === 'xstream'
        ? [{ path: ['manager', 'serializer'], value: 'xstream', message: 'XStream stores 3.5x the bytes of java serialization and costs the Tomcats 2-2.6x its CPU per request (the load benchmark). Fix: use "java", or "kryo" for the smallest sessions, unless you need readable XML in the store' }]
        : [],
  },
];

/**
 * A repeated group whose body can match one text in several ways: it holds an
 * unbounded quantifier or an alternation, and is itself followed by *, + or
 * {n,}. Returns the group as written, or undefined. A heuristic over the
 * pattern's text (escapes and character classes skipped), not a proof.
 */
export function backtrackingRisk(pattern: string): string | undefined {
  const open: Array<{ start: number; ambiguous: boolean }> = [];
  const unbounded = (i: number) => pattern[i] === '*' || pattern[i] === '+' || (pattern[i] === '{' && /^\{\d+,\}/.test(pattern.slice(i, i + 12)));
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      // skip a character class (a "]" right after "[" or "[^" is literal)
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (ch === '(') open.push({ start: i, ambiguous: false });
    else if (ch === '|' && open.length > 0) open[open.length - 1].ambiguous = true;
    else if ((ch === '*' || ch === '+' || ch === '{') && unbounded(i) && open.length > 0 && pattern[i - 1] !== '(') open[open.length - 1].ambiguous = true;
    else if (ch === ')') {
      const g = open.pop();
      if (g === undefined) continue;
      if (g.ambiguous && unbounded(i + 1)) return pattern.slice(g.start, i + 1);
      if (g.ambiguous && open.length > 0) open[open.length - 1].ambiguous = true;
    }
  }
  return undefined;
}

/** The advice that applies to a valid config, formatted like config problems. */
export function configWarnings(cfg: LabConfig): ConfigProblem[] {
  return advisoryRules.flatMap((r) => r.check(cfg).map((i) => ({ path: formatPath(i.path), message: `${i.message} (got ${showValue(i.value)})` })));
}
