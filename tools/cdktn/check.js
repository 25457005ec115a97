#!/usr/bin/env node
'use strict';
/**
 * `npm run check:cdktn`: builds the lab stack with cdktf (the default engine)
 * and with cdktn (MSM_KIT_CDK=cdktn, docker bindings generated from the
 * provider's schema) for the same configs, and compares the Terraform JSON
 * (cdk.tf.json). Exit 1 on any unexplained difference or failed step.
 *
 *   node tools/cdktn/check.js [--config FILE]... [--prepare-only]
 *
 * Steps (each timed): tools/cdktn's npm install (skipped when its lock file is
 * unchanged), the provider (scripts/setup/provider.sh), its schema (cached by
 * the provider binary's hash), the bindings (cached by the schema's hash), the
 * msm-kit build, a self-test of the comparison, then synth + compare per config.
 * `--prepare-only` (npm run cdktn:prepare) stops after the bindings.
 */
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { homedir, tmpdir } = require('node:os');
const { basename, join, relative } = require('node:path');
const { compareSynth, describe, diffJson } = require('./compare');

const HERE = __dirname;
const ROOT = join(HERE, '..', '..');
const DEFAULT_CONFIGS = ['lab.config.json', 'examples/sticky.json'];
const CHECK_OUT = join(ROOT, 'out', 'cdktn-check');
const CACHE = process.env.MSM_KIT_CACHE || join(homedir(), '.cache', 'msm-kit');

class CheckError extends Error {}

const log = (line) => console.log(`[cdktn] ${line}`);
const rel = (p) => relative(ROOT, p) || '.';
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

const timings = [];
async function step(name, fn) {
  const start = process.hrtime.bigint();
  log(`${name} ...`);
  try {
    const result = await fn();
    const ms = Number((process.hrtime.bigint() - start) / 1_000_000n);
    timings.push([name, ms]);
    log(`${name}: ${result && result.note ? `${result.note}, ` : ''}${(ms / 1000).toFixed(1)} s`);
    return result;
  } catch (e) {
    throw new CheckError(`${name}: ${e.message}`);
  }
}

/** Runs a command; returns stdout. Fails with the output's tail. */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) throw new Error(`${cmd} could not start (${r.error.message}). Fix: ${opts.fix || `install ${cmd}`}`);
  if (r.status !== 0) {
    const tail = `${r.stderr || ''}${r.stdout || ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`\`${[cmd, ...args].join(' ')}\` exited with ${r.status}:\n${tail}\nFix: ${opts.fix || 'see the output above'}`);
  }
  return r.stdout;
}

function parseArgs(argv) {
  const opts = { configs: [], prepareOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--config' && argv[i + 1]) opts.configs.push(argv[++i]);
    else if (a === '--prepare-only') opts.prepareOnly = true;
    else throw new CheckError(`unknown argument "${a}". Fix: use --config FILE (repeatable) or --prepare-only`);
  }
  if (opts.configs.length === 0) opts.configs = DEFAULT_CONFIGS;
  return opts;
}

// ------------------------------------------------------------------ steps
function installTools() {
  const lock = join(HERE, 'package-lock.json');
  const stamp = join(HERE, 'node_modules', '.msm-kit-lock-sha256');
  const want = sha256(readFileSync(lock));
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return { note: 'tools/cdktn/node_modules up to date (lock file unchanged)' };
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: HERE, fix: 'check access to the npm registry, then run the check again' });
  writeFileSync(stamp, `${want}\n`);
  return { note: 'npm ci in tools/cdktn' };
}

function provider() {
  const out = run('bash', [join(ROOT, 'scripts', 'setup', 'provider.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    fix: 'see scripts/setup/provider.sh\'s message above (it needs Go and the Go module proxy)',
  });
  const rc = out.trim().split('\n').pop();
  if (!rc || !existsSync(rc)) throw new Error(`scripts/setup/provider.sh printed no terraformrc path (got "${rc}"). Fix: run it by hand and check its last line`);
  return { rc, note: `TF_CLI_CONFIG_FILE=${rel(rc)}` };
}

/** The provider files terraform will install, from the filesystem mirror the terraformrc names. */
function providerFiles(rc) {
  const m = /filesystem_mirror\s*{[^}]*path\s*=\s*"([^"]+)"/.exec(readFileSync(rc, 'utf8'));
  if (!m) throw new Error(`${rc} names no filesystem_mirror. Fix: rerun scripts/setup/provider.sh`);
  const dir = join(m[1], 'registry.terraform.io', 'kreuzwerker', 'docker', '3.6.2');
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(join(d, e.name));
      else files.push(join(d, e.name));
    }
  };
  if (!existsSync(dir)) throw new Error(`${dir} does not exist. Fix: rerun scripts/setup/provider.sh`);
  walk(dir);
  if (files.length === 0) throw new Error(`no provider binary under ${dir}. Fix: rerun scripts/setup/provider.sh`);
  return files;
}

function schema(rc) {
  const h = createHash('sha256');
  for (const f of providerFiles(rc)) h.update(f).update(readFileSync(f));
  const key = h.digest('hex').slice(0, 16);
  const dir = join(CACHE, 'cdktn');
  const file = join(dir, `docker-schema-${key}.json`);
  if (existsSync(file)) return { file, note: `cached ${file.replace(homedir(), '~')}` };
  const scratch = mkdtempSync(join(tmpdir(), 'msm-kit-schema-'));
  try {
    const env = { ...process.env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
    writeFileSync(
      join(scratch, 'main.tf.json'),
      JSON.stringify({ terraform: { required_providers: { docker: { source: 'kreuzwerker/docker', version: '3.6.2' } } } }, null, 2),
    );
    const fix = 'rerun scripts/setup/provider.sh; terraform must reach kreuzwerker/docker 3.6.2 through its filesystem mirror';
    run('terraform', ['init', '-input=false', '-no-color', '-backend=false'], { cwd: scratch, env, fix });
    const json = run('terraform', ['providers', 'schema', '-json'], { cwd: scratch, env, fix });
    JSON.parse(json); // a truncated or non-JSON answer fails here, not later
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${file}.partial`, json);
    renameSync(`${file}.partial`, file);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { file, note: `terraform providers schema -json -> ${file.replace(homedir(), '~')}` };
}

async function bindings(schemaFile, rc) {
  const { ensureBindings } = require('./bindings');
  const r = await ensureBindings(schemaFile, rc, log);
  return { ...r, note: `${r.cached ? 'cached' : 'generated'} ${rel(r.dir)} (key ${r.key.slice(0, 12)})` };
}

function build() {
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
    fix: 'run `npm ci` in the repository root first, then fix the type errors shown',
  });
  return { note: 'tsc -p tsconfig.json -> dist/' };
}

function versionOf(pkg, from) {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`, { paths: [from] }), 'utf8')).version;
}

/** The comparison must catch a difference: inject one into a copy and expect exactly it back. */
function selfTest(ctx) {
  const doc = {
    '//': { metadata: { version: ctx.cdktfVersion } },
    resource: { docker_container: { A: { name: 'a', restart: 'no', upload: [{ file: '/x', content: 'c' }] } } },
  };
  const same = compareSynth(doc, structuredClone(doc), ctx);
  const versioned = structuredClone(doc);
  versioned['//'].metadata.version = ctx.cdktnVersion;
  const explained = compareSynth(doc, versioned, ctx);
  const injected = structuredClone(versioned);
  injected.resource.docker_container.A.upload[0].content = 'changed';
  delete injected.resource.docker_container.A.restart;
  const caught = compareSynth(doc, injected, ctx);
  const ok =
    same.explained.length + same.unexplained.length === 0 &&
    explained.explained.length === 1 &&
    explained.unexplained.length === 0 &&
    caught.explained.length === 1 &&
    caught.unexplained.length === 2;
  if (!ok) throw new Error('the comparison missed an injected difference (or flagged an explained one). Fix: repair tools/cdktn/compare.js; its unit test is test/tools/cdktn-compare.test.ts');
  return { note: `injected 2 differences, caught ${caught.unexplained.map((d) => describe(d)).join('; ')}` };
}

function synth(config, engine, outBase) {
  const out = join(outBase, engine);
  const env = {
    ...process.env,
    MSM_KIT_CDK: engine,
    MSM_KIT_CONFIG: config,
    MSM_KIT_OUT: join(outBase, 'artifacts'), // the same for both: its absolute path is in the stack
    CDKTF_OUTDIR: out,
  };
  run(process.execPath, [join(ROOT, 'dist', 'stacks', 'main.js')], { env, fix: `synthesize it alone for the error: MSM_KIT_CDK=${engine} MSM_KIT_CONFIG=${config} node dist/stacks/main.js` });
  const stacks = join(out, 'stacks');
  const names = existsSync(stacks) ? readdirSync(stacks).sort() : [];
  if (names.length !== 1) throw new Error(`expected one stack in ${rel(stacks)}, found ${names.length}. Fix: check stacks/main.ts`);
  return join(stacks, names[0], 'cdk.tf.json');
}

// ------------------------------------------------------------------ main
async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = process.hrtime.bigint();
  log(`node ${process.version}; comparing cdktf and cdktn builds of ${opts.configs.join(', ')}`);
  await step('tools/cdktn dependencies', installTools);
  const { rc } = await step('docker provider', provider);
  const { file: schemaFile } = await step('provider schema', () => schema(rc));
  await step('cdktn docker bindings', () => bindings(schemaFile, rc));
  if (opts.prepareOnly) {
    log('prepared: MSM_KIT_CDK=cdktn now builds with cdktn');
    return 0;
  }
  await step('msm-kit build', build);
  const ctx = { cdktfVersion: versionOf('cdktf', ROOT), cdktnVersion: versionOf('cdktn', HERE) };
  await step('self-test of the comparison', () => selfTest(ctx));

  rmSync(CHECK_OUT, { recursive: true, force: true });
  let unexplainedTotal = 0;
  let failedConfigs = 0;
  for (const config of opts.configs) {
    if (!existsSync(join(ROOT, config))) throw new CheckError(`config ${config} not found. Fix: pass an existing file with --config`);
    const outBase = join(CHECK_OUT, basename(config, '.json'));
    const files = {};
    for (const engine of ['cdktf', 'cdktn']) {
      files[engine] = (await step(`synth ${config} with ${engine}`, () => ({ file: synth(config, engine, outBase) }))).file;
    }
    const a = JSON.parse(readFileSync(files.cdktf, 'utf8'));
    const b = JSON.parse(readFileSync(files.cdktn, 'utf8'));
    const engineStamp = b['//'] && b['//'].metadata && b['//'].metadata.version;
    if (engineStamp !== ctx.cdktnVersion) {
      throw new CheckError(`the cdktn build of ${config} was not made by cdktn ${ctx.cdktnVersion} (its metadata says ${engineStamp}). Fix: check src/cdk-engine.ts; MSM_KIT_CDK=cdktn must load tools/cdktn's cdktn`);
    }
    const { explained, unexplained } = compareSynth(a, b, ctx);
    const total = diffJson(a, b).length;
    log(`compare ${config}: ${rel(files.cdktf)} (cdktf ${ctx.cdktfVersion}) vs ${rel(files.cdktn)} (cdktn ${ctx.cdktnVersion})`);
    log(`  ${countKeys(a)} values compared: ${total} difference(s), ${explained.length} explained, ${unexplained.length} unexplained`);
    for (const d of explained) log(`  explained:   ${describe(d)}`);
    for (const d of unexplained) log(`  UNEXPLAINED: ${describe(d)}`);
    unexplainedTotal += unexplained.length;
    if (unexplained.length > 0) failedConfigs++;
  }

  const totalMs = Number((process.hrtime.bigint() - t0) / 1_000_000n);
  log(`time per step: ${timings.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join(' | ')}`);
  log(`total ${(totalMs / 1000).toFixed(1)} s`);
  // The self-test and one comparison per config, as a plain closing line.
  console.log(`cdktn: ${1 + opts.configs.length - failedConfigs} passed, ${failedConfigs} failed`);
  if (unexplainedTotal > 0) {
    console.error(
      `cdktn check: ${unexplainedTotal} unexplained difference(s) between the cdktf and cdktn builds. Fix: make the builds agree, or, if a difference is expected, add it with its reason to KNOWN_DIFFERENCES in tools/cdktn/compare.js`,
    );
    return 1;
  }
  log('OK: the cdktn build matches the cdktf build (every difference is explained)');
  return 0;
}

/** Leaf values in a JSON document (what "compared" counts). */
function countKeys(v) {
  if (v && typeof v === 'object') return Object.values(v).reduce((n, x) => n + countKeys(x), 0);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`cdktn check: ${e instanceof CheckError ? e.message : e.stack}`);
    if (!/Fix:/.test(e.message)) console.error('Fix: see the message above');
    process.exit(1);
  },
);
