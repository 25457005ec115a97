/**
 * Rolling changes (issue 23): changes applied by `up` to the default lab (lab.config.json,
 * isolated) while 20 sessions use it, each through `drill rolling` (the library's runDrill
 * with the change as `up` of the next config). Each change builds on the one before:
 *   1. Manager only (manager.operationTimeout): rolled, 0 failed requests, 0 sessions and 0 updates lost;
 *   2. JVM (tomcat.heapMb): the same;
 *   3. nginx's configuration only (loadBalancer.keepalive): a reload in the same nginx
 *      container (its id unchanged), the same gate;
 *   4. the store (memcached.threads: each memcached node replaced in turn): rolled, 0 failed,
 *      0 sessions lost; lost updates are reported, not gated (a replaced store node is a node
 *      death to msm: a write made as it died can miss its copy);
 *   5. afterwards `terraform plan -detailed-exitcode` plans nothing (exit 0): the state is true;
 *   6. down leaves nothing of the lab.
 * Env: RL_PORT (18173), RL_SUBNET (172.28.87.0/24); MSM_KIT_E2E_DRILLS=0 skips the changes (loudly).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { docker } from '../../src/lab/docker';
import type { DrillReport } from '../../src/lab/drill';
import { isolate, LabSlot, readExample, say, type ConfigJson } from './driver';

const NAME = 'e2e-rolling';
const drillsOn = process.env.MSM_KIT_E2E_DRILLS !== '0';

type Patch = { [k: string]: unknown };
/** `patch` deep-merged into a copy of `c` (objects merged, anything else replaced). */
function merged<T extends Record<string, unknown>>(c: T, patch: Patch): T {
  const out: Record<string, unknown> = { ...c };
  for (const [k, v] of Object.entries(patch))
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? merged((out[k] as Record<string, unknown> | undefined) ?? {}, v as Patch) : v;
  return out as T;
}

const line = (r: DrillReport) =>
  `${r.change}: ${r.requests} requests, failed ${r.requestsFailed}, longest time without an answer ${r.longestGapS.toFixed(2)} s, sessions lost ${r.sessionsLost}, updates lost ${r.updatesLost} (in flight when a replaced store node died: ${r.sessionsLostAtStop} / ${r.updatesLostAtStop})`;

if (!drillsOn) process.stderr.write('!!! SKIPPED: the rolling changes (MSM_KIT_E2E_DRILLS=0): not counted as passed\n');

describe.skipIf(!drillsOn)('rolling changes under load (the default lab, isolated)', () => {
  const slot = new LabSlot(NAME);
  const work = slot.work;
  let config: ConfigJson = isolate(readExample('lab.config.json'), { name: NAME, port: Number(process.env.RL_PORT ?? 18173), subnet: process.env.RL_SUBNET ?? '172.28.87.0/24' });
  const up = () => slot.lab;
  /** Applies `patch` on top of the current config under load; returns the report. */
  const roll = async (what: string, patch: Patch): Promise<DrillReport> => {
    config = merged(config, patch);
    const r = await up().rollTo(work.write(`rolling-${what}.json`, config), { sessions: 20, durationS: 6 });
    say(NAME, line(r));
    for (const n of r.notes) say(NAME, `note: ${n}`);
    expect(r.change, 'the change rolled (not at once, not unchanged)').toMatch(/^rolling apply/);
    return r;
  };

  it('comes up', async () => {
    await slot.up(work.write('lab.json', config));
  });

  it('a Manager-only change (manager.operationTimeout) rolls: 0 failed, 0 lost', async () => {
    const r = await roll('manager', { manager: { operationTimeout: 2500 } });
    expect(r.ok, r.summary).toBe(true);
  });

  it('a JVM change (tomcat.heapMb) rolls: 0 failed, 0 lost', async () => {
    const r = await roll('jvm', { tomcat: { heapMb: 320 } });
    expect(r.ok, r.summary).toBe(true);
  });

  it("an nginx-configuration-only change (loadBalancer.keepalive) is a reload: the same nginx container, 0 failed, 0 lost", async () => {
    const lb = up().resolved.loadBalancer.name;
    const before = (await docker('inspect', '--format', '{{.Id}}', lb)).trim();
    const r = await roll('nginx', { loadBalancer: { keepalive: 8 } });
    const after = (await docker('inspect', '--format', '{{.Id}}', lb)).trim();
    say(NAME, `nginx container before ${before.slice(0, 12)}, after ${after.slice(0, 12)}`);
    expect(after, 'nginx was replaced (a new container), not reloaded').toBe(before);
    expect(r.ok, r.summary).toBe(true);
  });

  it('a store change (memcached.threads: each node replaced in turn) rolls: 0 failed, 0 sessions lost (lost updates reported)', async () => {
    const r = await roll('store', { memcached: { threads: 8 } });
    expect(r.requestsFailed, r.summary).toBe(0);
    expect(r.sessionsLost, r.summary).toBe(0);
    if (r.updatesLost > 0)
      say(NAME, `!!! ${r.updatesLost} update(s) lost, REPORTED, NOT GATING: a store node replaced is a node death to msm, and its copy of a write made as the node died can be missing`);
  });

  it('afterwards terraform plans nothing (plan -detailed-exitcode exits 0): the state is true', async () => {
    const r = await promisify(execFile)('terraform', ['plan', '-detailed-exitcode', '-input=false', '-no-color'], { cwd: up().stackDir, maxBuffer: 64 << 20 }).then(
      () => 0,
      (e: { code?: number; stdout?: string }) => {
        say(NAME, e.stdout ?? '');
        return e.code ?? 1;
      },
    );
    expect(r, 'terraform plan: 0 = nothing to do, 2 = changes pending').toBe(0);
  });

  it('down leaves no container or network of the lab', async () => {
    await slot.down();
  });
});
