#!/usr/bin/env node
/**
 * Load benchmark on one deployed lab, in one run: the same lab with msm
 * disabled (baseline), non-sticky, sticky, and the java vs xstream serializers.
 * Each variant is applied in place (same lab name, same state) with
 * `msm-kit up`, warmed up, then loaded through nginx by autocannon with one
 * session per connection (the cookie is kept per connection). Prints req/s and
 * p50/p99 latency, and ratios to the baseline. Not a test: nothing is asserted.
 *
 *   node scripts/bench-load.js [--connections 40] [--duration 10] [--warmup 3] [--keep]
 *
 * Needs the engine, images, jars and provider (scripts/setup/*.sh, or run the
 * e2e once). Uses the offline stand-in images when they exist locally.
 * Traffic goes to 127.0.0.1 only.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const autocannon = require('autocannon');

const root = resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const connections = opt('--connections', 40);
const duration = opt('--duration', 10);
const warmup = opt('--warmup', 5);
const keep = args.includes('--keep');
// --only a,b runs a subset; --manager '{"memcachedProtocol":"binary"}' patches every msm-enabled variant.
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const managerPatch = args.includes('--manager') ? JSON.parse(args[args.indexOf('--manager') + 1]) : {};
const outDir = join(root, 'out', 'bench');
mkdirSync(outDir, { recursive: true });
const kit = (...a) => spawnSync(process.execPath, [join(root, 'bin', 'msm-kit.js'), ...a], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

// Official images, or the kit's offline stand-ins when there is no registry (msm-kit images decides and builds).
const ensured = kit('images', '--json');
if (ensured.status !== 0) {
  process.stderr.write(ensured.stderr);
  process.exit(1);
}
const standIns = JSON.parse(ensured.stdout).standIns ? ['--stand-ins'] : [];
const config = JSON.parse(readFileSync(join(root, 'lab.config.json'), 'utf8'));
delete config.$schema;
const base = { ...config, name: 'msm-bench' };
/** The lab facts (URL, ...) of a config, from the kit's typed door. */
const facts = (file) => JSON.parse(kit('validate', '--json', '--config', file, ...standIns).stdout);
const nonSticky = (manager) => ({ ...base, manager: { ...base.manager, ...managerPatch, ...manager } });
const stickyCfg = (manager) => ({
  ...base,
  tomcat: { ...base.tomcat, nodes: base.tomcat.nodes.map((n, i) => ({ ...n, jvmRoute: `tomcat${i + 1}` })) },
  manager: { sticky: true, requestUriIgnorePattern: base.manager.requestUriIgnorePattern, serializer: 'java', ...managerPatch, ...manager },
});
// The baseline keeps sessions working without msm: enabled=false (plain in-memory
// sessions) behind jvmRoute routing, so every session stays on its node. It runs
// first and last; the spread between the two runs shows the machine's drift.
const variants = [
  { id: 'baseline', what: 'msm disabled (enabled=false), sessions node-local, jvmRoute routing', cfg: stickyCfg({ enabled: false }) },
  { id: 'non-sticky', what: 'non-sticky, java serializer, lockingMode auto, sync backup', cfg: nonSticky({}) },
  { id: 'sticky', what: 'sticky, java serializer, jvmRoute routing', cfg: stickyCfg({}) },
  { id: 'non-sticky-xstream', what: 'non-sticky, xstream serializer', cfg: nonSticky({ serializer: 'xstream' }) },
  { id: 'baseline-again', what: 'the baseline once more', cfg: stickyCfg({ enabled: false }) },
];

/**
 * One session per connection: the first response's JSESSIONID becomes the
 * connection's Cookie header. (autocannon's per-request `context` is reset
 * after every pass over `requests`, so it cannot carry a cookie; the client's
 * own headers can.) Returns autocannon's result plus how many sessions were created.
 */
async function load(url, seconds, path = '/') {
  let sessionsCreated = 0;
  const result = await autocannon({
    url: url.replace(/\/$/, '') + path,
    connections,
    duration: seconds,
    setupClient: (client) => {
      client.on('headers', ({ headers = [] }) => {
        for (let i = 0; i < headers.length; i += 2) {
          const value = String(headers[i + 1]);
          if (String(headers[i]).toLowerCase() === 'set-cookie' && value.startsWith('JSESSIONID=')) {
            sessionsCreated++;
            client.setHeaders({ cookie: value.split(';')[0] });
          }
        }
      });
    },
  });
  return { ...result, sessionsCreated };
}

async function main() {
  const rows = [];
  let lastCfg;
  try {
    for (const v of variants.filter((x) => !only || only.includes(x.id))) {
      const file = join(outDir, `${v.id}.json`);
      writeFileSync(file, JSON.stringify(v.cfg, null, 2) + '\n');
      lastCfg = file;
      process.stderr.write(`[bench] ${v.id}: applying (${v.what})\n`);
      const t0 = Date.now();
      const up = kit('up', '--config', file, '--out', join(outDir, 'lab'), ...standIns);
      if (up.status !== 0) {
        rows.push({ ...v, error: `does not run: ${(up.stderr || up.stdout).trim().split('\n').slice(-3).join(' | ')}` });
        continue;
      }
      process.stderr.write(`[bench] ${v.id}: up in ${((Date.now() - t0) / 1000).toFixed(1)} s; warm-up ${warmup} s, load ${duration} s with ${connections} sessions\n`);
      const url = facts(file).url;
      await load(url, warmup);
      const w = await load(url, duration);
      const r = await load(url, duration, '/view.jsp');
      const check = kit('verify', '--config', file, '--requests', '6');
      const verdict = check.stdout.trim().split('\n').pop();
      for (const [kind, x] of [['write', w], ['read', r]]) {
        rows.push({ ...v, kind, rps: x.requests.average, p50: x.latency.p50, p99: x.latency.p99, errors: x.errors + x.timeouts + (x.non2xx ?? 0), sessions: x.sessionsCreated, verdict });
      }
    }
  } finally {
    if (!keep && lastCfg) {
      process.stderr.write('[bench] tearing the lab down\n');
      const down = kit('down', '--config', lastCfg, '--out', join(outDir, 'lab'));
      if (down.status !== 0) process.stderr.write(down.stderr);
    }
  }
  const baselineOf = (kind) => {
    const b = rows.filter((r) => r.id.startsWith('baseline') && !r.error && r.kind === kind);
    return b.length ? { runs: b, rps: b.reduce((a, r) => a + r.rps, 0) / b.length } : undefined;
  };
  console.log(`load benchmark: ${connections} sessions (one per connection), ${duration} s per variant and page, through nginx on 127.0.0.1, images ${images ? 'offline stand-ins' : 'official'}`);
  console.log('pages: write = / (increments the session counter on every request), read = /view.jsp (reads the session only)');
  console.log(`${'variant'.padEnd(20)} ${'page'.padEnd(5)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(7)} ${'sessions'.padStart(8)}  ${'req/s vs baseline'.padStart(18)}  session check`);
  for (const r of rows) {
    if (r.error) {
      console.log(`${r.id.padEnd(20)} ${r.error}`);
      continue;
    }
    const baseline = baselineOf(r.kind);
    const ratio = baseline ? `${((r.rps / baseline.rps) * 100).toFixed(1)} %` : 'n/a';
    console.log(`${r.id.padEnd(20)} ${r.kind.padEnd(5)} ${r.rps.toFixed(0).padStart(8)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.errors).padStart(7)} ${String(r.sessions).padStart(8)}  ${ratio.padStart(18)}  ${r.verdict}`);
  }
  for (const kind of ['write', 'read']) {
    const b = baselineOf(kind);
    if (b && b.runs.length === 2)
      console.log(`${kind} baseline = mean of its two runs (${b.runs.map((x) => x.rps.toFixed(0)).join(' and ')} req/s; spread ${((Math.abs(b.runs[0].rps - b.runs[1].rps) / b.rps) * 100).toFixed(1)} %)`);
  }
  console.log(`sessions = JSESSIONID cookies set during the run (one per connection expected: ${connections}; more means sessions were relocated or replaced)`);
  console.log('targets: non-sticky >= 85 %, sticky >= 95 % of baseline req/s');
}

main().catch((e) => {
  console.error(`bench: ${e.message}`);
  process.exit(1);
});
