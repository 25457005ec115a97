#!/usr/bin/env node
/**
 * Benchmark: a memcached node's death under load, repeated, to count what the rare losses
 * are. One lab (lab.config.json renamed "nd-bench", 127.0.0.1:18165, 172.28.79.0/24) is
 * deployed, `msm-kit drill memcached-down` runs --runs times (--sessions sessions of
 * back-to-back requests for --duration s, the node stopped at a third, started again after
 * each run), and the lab is torn down. Prints per run and as min–max: sessions lost,
 * updates lost (and how many were in flight at the measured instant), failed requests,
 * req/s, the longest time a session waited for an answer; and the sums over all runs. Not a test: nothing is asserted.
 *
 *   node scripts/bench-node-death.js [--config lab.config.json] [--runs 6] [--sessions 40]
 *        [--duration 12] [--kit DIR] [--label NAME] [--out out/bench-node-death] [--stand-ins]
 *
 * --kit DIR runs another checkout's kit (its bin/msm-kit.js, built with `npx tsc`), e.g. a
 * `git worktree` of an older commit, so two kits are compared in one go on one machine.
 * --stand-ins deploys the kit's offline stand-in images (where no registry answers).
 * Needs the engine, images, jars and provider (scripts/setup/*.sh); traffic goes to 127.0.0.1.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const { has, opt } = require('./lib/options');
const root = resolve(__dirname, '..');
const kitRoot = resolve(opt('--kit', root));
const config = resolve(opt('--config', join(root, 'lab.config.json')));
const runs = Number(opt('--runs', 6));
const sessions = Number(opt('--sessions', 40));
const duration = Number(opt('--duration', 12));
const label = opt('--label', kitRoot === root ? 'this checkout' : kitRoot);
const out = resolve(opt('--out', join(root, 'out', 'bench-node-death')));
for (const [name, v] of Object.entries({ '--runs': runs, '--sessions': sessions, '--duration': duration }))
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench-node-death: ${name} must be a whole number ≥ 1 (got ${opt(name)}). Fix: e.g. ${name} 6`);
    process.exit(2);
  }
mkdirSync(out, { recursive: true });

const kit = (argv, quiet = false) =>
  spawnSync(process.execPath, [join(kitRoot, 'bin', 'msm-kit.js'), ...argv], {
    cwd: kitRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'],
    maxBuffer: 64 << 20,
  });

const base = JSON.parse(readFileSync(config, 'utf8'));
delete base.$schema;
const name = 'nd-bench';
const lab = {
  ...base,
  name,
  tomcat: { ...base.tomcat, nodes: base.tomcat.nodes.map((n, i) => ({ ...n, name: `${name}-tomcat${i + 1}` })) },
  memcached: { ...base.memcached, nodes: base.memcached.nodes.map((n, i) => ({ ...n, name: `${name}-memcached${i + 1}` })) },
  loadBalancer: { ...base.loadBalancer, name: `${name}-nginx`, port: 18165 },
  network: { ...base.network, subnet: '172.28.79.0/24' },
};
const file = join(out, `${name}.json`);
writeFileSync(file, `${JSON.stringify(lab, null, 2)}\n`);
const labArgs = ['--config', file, '--out', join(out, 'lab'), ...(has('--stand-ins') ? ['--stand-ins'] : [])];

console.log(`bench-node-death: ${label}; ${runs} runs of drill memcached-down, ${sessions} sessions for ${duration} s`);
const t0 = performance.now();
const up = kit(['up', ...labArgs, '--all-at-once']);
if (up.status !== 0) {
  process.stdout.write(up.stdout);
  console.error('bench-node-death: up failed (above)');
  kit(['down', ...labArgs], true);
  process.exit(1);
}
console.log(`up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const rows = [];
try {
  for (let k = 1; k <= runs; k++) {
    const r = kit(['drill', 'memcached-down', ...labArgs, '--sessions', String(sessions), '--duration', String(duration), '--json', '--no-plot'], true);
    let rep;
    try {
      rep = JSON.parse(r.stdout);
    } catch {
      console.error(`run ${k}: no report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
      process.exitCode = 1;
      break;
    }
    const row = {
      run: k,
      verdict: rep.ok ? 'PASS' : 'FAIL',
      requests: rep.requests,
      sessionsLost: rep.sessionsLost,
      updatesLost: rep.updatesLost,
      atStop: rep.updatesLostAtStop,
      failed: rep.requestsFailed,
      rps: rep.requests / duration,
      gap: rep.longestGapS,
    };
    rows.push(row);
    console.log(
      `  run ${k}: ${row.verdict}  ${row.requests} requests  sessions lost ${row.sessionsLost}  updates lost ${row.updatesLost} (${row.atStop} in flight)  failed ${row.failed}  ${row.rps.toFixed(0)} req/s  longest gap ${row.gap} s`,
    );
    for (const n of rep.notes ?? []) if (/lost/.test(n)) console.log(`      ${n}`);
    if (row.sessionsLost || row.updatesLost) {
      // The Tomcats' logs of a run that lost something, beside the figures (msm's and the kit's Manager's lines).
      for (const t of lab.tomcat.nodes) {
        const logs = spawnSync('docker', ['logs', '--since', `${duration + 30}s`, t.name], { encoding: 'utf8', maxBuffer: 64 << 20 });
        const to = join(out, `run-${k}-${t.name}.log`);
        writeFileSync(to, `${logs.stdout}${logs.stderr}`);
        console.log(`      ${t.name}'s log: ${to}`);
      }
    }
  }
} finally {
  kit(['down', ...labArgs], true);
}

const range = (key, digits = 0) => {
  const v = rows.map((r) => r[key]).filter((x) => typeof x === 'number');
  return v.length ? `${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)}` : 'n/a';
};
const sum = (key) => rows.reduce((a, r) => a + (r[key] ?? 0), 0);
console.log(`\n${label}: ${rows.length} runs`);
console.log(`  sessions lost ${range('sessionsLost')} per run (${sum('sessionsLost')} in all)`);
console.log(`  updates lost  ${range('updatesLost')} per run (${sum('updatesLost')} in all, ${sum('atStop')} in flight at the instant)`);
console.log(`  failed        ${range('failed')} per run`);
console.log(`  req/s         ${range('rps')}`);
console.log(`  longest gap s ${range('gap', 2)}`);
console.log(`  verdicts      ${rows.filter((r) => r.verdict === 'PASS').length} PASS, ${rows.filter((r) => r.verdict !== 'PASS').length} FAIL`);
writeFileSync(join(out, `runs-${label.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`), `${JSON.stringify({ label, sessions, duration, rows }, null, 2)}\n`);
