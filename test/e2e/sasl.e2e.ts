/**
 * SASL (issue 12): examples/sasl.json (memcachedProtocol binary + username/password) on
 * the SASL memcached stand-in.
 *   1. up; no synthesized file under the lab's out directory (the Terraform state and the
 *      provider cache aside: the state holds the sensitive variable by design, docs/config.md,
 *      Secrets) and no line the kit logged holds the password;
 *   2. verify passes: msm authenticated to memcached, the session shared;
 *   3. a wrong password: the memcached users get another one and the Tomcats restart
 *      (spymemcached logs in when it connects): verify must fail and say
 *      "sessions are not stored: check the memcached username/password (SASL)";
 *   4. down leaves no container or network of the lab.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import { cli, LabSlot, ROOT } from './driver';

const FILE = join(ROOT, 'examples', 'sasl.json');

/** Files under `dir` whose bytes contain `needle`, skipping the directories named in `skip`. */
function filesHolding(dir: string, needle: string, skip: readonly string[]): string[] {
  const hits: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip.includes(e.name)) hits.push(...filesHolding(p, needle, skip));
    } else if (e.isFile() && readFileSync(p).includes(needle)) hits.push(p);
  }
  return hits;
}

describe('SASL: msm logs in to memcached with a username and password', () => {
  const config = loadConfig(FILE);
  const { username, password } = config.manager;
  const logged: string[] = [];
  const slot = new LabSlot(config.name);
  const up = () => slot.lab;

  it('the example sets a username and a password (else this scenario proves nothing)', () => {
    expect(username).toBeTruthy();
    expect(password && password.length).toBeGreaterThan(7);
  });

  it('comes up; no synthesized file and no logged line holds the password', async () => {
    const lab = await slot.up(FILE, { onLog: (l) => logged.push(l) });
    expect(logged.length, 'the kit logged its up').toBeGreaterThan(10);
    expect(filesHolding(lab.outDir, password!, ['state', '.terraform']), 'files with the password in clear').toEqual([]);
    // The check can fail: the state holds the password (the sensitive variable), so a search that skips nothing finds it.
    expect(filesHolding(lab.outDir, password!, []).length, 'the state holds the sensitive variable').toBeGreaterThan(0);
    expect(logged.filter((l) => l.includes(password!))).toEqual([]);
  });

  it('verify passes with the right password: sessions are stored and shared', async () => {
    const r = await up().verify({ requests: 10 });
    expect(r.ok, r.verdict).toBe(true);
    expect(new Set(r.views.map((v) => v.node)).size).toBe(2);
  });

  it('monitoring without a memcached exporter (it has no SASL): status shows the Tomcats, no store, and says why', async () => {
    const l = up();
    expect(l.resolved.monitoring?.storeExporter, 'a SASL lab runs no memcached exporter').toBeUndefined();
    const r = await cli(['status', '--config', FILE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { tomcats: { node: string; up: boolean }[]; stores: unknown[]; notes: string[] };
    expect(s.stores).toEqual([]);
    expect(s.notes.join(' ')).toMatch(/SASL/);
    expect(s.tomcats.map((t) => t.node)).toEqual(l.resolved.tomcats.map((t) => t.name));
    expect(r.stdout.includes(password!), 'the password in the status output').toBe(false);
  });

  it('verify fails with the SASL hint once memcached knows another password', async () => {
    const l = up();
    for (const m of l.resolved.memcacheds)
      await l.exec(m.name, 'sh', '-c', 'printf %s "msm-kit-e2e-wrong-$$" | saslpasswd2 -p -a memcached -f /tmp/sasl2/sasldb2 "$1"', 'sh', username!);
    await l.restartTomcats();
    const r = await l.verify({ requests: 6 });
    expect(r.ok).toBe(false);
    expect(r.verdict).toMatch(/^FAIL: sessions are not stored: check the memcached username\/password \(SASL\)/);
    expect(logged.filter((x) => x.includes(password!))).toEqual([]);
  });

  it('down leaves no container or network of the lab', async () => {
    await slot.down();
  });
});
