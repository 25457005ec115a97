/**
 * Reading a lab config: file → JSON → schema (fields, then the cross-field rules), with every problem reported as
 * `path: message (got value)` and no stack trace.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors';
import { checkJavaRegexes } from './java-regex';
import { MAX_JSON_DEPTH, scanJsonText } from './json-text';
import { crossFieldRules, SECRET_KEYS, type Rule } from './rules';
import { LabConfigFields, type LabConfig } from './schema';
import { printable, showValue } from './show';
import { checkTlsFiles, tlsFilesOf } from './tls';
import { checkWebapps, isSample } from './webapps';

/** The lab config's fields with cross-field rules attached (all of rules.ts unless given). */
export function labConfigSchema(rules: readonly Rule[] = crossFieldRules) {
  return LabConfigFields.superRefine(
    (cfg, ctx) => {
      for (const rule of rules) {
        let issues;
        try {
          issues = rule.check(cfg);
        } catch {
          continue; // the data this rule reads is malformed; the field errors already say so
        }
        for (const issue of issues) {
          ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: issue.value, params: { rule: rule.id } });
        }
      }
    },
    // Run the cross-field rules even when a field failed, so one run lists every problem.
    { when: () => true },
  );
}

/** The lab config's fields with every cross-field msm rule (rules.ts) attached. */
export const LabConfigSchema = labConfigSchema();

export interface LoadOptions {
  /**
   * The config describes Tomcats that Docker does not run (`msm-kit bundle`): the
   * rules about the Docker lab's own topology (Rule.labOnly) do not apply.
   * @default false
   */
  readonly outsideDocker?: boolean;
  /**
   * Check a given certificate/key pair (loadBalancer.tls). Off for `down`: a lab
   * whose certificate has expired or moved since `up` must still come down.
   * @default true
   */
  readonly checkTls?: boolean;
}

let outsideDockerSchema: ReturnType<typeof labConfigSchema> | undefined;
function schemaFor(opts: LoadOptions) {
  if (!opts.outsideDocker) return LabConfigSchema;
  return (outsideDockerSchema ??= labConfigSchema(crossFieldRules.filter((r) => !r.labOnly)));
}

export const DEFAULT_CONFIG_FILE = 'lab.config.json';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      // a key from the file: shown as is when plain, quoted and escaped otherwise
      const k = String(seg);
      const shown = /^[A-Za-z0-9_$-]{1,60}$/.test(k) ? k : `[${printable(k, 40)}]`;
      out += out && !shown.startsWith('[') ? `.${shown}` : shown;
    }
  }
  return out || '(root)';
}

const isSecretPath = (path: readonly PropertyKey[]) => path.some((seg) => (SECRET_KEYS as readonly PropertyKey[]).includes(seg));

function problemOf(issue: z.core.$ZodIssue): ConfigProblem {
  const path = formatPath(issue.path);
  const input = (issue as { input?: unknown }).input;
  if (issue.code === 'unrecognized_keys') return { path, message: issue.message };
  if (issue.code === 'invalid_type' && input === undefined) {
    return { path, message: `is required. Fix: add ${path} (${issue.expected})` };
  }
  let message = issue.message;
  if (issue.code === 'invalid_type' && !/Fix:/.test(message)) {
    message = `expected ${issue.expected}. Fix: give a ${issue.expected}`;
  }
  return { path, message: `${message} (got ${isSecretPath(issue.path) && input !== undefined ? '***' : showValue(input)})` };
}

/** The secret values a raw config holds (manager.username/password, whatever their type), for masking. */
function secretsOf(raw: unknown): string[] {
  const m = (raw as { manager?: Record<string, unknown> } | null)?.manager;
  if (m === null || typeof m !== 'object') return [];
  return SECRET_KEYS.flatMap((k) => (typeof m[k] === 'string' || typeof m[k] === 'number' ? [String(m[k])] : [])).filter((s) => s.length >= 4);
}

/** Masks every secret value in a message, whatever printed it (escaped forms included). */
function mask(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) for (const form of new Set([s, JSON.stringify(s).slice(1, -1), printable(s, 1e6).slice(1, -1)])) out = out.split(form).join('***');
  return out;
}

/** Every regex the config holds, so one Java run checks them all before the schema asks for each. */
function regexesOf(raw: unknown): string[] {
  const m = (raw as { manager?: Record<string, unknown> } | null)?.manager;
  if (m === null || typeof m !== 'object') return [];
  const out: string[] = [];
  for (const k of ['requestUriIgnorePattern', 'sessionAttributeFilter']) if (typeof m[k] === 'string' && m[k]) out.push(m[k] as string);
  if (typeof m.lockingMode === 'string' && m.lockingMode.startsWith('uriPattern:')) out.push(m.lockingMode.slice('uriPattern:'.length));
  return out;
}

/** Validates an already-parsed config object. Throws ConfigError listing every problem. */
export function parseConfig(raw: unknown, file = '(inline)', opts: LoadOptions = {}): LabConfig {
  checkJavaRegexes(regexesOf(raw));
  const result = schemaFor(opts).safeParse(raw, { reportInput: true });
  if (result.success) return withWebappFiles(result.data, file);
  const seen = new Set<string>();
  const secrets = secretsOf(raw);
  const problems = result.error.issues.map(problemOf).map((p) => ({ path: p.path, message: mask(p.message, secrets) })).filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  throw new ConfigError(file, problems);
}

/**
 * The webapps' files checked (webapps.ts) and their sources made absolute: a
 * relative source is read from the config file's directory (from the working
 * directory for an inline config), whoever reads the config later.
 */
function withWebappFiles(config: LabConfig, file: string): LabConfig {
  const baseDir = file === '(inline)' ? process.cwd() : dirname(resolve(file));
  const problems = checkWebapps(config.webapps, config.tomcat.javaVersion, baseDir, { formLoginWorkaround: config.manager.formLoginWorkaround, tomcatVersion: config.tomcat.version });
  if (problems.length) throw new ConfigError(file, problems);
  return { ...config, webapps: config.webapps.map((w) => (isSample(w.source) ? w : { ...w, source: resolve(baseDir, w.source) })) };
}

/** Reads and validates a config file. Throws ConfigError for a missing file, bad JSON or a bad config. */
export function loadConfig(file: string = DEFAULT_CONFIG_FILE, opts: LoadOptions = {}): LabConfig {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [
      {
        path: '(file)',
        message:
          code === 'ENOENT'
            ? `no such file (looked for ${resolve(file)}, from ${process.cwd()}). Fix: pass --config FILE (a relative path is read from the directory you run the command in), or start from examples/ (cp examples/non-sticky.json ${DEFAULT_CONFIG_FILE})`
            : code === 'EISDIR'
              ? 'this is a directory. Fix: pass the JSON file, e.g. --config lab.config.json'
              : `cannot read it (${code ?? String(e)}). Fix: check the path and its permissions`,
      },
    ]);
  }
  return withTlsFiles(parseConfigText(bytes, file, opts), file, opts.checkTls ?? true);
}

/**
 * A given certificate/key pair (loadBalancer.tls) checked before anything is
 * written or deployed, its paths made absolute (they are relative to the config file).
 */
function withTlsFiles(cfg: LabConfig, file: string, check: boolean): LabConfig {
  const files = tlsFilesOf(cfg.loadBalancer.tls, file);
  if (files === undefined) return cfg;
  const problems = check ? checkTlsFiles(files) : [];
  if (problems.length) throw new ConfigError(file, problems);
  return { ...cfg, loadBalancer: { ...cfg.loadBalancer, tls: files } };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    // overlongs, surrogates and > U+10FFFF: checked by TextDecoder; report the sequence start
    if (len > 1 && new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(i, i + len)).includes('\uFFFD')) return i;
    i += len;
  }
  return b.length;
}

/** A config file's bytes → validated config: UTF-8 only (a BOM is accepted), no duplicate keys, no absurd nesting. */
export function parseConfigText(bytes: Uint8Array, file = '(inline)', opts: LoadOptions = {}): LabConfig {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new ConfigError(file, [{ path: '(file)', message: `not UTF-8: invalid byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at} (Latin-1 or Windows-1252 text would silently become U+FFFD). Fix: save the file as UTF-8` }]);
  }
  // TextDecoder drops a leading UTF-8 BOM (ignoreBOM: false), which editors on Windows add.
  const scan = scanJsonText(text);
  if (scan.tooDeep)
    throw new ConfigError(file, [{ path: formatPath(scan.tooDeep), message: `nested more than ${MAX_JSON_DEPTH} levels deep; no lab config field is. Fix: remove the nested value` }]);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // V8 quotes a piece of the text in some messages ("…" is not valid JSON): dropped, it may hold a secret.
    const why = (e as Error).message.replace(/,?\s*"(?:[^"\\]|\\.)*"(?:\.\.\.)? is not valid JSON/, '').replace(/"(?:[^"\\]|\\.)*"/g, '"…"');
    throw new ConfigError(file, [{ path: '(file)', message: `not valid JSON: ${printable(why, 200).slice(1, -1)}. Fix: correct the JSON syntax` }]);
  }
  if (scan.duplicates.length > 0)
    throw new ConfigError(
      file,
      scan.duplicates.map((p) => ({ path: formatPath(p), message: 'this key is written twice in one object; JSON keeps only the last, so the file does not mean what it first says. Fix: keep one of them' })),
    );
  return parseConfig(raw, file, opts);
}
