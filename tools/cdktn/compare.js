'use strict';
/**
 * Compares two synthesized Terraform JSON documents (cdk.tf.json) and sorts
 * every difference into explained (matches a known difference, with its
 * reason) or unexplained. Pure: no I/O.
 */

/**
 * Differences between the cdktf and the cdktn build that are expected, each
 * with the reason. `path` segments match keys exactly; '*' matches any one.
 * `accept(a, b, ctx)` must also hold (ctx carries the engines' versions), so a
 * difference at a known place with an unexpected value is still unexplained.
 */
const KNOWN_DIFFERENCES = [
  {
    path: ['//', 'metadata', 'version'],
    why: "the engine's own version, which cdktf and cdktn stamp into the stack metadata; Terraform ignores '//' keys",
    accept: (a, b, ctx) => a === ctx.cdktfVersion && b === ctx.cdktnVersion,
  },
];

/** Readable path: $["//"].metadata.version, $.resource.docker_image.X.build[0] */
function formatPath(path) {
  return (
    '$' +
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`))
      .join('')
  );
}

function kindOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Every place where a and b differ, in a stable order (object keys sorted).
 * @returns {{ path: (string|number)[], a: unknown, b: unknown }[]} a/b undefined = absent on that side
 */
function diffJson(a, b, path = [], out = []) {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'object' && kb === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const has = [Object.prototype.hasOwnProperty.call(a, k), Object.prototype.hasOwnProperty.call(b, k)];
      if (has[0] && has[1]) diffJson(a[k], b[k], [...path, k], out);
      else out.push({ path: [...path, k], a: has[0] ? a[k] : undefined, b: has[1] ? b[k] : undefined });
    }
  } else if (ka === 'array' && kb === 'array') {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (i < a.length && i < b.length) diffJson(a[i], b[i], [...path, i], out);
      else out.push({ path: [...path, i], a: i < a.length ? a[i] : undefined, b: i < b.length ? b[i] : undefined });
    }
  } else if (!(ka === kb && a === b)) {
    out.push({ path, a, b });
  }
  return out;
}

function matches(pattern, path) {
  return pattern.length === path.length && pattern.every((p, i) => p === '*' || p === path[i]);
}

/**
 * @param a the cdktf document   @param b the cdktn document
 * @param ctx { cdktfVersion, cdktnVersion }
 * @param known the rules (default KNOWN_DIFFERENCES)
 */
function compareSynth(a, b, ctx, known = KNOWN_DIFFERENCES) {
  const explained = [];
  const unexplained = [];
  for (const d of diffJson(a, b)) {
    const rule = known.find((r) => matches(r.path, d.path) && (!r.accept || r.accept(d.a, d.b, ctx)));
    if (rule) explained.push({ ...d, why: rule.why });
    else unexplained.push(d);
  }
  return { explained, unexplained };
}

function show(v) {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** One line per difference: path, both values, and the reason when known. */
function describe(d) {
  return `${formatPath(d.path)}: cdktf ${show(d.a)} / cdktn ${show(d.b)}${d.why ? ` (${d.why})` : ''}`;
}

module.exports = { KNOWN_DIFFERENCES, compareSynth, describe, diffJson, formatPath };
