#!/usr/bin/env node
/**
 * Benchmark: a change applied to a lab under load, rolling (`up`) against all at once
 * (`up --all-at-once`, Terraform replacing every changed node together), in one go on
 * one lab. Each run is `msm-kit drill rolling --to` (20 sessions): the change forth,
 * then back, then forth again (three runs per change and way, no untimed revert).
 * Prints min–max per change and way: failed requests, the longest time without an
 * answer, sessions and updates lost, the time the apply took; and the ratio of the
 * rolling apply's time to the all-at-once one's. Not a test, nothing is asserted.
 *
 *   node scripts/bench-rolling.js [--config lab.config.json] [--out out/bench-rolling] [--runs 3]
 *                                 [--changes manager,jvm,nginx,upgrade] [--old-image IMAGE] [--stand-ins]
 *
 * `upgrade` changes images.tomcat from --old-image (default msm-kit-local/tomcat:9.0.104-jre17,
 * built by `bash scripts/setup/images.sh tomcat --tag msm-kit-local/tomcat:9.0.104-jre17
 * --tomcat-version 9.0.104 --java 17 --suite bookworm --jre-package openjdk-17-jre-headless`)
 * to the config's own image. Needs `npm run build`, a Docker engine and the lab's images.
 * The lab is deployed first and torn down at the end.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const { args, opt } = require('./lib/options');
const root = resolve(__dirname, '..');
const config = resolve(opt('--config', join(root, 'lab.config.json')));
const out = resolve(opt('--out', join(root, 'out', 'bench-rolling')));
const runs = Number(opt('--runs', 3));
const changes = opt('--changes', 'manager,jvm,nginx,upgrade').split(',');
const oldImage = opt('--old-image', 'msm-kit-local/tomcat:9.0.104-jre17');
const standIns = args.includes('--stand-ins') ? ['--stand-ins'] : [];
const kit = (argv, inherit = true) => spawnSync('node', [join(root, 'bin', 'msm-kit.js'), ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', inherit ? 'inherit' : 'pipe'], maxBuffer: 64 << 20 });

const base = JSON.parse(readFileSync(config, 'utf8'));
const merge = (a, b) => {
  const o = structuredClone(a);
  for (const [k, v] of Object.entries(b)) o[k] = v && typeof v === 'object' && !Array.isArray(v) ? merge(o[k] ?? {}, v) : v;
  return o;
};
/** Each change: the two configs it moves between. */
const CHANGES = {
  manager: { what: 'Manager-only (manager.operationTimeout)', a: merge(base, { manager: { operationTimeout: 2000 } }), b: merge(base, { manager: { operationTimeout: 2500 } }) },
  jvm: { what: 'JVM (tomcat.heapMb)', a: merge(base, { tomcat: { heapMb: 256 } }), b: merge(base, { tomcat: { heapMb: 320 } }) },
  nginx: { what: "nginx's configuration only (loadBalancer.keepalive)", a: merge(base, { loadBalancer: { keepalive: 16 } }), b: merge(base, { loadBalancer: { keepalive: 8 } }) },
  upgrade: { what: `Tomcat image (${oldImage} ↔ the config's)`, a: merge(base, { images: { tomcat: oldImage } }), b: base },
};
mkdirSync(out, { recursive: true });
const file = (name, cfg) => {
  const f = join(out, `${name}.json`);
  writeFileSync(f, JSON.stringify(cfg, null, 2));
  return f;
};

const rows = [];
for (const name of changes) {
  const c = CHANGES[name];
  if (!c) throw new Error(`unknown change ${name}: use ${Object.keys(CHANGES).join(', ')}`);
  const a = file(`${name}-a`, c.a);
  const b = file(`${name}-b`, c.b);
  console.error(`[bench-rolling] ${c.what}: deploying ${a}`);
  if (kit(['up', '--config', a, '--out', out, ...standIns, '--all-at-once']).status !== 0) throw new Error(`up ${a} failed`);
  let k = 0; // the lab is at a; each run moves it to the other config
  for (const way of ['rolling', 'all-at-once']) {
    const res = [];
    for (let i = 0; i < runs; i++, k++) {
      const [from, to] = k % 2 === 0 ? [a, b] : [b, a];
      console.error(`[bench-rolling] ${c.what}, ${way}, run ${i + 1}/${runs}`);
      const r = kit(['drill', 'rolling', '--config', from, '--to', to, '--out', out, ...standIns, '--sessions', '20', '--duration', '6', '--json', ...(way === 'all-at-once' ? ['--all-at-once'] : [])]);
      if (!r.stdout.trim()) throw new Error(`drill rolling ${from} → ${to} printed no report (exit ${r.status})`);
      const j = JSON.parse(r.stdout);
      const secs = Number(/in ([\d.]+) s/.exec(j.change ?? '')?.[1] ?? NaN);
      res.push({ failed: j.requestsFailed, requests: j.requests, gap: j.longestGapS, lost: j.sessionsLost, updates: j.updatesLost, secs });
      console.error(`  ${j.change}: ${j.requests} requests, ${j.requestsFailed} failed, longest without an answer ${j.longestGapS.toFixed(2)} s, lost ${j.sessionsLost} / ${j.updatesLost}`);
    }
    rows.push({ change: c.what, way, res });
  }
  // The next change deploys its own a over whatever this one left (all at once, unmeasured).
}
kit(['down', '--config', join(out, `${changes.at(-1)}-a.json`), '--out', out]);

const mm = (xs, d = 0) => {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? lo.toFixed(d) : `${lo.toFixed(d)}–${hi.toFixed(d)}`;
};
console.log(`rolling vs all at once, ${runs} runs each (20 sessions, 20 ms think time), min–max`);
console.log('| change | up | failed requests (of) | longest time without an answer | sessions lost | updates lost | apply time |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const x = r.res;
  console.log(`| ${r.change} | ${r.way} | ${mm(x.map((v) => v.failed))} (${mm(x.map((v) => v.requests))}) | ${mm(x.map((v) => v.gap), 2)} s | ${mm(x.map((v) => v.lost))} | ${mm(x.map((v) => v.updates))} | ${mm(x.map((v) => v.secs), 1)} s |`);
}
for (const name of changes) {
  const what = CHANGES[name].what;
  const rl = rows.find((r) => r.change === what && r.way === 'rolling').res.map((v) => v.secs);
  const at = rows.find((r) => r.change === what && r.way === 'all-at-once').res.map((v) => v.secs);
  const ratios = rl.map((s, i) => s / at[i]);
  console.log(`${what}: a rolling apply takes ${mm(ratios, 2)}x the time of an all-at-once one`);
}
