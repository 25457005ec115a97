/**
 * Echoing what a config says, safely: a key or value from the file is shown
 * JSON-quoted with every character a terminal would act on (C0 and C1 controls,
 * DEL, line/paragraph separators, bidi overrides) escaped as \uXXXX, and cut to
 * a bounded length. Secrets are never shown (see load.ts).
 */

const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/** A string from the config, quoted, escaped and at most `max` characters (then "…"). */
export function printable(s: string, max = 60): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  const quoted = JSON.stringify(cut).replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return s.length > max ? `${quoted.slice(0, -1)}…" (${s.length} characters)` : quoted;
}

/** Compact JSON of a value, at most `depth` levels deep (deeper levels become "…"); never recurses further. */
function compact(value: unknown, depth: number): string {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return printable(value, 40);
  if (typeof value !== 'object') return typeof value;
  if (depth === 0) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) return `[${value.slice(0, 6).map((v) => compact(v, depth - 1)).join(',')}${value.length > 6 ? ',…' : ''}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.slice(0, 6).map(([k, v]) => `${printable(k, 30)}:${compact(v, depth - 1)}`).join(',')}${entries.length > 6 ? ',…' : ''}}`;
}

/** A value from the config for a message: escaped, at most three levels deep and about `max` characters. */
export function showValue(value: unknown, max = 80): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return printable(value, max);
  const s = compact(value, 3);
  return s.length > max + 20 ? s.slice(0, max) + '…' : s;
}
