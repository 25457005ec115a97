/**
 * The CDK engine behind src/cdktf.ts: `cdktf` (default) or its community fork
 * `cdktn`, chosen by MSM_KIT_CDK. cdktn is not a dependency of this package: it,
 * the constructs version it needs and the docker bindings generated from the
 * provider's schema live in tools/cdktn (prepared by `npm run cdktn:prepare`).
 *
 * Selecting cdktn puts its modules in Node's module cache under the names
 * src/cdktf.ts imports ('cdktf', 'constructs', '@cdktf/provider-docker'), so the
 * exports and their types stay the same. It must run before those imports.
 */
import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './errors';

export type CdkEngine = 'cdktf' | 'cdktn';

export const CDK_ENGINES: readonly CdkEngine[] = ['cdktf', 'cdktn'];

/** The engine the variable names: unset or empty is cdktf. */
export function parseCdkEngine(value: string | undefined): CdkEngine {
  const v = (value ?? '').trim();
  if (v === '') return 'cdktf';
  if ((CDK_ENGINES as readonly string[]).includes(v)) return v as CdkEngine;
  throw new UsageError(`MSM_KIT_CDK="${v}" is not a CDK engine. Fix: set MSM_KIT_CDK to cdktf (the default) or cdktn, or unset it`);
}

/** tools/cdktn of this checkout: $MSM_KIT_CDKTN_DIR, else found above this file. */
export function cdktnToolsDir(env: NodeJS.ProcessEnv = process.env, from: string = __dirname): string {
  if (env.MSM_KIT_CDKTN_DIR) return resolve(env.MSM_KIT_CDKTN_DIR);
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'tools', 'cdktn');
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new UsageError(`no tools/cdktn found above ${from}. Fix: set MSM_KIT_CDKTN_DIR to the msm-kit checkout's tools/cdktn`);
}

/** Selects the engine for this process; returns it. Call before anything loads 'cdktf'. */
export function useCdkEngine(value: string | undefined = process.env.MSM_KIT_CDK, env: NodeJS.ProcessEnv = process.env): CdkEngine {
  const engine = parseCdkEngine(value);
  if (engine === 'cdktf') return engine;

  const tools = cdktnToolsDir(env);
  const fromTools = createRequire(join(tools, 'package.json'));
  const bindings = join(tools, '.gen', 'docker');
  const load = (what: string, fn: () => unknown): unknown => {
    try {
      return fn();
    } catch (e) {
      throw new UsageError(`MSM_KIT_CDK=cdktn: cannot load ${what} (${(e as Error).message.split('\n')[0]}). Fix: run \`npm run cdktn:prepare\` (installs cdktn into tools/cdktn and generates the docker bindings)`);
    }
  };
  const modules: Record<string, unknown> = {
    cdktf: load('cdktn from tools/cdktn/node_modules', () => fromTools('cdktn')),
    constructs: load('constructs from tools/cdktn/node_modules', () => fromTools('constructs')),
    '@cdktf/provider-docker': load('the generated docker bindings in tools/cdktn/.gen/docker', () => fromTools(bindings)),
  };
  for (const [name, exports] of Object.entries(modules)) {
    const file = require.resolve(name);
    const cached = require.cache[file];
    if (cached && cached.exports !== exports) {
      throw new UsageError(`MSM_KIT_CDK=cdktn: '${name}' was loaded before the engine was chosen. Fix: import src/cdktf.ts before anything else that loads '${name}'`);
    }
    const m = new Module(file);
    m.filename = file;
    m.exports = exports;
    m.loaded = true;
    require.cache[file] = m;
  }
  return engine;
}
