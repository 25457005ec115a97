#!/usr/bin/env node
/**
 * The version matrix, for real: every Tomcat × Java × serializer the schema
 * accepts is deployed (one lab, updated in place from one combination to the
 * next), checked from inside (`msm-kit up` reads `catalina.sh version` in each
 * Tomcat), verified through nginx (sessions shared, the page's versions) and
 * checked for attribute coverage. Prints a table with the time per combination.
 *
 *   node scripts/matrix.js [--only 7/8/kryo,9/17/java] [--prebuild] [--requests N]
 *
 * --prebuild only makes sure the images exist (stand-ins are built where no
 * registry has them), so a caller can build them while it does other work.
 * Exit 1 when a combination fails to deploy or verify, or when a serializer
 * carries more or fewer attribute types than src/config/serializers.ts says.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
let kit;
try {
  kit = require(join(root, 'dist', 'src', 'index.js'));
} catch (e) {
  console.error(`matrix: msm-kit is not built (${e.message.split('\n')[0]}). Fix: npm ci`);
  process.exit(1);
}
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const only = arg('--only') ? arg('--only').split(',') : undefined;
const prebuild = args.includes('--prebuild');
const requests = Number(arg('--requests', '10'));
const outDir = join(root, 'out', 'matrix');
mkdirSync(outDir, { recursive: true });

const key = (c) => `${c.tomcat}/${c.java}/${c.serializer}`;
const base = JSON.parse(readFileSync(join(root, 'lab.config.json'), 'utf8'));
delete base.$schema;
base.name = 'msm-matrix';
const { supported, refused } = kit.matrix(base);
const combos = supported.filter((c) => !only || only.includes(key(c)));
const now = () => performance.now();
const secs = (t) => ((now() - t) / 1000).toFixed(1);
const run = (cmd) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'msm-kit.js'), ...cmd], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
};
const tail = (s, n = 4) => s.trim().split('\n').slice(-n).join(' | ');

console.log(`matrix: ${combos.length} of ${supported.length} supported combinations (${refused.length} refused by the schema: ${[...new Set(refused.map((r) => r.reason.split('.')[0]))].join('; ')})`);

// Images: one Tomcat image per (Tomcat, Java); built once, reused by the three serializers.
const configOf = (c) => {
  const file = join(outDir, `${c.tomcat}-${c.java}-${c.serializer}.json`);
  writeFileSync(file, JSON.stringify(kit.combinationConfig(c, base), null, 2) + '\n');
  return file;
};
const imageTimes = new Map();
let standIns = false;
for (const c of combos) {
  const pair = `${c.tomcat}/${c.java}`;
  if (imageTimes.has(pair)) continue;
  const t = now();
  const r = run(['images', '--config', configOf(c), '--json']);
  if (!r.ok) {
    console.error(`matrix: images for Tomcat ${c.tomcat} on Java ${c.java} failed: ${tail(r.err, 8)}`);
    process.exit(1);
  }
  standIns = standIns || JSON.parse(r.out).standIns;
  imageTimes.set(pair, Number(secs(t)));
  console.log(`  images Tomcat ${c.tomcat} on Java ${c.java}: ${imageTimes.get(pair)} s (${r.err.includes('building') ? 'built' : 'reused'})`);
}
if (prebuild) process.exit(0);

const SI = standIns ? ['--stand-ins'] : [];
const rows = [];
let lastCfg;
try {
  for (const c of combos) {
    const cfg = configOf(c);
    lastCfg = cfg;
    const row = { combination: key(c), imageS: imageTimes.get(`${c.tomcat}/${c.java}`) };
    process.stderr.write(`[matrix] ${key(c)}: deploying\n`);
    let t = now();
    const up = run(['up', '--config', cfg, '--out', join(outDir, 'lab'), ...SI]);
    row.deployS = Number(secs(t));
    if (!up.ok) {
      rows.push({ ...row, result: `DEPLOY FAILED: ${tail(up.err)}` });
      continue;
    }
    row.running = (up.err.match(/\[versions\] \S+: (Tomcat .*)$/m) || [])[1];
    t = now();
    const v = run(['verify', '--config', cfg, '--requests', String(requests), '--attributes']);
    row.verifyS = Number(secs(t));
    const verdict = (v.out.match(/^(PASS|FAIL):.*$/m) || [''])[0];
    row.verify = verdict.startsWith('PASS') ? 'PASS' : `FAIL: ${verdict || tail(v.err)}`;
    row.attributesFailed = [...v.out.matchAll(/^\s+FAIL (\S+)/gm)].map((m) => m[1]);
    const expected = kit.serializerGaps(c.serializer, c.java);
    const surprise = [
      ...row.attributesFailed.filter((a) => !expected.includes(a)).map((a) => `${a} failed`),
      ...expected.filter((a) => !row.attributesFailed.includes(a)).map((a) => `${a} survived (listed as a gap)`),
    ];
    row.result = row.verify !== 'PASS' ? row.verify : surprise.length ? `ATTRIBUTES UNEXPECTED: ${surprise.join(', ')}` : 'PASS';
    rows.push(row);
    console.log(`  ${key(c).padEnd(16)} deploy ${String(row.deployS).padStart(5)} s  verify ${String(row.verifyS).padStart(5)} s  ${row.result}${row.attributesFailed.length ? ` (cannot carry: ${row.attributesFailed.join(', ')})` : ''}`);
  }
} finally {
  if (lastCfg) {
    const down = run(['down', '--config', lastCfg, '--out', join(outDir, 'lab')]);
    if (!down.ok) console.error(`matrix: down failed: ${tail(down.err)}`);
  }
}
writeFileSync(join(outDir, 'report.json'), JSON.stringify(rows, null, 2) + '\n');
console.log('\n| combination (Tomcat/Java/serializer) | runs (from inside) | image s | deploy s | verify s | result | cannot carry |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.combination} | ${r.running ?? '-'} | ${r.imageS} | ${r.deployS} | ${r.verifyS ?? '-'} | ${r.result} | ${(r.attributesFailed ?? []).join(', ') || '-'} |`);
const failed = rows.filter((r) => r.result !== 'PASS');
console.log(`\nmatrix: ${rows.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
