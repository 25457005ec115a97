'use strict';
/**
 * Measurement helpers of scripts/bench-load.js, pure where they can be (a test
 * covers those: test/bench-stats.test.ts): CPU time of a container from its
 * cgroup, memcached's `stats`, percentiles, ratios to a baseline.
 */
const { existsSync, readFileSync } = require('node:fs');

/** usage_usec of a cgroup v2 cpu.stat file's text. */
function parseCpuStat(text) {
  const m = /^usage_usec (\d+)$/m.exec(text);
  if (!m) throw new Error('cpu.stat has no usage_usec line');
  return Number(m[1]);
}

/** Where the host keeps a container's CPU usage: cgroup v2 (systemd or cgroupfs driver), then v1 cpuacct. */
function cgroupCpuFiles(id, fsRoot = '/sys/fs/cgroup') {
  return [
    { path: `${fsRoot}/system.slice/docker-${id}.scope/cpu.stat`, kind: 'v2 cpu.stat usage_usec' },
    { path: `${fsRoot}/docker/${id}/cpu.stat`, kind: 'v2 cpu.stat usage_usec' },
    { path: `${fsRoot}/cpuacct/docker/${id}/cpuacct.usage`, kind: 'v1 cpuacct.usage' },
    { path: `${fsRoot}/cpu,cpuacct/docker/${id}/cpuacct.usage`, kind: 'v1 cpuacct.usage' },
    { path: `${fsRoot}/cpuacct/system.slice/docker-${id}.scope/cpuacct.usage`, kind: 'v1 cpuacct.usage' },
  ];
}

/** CPU microseconds a file of cgroupCpuFiles() holds (v1 counts nanoseconds). */
function cpuUsecOfFile(file) {
  const text = readFileSync(file.path, 'utf8');
  return file.kind.startsWith('v2') ? parseCpuStat(text) : Math.round(Number(text.trim()) / 1000);
}

/** The first cgroup file that exists for the container id, or undefined. */
function findCgroupCpuFile(id, fsRoot) {
  return cgroupCpuFiles(id, fsRoot).find((f) => existsSync(f.path));
}

/** memcached `stats` text → { name: number } (numeric values only). */
function parseMemcachedStats(text) {
  const out = {};
  for (const m of text.matchAll(/^STAT (\S+) (\S+)\r?$/gm)) if (/^-?\d+(\.\d+)?$/.test(m[2])) out[m[1]] = Number(m[2]);
  return out;
}

/** The p-th percentile (0..100) of numbers, nearest-rank; NaN when empty. */
function percentile(xs, p) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Baseline of a figure from its runs (first and last): mean and spread (max-min over mean). */
function baselineOf(values) {
  const xs = values.filter((x) => Number.isFinite(x));
  if (!xs.length) return undefined;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, spread: xs.length > 1 && mean ? (Math.max(...xs) - Math.min(...xs)) / mean : 0, runs: xs };
}

/** x as a percentage of base ("87.5 %"), or "n/a". */
function percentOf(x, base) {
  return Number.isFinite(x) && Number.isFinite(base) && base > 0 ? `${((100 * x) / base).toFixed(1)} %` : 'n/a';
}

/** CPU seconds per 1 000 requests from microseconds used and requests served. */
function cpuPer1k(usec, requests) {
  return requests > 0 && Number.isFinite(usec) ? usec / 1e6 / (requests / 1000) : NaN;
}

module.exports = { parseCpuStat, cgroupCpuFiles, cpuUsecOfFile, findCgroupCpuFile, parseMemcachedStats, percentile, baselineOf, percentOf, cpuPer1k };
