/**
 * The kit's own labs through `up`/`down` (the library the CLI calls), shared by
 * sticky.e2e.ts, seed.e2e.ts and seed-sticky.e2e.ts: one example config, isolated (its own
 * names, port and subnet, so files run side by side), then
 *   up (versions read inside every Tomcat), verify (20 requests), verify --failover,
 *   [redeploys: up again with nothing changed skips terraform; with a Tomcat stopped by
 *   hand, up applies again and the lab answers through both Tomcats,]
 *   the drills listed, down; nothing of the lab left.
 * Drills: `memcached-down-x3` is the node-death check (issue 22): drill memcached-down three
 * times, each must pass with no session lost at all (in flight or not); `cold-start` runs
 * 40 sessions for 30 s; the others 20 sessions for 12 s.
 * With `route: 'cdktf-cli'` the lab is deployed by the cdktf CLI itself (`cdktf deploy`, the
 * stack of stacks/main.ts) and destroyed by `cdktf destroy`; in between the library's up takes it
 * over and must change nothing: both routes synthesize the same stack into the same directory, so
 * every container of the lab keeps its id. `soak` runs scripts/soak.js on it (100 sessions, 1 s think
 * time, 60 s; one memcached and one Tomcat killed and started): exit 0 passes, 1 fails, 3 is
 * INCONCLUSIVE (losses only where msm's memcached operations timed out: an overloaded machine),
 * said loudly and shown as skipped, never as passed.
 * Env: MSM_KIT_E2E_DRILLS=0 skips the drills (said loudly, shown as skipped).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import { usesSasl } from '../../src/config/secrets';
import { docker } from '../../src/lab/docker';
import { ensureImages } from '../../src/lab/images';
import type { Scenario } from '../../src/lab/drill';
import { IDLE_SCENARIO, idleSessionsAcross, restartStoreNode } from '../../src/lab/idle';
import { isolate, LabSlot, leftovers, readExample, ROOT, say } from './driver';

const run = promisify(execFile);

export type KitDrill = Scenario | 'memcached-down-x3' | typeof IDLE_SCENARIO;

export interface KitLabSpec {
  /** Repository path of the example. */
  readonly example: string;
  /** The isolated lab's name, port and subnet. */
  readonly name: string;
  readonly port: number;
  readonly subnet: string;
  /** Also check that up again skips terraform, and applies again when a Tomcat was stopped by hand. @default false */
  readonly redeploys?: boolean;
  readonly drills: readonly KitDrill[];
  /** Who deploys and destroys the lab: the library (`msm-kit up`/`down`) or the cdktf CLI (`cdktf deploy`/`destroy`). @default 'library' */
  readonly route?: 'library' | 'cdktf-cli';
  /** Also run the soak (scripts/soak.js) after the drills. @default false */
  readonly soak?: boolean;
  /** The drills `lab.sh test quick` (MSM_KIT_E2E_QUICK=1) runs; the others and the soak show as skipped, said loudly. @default all of `drills` */
  readonly quickDrills?: readonly KitDrill[];
}

const quick = process.env.MSM_KIT_E2E_QUICK === '1';

/** `npx cdktf deploy|destroy` of the kit's stack for config `file`, artifacts in `outDir` (stacks/main.ts reads the env). */
async function cdktf(verb: 'deploy' | 'destroy', file: string, outDir: string, lab: string, standIns: boolean): Promise<void> {
  // The synthesized stack (and its .terraform, which remembers the state path) in the test's own
  // directory: cdktf's default, cdktf.out in the checkout, kept a stale backend from the last run.
  const synthDir = join(outDir, 'cdktf.out');
  const env = { ...process.env, MSM_KIT_CONFIG: file, MSM_KIT_OUT: outDir, MSM_KIT_STAND_INS: standIns ? '1' : '0', CDKTF_OUTDIR: synthDir, CHECKPOINT_DISABLE: '1' };
  say(lab, `npx cdktf ${verb} --auto-approve --output ${synthDir} (MSM_KIT_CONFIG=${file})`);
  try {
    await run('npx', ['--no-install', 'cdktf', verb, '--auto-approve', '--skip-provider-lock', '--output', synthDir], { cwd: ROOT, env, maxBuffer: 64 << 20, timeout: 10 * 60_000 });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`cdktf ${verb} failed: ${x.message}\n${(x.stdout ?? '').slice(-4000)}\n${(x.stderr ?? '').slice(-4000)}`);
  }
}

const drillsOn = process.env.MSM_KIT_E2E_DRILLS !== '0';

/** `<container name>=<id>` of every container of lab `name`, sorted. */
async function labContainerIds(name: string): Promise<string[]> {
  const out = await docker('ps', '-a', '--no-trunc', '--filter', `label=msm-kit.lab=${name}`, '--format', '{{.Names}}={{.ID}}');
  return out.split('\n').filter(Boolean).sort();
}

export function kitLabSuite(spec: KitLabSpec): void {
  if (!drillsOn) process.stderr.write(`!!! SKIPPED: the drills of ${spec.example} (MSM_KIT_E2E_DRILLS=0): not counted as passed\n`);
  describe(`${spec.example} as ${spec.name}`, () => {
    const slot = new LabSlot(spec.name);
    const file = slot.work.write(`${spec.name}.json`, isolate(readExample(spec.example), spec));
    const logged: string[] = [];
    const up = () => slot.lab;
    const cli = spec.route === 'cdktf-cli';
    const outDir = join(slot.work.path, 'out');
    let standIns = false;

    if (cli)
      it("cdktf deploy (the cdktf CLI) brings it up; the library's up then takes it over and replaces nothing", async () => {
        // The images first, as the CLI's `images` does (stand-ins where no registry has them); cdktf deploys what MSM_KIT_STAND_INS says.
        standIns = (await ensureImages(loadConfig(file), 'auto', (l) => say(spec.name, l))).standIns;
        await cdktf('deploy', file, outDir, spec.name, standIns);
        const before = await labContainerIds(spec.name);
        expect(before.length, 'containers of the lab after cdktf deploy').toBeGreaterThan(4);
        const lab = await slot.up(file, { outDir, onLog: (l) => logged.push(l) });
        expect(lab.resolved.tomcats.length).toBeGreaterThan(1);
        // The same stack in the same directory: the takeover plans nothing, no container is replaced.
        expect(await labContainerIds(spec.name), 'container ids after the library took over (a change means the two routes synthesize different stacks)').toEqual(before);
      });
    else
      it('comes up, the versions read inside every Tomcat', async () => {
        const lab = await slot.up(file, { onLog: (l) => logged.push(l) });
        expect(lab.applied).not.toBe('unchanged');
        expect(logged.filter((l) => l.startsWith('[versions] ')).length, 'a [versions] line per Tomcat').toBe(lab.resolved.tomcats.length);
      });

    it('verify: 20 requests keep one session, the counter rising by one', async () => {
      const r = await up().verify({ requests: 20 });
      expect(r.ok, r.verdict).toBe(true);
      expect(r.views.map((v) => v.counter)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
    });

    it('verify --failover: the session survives the serving Tomcat stopped', async () => {
      const { result: r, first } = await up().verifyFailoverOrRetry(12);
      if (first) say(spec.name, `!!! the first run lost the update answered right before the stop and was run again: ${first.verdict}`);
      expect(r.ok, r.verdict).toBe(true);
    });

    const cfg = readExample(spec.example);
    // msm's own stop closed the client under its running asynchronous backups: 7 of 8 such sessions were lost (Manager 1.1.0).
    if (cfg.manager.sessionBackupAsync !== false)
      it('a Tomcat stopped right after a session\'s first response: the session goes on elsewhere with its data (3 times; asynchronous backups)', async () => {
        const l = up();
        for (let round = 1; round <= 3; round++) {
          const r = await l.verify({ requests: 2, failover: true });
          expect(r.ok, `round ${round}: ${r.verdict}`).toBe(true);
          await l.settle();
        }
      });
    if (cfg.manager.sticky !== true && (cfg.memcached?.nodes.length ?? 0) > 1 && !usesSasl(cfg.manager))
      it('the backup copy is current the moment each response arrives: 40 requests, primary and backup copies identical every time', async () => {
        const r = await up().backupCopies(40);
        say(spec.name, `backup copies after each response: ${r.identical} identical, ${r.stale} stale, ${r.missing} missing of ${r.checked}`);
        expect(r).toEqual({ checked: 40, identical: 40, stale: 0, missing: 0 });
      });

    if (spec.redeploys) {
      it('up again with nothing changed skips terraform', async () => {
        const r = await up().apply(file);
        expect(r.applied).toBe('unchanged');
      });

      it('up again with a Tomcat stopped by hand applies and the lab answers through both Tomcats', async () => {
        const l = up();
        const stopped = l.resolved.tomcats[1].name;
        await docker('stop', stopped);
        const from = logged.length;
        const r = await l.apply(file);
        expect(r.applied, 'up applied again').not.toBe('unchanged');
        expect(logged.slice(from).some((x) => x.includes(`${stopped} is exited`)), `up said why it applied (${stopped} is exited)`).toBe(true);
        // nginx marked the stopped Tomcat failed on up's first request: its fail_timeout runs out first.
        await new Promise((r) => setTimeout(r, (l.resolved.loadBalancer.failTimeout + 1) * 1000));
        const v = await l.verify({ requests: 6 });
        expect(v.ok, v.verdict).toBe(true);
      });
    }

    const left = quick && spec.quickDrills ? spec.drills.filter((d) => !spec.quickDrills!.includes(d)) : [];
    if (left.length || (quick && spec.soak))
      process.stderr.write(`!!! QUICK: ${[...left, ...(spec.soak ? ['the soak'] : [])].join(', ')} of ${spec.example} not run (bash scripts/lab.sh test runs them); shown as skipped\n`);
    for (const d of left) it.skip(`drill ${d} (QUICK: not run)`, () => {});
    for (const d of quick && spec.quickDrills ? spec.quickDrills : spec.drills) {
      if (d === 'memcached-down-x3') {
        for (const k of [1, 2, 3])
          it.skipIf(!drillsOn)(`node death ${k}/3: drill memcached-down passes with no session lost at all`, async () => {
            const { report: r, first } = await up().drillOrRetry('memcached-down', { sessions: 20, durationS: 12 });
            if (first) say(spec.name, `!!! the first run failed narrowly and was run again:\n${first.summary}`);
            say(spec.name, `${r.requests} requests, sessions lost ${r.sessionsLost}, updates lost ${r.updatesLost} (${r.updatesLostAtStop} in flight at the measured instant), requests failed ${r.requestsFailed}`);
            expect(r.ok, r.summary).toBe(true);
            expect(r.sessionsLost, r.summary).toBe(0);
          });
        continue;
      }
      if (d === IDLE_SCENARIO) {
        it.skipIf(!drillsOn)(`drill ${IDLE_SCENARIO}: 20 idle sessions carry on across a memcached node's restart (it comes back empty)`, async () => {
          const l = up();
          const node = l.resolved.memcacheds[0].name;
          const r = await idleSessionsAcross(l.resolved.probeUrl, () => restartStoreNode(l.resolved, node), { sessions: 20, nodeId: l.resolved.memcacheds[0].id, log: (x) => say(spec.name, x) });
          expect(r.lost, `sessions lost across ${node}'s restart`).toEqual([]);
          expect(r.kept).toBe(20);
        });
        continue;
      }
      const load = d === 'cold-start' ? { sessions: 40, durationS: 30 } : { sessions: 20, durationS: 12 };
      it.skipIf(!drillsOn)(`drill ${d}: ${load.sessions} sessions for ${load.durationS} s pass`, async () => {
        const { report: r, first } = await up().drillOrRetry(d, load);
        if (first) say(spec.name, `!!! the first run failed narrowly and was run again:\n${first.summary}`);
        say(spec.name, r.summary);
        expect(r.requests).toBeGreaterThan(100);
        expect(r.ok, r.summary).toBe(true);
      });
    }

    if (spec.soak)
      it.skipIf(!drillsOn || quick)('soak: 100 sessions (1 s think time) for 60 s, a memcached and a Tomcat killed and started, nothing lost after the instant', async (ctx) => {
        const code = await new Promise<number>((resolveCode) => {
          const child = execFile(process.execPath, [join(ROOT, 'scripts', 'soak.js'), '--config', file, '--sessions', '100', '--duration', '60', '--think', '1000'], { cwd: ROOT, maxBuffer: 64 << 20 });
          child.stdout?.on('data', (d: Buffer) => process.stderr.write(d));
          child.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
          child.on('close', (c) => resolveCode(c ?? 1));
        });
        if (code === 3) {
          say(spec.name, '!!! soak INCONCLUSIVE: losses only where msm\'s memcached operations timed out (overloaded machine); figures above; shown as skipped, not passed');
          ctx.skip();
        }
        expect(code, 'soak.js exit code (0 passes; its figures are above)').toBe(0);
      });

    if (cli)
      it('cdktf destroy leaves no container or network of the lab', async () => {
        await cdktf('destroy', file, outDir, spec.name, standIns);
        expect(await leftovers(spec.name)).toEqual([]);
        await slot.down();
      });
    else
      it('down leaves no container or network of the lab', async () => {
        await slot.down();
      });
  });
}
