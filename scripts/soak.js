#!/usr/bin/env node
'use strict';
/**
 * Soak on an already deployed lab: N client sessions (each incrementing its
 * counter, with think time) for D seconds through nginx, while one memcached
 * node and then one Tomcat are killed (`docker kill`) and started again
 * (`docker start`). Prints per phase: requests, req/s, sessions and updates lost
 * at the failover instant (the kill) and after it, using the drills' analysis.
 * Non-sticky: exits 1 on any loss after a failover instant (the mode's promise).
 * Sticky: reports.
 *
 *   node scripts/soak.js [--sessions 500] [--duration 300] [--config lab.config.json] [--think 200]
 */
const kit = require('../dist/src/index.js');
const { runThinkSessions, sleep } = require('./lib/think-sessions');

function args(argv) {
  const o = { sessions: 500, duration: 300, config: 'lab.config.json', think: 200 };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in o) || i + 1 >= argv.length) {
      console.error(`soak: unknown or incomplete option ${argv[i]}. Fix: use --sessions N --duration S --config FILE --think MS`);
      process.exit(2);
    }
    const v = argv[++i];
    if (k === 'config') o.config = v;
    else {
      const n = Number(v);
      if (!Number.isInteger(n) || n < (k === 'think' ? 0 : 1)) {
        console.error(`soak: --${k} ${v} is not a ${k === 'think' ? 'non-negative' : 'positive'} integer. Fix: pass a whole number`);
        process.exit(2);
      }
      o[k] = n;
    }
  }
  if (o.duration < 12) {
    console.error('soak: --duration must be at least 12 s (six phases of at least 2 s). Fix: pass --duration 12 or more');
    process.exit(2);
  }
  return o;
}


async function main() {
  const o = args(process.argv);
  const lab = kit.resolveLab(kit.loadConfig(o.config));
  const log = (l) => console.log(l);
  const failover = new Set(lab.failoverNodes);
  const memcached = (lab.memcacheds.find((m) => !failover.has(m.id)) ?? lab.memcacheds[0]).name;
  const tomcat = lab.tomcats[0].name;
  const mode = lab.sticky ? 'sticky' : 'non-sticky';
  const D = o.duration * 1000;

  await kit.settleLab(lab, { log });

  // Timeline: kill memcached at D/6, start it at 2D/6; kill the Tomcat at 3D/6, start it at 4D/6.
  const events = [
    { at: D / 6, what: 'kill', node: memcached },
    { at: (2 * D) / 6, what: 'start', node: memcached },
    { at: (3 * D) / 6, what: 'kill', node: tomcat },
    { at: (4 * D) / 6, what: 'start', node: tomcat },
  ];
  log(`soak (${mode}): ${o.sessions} sessions, ${o.think} ms think time, ${o.duration} s on ${lab.url}; kill/start ${memcached} at ${(D / 6000).toFixed(0)}/${(D / 3000).toFixed(0)} s, ${tomcat} at ${(D / 2000).toFixed(0)}/${((2 * D) / 3000).toFixed(0)} s`);

  const wallStart = Date.now();
  const agent = kit.keepAliveAgent(lab.url, Math.min(o.sessions, 128));
  const clients = Array.from({ length: o.sessions }, () => new kit.SessionClient(lab.url, 10_000, agent));
  const samples = clients.map(() => []);
  const start = performance.now();
  // The sessions' first requests spread over one think time.
  const loops = runThinkSessions({
    sessions: o.sessions,
    durationMs: D,
    spreadMs: o.think,
    start,
    step: async (i) => {
      const t0 = performance.now() - start;
      const v = await clients[i].get();
      samples[i].push({ status: v.status, session: v.session, counter: v.counter, node: v.node, error: v.error, t0, t1: performance.now() - start });
      return v;
    },
    pause: (v) => (v.status === 200 ? o.think : Math.max(100, o.think)),
  });
  const stops = []; // failover instants: { from, until } per kill
  const marks = []; // phase boundaries: { at, label }
  const chaos = (async () => {
    for (const e of events) {
      await sleep(start + e.at - performance.now());
      const from = performance.now() - start;
      await kit.docker(e.what, e.node);
      if (e.what === 'start') await kit.waitHealthy(e.node);
      const until = performance.now() - start;
      if (e.what === 'kill') stops.push({ from, until });
      marks.push({ at: from, label: `${e.node} ${e.what === 'kill' ? 'killed' : 'started'}` });
      log(`  ${(from / 1000).toFixed(1)} s: docker ${e.what} ${e.node} (${((until - from) / 1000).toFixed(1)} s${e.what === 'start' ? ', until healthy' : ''})`);
    }
  })();
  let chaosError;
  try {
    await Promise.all([loops, chaos.catch((e) => (chaosError = e))]);
  } finally {
    agent.destroy();
    for (const n of [memcached, tomcat]) {
      const state = await kit.docker('inspect', '-f', '{{.State.Running}}', n).catch(() => 'unknown');
      if (state === 'false') {
        log(`  restoring ${n}`);
        await kit.docker('start', n);
        await kit.waitHealthy(n);
      }
    }
  }
  if (chaosError) throw chaosError;

  // Phases: from each mark to the next.
  const bounds = [{ at: 0, label: 'steady' }, ...marks, { at: D, label: 'end' }];
  const phases = bounds.slice(0, -1).map((b, k) => ({ label: b.label, from: b.at, to: bounds[k + 1].at, requests: 0, failed: 0, lostAt: 0, lostAfter: 0, updAt: 0, updAfter: 0, lat: [], noNode: 0 }));
  const phaseOf = (t) => phases.find((p) => t >= p.from && t < p.to) ?? phases[phases.length - 1];
  const examples = [];
  const errors = new Map(); // what failed requests saw, and how often
  for (const s of samples) {
    for (const x of s) {
      const p = phaseOf(x.t0);
      p.requests++;
      if (x.status === 200) p.lat.push(x.t1 - x.t0);
      if (x.status !== 200 || x.counter === undefined) {
        p.failed++;
        const e = x.error ?? 'no counter on the page';
        errors.set(e, (errors.get(e) ?? 0) + 1);
      }
    }
    // analyseSession stops at a lost session: go on from there with the new one.
    let rest = s;
    for (;;) {
      const a = kit.analyseSession(rest, stops);
      for (const u of a.updates) phaseOf(u.t0)[u.atStop ? 'updAt' : 'updAfter']++;
      if (!a.lost) break;
      const at = rest[a.lostIndex];
      phaseOf(at.t0)[a.lostAtStop ? 'lostAt' : 'lostAfter']++;
      // A replacement id without a memcached node id: msm saw no node it could use when it made it.
      if (!a.lostAtStop && at.session && kit.parseSessionId(at.session).memcachedId === undefined) phaseOf(at.t0).noNode++;
      if (!a.lostAtStop && examples.length < 5) examples.push(a.why);
      rest = rest.slice(a.lostIndex);
    }
  }

  // What msm logged in each phase (docker log timestamps, the phase in wall-clock time).
  const tomcats = lab.tomcats.map((t) => t.name);
  for (const p of phases) {
    const iso = (ms) => new Date(wallStart + ms).toISOString();
    p.msm = await kit.msmLogCounts(tomcats, iso(p.from), iso(p.to));
  }
  const p99 = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] : NaN);
  const total = (k) => phases.reduce((a, p) => a + p[k], 0);
  const pad = (v, n) => String(v).padStart(n);
  console.log(`\nsoak ${mode}: ${o.sessions} sessions × ${o.duration} s, ${total('requests')} requests (${(total('requests') / o.duration).toFixed(0)} req/s)`);
  console.log(`${'phase'.padEnd(34)} ${pad('s', 6)} ${pad('requests', 9)} ${pad('req/s', 6)} ${pad('p99 ms', 7)} ${pad('failed', 6)}  sessions lost at/after  updates lost at/after  msm: failed loads/timeouts`);
  for (const p of phases) {
    const secs = (p.to - p.from) / 1000;
    console.log(
      `${p.label.padEnd(34)} ${pad(secs.toFixed(1), 6)} ${pad(p.requests, 9)} ${pad((p.requests / Math.max(0.001, secs)).toFixed(0), 6)} ${pad(p99(p.lat).toFixed(0), 7)} ${pad(p.failed, 6)}  ${pad(`${p.lostAt} / ${p.lostAfter}`, 22)}  ${pad(`${p.updAt} / ${p.updAfter}`, 21)}  ${pad(`${p.msm.loadFailures} / ${p.msm.timeouts}`, 26)}`,
    );
  }
  console.log(`${'total'.padEnd(34)} ${pad(o.duration.toFixed(1), 6)} ${pad(total('requests'), 9)} ${pad((total('requests') / o.duration).toFixed(0), 6)} ${pad(total('failed'), 6)}  ${pad(`${total('lostAt')} / ${total('lostAfter')}`, 22)}  ${pad(`${total('updAt')} / ${total('updAfter')}`, 21)}`);
  for (const [e, n] of [...errors].sort((x, y) => y[1] - x[1]).slice(0, 3)) console.log(`  failed requests: ${n} × ${e}`);
  for (const w of examples) console.log(`  lost after a failover instant: ${w}`);
  if (total('noNode') > 0) console.log(`  ${total('noNode')} replacement id(s) carry no memcached node id: msm saw no node it could use when it made them (its availability pings failed), so those sessions were never stored`);
  const v = kit.soakVerdict(phases, lab.sticky);
  console.log(v.line);
  process.exitCode = v.code;
}

main().catch((e) => {
  console.error(kit.describeError ? kit.describeError(e) : e && e.message);
  process.exitCode = 1;
});
