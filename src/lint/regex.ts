/**
 * Java regex checks for lint, behind one interface: `checkJavaRegex(pattern)`.
 *
 * `checkJavaRegex` is the shared Java checker (src/config/java-regex.ts).
 * `javaRegexToJs` stays here: lint uses it to probe what a pattern matches.
 */
import { checkJavaRegex as checkWithJava } from '../config/java-regex';

export type JavaRegexCheck = { ok: true } | { ok: false; message: string };

/**
 * Java constructs JavaScript lacks or reads differently, turned into JavaScript
 * equivalents (or refused when Java refuses them too).
 */
function translate(pattern: string): { source: string; flags: string } | { error: string } {
  let flags = '';
  let p = pattern;
  // Leading inline flags, e.g. (?i) or (?is): JavaScript has them only as RegExp flags.
  const lead = /^\(\?([idmsux]+)\)/.exec(p);
  if (lead) {
    for (const f of lead[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
    p = p.slice(lead[0].length);
  }
  let out = '';
  let inClass = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) return { error: 'a trailing "\\" escapes nothing' };
      if (n === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const lit = p.slice(i + 2, end < 0 ? p.length : end);
        out += lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
        i = end < 0 ? p.length : end + 1;
        continue;
      }
      if (n === 'A' && !inClass) {
        out += '^';
        i++;
        continue;
      }
      if ((n === 'z' || n === 'Z') && !inClass) {
        out += '$';
        i++;
        continue;
      }
      if (n === 'p' || n === 'P') {
        // \p{javaLowerCase}, \p{Alpha}, ...: approximate by any character.
        const m = /^\{[^}]*\}|^[A-Za-z]/.exec(p.slice(i + 2));
        if (!m) return { error: `"\\${n}" needs a property name, e.g. \\${n}{Alpha}` };
        out += inClass ? '\\s\\S' : '[\\s\\S]';
        i += 1 + m[0].length;
        continue;
      }
      if (/[a-zA-Z]/.test(n) && !/[dDsSwWbBnrtfaexcuhHvVRkg0-9]/.test(n) && !(n === 'G')) {
        return { error: `"\\${n}" is not a Java escape` };
      }
      out += c + n;
      i++;
      continue;
    }
    if (c === '[') {
      if (inClass && p[i + 1] !== ':') {
        // Java allows nested classes and && intersection; approximate by a flat class.
        inClass++;
        continue;
      }
      inClass++;
      out += c;
      if (p[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (p[i + 1] === ']') {
        // In Java (and JS) a "]" first in a class is... an error in JS, a literal in Java.
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === ']' && inClass) {
      inClass--;
      if (inClass === 0) out += c;
      continue;
    }
    if (c === '&' && inClass && p[i + 1] === '&') {
      i++;
      continue;
    }
    if (!inClass && c === '(' && p.startsWith('(?>', i)) {
      out += '(?:';
      i += 2;
      continue;
    }
    if (!inClass && c === '(' && /^\(\?[idmsux-]+[:)]/.test(p.slice(i))) {
      // Inline flag groups (?i:...) / (?i): JavaScript cannot scope them; keep the group, drop the flags.
      const m = /^\(\?[idmsux-]+([:)])/.exec(p.slice(i))!;
      if (m[1] === ':') out += '(?:';
      i += m[0].length - 1;
      continue;
    }
    if (!inClass && (c === '+') && /[*+?}]/.test(p[i - 1] ?? '') && p[i - 2] !== '\\') {
      // Possessive quantifier (a*+): read as greedy.
      continue;
    }
    out += c;
  }
  if (inClass) return { error: 'a "[" character class is never closed with "]"' };
  return { source: out, flags };
}

/** The pattern as a JavaScript RegExp (for probing matches), or undefined when it does not compile. */
export function javaRegexToJs(pattern: string): RegExp | undefined {
  const t = translate(pattern);
  if ('error' in t) return undefined;
  try {
    return new RegExp(t.source, t.flags);
  } catch {
    return undefined;
  }
}

/** Whether java.util.regex compiles the pattern (stand-in: see the module comment). */
/**
 * Whether java.util.regex compiles the pattern: the one checker the config
 * schema uses too (src/config/java-regex.ts: a small Java program when `java` is
 * on PATH, JavaScript's engine with a warning otherwise).
 */
export function checkJavaRegex(pattern: string): JavaRegexCheck {
  const r = checkWithJava(pattern);
  if (r.engine !== 'javascript') return r.ok ? { ok: true } : { ok: false, message: r.message };
  // No Java here: JavaScript's engine on the pattern translated with Java's known differences.
  const t = translate(pattern);
  if ('error' in t) return { ok: false, message: t.error };
  try {
    new RegExp(t.source, t.flags);
    return { ok: true };
  } catch (e) {
    return { ok: false, message: (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '') };
  }
}

/** Full match, as java.util.regex.Matcher.matches() does. */
export function fullMatch(re: RegExp, input: string): boolean {
  const anchored = new RegExp(`^(?:${re.source})$`, re.flags);
  return anchored.test(input);
}
