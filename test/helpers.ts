import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
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

/**
 * Compares generated text with its golden file under test/golden; UPDATE_GOLDEN=1
 * rewrites the file instead (review the diff before committing it).
 */
export function golden(name: string, actual: string): void {
  const file = join(ROOT, 'test', 'golden', name);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual, `${file} differs; run UPDATE_GOLDEN=1 npm test and review the diff`).toBe(readFileSync(file, 'utf8'));
}

/** Runs the real `nginx -t` on a generated nginx.conf (in a scratch prefix); throws what nginx said. */
export function nginxT(conf: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'msm-nginx-'));
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const nginx = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find(existsSync);
  if (!nginx) throw new Error('nginx is not installed: `nginx -t` cannot run. Install it (apt-get install nginx-light); .ci/run does');
  execFileSync(nginx, ['-t', '-q', '-p', dir, '-c', file, '-g', `pid ${dir}/nginx.pid;`], { stdio: 'pipe' });
}
