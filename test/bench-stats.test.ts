/** The pure helpers of scripts/bench-load.js (scripts/lib/bench-stats.js). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const st = require('../scripts/lib/bench-stats.js');

describe('bench-stats', () => {
  it('reads usage_usec from a cgroup v2 cpu.stat', () => {
    expect(st.parseCpuStat('usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n')).toBe(123456);
    expect(() => st.parseCpuStat('user_usec 1\n')).toThrow(/usage_usec/);
  });

  it('finds a container cgroup file, v2 first, and reads v1 nanoseconds as microseconds', () => {
    const root = mkdtempSync(join(tmpdir(), 'cg-'));
    expect(st.findCgroupCpuFile('abc', root)).toBeUndefined();
    mkdirSync(join(root, 'cpuacct/docker/abc'), { recursive: true });
    writeFileSync(join(root, 'cpuacct/docker/abc/cpuacct.usage'), '5000000\n');
    const v1 = st.findCgroupCpuFile('abc', root);
    expect(v1.kind).toMatch(/^v1/);
    expect(st.cpuUsecOfFile(v1)).toBe(5000);
    mkdirSync(join(root, 'system.slice/docker-abc.scope'), { recursive: true });
    writeFileSync(join(root, 'system.slice/docker-abc.scope/cpu.stat'), 'usage_usec 42\n');
    const v2 = st.findCgroupCpuFile('abc', root);
    expect(v2.kind).toMatch(/^v2/);
    expect(st.cpuUsecOfFile(v2)).toBe(42);
  });

  it('parses memcached stats (numbers only)', () => {
    const s = st.parseMemcachedStats('STAT pid 1\r\nSTAT version 1.6.18\r\nSTAT bytes 2048\r\nSTAT curr_items 3\r\nSTAT rusage_user 0.5\r\nEND\r\n');
    expect(s).toEqual({ pid: 1, bytes: 2048, curr_items: 3, rusage_user: 0.5 });
  });

  it('computes percentiles, baselines, ratios and CPU per 1 000 requests', () => {
    expect(st.percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(st.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(st.percentile([], 50)).toBeNaN();
    const b = st.baselineOf([100, 90, NaN]);
    expect(b.mean).toBe(95);
    expect(b.spread).toBeCloseTo(10 / 95);
    expect(st.baselineOf([NaN])).toBeUndefined();
    expect(st.percentOf(90, 100)).toBe('90.0 %');
    expect(st.percentOf(90, 0)).toBe('n/a');
    expect(st.cpuPer1k(2_000_000, 1000)).toBe(2);
    expect(st.cpuPer1k(1, 0)).toBeNaN();
  });
});
