#!/usr/bin/env node
/**
 * Load benchmark: what msm costs on a realistic page, variant by variant, on one
 * lab ("msm-bench", 127.0.0.1:18140, 172.28.76.0/24) redeployed in place with
 * `msm-kit up`. The page is bench/webapp (deployed through the kit's `webapps`):
 * about 1.5 ms of CPU work per request and a session graph of 1, 20 or 100 KB of
 * JDK types, read (read.jsp) or changed (write.jsp) on every request.
 *
 * Per variant: saturation phases (autocannon, one session per connection) and a
 * think-time phase (many sessions, each asking every 0.5-2 s, 80 % read / 20 %
 * write; the loop is shared with scripts/soak.js). Per phase: req/s, p50/p99,
 * CPU seconds per 1 000 requests of the Tomcats, the store, nginx and the load
 * generator (from the containers' cgroups), bytes stored per session (memcached
 * `stats`), and ratios to the no-msm baseline, which runs first and last.
 * Not a test: nothing is asserted.
 *
 *   node scripts/bench-load.js [--quick] [--only id,id] [--duration S] [--think-duration S]
 *        [--sessions N] [--connections N] [--warmup S] [--warmup-max S] [--pin split|none] [--manager JSON] [--keep] [--profile]
 *
 * --profile: per variant, one more 20 KB write phase with thread dumps of the Tomcats: CPU
 * per request by thread group (request threads, GC, JIT, store client, msm's threads) and
 * what the request threads were doing (serializing, waiting for msm's lock or the store...).
 *
 * Needs the engine, images, jars and provider (scripts/setup/*.sh). Uses the
 * offline stand-in images when there is no registry. Traffic goes to 127.0.0.1 only.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const autocannon = require('autocannon');
const kit = require('../dist/src/index.js');
const { runThinkSessions } = require('./lib/think-sessions');
const st = require('./lib/bench-stats');
const td = require('./lib/thread-dumps');

const root = resolve(__dirname, '..');
const args = process.argv.slice(2);
const has = (name) => args.includes(name);
const arg = (name) => (has(name) ? args[args.indexOf(name) + 1] : undefined);
const num = (name, dflt) => (has(name) ? Number(arg(name)) : dflt);
const quick = has('--quick');
const o = {
  duration: num('--duration', quick ? 4 : 8), // seconds per saturation phase
  thinkDuration: num('--think-duration', quick ? 10 : 30),
  sessions: num('--sessions', quick ? 150 : 500),
  connections: num('--connections', 40),
  warmup: num('--warmup', quick ? 3 : 8), // seconds per warm-up window
  warmupMax: num('--warmup-max', quick ? 30 : 240), // the longest warm-up
  pin: arg('--pin') ?? 'split',
  keep: has('--keep'),
  profile: has('--profile'),
  only: arg('--only')?.split(','),
  managerPatch: has('--manager') ? JSON.parse(arg('--manager')) : {},
};
for (const k of ['duration', 'thinkDuration', 'sessions', 'connections', 'warmup', 'warmupMax'])
  if (!Number.isFinite(o[k]) || o[k] <= 0) {
    console.error(`bench-load: --${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} must be a positive number. Fix: pass e.g. 10`);
    process.exit(2);
  }
if (!['split', 'none'].includes(o.pin)) {
  console.error(`bench-load: --pin ${o.pin}: not split or none. Fix: pass --pin split (default) or --pin none`);
  process.exit(2);
}
const THINK = { min: 500, max: 2000, writeShare: 0.2, kb: 20 };
// The load generator (this process: autocannon and the think-time sessions) runs on
// CPU 1 with nginx and the store; the Tomcats get CPU 0 to themselves.
const CPUS = { generator: '1', tomcat: '0', other: '1' };

// --pin split: run this whole process (the load generator) under taskset.
if (o.pin === 'split' && !process.env.MSM_BENCH_PINNED) {
  const r = spawnSync('taskset', ['-c', CPUS.generator, process.execPath, __filename, ...args], { stdio: 'inherit', env: { ...process.env, MSM_BENCH_PINNED: '1' } });
  if (r.error) {
    console.error(`bench-load: taskset failed (${r.error.message}). Fix: install util-linux, or pass --pin none`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
}

const outDir = join(root, 'out', 'bench');
const labOut = join(outDir, 'lab');
mkdirSync(outDir, { recursive: true });
const kitRun = (...a) => spawnSync(process.execPath, [join(root, 'bin', 'msm-kit.js'), ...a], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const sh = (cmd, ...a) => spawnSync(cmd, a, { encoding: 'utf8' });
const t00 = Date.now();
const elapsed = () => `${((Date.now() - t00) / 1000).toFixed(0)} s`;
const say = (l) => process.stderr.write(`[bench ${elapsed()}] ${l}\n`);
const lastLines = (r, n = 3) => (r.stderr || r.stdout || '').trim().split('\n').slice(-n).join(' | ');

// Official images, or the kit's offline stand-ins when there is no registry (msm-kit images decides and builds).
const ensured = kitRun('images', '--json');
if (ensured.status !== 0) {
  process.stderr.write(ensured.stderr);
  process.exit(1);
}
const standIns = JSON.parse(ensured.stdout).standIns ? ['--stand-ins'] : [];

// ---- the variants: one entry each; a config the kit refuses is SKIPPED, loudly ----
const NODES = { tomcat: ['bench-tomcat1', 'bench-tomcat2'], memcached: ['bench-mc1', 'bench-mc2'], redis: 'bench-redis', nginx: 'bench-nginx' };
const lab = ({ sticky, manager = {}, store, tomcat = {}, memcachedThreads, monitoring = false }) => ({
  name: 'msm-bench',
  tomcat: { version: '9', javaVersion: 17, ...tomcat, nodes: NODES.tomcat.map((name, i) => (sticky ? { name, jvmRoute: `tomcat${i + 1}` } : { name })) },
  ...(store ?? { memcached: { nodes: NODES.memcached.map((name, i) => ({ id: `mnode${i + 1}`, name, port: 11211 })), threads: memcachedThreads } }),
  manager: {
    sticky,
    ...(sticky ? {} : { sessionBackupAsync: false, sessionBackupTimeout: 2000, lockingMode: 'auto' }),
    operationTimeout: 2000,
    requestUriIgnorePattern: '.*\\.(ico|png|gif|jpg|css|js)$',
    serializer: 'java',
    ...(manager.enabled === false ? {} : o.managerPatch),
    ...manager,
  },
  loadBalancer: { name: NODES.nginx, port: 18140 },
  network: { subnet: '172.28.76.0/24' },
  // No Prometheus or JMX agent unless the variant asks (non-sticky-monitored measures what they cost).
  monitoring: { enabled: monitoring },
  webapps: [
    { contextPath: '/', source: 'msm-kit:sample' },
    { contextPath: '/bench', source: join(root, 'bench', 'webapp') },
  ],
});
// full: the session-size sweep (write page at 1, 20 and 100 KB) besides the 20 KB phases.
const variants = [
  { id: 'no-msm', what: 'msm disabled (enabled=false), sessions node-local, jvmRoute routing', baseline: true, full: true, quick: true, cfg: lab({ sticky: true, manager: { enabled: false } }) },
  { id: 'sticky', what: 'sticky, java, async backup (msm default)', full: true, quick: true, cfg: lab({ sticky: true }) },
  { id: 'non-sticky', what: 'non-sticky, java, lockingMode auto, sync backup', full: true, quick: true, cfg: lab({ sticky: false }) },
  { id: 'non-sticky-monitored', what: 'non-sticky with monitoring (Prometheus, exporters, the JMX agent in both Tomcats)', quick: true, cfg: lab({ sticky: false, monitoring: true }) },
  { id: 'sticky-sync', what: 'sticky, java, sessionBackupAsync=false', cfg: lab({ sticky: true, manager: { sessionBackupAsync: false } }) },
  { id: 'non-sticky-uri', what: 'non-sticky, lockingMode uriPattern (locks write.jsp only)', cfg: lab({ sticky: false, manager: { lockingMode: 'uriPattern:/bench/write\\.jsp.*' } }) },
  { id: 'non-sticky-async', what: 'non-sticky, sessionBackupAsync=true', cfg: lab({ sticky: false, manager: { sessionBackupAsync: true, sessionBackupTimeout: undefined } }) },
  { id: 'non-sticky-op500', what: 'non-sticky, operationTimeout=500 ms', cfg: lab({ sticky: false, manager: { operationTimeout: 500 } }) },
  { id: 'non-sticky-kryo', what: 'non-sticky, kryo serializer (kryo-serializers 0.45 on Java 17)', cfg: lab({ sticky: false, manager: { serializer: 'kryo' } }) },
  { id: 'non-sticky-xstream', what: 'non-sticky, xstream serializer', cfg: lab({ sticky: false, manager: { serializer: 'xstream' } }) },
  { id: 'sticky-kryo', what: 'sticky, kryo serializer', cfg: lab({ sticky: true, manager: { serializer: 'kryo' } }) },
  { id: 'non-sticky-redis', what: 'non-sticky, java, Redis as the store', quick: true, cfg: lab({ sticky: false, store: { redis: { name: NODES.redis, port: 6379 } } }) },
  { id: 'sticky-redis', what: 'sticky, java, Redis as the store', cfg: lab({ sticky: true, store: { redis: { name: NODES.redis, port: 6379 } } }) },
  // JVM, connector and store sizing (tomcat.heapMb/gc/maxThreads, memcached.threads): the lab default is 256 MiB, the JVM's collector, 200 threads, memcached's 4.
  { id: 'non-sticky-1g-parallel', what: 'non-sticky, heap 1024 MiB, Parallel GC', cfg: lab({ sticky: false, tomcat: { heapMb: 1024, gc: 'parallel' } }) },
  { id: 'non-sticky-1g-g1', what: 'non-sticky, heap 1024 MiB, G1 GC', cfg: lab({ sticky: false, tomcat: { heapMb: 1024, gc: 'g1' } }) },
  { id: 'non-sticky-threads16', what: 'non-sticky, connector maxThreads 16', cfg: lab({ sticky: false, tomcat: { maxThreads: 16 } }) },
  { id: 'non-sticky-mc1', what: 'non-sticky, memcached -t 1', cfg: lab({ sticky: false, memcachedThreads: 1 }) },
  { id: 'no-msm-1g-parallel', what: 'msm disabled, heap 1024 MiB, Parallel GC (what the JVM settings do without msm)', cfg: lab({ sticky: true, manager: { enabled: false }, tomcat: { heapMb: 1024, gc: 'parallel' } }) },
  { id: 'sticky-1g-parallel', what: 'sticky, heap 1024 MiB, Parallel GC', cfg: lab({ sticky: true, tomcat: { heapMb: 1024, gc: 'parallel' } }) },
  { id: 'no-msm-again', what: 'the baseline once more (drift)', baseline: true, full: true, quick: true, cfg: lab({ sticky: true, manager: { enabled: false } }) },
];
for (const v of variants) v.cfg = JSON.parse(JSON.stringify(v.cfg)); // drops undefined keys

/** Phases of a variant: saturation (autocannon) and think time (many sessions). */
function phasesOf(v) {
  const sat = (page, kb) => ({ id: `${page}-${kb}k`, kind: 'saturation', page, kb });
  const list = quick ? [sat('write', 20), sat('read', 20)] : v.full ? [sat('write', 1), sat('write', 20), sat('write', 100), sat('read', 20)] : [sat('write', 20), sat('read', 20)];
  return [...list, { id: `think-${THINK.kb}k`, kind: 'think', page: 'mix', kb: THINK.kb }];
}

// ---- measurements ----
const cgroupFiles = new Map(); // container name → cgroup file (looked up once per container id)
let cpuSource;
function cpuUsec(name) {
  const id = sh('docker', 'inspect', '-f', '{{.Id}}', name).stdout.trim();
  if (!id) return NaN;
  let f = cgroupFiles.get(id);
  if (!f) {
    f = st.findCgroupCpuFile(id);
    if (f) cgroupFiles.set(id, f);
  }
  if (f) {
    cpuSource = `host cgroup ${f.kind} (${f.path.replace(id, '<id>')})`;
    return st.cpuUsecOfFile(f);
  }
  // Fallback: the container's own view of its cgroup.
  const r = sh('docker', 'exec', name, 'sh', '-c', 'cat /sys/fs/cgroup/cpu.stat 2>/dev/null || cat /sys/fs/cgroup/cpuacct/cpuacct.usage');
  if (r.status !== 0) return NaN;
  cpuSource = 'cgroup files read inside the containers (docker exec)';
  return /usage_usec/.test(r.stdout) ? st.parseCpuStat(r.stdout) : Math.round(Number(r.stdout.trim()) / 1000);
}
function memcachedStats(name) {
  const r = sh('docker', 'exec', name, 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/11211; printf "stats\\r\\nquit\\r\\n" >&3; cat <&3');
  return r.status === 0 ? st.parseMemcachedStats(r.stdout) : {};
}
/** Redis's figures in memcached's terms: bytes of data (used_memory), items (keys), evictions. */
function redisStats(name) {
  const r = sh('docker', 'exec', name, 'redis-cli', 'info');
  if (r.status !== 0) return {};
  const f = (k) => Number((new RegExp(`^${k}:(\\d+)`, 'm').exec(r.stdout) ?? [])[1] ?? NaN);
  const keys = (/^db0:keys=(\d+)/m.exec(r.stdout) ?? [])[1];
  return { bytes: f('used_memory'), curr_items: Number(keys ?? 0), evictions: f('evicted_keys') };
}
/** The store's containers: the memcached nodes or the Redis node (the kit's typed facts). */
const storeOf = (facts) => [...(facts.containers.memcached ?? []), ...(facts.containers.redis ? [facts.containers.redis] : [])];
function snapshot(facts) {
  const store = storeOf(facts);
  const sum = (names) => names.reduce((a, n) => a + cpuUsec(n), 0);
  const stats = store.map(facts.store === 'redis' ? redisStats : memcachedStats);
  return {
    tomcat: sum(facts.containers.tomcat),
    store: sum(store),
    nginx: sum([facts.containers.loadBalancer]),
    generator: (() => {
      const u = process.cpuUsage();
      return u.user + u.system;
    })(),
    storeBytes: stats.reduce((a, s) => a + (s.bytes ?? 0), 0),
    storeItems: stats.reduce((a, s) => a + (s.curr_items ?? 0), 0),
    evictions: stats.reduce((a, s) => a + (s.evictions ?? 0), 0),
  };
}

/** Saturation: autocannon, one session per connection (the first JSESSIONID becomes the connection's cookie). */
async function saturate(url, seconds, path) {
  let sessions = 0;
  const workUs = [];
  const timed = [];
  const start = performance.now();
  const result = await autocannon({
    url: url.replace(/\/$/, '') + path,
    connections: o.connections,
    duration: seconds,
    setupClient: (client) => {
      client.on('headers', ({ headers = [] }) => {
        for (let i = 0; i < headers.length; i += 2) {
          const k = String(headers[i]).toLowerCase();
          const value = String(headers[i + 1]);
          if (k === 'set-cookie' && value.startsWith('JSESSIONID=')) {
            sessions++;
            client.setHeaders({ cookie: value.split(';')[0] });
          } else if (k === 'x-bench-work-us' && workUs.length < 100000) workUs.push(Number(value));
        }
      });
      client.on('response', (status, _bytes, responseTime) => {
        const t1 = performance.now() - start;
        timed.push({ t0: t1 - responseTime, t1, ok: status < 400 });
      });
    },
  });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + (result.non2xx ?? 0),
    sessions,
    workMs: workUs.length ? st.percentile(workUs, 50) / 1000 : NaN,
    timeline: kit.timeline(timed),
  };
}

/** Think time: o.sessions sessions, each asking every 0.5-2 s; 20 % of the requests go to the write page. */
async function think(url, seconds) {
  const agent = kit.keepAliveAgent(url, 256);
  const clients = Array.from({ length: o.sessions }, () => new kit.SessionClient(url, 10_000, agent));
  const lat = [];
  const workUs = [];
  let requests = 0;
  let errors = 0;
  const cookies = new Set();
  const timed = [];
  const t0 = performance.now();
  try {
    await runThinkSessions({
      sessions: o.sessions,
      durationMs: seconds * 1000,
      spreadMs: THINK.max,
      step: async (i) => {
        const page = Math.random() < THINK.writeShare ? 'write' : 'read';
        const sent = performance.now() - t0;
        const v = await clients[i].get(`/bench/${page}.jsp?kb=${THINK.kb}`);
        timed.push({ t0: sent, t1: performance.now() - t0, ok: v.status === 200 });
        requests++;
        if (v.status !== 200) errors++;
        else lat.push(v.ms);
        if (v.session) cookies.add(v.session.replace(/\..*$/, ''));
        if (v.fields.work_us) workUs.push(Number(v.fields.work_us));
        return v;
      },
      pause: () => THINK.min + Math.random() * (THINK.max - THINK.min),
    });
  } finally {
    agent.destroy();
  }
  const secs = (performance.now() - t0) / 1000;
  return { requests, rps: requests / secs, p50: st.percentile(lat, 50), p99: st.percentile(lat, 99), errors, sessions: cookies.size, workMs: workUs.length ? st.percentile(workUs, 50) / 1000 : NaN, timeline: kit.timeline(timed) };
}

/**
 * Warm-up until steady: a fresh JVM spends its first minutes compiling (JIT), and on one
 * core that CPU is taken from the requests. msm's path (serialization, spymemcached,
 * locking) is much more code than the page's own, so a short warm-up measures msm's
 * compilation, not msm (measured: non-sticky rose from 144 to 496 req/s over 2.5 minutes
 * of load while the JIT's share fell from 1.7 to 0.04 ms per request). Saturation windows
 * of o.warmup seconds on the 20 KB write and read pages, alternating, until the last two
 * windows of each page are within WARM_TOLERANCE of each other, or o.warmupMax seconds.
 */
const WARM_TOLERANCE = 0.05;
async function warmUp(url) {
  const windows = [];
  const byPage = { write: [], read: [] };
  const t0 = Date.now();
  const steadyOf = (xs) => xs.length >= 3 && Math.abs(xs[xs.length - 1] - xs[xs.length - 2]) <= WARM_TOLERANCE * Math.max(xs[xs.length - 1], xs[xs.length - 2]);
  for (let i = 0; ; i++) {
    const page = i % 2 ? 'read' : 'write';
    const r = await saturate(url, o.warmup, `/bench/${page}.jsp?kb=20`);
    byPage[page].push(r.rps);
    windows.push(r.rps);
    const seconds = Math.round((Date.now() - t0) / 1000);
    if (steadyOf(byPage.write) && steadyOf(byPage.read)) return { windows, seconds, steady: true };
    if (seconds >= o.warmupMax) return { windows, seconds, steady: false };
  }
}

/**
 * --profile: one more saturation phase on the 20 KB write page, outside the measured ones
 * (a thread dump pauses the JVM for a moment). A dump of every Tomcat before and after it
 * gives CPU per thread group; PROFILE.samples dumps in between show what the request
 * threads were doing. The dumps go to the containers' logs (the JVM is PID 1).
 */
const PROFILE = { page: '/bench/write.jsp?kb=20', samples: 12 };
async function profilePhase(facts, url) {
  const tomcats = facts.containers.tomcat;
  const quit = () => Promise.all(tomcats.map((n) => new Promise((done) => spawn('docker', ['kill', '-s', 'QUIT', n], { stdio: 'ignore' }).on('close', done))));
  const settle = (ms) => new Promise((r) => setTimeout(r, ms));
  const since = (Date.now() / 1000 - 1).toFixed(3);
  await quit();
  await settle(1000);
  const marks = [];
  const every = (o.duration * 1000) / (PROFILE.samples + 1);
  const timer = setInterval(() => marks.push(quit()), every);
  let r;
  try {
    r = await saturate(url, o.duration, PROFILE.page);
  } finally {
    clearInterval(timer);
  }
  await Promise.all(marks);
  await quit();
  // A busy JVM prints its dumps late: read each log until its count of complete dumps stops growing (at most 15 s).
  const dumpsOf = (n) => {
    const log = sh('docker', 'logs', '--since', since, n);
    return td.splitDumps(`${log.stdout}\n${log.stderr}`);
  };
  const counts = () => tomcats.map((n) => dumpsOf(n).length).join(',');
  for (let last = '', i = 0; i < 30; i++) {
    await settle(500);
    const now = counts();
    if (now === last) break;
    last = now;
  }
  const cpu = {};
  const samples = [];
  for (const n of tomcats) {
    const dumps = dumpsOf(n).map(td.parseThreadDump);
    if (dumps.length < 2) return { error: `${n}: ${dumps.length} thread dump(s) in its log (the JVM prints them on SIGQUIT to its stdout; is Tomcat PID 1?)` };
    for (const [g, ms] of Object.entries(td.cpuByGroup(dumps[0], dumps[dumps.length - 1]))) cpu[g] = (cpu[g] ?? 0) + ms;
    samples.push(...dumps.slice(1, -1));
  }
  if (!Object.keys(cpu).length) return { error: 'no cpu= in the dumps (Java 8 prints none)' };
  return {
    requests: r.requests,
    rps: r.rps,
    cpuMsPerRequest: Object.fromEntries(Object.entries(cpu).map(([g, ms]) => [g, r.requests ? ms / r.requests : NaN])),
    activities: td.activities(samples),
  };
}

function pinLab(facts) {
  if (o.pin !== 'split') return;
  const set = (cpus, names) => names.length && sh('docker', 'update', '--cpuset-cpus', cpus, ...names);
  set(CPUS.tomcat, facts.containers.tomcat);
  set(CPUS.other, [facts.containers.loadBalancer, ...storeOf(facts)]);
}

async function main() {
  const rows = [];
  const skipped = [];
  const profiles = [];
  const warmups = [];
  let lastCfg;
  const selected = variants.filter((v) => (o.only ? o.only.includes(v.id) : !quick || v.quick));
  if (o.only) for (const id of o.only) if (!variants.some((v) => v.id === id)) throw new Error(`--only ${id}: no such variant. Fix: use ${variants.map((v) => v.id).join(', ')}`);
  say(`${selected.length} variant(s): ${selected.map((v) => v.id).join(', ')}`);
  say(`pinning: ${o.pin === 'split' ? `load generator (this process) under taskset -c ${CPUS.generator}; Tomcats docker update --cpuset-cpus ${CPUS.tomcat}; nginx and the store --cpuset-cpus ${CPUS.other}` : 'none (--pin none)'}`);
  try {
    for (const [k, v] of selected.entries()) {
      const file = join(outDir, `${v.id}.json`);
      writeFileSync(file, JSON.stringify(v.cfg, null, 2) + '\n');
      const checked = kitRun('validate', '--json', '--config', file, ...standIns);
      if (checked.status !== 0) {
        const why = (checked.stderr || checked.stdout).trim().split('\n').filter((l) => !/problem\(s\)$/.test(l)).join(' | ');
        const line = `SKIPPED ${v.id}: ${why}`;
        console.log(`\n!!! ${line}\n`);
        skipped.push({ id: v.id, what: v.what, why });
        continue;
      }
      const facts = JSON.parse(checked.stdout);
      // A fresh store per variant: its stats start from zero and no session of an earlier variant is in it.
      for (const n of storeOf(facts)) if (sh('docker', 'inspect', n).status === 0) sh('docker', 'restart', '-t', '1', n);
      say(`[${k + 1}/${selected.length}] ${v.id}: deploying (${v.what})`);
      const t0 = Date.now();
      // All at once: the bench pins containers with docker update (pinLab), which terraform sees as drift;
      // a rolling up refuses a lab that still differs from its config after the roll, an all-at-once up undoes it.
      const up = kitRun('up', '--config', file, '--out', labOut, '--all-at-once', ...standIns);
      lastCfg = file;
      if (up.status !== 0) {
        console.log(`\n!!! FAILED ${v.id}: msm-kit up: ${lastLines(up)}\n`);
        skipped.push({ id: v.id, what: v.what, why: `up failed: ${lastLines(up)}` });
        continue;
      }
      pinLab(facts);
      const url = facts.url.replace(/\/$/, '');
      say(`${v.id}: up in ${((Date.now() - t0) / 1000).toFixed(0)} s; warming up (windows of ${o.warmup} s until steady, at most ${o.warmupMax} s)`);
      const warm = await warmUp(url);
      warmups.push({ variant: v.id, ...warm });
      say(`${v.id}: warm-up ${warm.windows.map((x) => x.toFixed(0)).join(', ')} req/s: ${warm.steady ? `steady after ${warm.seconds} s` : `NOT steady after ${warm.seconds} s (measured anyway)`}`);
      for (const p of phasesOf(v)) {
        say(`${v.id}: ${p.id} (${p.kind === 'think' ? `${o.sessions} sessions, think ${THINK.min}-${THINK.max} ms, ${o.thinkDuration} s` : `${o.connections} connections, ${o.duration} s`})`);
        const a = snapshot(facts);
        const r = p.kind === 'think' ? await think(url, o.thinkDuration) : await saturate(url, o.duration, `/bench/${p.page}.jsp?kb=${p.kb}`);
        const b = snapshot(facts);
        const d = (k2) => b[k2] - a[k2];
        // The plot beside the table: throughput, failures and latency over the phase.
        const { timeline, ...figures } = r;
        const plot = join(outDir, 'plots', `${v.id}-${p.id}.svg`);
        kit.writePlot(plot, timeline, `load ${v.id} / ${p.id}: ${figures.requests} requests, ${figures.rps.toFixed(0)} req/s, ${figures.errors} errors`);
        say(`${v.id}: ${p.id}: plot ${plot}`);
        rows.push({
          variant: v.id,
          what: v.what,
          baseline: !!v.baseline,
          phase: p.id,
          kind: p.kind,
          ...figures,
          plot,
          cpu: { tomcat: st.cpuPer1k(d('tomcat'), r.requests), store: st.cpuPer1k(d('store'), r.requests), nginx: st.cpuPer1k(d('nginx'), r.requests), generator: st.cpuPer1k(d('generator'), r.requests) },
          bytesPerSession: r.sessions > 0 ? d('storeBytes') / r.sessions : NaN,
          storeItems: d('storeItems'),
          evictions: d('evictions'),
        });
      }
      if (o.profile) profiles.push({ variant: v.id, ...(await profilePhase(facts, url)) });
      const check = kitRun('verify', '--config', file, '--requests', '6');
      rows.filter((r) => r.variant === v.id).forEach((r) => (r.verify = check.stdout.trim().split('\n').pop()));
      say(`${v.id}: done (${((Date.now() - t0) / 1000).toFixed(0)} s with deploy)`);
    }
  } finally {
    if (!o.keep && lastCfg) {
      say('tearing the lab down');
      const down = kitRun('down', '--config', lastCfg, '--out', labOut);
      if (down.status !== 0) process.stderr.write(down.stderr);
    }
  }
  report(rows, skipped, profiles, warmups);
}

function report(rows, skipped, profiles, warmups) {
  // A phase in which no request completed (the lab did not answer within it) is shown, never used as a baseline.
  const base = (phase, f) => st.baselineOf(rows.filter((r) => r.baseline && r.phase === phase && r.requests > 0).map(f));
  const f1 = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const pad = (x, n) => String(x).padStart(n);
  const workMs = st.baselineOf(rows.filter((r) => r.baseline && r.kind === 'think').map((r) => r.workMs));
  console.log(`\nload benchmark (${quick ? 'quick' : 'full'}), wall time ${elapsed()}, images ${standIns.length ? 'offline stand-ins' : 'official'}, Tomcat 9 / Java 17, 2 Tomcats, 2 memcached nodes (or 1 Redis), nginx`);
  console.log(`page: bench/webapp, SHA-256 work of ${workMs ? workMs.mean.toFixed(2) : 'n/a'} ms of CPU per request (thread CPU time measured in the page: median of the no-msm think-time runs), session graph of JDK types sized at creation (?kb=)`);
  console.log(`saturation: autocannon, ${o.connections} connections, one session each, ${o.duration} s per phase; think: ${o.sessions} sessions, ${THINK.min}-${THINK.max} ms think time, ${100 - THINK.writeShare * 100} % read.jsp / ${THINK.writeShare * 100} % write.jsp, ${o.thinkDuration} s`);
  console.log(`pinning: ${o.pin === 'split' ? `generator taskset -c ${CPUS.generator} (with nginx and the store: docker --cpuset-cpus ${CPUS.other}); Tomcats --cpuset-cpus ${CPUS.tomcat}` : 'none'}; CPU: ${cpuSource ?? 'n/a'}; the generator's CPU from process.cpuUsage()`);
  console.log('CPU columns: CPU seconds per 1 000 requests (tomcat = both Tomcats, store = both memcached nodes or the Redis node). B/sess: store bytes added per session created (memcached `bytes`, Redis `used_memory`; backup copies and msm keys included).');
  /** Share of their CPU (one core with --pin split, both without) the Tomcats used in a phase, in %. */
  const busyPct = (r) => (100 * r.rps * (r.cpu.tomcat / 1000)) / (o.pin === 'split' ? CPUS.tomcat.split(',').length : 2);
  const head = `${'variant'.padEnd(22)} ${'phase'.padEnd(10)} ${pad('req/s', 7)} ${pad('vs base', 8)} ${pad('p50', 6)} ${pad('p99', 6)} ${pad('err', 5)} ${pad('sess', 5)} ${pad('B/sess', 7)} ${pad('tomcat', 6)} ${pad('store', 6)} ${pad('nginx', 6)} ${pad('gen', 6)} ${pad('tc vs b', 8)} ${pad('tc busy', 7)}`;
  console.log(head);
  for (const r of rows) {
    if (r.requests === 0) {
      console.log(`${r.variant.padEnd(22)} ${r.phase.padEnd(10)} NO ANSWER: not one request completed in the phase (${r.errors} errors); the machine is overloaded or the lab is down`);
      continue;
    }
    const b = base(r.phase, (x) => x.rps);
    const bt = base(r.phase, (x) => x.cpu.tomcat);
    console.log(
      `${r.variant.padEnd(22)} ${r.phase.padEnd(10)} ${pad(f1(r.rps, 0), 7)} ${pad(b ? st.percentOf(r.rps, b.mean) : 'n/a', 8)} ${pad(f1(r.p50, 0), 6)} ${pad(f1(r.p99, 0), 6)} ${pad(r.errors, 5)} ${pad(r.sessions, 5)} ${pad(f1(r.bytesPerSession, 0), 7)} ${pad(f1(r.cpu.tomcat, 2), 6)} ${pad(f1(r.cpu.store, 2), 6)} ${pad(f1(r.cpu.nginx, 2), 6)} ${pad(f1(r.cpu.generator, 2), 6)} ${pad(bt ? st.percentOf(r.cpu.tomcat, bt.mean) : 'n/a', 8)} ${pad(`${busyPct(r).toFixed(0)} %`, 7)}`,
    );
  }
  for (const s of skipped) console.log(`${s.id.padEnd(22)} SKIPPED: ${s.why}`);
  for (const phase of [...new Set(rows.filter((r) => r.baseline).map((r) => r.phase))]) {
    const b = base(phase, (x) => x.rps);
    if (b && b.runs.length > 1) console.log(`baseline ${phase}: mean of ${b.runs.map((x) => x.toFixed(0)).join(' and ')} req/s (first and last run), spread ${(b.spread * 100).toFixed(1)} %`);
  }
  const ev = rows.filter((r) => r.evictions > 0);
  if (ev.length) console.log(`!!! memcached evicted items during ${ev.map((r) => `${r.variant}/${r.phase}`).join(', ')}: B/sess is low there`);
  // The issue's goal, on the realistic page at saturation (think time is offered load: its req/s says nothing).
  const GOALS = { sticky: 90, 'non-sticky': 75 };
  console.log('goal (issue 13), saturation on the realistic page: sticky >= 90 %, non-sticky >= 75 % of the no-msm req/s');
  for (const r of rows.filter((x) => GOALS[x.variant] && x.kind === 'saturation')) {
    const b = base(r.phase, (x) => x.rps);
    if (!b || r.requests === 0) {
      console.log(`  ${r.variant.padEnd(11)} ${r.phase.padEnd(9)} n/a (${r.requests === 0 ? 'no request completed' : 'no baseline'})`);
      continue;
    }
    const pct = (100 * r.rps) / b.mean;
    const bt = base(r.phase, (x) => x.cpu.tomcat);
    const bs = base(r.phase, (x) => x.cpu.store);
    const bn = base(r.phase, (x) => x.cpu.nginx);
    const where = pct >= GOALS[r.variant] ? '' : `; per 1 000 requests vs no-msm: Tomcats ${f1(r.cpu.tomcat, 2)} vs ${f1(bt?.mean, 2)} s, store ${f1(r.cpu.store, 2)} vs ${f1(bs?.mean, 2)} s, nginx ${f1(r.cpu.nginx, 2)} vs ${f1(bn?.mean, 2)} s, p99 ${f1(r.p99, 0)} ms; Tomcats busy ${busyPct(r).toFixed(0)} % of their CPU (${busyPct(r) >= 90 ? 'CPU-bound: lock waits and store round trips are not the limit' : 'idle time: waits (locks, store round trips) hold requests back'})`;
    console.log(`  ${r.variant.padEnd(11)} ${r.phase.padEnd(9)} ${pct.toFixed(1)} % (goal ${GOALS[r.variant]} %): ${pct >= GOALS[r.variant] ? 'met' : 'NOT MET'}${where}`);
  }
  console.log('Tomcats busy: share of the CPU the Tomcats may use (one core pinned, two unpinned) that they used in the phase: req/s × CPU seconds per request.');
  console.log(`\nwarm-up per variant (saturation windows of ${o.warmup} s, write and read pages alternating, until each page's last two agree within ${WARM_TOLERANCE * 100} %; at most ${o.warmupMax} s): req/s per window`);
  for (const w of warmups) console.log(`  ${w.variant.padEnd(22)} ${w.steady ? `steady after ${w.seconds} s` : `NOT steady after ${w.seconds} s`}: ${w.windows.map((x) => x.toFixed(0)).join(', ')}`);
  if (profiles.length) {
    console.log(`\nwhere the Tomcats' time goes (--profile: an extra ${PROFILE.page} phase of ${o.duration} s after the measured ones, not in the table; thread dumps by SIGQUIT):`);
    console.log('  CPU ms per request by thread group (cpu= of each thread, Java 11+, from a dump before and one after the phase; both Tomcats)');
    console.log(`  request threads sampled in ${PROFILE.samples} dumps per Tomcat during the phase: share of the busy threads' samples by what they were doing`);
    for (const p of profiles) {
      if (p.error) {
        console.log(`  ${p.variant.padEnd(22)} n/a: ${p.error}`);
        continue;
      }
      const cpu = Object.entries(p.cpuMsPerRequest).sort((a, b) => b[1] - a[1]).map(([g, ms]) => `${g} ${ms.toFixed(2)}`).join(', ');
      // Idle pool threads are most samples (the pool is larger than the 40 connections): shares are of the busy ones.
      const idle = p.activities[td.IDLE] ?? 0;
      const busy = Object.entries(p.activities).filter(([k]) => k !== td.IDLE);
      const n = busy.reduce((a, [, c]) => a + c, 0);
      const act = `${busy.sort((a, b) => b[1] - a[1]).map(([k, c]) => `${k} ${((100 * c) / n).toFixed(0)} %`).join(', ')} (and ${idle} idle samples)`;
      console.log(`  ${p.variant.padEnd(22)} ${p.requests} requests; CPU ms/request: ${cpu}`);
      console.log(`  ${''.padEnd(22)} request threads (${n} busy samples): ${act}`);
    }
  }
  const file = join(outDir, `load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ options: { ...o, quick }, think: THINK, cpus: o.pin === 'split' ? CPUS : undefined, cpuSource, wallSeconds: (Date.now() - t00) / 1000, rows, skipped, profiles, warmups }, null, 2) + '\n');
  console.log(`JSON: ${file}`);
}

main().catch((e) => {
  console.error(`bench-load: ${kit.describeError ? kit.describeError(e) : e.message}`);
  process.exit(1);
});
