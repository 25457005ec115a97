#!/usr/bin/env node
/**
 * Benchmark: what a Tomcat start costs until its first sample page, with the JVM's default
 * JIT (tiered: C1 then C2) against the client compiler only (-XX:TieredStopAtLevel=1, what the
 * test labs run: docs/testing.md), in one go on one lab. Deploys the lab (monitoring off),
 * then per run and variant starts one more Tomcat from the lab's own image, in the lab's
 * network with the lab's CATALINA_OPTS (plus the variant's options), and times its first
 * `GET /` that answers 200 (start, msm and the first JSP compile); CPU from the container's
 * cgroup. Variants alternate within each run. Prints min–max per variant and the ratio of
 * medians to the default. Not a test, nothing is asserted.
 *
 *   node scripts/bench-jit.js [--config lab.config.json] [--out out/bench-jit] [--runs 3] [--stand-ins]
 *
 * Needs `npm run build`, a Docker engine and the lab's images; the lab is torn down at the end.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const { args, opt } = require('./lib/options');
const { cpuUsecOfFile, findCgroupCpuFile, percentile } = require('./lib/bench-stats');

const root = resolve(__dirname, '..');
const out = resolve(opt('--out', join(root, 'out', 'bench-jit')));
const runs = Number(opt('--runs', 3));
const standIns = args.includes('--stand-ins') ? ['--stand-ins'] : [];
const VARIANTS = [
  { name: 'tiered (JVM default)', options: [] },
  { name: 'C1 only', options: ['-XX:TieredStopAtLevel=1'] },
];

const base = JSON.parse(readFileSync(resolve(opt('--config', join(root, 'lab.config.json'))), 'utf8'));
delete base.$schema;
// Its own names, port and subnet, so it can run beside the default lab.
const config = {
  ...base,
  name: 'msm-bench-jit',
  tomcat: { ...base.tomcat, nodes: (base.tomcat?.nodes ?? [{ name: 'tomcat-node1' }, { name: 'tomcat-node2' }]).map((n, i) => ({ ...n, name: `bj-tomcat${i + 1}` })) },
  ...(base.memcached ? { memcached: { ...base.memcached, nodes: base.memcached.nodes.map((n, i) => ({ ...n, name: `bj-memcached${i + 1}` })) } } : {}),
  loadBalancer: { ...base.loadBalancer, name: 'bj-nginx', port: 18195 },
  network: { subnet: '172.28.95.0/24' },
  monitoring: { enabled: false },
};
mkdirSync(out, { recursive: true });
const cfgFile = join(out, 'lab.json');
writeFileSync(cfgFile, JSON.stringify(config, null, 2) + '\n');

const kit = (argv) => spawnSync(process.execPath, [join(root, 'bin', 'msm-kit.js'), ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
const docker = (argv) => spawnSync('docker', argv, { encoding: 'utf8' });
const fail = (what) => {
  console.error(`bench-jit: ${what}`);
  process.exit(1);
};

const facts = JSON.parse(kit(['validate', '--json', '--config', cfgFile, ...standIns]).stdout || 'null') ?? fail('validate failed (see above)');
const probe = config.tomcat.nodes[0].name;
if (kit(['up', '--config', cfgFile, '--out', out, '--all-at-once', ...standIns]).status !== 0) fail('up failed (see above)');

const NAME = 'msm-bench-jit-probe';
const rows = VARIANTS.map(() => ({ wallS: [], cpuS: [] }));
try {
  const inspect = JSON.parse(docker(['inspect', probe]).stdout)[0];
  const image = inspect.Config.Image;
  const network = Object.keys(inspect.NetworkSettings.Networks)[0];
  const env = inspect.Config.Env.filter((e) => /^(MSM_KIT_NODE|CATALINA_OPTS)=/.test(e));
  const opts = env.find((e) => e.startsWith('CATALINA_OPTS=')).slice('CATALINA_OPTS='.length);
  for (let run = 1; run <= runs; run++) {
    VARIANTS.forEach((v, i) => {
      docker(['rm', '-f', NAME]);
      const t0 = performance.now();
      const started = docker(['run', '-d', '--name', NAME, '--network', network, '--label', `msm-kit.lab=${config.name}`,
        ...env.filter((e) => !e.startsWith('CATALINA_OPTS=')).flatMap((e) => ['-e', e]), '-e', `CATALINA_OPTS=${[opts, ...v.options].join(' ')}`, image]);
      if (started.status !== 0) fail(`docker run: ${started.stderr.trim()}`);
      const id = started.stdout.trim();
      const ip = JSON.parse(docker(['inspect', id]).stdout)[0].NetworkSettings.Networks[network].IPAddress;
      let answered = false;
      while (!answered && performance.now() - t0 < 120_000) {
        const r = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', `http://${ip}:8080/`], { encoding: 'utf8' });
        answered = r.stdout === '200';
        if (!answered) spawnSync('sleep', ['0.1']);
      }
      if (!answered) fail(`${v.name}: the probe Tomcat did not answer 200 within 120 s (docker logs ${NAME})`);
      const wall = (performance.now() - t0) / 1000;
      const file = findCgroupCpuFile(id) ?? fail(`no cgroup CPU file found for container ${id}`);
      const cpu = cpuUsecOfFile(file) / 1e6;
      rows[i].wallS.push(wall);
      rows[i].cpuS.push(cpu);
      console.log(`run ${run} ${v.name.padEnd(22)} first page after ${wall.toFixed(2)} s, ${cpu.toFixed(2)} s of CPU`);
    });
  }
} finally {
  docker(['rm', '-f', NAME]);
  kit(['down', '--config', cfgFile, '--out', out, ...standIns]);
}

const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
const med = (xs) => percentile(xs, 50);
console.log(`\n| variant | first page after a start, s | CPU until then, s | ratio of medians (wall, CPU) |\n|---|---|---|---|`);
VARIANTS.forEach((v, i) =>
  console.log(`| ${v.name} ${v.options.join(' ')} | ${range(rows[i].wallS)} | ${range(rows[i].cpuS)} | ${(med(rows[i].wallS) / med(rows[0].wallS)).toFixed(2)}, ${(med(rows[i].cpuS) / med(rows[0].cpuS)).toFixed(2)} |`),
);
console.log(`(${runs} runs per variant, alternating, lab ${config.name}: Tomcat ${facts.tomcat.version} / Java ${facts.tomcat.java})`);
