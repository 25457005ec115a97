import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load';
import { ConfigError, type ConfigProblem } from '../src/errors';
import type { LabConfig } from '../src/config/schema';

export const ROOT = join(__dirname, '..');
export const DEFAULT_CONFIG = JSON.parse(readFileSync(join(ROOT, 'lab.config.json'), 'utf8'));
export const STICKY_CONFIG = JSON.parse(readFileSync(join(ROOT, 'examples', 'sticky.json'), 'utf8'));

type Json = unknown;
/** Deep-merges patch into base; arrays are replaced; `undefined` deletes a key. */
export function patch(base: Json, p: Json): Json {
  if (p === null || typeof p !== 'object' || Array.isArray(p) || base === null || typeof base !== 'object' || Array.isArray(base)) return structuredClone(p);
  const out: Record<string, Json> = { ...(structuredClone(base) as Record<string, Json>) };
  for (const [k, v] of Object.entries(p as Record<string, Json>)) {
    if (v === undefined) delete out[k];
    else out[k] = patch(out[k], v);
  }
  return out;
}

export function accept(raw: Json): LabConfig {
  return parseConfig(raw, 'test.json');
}

/** Parses and returns the problems; fails the test if the config was accepted. */
export function refuse(raw: Json): ConfigProblem[] {
  try {
    parseConfig(raw, 'test.json');
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('config was accepted but should have been refused');
}
