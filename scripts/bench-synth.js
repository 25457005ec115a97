#!/usr/bin/env node
/**
 * Benchmark: wall time of `msm-kit synth` (every artifact, a fresh process)
 * beside `cdktf synth` (the cdktf CLI running the same app on the same config),
 * in one run. Prints medians and the ratio. Needs `npm run build` and a warm
 * jar cache (`msm-kit jars`); not a test, nothing is asserted.
 *
 *   node scripts/bench-synth.js [--runs N] [--config FILE]
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const { opt } = require('./lib/options');
const runs = Number(opt('--runs', 5));
const config = resolve(opt('--config', 'lab.config.json'));
const root = resolve(__dirname, '..');
const env = { ...process.env, CHECKPOINT_DISABLE: '1', MSM_KIT_CONFIG: config };

function time(label, cmd, argv, extraEnv = {}) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), 'msm-bench-'));
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, argv(out), { cwd: root, env: { ...env, ...extraEnv, MSM_KIT_OUT: join(out, 'out') }, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    rmSync(out, { recursive: true, force: true });
    if (r.status !== 0) {
      console.error(`${label} failed (exit ${r.status}):\n${r.stderr || r.stdout}`);
      process.exit(1);
    }
    times.push(ms);
    process.stderr.write(`  ${label} run ${i + 1}/${runs}: ${ms.toFixed(0)} ms\n`);
  }
  times.sort((a, b) => a - b);
  return { label, median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

const kit = time('msm-kit synth', process.execPath, (out) => [join(root, 'bin', 'msm-kit.js'), 'synth', '--offline', '--config', config, '--out', join(out, 'out')]);
const cdktf = time('cdktf synth', join(root, 'node_modules', '.bin', 'cdktf'), (out) => ['synth', '--output', join(out, 'cdktf.out')]);

const row = (r) => `${r.label.padEnd(16)} median ${r.median.toFixed(0).padStart(6)} ms   min ${r.min.toFixed(0).padStart(6)} ms   max ${r.max.toFixed(0).padStart(6)} ms`;
console.log(`synth benchmark, ${runs} runs each, config ${config}`);
console.log(row(kit));
console.log(row(cdktf));
console.log(`ratio: msm-kit synth takes ${(kit.median / cdktf.median).toFixed(3)} of cdktf synth's time (${(cdktf.median / kit.median).toFixed(1)}x faster); target <= 500 ms and >= 5x`);
