#!/usr/bin/env node
/**
 * The version matrix, for real: every Tomcat × Java × serializer the schema
 * accepts (Tomcat 10.1/11: on their oldest and newest Java, src/config/matrix.ts) is deployed (one lab, updated in place from one combination to the
 * next), checked from inside (`msm-kit up` reads `catalina.sh version` in each
 * Tomcat), verified through nginx (sessions shared, the page's versions) and
 * checked for attribute coverage. Prints a table with the time per combination.
 *
 *   node scripts/matrix.js [--only 7/8/kryo,9/17/java] [--prebuild] [--requests N] [--jobs N] [--rolling]
 *
 * --jobs N (default 2) runs N labs side by side (own names, port 8080 + i, own
 * subnet), each taking whole (Tomcat, Java) groups, so an image is built once.
 * Each combination is deployed with up --all-at-once (no one uses a matrix lab);
 * --rolling deploys with a rolling up instead, to compare.
 *
 * --prebuild only makes sure the images exist (stand-ins are built where no
 * registry has them), so a caller can build them while it does other work.
 * Exit 1 when a combination fails to deploy or verify, or when a serializer
 * carries more or fewer attribute types than src/config/serializers.ts says.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const { built, root } = require('./lib/built');

const kit = built(join('src', 'index.js'), 'matrix');
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const only = arg('--only') ? arg('--only').split(',') : undefined;
const prebuild = args.includes('--prebuild');
const requests = Number(arg('--requests', '10'));
const jobs = Math.max(1, Number(arg('--jobs', '2')));
/** --rolling: deploy each combination with a rolling up (as before; to compare the time). */
const rolling = process.argv.includes('--rolling');
const outDir = join(root, 'out', 'matrix');
mkdirSync(outDir, { recursive: true });

const key = (c) => `${c.tomcat}/${c.java}/${c.serializer}`;
const base = JSON.parse(readFileSync(join(root, 'lab.config.json'), 'utf8'));
delete base.$schema;
base.name = 'msm-matrix';
/**
 * The matrix proves versions work together, not speed: its JVMs run the client compiler only
 * (tomcat.jvmOptions, so the config says what runs). Measured on the stand-in Tomcat 9 / Java 17
 * image: the first sample page after a start cost 1.47–1.48 s of CPU instead of 2.64–2.81 s (scripts/bench-jit.js, 3 runs); the matrix took 0.75x as long on an idle machine, 0.53x beside other work (docs/testing.md).
 * MSM_KIT_MATRIX_JIT=tiered keeps the JVM's default.
 */
const MATRIX_JVM_OPTIONS = process.env.MSM_KIT_MATRIX_JIT === 'tiered' ? [] : ['-XX:TieredStopAtLevel=1'];
if (MATRIX_JVM_OPTIONS.length) base.tomcat = { ...base.tomcat, jvmOptions: [...(base.tomcat.jvmOptions ?? []), ...MATRIX_JVM_OPTIONS] };
const { supported, refused } = kit.matrix(base);
// Tomcat 10.1/11 on their oldest and newest Java only (JAKARTA_CI_JAVA); --only picks any supported one.
const combos = supported.filter((c) => (only ? only.includes(key(c)) : kit.deployedInCi(c)));
const now = () => performance.now();
const secs = (t) => ((now() - t) / 1000).toFixed(1);
const run = (cmd) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'msm-kit.js'), ...cmd], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
};
const runAsync = (cmd) =>
  new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'msm-kit.js'), ...cmd], { cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolvePromise({ ok: code === 0, out, err }));
  });
const tail = (s, n = 4) => s.trim().split('\n').slice(-n).join(' | ');
const dockerOut = (args) => spawnSync('docker', args, { encoding: 'utf8' }).stdout || '';

/**
 * Removes lab `name`'s built Tomcat images (msm-kit/<name>-tomcat:*) that no container
 * of the lab runs. Each combination builds its own image and `down` keeps images as a
 * cache; on the vfs storage driver every image costs its full size in every layer
 * (about 0.75 GB here), so 48 combinations would fill the disk.
 */
function pruneLabImages(name) {
  const inUse = new Set(dockerOut(['ps', '-a', '--filter', `label=msm-kit.lab=${name}`, '--format', '{{.Image}}']).split('\n').filter(Boolean));
  const built = dockerOut(['images', '--format', '{{.Repository}}:{{.Tag}}', `msm-kit/${name}-tomcat`]).split('\n').filter(Boolean);
  const stale = built.filter((img) => !inUse.has(img));
  // Only the matrix's own images, none a container uses: removed whole (no untagged leftovers, no prune of anyone else's).
  if (stale.length) spawnSync('docker', ['rmi', ...stale], { stdio: 'ignore' });
}

console.log(`matrix: JVM options ${MATRIX_JVM_OPTIONS.length ? MATRIX_JVM_OPTIONS.join(' ') : "none beyond the kit's (MSM_KIT_MATRIX_JIT=tiered)"} on every Tomcat (tomcat.jvmOptions)`);
console.log(`matrix: ${combos.length} of ${supported.length} supported combinations (${refused.length} refused by the schema: ${[...new Set(refused.map((r) => r.reason.split('.')[0]))].join('; ')})`);

// Images: one Tomcat image per (Tomcat, Java); built once, reused by the three serializers.
/** Lab i's base config: its own name, container names, port and subnet, so labs can run side by side. */
const laneBase = (i) =>
  i === 0
    ? base
    : {
        ...base,
        name: `${base.name}-${i}`,
        tomcat: { ...base.tomcat, nodes: base.tomcat.nodes.map((n) => ({ ...n, name: `m${i}-${n.name}` })) },
        memcached: { ...base.memcached, nodes: base.memcached.nodes.map((n) => ({ ...n, name: `m${i}-${n.name}` })) },
        loadBalancer: { ...base.loadBalancer, name: `m${i}-${base.loadBalancer.name ?? 'nginx'}`, port: (base.loadBalancer.port ?? 8080) + i },
        network: { subnet: `172.28.${70 + i}.0/24` },
      };
const configOf = (c, lane = 0) => {
  const file = join(outDir, `${c.tomcat}-${c.java}-${c.serializer}${lane ? `-lane${lane}` : ''}.json`);
  writeFileSync(file, JSON.stringify(kit.combinationConfig(c, laneBase(lane)), null, 2) + '\n');
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

/** Runs a lane's combinations one after the other on its own lab; returns its rows. */
async function lane(i, list) {
  const rows = [];
  let lastCfg;
  const labOut = join(outDir, `lab${i}`);
  try {
    for (const c of list) {
      const cfg = configOf(c, i);
      lastCfg = cfg;
      const row = { combination: key(c), imageS: imageTimes.get(`${c.tomcat}/${c.java}`) };
      process.stderr.write(`[matrix ${i}] ${key(c)}: deploying\n`);
      let t = now();
      // All at once: nobody uses a matrix lab, so the rolling up's draining and one-node-at-a-time waits buy nothing here.
      const up = await runAsync(['up', '--config', cfg, '--out', labOut, ...(rolling ? [] : ['--all-at-once']), ...SI]);
      row.deployS = Number(secs(t));
      if (!up.ok) {
        rows.push({ ...row, result: `DEPLOY FAILED: ${tail(up.err)}` });
        console.log(`  ${key(c).padEnd(16)} DEPLOY FAILED: ${tail(up.err)}`);
        continue;
      }
      row.running = (up.err.match(/\[versions\] \S+: (Tomcat .*)$/m) || [])[1];
      // The extra JVM options are on the running java's command line (checked from inside, as the versions are).
      const tomcatName = laneBase(i).tomcat.nodes[0].name;
      const cmdline = spawnSync('docker', ['exec', tomcatName, 'sh', '-c', "tr '\\0' ' ' < /proc/1/cmdline"], { encoding: 'utf8' }).stdout || '';
      const missing = MATRIX_JVM_OPTIONS.filter((o) => !cmdline.split(' ').includes(o));
      if (missing.length) {
        rows.push({ ...row, result: `JVM OPTIONS NOT RUNNING in ${tomcatName}: ${missing.join(' ')} (its java: ${cmdline.slice(0, 120) || 'no answer'})` });
        console.log(`  ${key(c).padEnd(16)} JVM OPTIONS NOT RUNNING in ${tomcatName}: ${missing.join(' ')}`);
        continue;
      }
      pruneLabImages(laneBase(i).name);
      t = now();
      const v = await runAsync(['verify', '--config', cfg, '--requests', String(requests), '--attributes']);
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
      const down = await runAsync(['down', '--config', lastCfg, '--out', labOut]);
      if (!down.ok) console.error(`matrix: down of lab ${i} failed: ${tail(down.err)}`);
      pruneLabImages(laneBase(i).name);
    }
  }
  return rows;
}

async function main() {
  // Whole (Tomcat, Java) groups per lane, so each Tomcat image is built by one lane only.
  const groups = [...new Set(combos.map((c) => `${c.tomcat}/${c.java}`))];
  const lanes = Array.from({ length: Math.min(jobs, groups.length) }, () => []);
  groups.forEach((g, i) => lanes[i % lanes.length].push(...combos.filter((c) => `${c.tomcat}/${c.java}` === g)));
  console.log(`matrix: ${lanes.length} lab(s) side by side`);
  const t0 = now();
  const rows = (await Promise.all(lanes.map((list, i) => lane(i, list)))).flat();
  rows.sort((a, b) => combos.findIndex((c) => key(c) === a.combination) - combos.findIndex((c) => key(c) === b.combination));
  return { rows, totalS: secs(t0) };
}

main().then(({ rows, totalS }) => {
writeFileSync(join(outDir, 'report.json'), JSON.stringify(rows, null, 2) + '\n');
console.log('\n| combination (Tomcat/Java/serializer) | runs (from inside) | image s | deploy s | verify s | result | cannot carry |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.combination} | ${r.running ?? '-'} | ${r.imageS} | ${r.deployS} | ${r.verifyS ?? '-'} | ${r.result} | ${(r.attributesFailed ?? []).join(', ') || '-'} |`);
const failed = rows.filter((r) => r.result !== 'PASS');
console.log(`\nmatrix: ${rows.length - failed.length} passed, ${failed.length} failed in ${totalS} s`);
process.exit(failed.length ? 1 : 0);
});
