/**
 * Reading a lab config: file → JSON → schema (fields, then the cross-field rules), with every problem reported as
 * `path: message (got value)` and no stack trace.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors';
import { crossFieldRules } from './rules';
import { LabConfigFields, type LabConfig } from './schema';

/** The lab config's fields with every cross-field msm rule (rules.ts) attached. */
export const LabConfigSchema = LabConfigFields.superRefine(
  (cfg, ctx) => {
    for (const rule of crossFieldRules) {
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

export const DEFAULT_CONFIG_FILE = 'lab.config.json';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(root)';
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

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
  return { path, message: `${message} (got ${show(input)})` };
}

/** Validates an already-parsed config object. Throws ConfigError listing every problem. */
export function parseConfig(raw: unknown, file = '(inline)'): LabConfig {
  const result = LabConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const seen = new Set<string>();
  const problems = result.error.issues.map(problemOf).filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  throw new ConfigError(file, problems);
}

/** Reads and validates a config file. Throws ConfigError for a missing file, bad JSON or a bad config. */
export function loadConfig(file: string = DEFAULT_CONFIG_FILE): LabConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [
      {
        path: '(file)',
        message:
          code === 'ENOENT'
            ? `no such file. Fix: pass --config FILE, or start from examples/ (cp examples/non-sticky.json ${DEFAULT_CONFIG_FILE})`
            : `cannot read it (${code ?? String(e)})`,
      },
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [{ path: '(file)', message: `not valid JSON: ${(e as Error).message}. Fix: correct the JSON syntax` }]);
  }
  return parseConfig(raw, file);
}
