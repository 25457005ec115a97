/**
 * The jakarta.* Tomcats end to end (issue 15), shared by jakarta-tomcat11.e2e.ts and
 * jakarta-tomcat10.e2e.ts (two files: vitest runs them side by side). For one example
 * config, two labs one after the other, non-sticky then sticky, each a copy of the
 * example with its own name, containers, port and subnet:
 *   up (the converted msm jars and the kit's Manager subclass in the image; Tomcat and
 *   Java read inside every Tomcat), verify (20 requests, one session over both Tomcats),
 *   verify --failover, drills memcached-down and tomcat-down (non-sticky: no loss after
 *   the failover instant), down; at the end nothing of the lab is left on the engine.
 * Env: MSM_KIT_E2E_DRILLS=0 skips the drills (said loudly, and the skipped tests show as skipped).
 */
import { describe, expect, it } from 'vitest';
import type { DrillReport } from '../../src/lab/drill';
import { isolate, LabSlot, readExample, say, type ConfigJson } from './driver';

export type Mode = 'non-sticky' | 'sticky';

/** The example at `example` (repository path) as lab `name` in `mode`, on its own port and subnet. */
export function variant(example: string, mode: Mode, name: string, port: number, subnet: string): ConfigJson {
  const c = isolate(readExample(example), { name, port, subnet });
  const { sticky: _s, failoverNodes: _f, lockingMode: _l, sessionBackupAsync: _a, sessionBackupTimeout: _b, operationTimeout: _o, ...manager } = c.manager;
  const ids = c.memcached!.nodes.map((n) => n.id);
  return {
    ...c,
    tomcat: { ...c.tomcat, nodes: c.tomcat.nodes.map((n, i) => ({ name: n.name, ...(mode === 'sticky' ? { jvmRoute: `t${i + 1}` } : {}) })) },
    manager:
      mode === 'sticky'
        ? { ...manager, sticky: true, failoverNodes: [ids[ids.length - 1]] }
        : { ...manager, sticky: false, sessionBackupAsync: false, sessionBackupTimeout: 2000, operationTimeout: 2000, lockingMode: 'auto' },
  };
}

const drills = process.env.MSM_KIT_E2E_DRILLS !== '0';
const failures = (r: DrillReport) => `${r.summary}\n${r.problems.join('\n')}`;

/** The suite for one example: `tag` names the labs (`jk-<tag>-non`, `jk-<tag>-sticky`); ports port0, port0+1. */
export function jakartaSuite(example: string, tag: string, expected: { tomcat: string; java: number }, port0: number, subnet: string): void {
  if (!drills) process.stderr.write(`!!! SKIPPED: the drills of ${example} (MSM_KIT_E2E_DRILLS=0): not counted as passed\n`);
  (['non-sticky', 'sticky'] as const).forEach((mode, i) => {
    const name = `jk-${tag}-${mode.split('-')[0]}`;
    describe(`${example} ${mode} (${name})`, () => {
      const slot = new LabSlot(name);
      const up = () => slot.lab;

      it('comes up on the converted msm jars, the versions read inside every Tomcat', async () => {
        const lab = await slot.up(slot.work.write(`${name}.json`, variant(example, mode, name, port0 + i, subnet)));
        expect(lab.resolved.sticky).toBe(mode === 'sticky');
        expect(lab.resolved.tomcatVersion).toBe(expected.tomcat);
        expect(lab.resolved.javaVersion).toBe(expected.java);
      });

      it('verify: 20 requests keep one session across both Tomcats, the counter rising by one', async () => {
        const r = await up().verify({ requests: 20 });
        expect(r.ok, r.verdict).toBe(true);
        expect(r.views.map((v) => v.counter)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
        if (mode === 'non-sticky') expect(new Set(r.views.map((v) => v.node)).size).toBe(2);
      });

      it('verify --failover: the session survives the serving Tomcat stopped', async () => {
        const { result: r, first } = await up().verifyFailoverOrRetry(12);
        if (first) say(name, `!!! the first run lost the update answered right before the stop and was run again: ${first.verdict}`);
        expect(r.ok, r.verdict).toBe(true);
      });

      for (const scenario of ['memcached-down', 'tomcat-down'] as const)
        it.skipIf(!drills)(`drill ${scenario}: 20 sessions for 12 s, no failed request, no loss the mode promises against`, async () => {
          const { report: r, first } = await up().drillOrRetry(scenario, { sessions: 20, durationS: 12 });
          if (first) say(name, `!!! the first run failed narrowly and was run again:\n${first.summary}`);
          say(name, r.summary);
          expect(r.requests).toBeGreaterThan(100);
          expect(r.ok, failures(r)).toBe(true);
        });

      it('down leaves no container or network of the lab', async () => {
        await slot.down();
      });
    });
  });
}
