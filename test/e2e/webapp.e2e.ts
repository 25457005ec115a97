/**
 * Your own webapp on a real lab (issues 9 and 27): the test shop (test/fixtures/shop,
 * built from source: javac --release 8 + jar) alone in `webapps`, the kit adding its
 * sample app at /msm-kit by itself, on a two-Tomcat non-sticky lab.
 *   1. bad webapps are refused before anything is built, naming the field and the fix;
 *   2. up with the shop alone; the user's WAR is unchanged; the page up names answers;
 *   3. the cart (a Serializable graph: list + map) grows by one item per request while
 *      nginx's X-Msm-Kit-Node header shows both Tomcats answering;
 *   4. verify on the shop (session identity) and on the kit's probe (counter) pass;
 *   5. down leaves no container or network of the lab.
 * Env: WA_PORT (18090), WA_SUBNET (172.28.61.0/24).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KIT_PROBE_CONTEXT, NODE_HEADER, SAMPLE_WEBAPP_SOURCE } from '../../src/config/layout';
import { cli, LabSlot, leftovers, refusal, ROOT, say } from './driver';

const NAME = 'wa-shop';
const PORT = Number(process.env.WA_PORT ?? 18090);
const SUBNET = process.env.WA_SUBNET ?? '172.28.61.0/24';
const SAMPLE = { contextPath: KIT_PROBE_CONTEXT, source: SAMPLE_WEBAPP_SOURCE };

const labConfig = (webapps: unknown[]) => ({
  name: NAME,
  tomcat: { version: '9', javaVersion: 17, nodes: [{ name: 'wa-tomcat1' }, { name: 'wa-tomcat2' }] },
  memcached: { nodes: [{ id: 'n1', name: 'wa-memcached1' }, { id: 'n2', name: 'wa-memcached2' }] },
  manager: { sticky: false, sessionBackupAsync: false, sessionBackupTimeout: 2000, operationTimeout: 2000, lockingMode: 'auto' },
  loadBalancer: { name: 'wa-nginx', port: PORT },
  network: { subnet: SUBNET },
  webapps,
});

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('your own webapp (the test shop) on a real lab', () => {
  const slot = new LabSlot(NAME);
  const work = slot.work;
  const war = join(work.path, 'shop.war');

  beforeAll(() => {
    execFileSync('bash', [join(ROOT, 'test', 'fixtures', 'shop', 'build.sh'), war], { stdio: ['ignore', 'ignore', 'inherit'] });
    mkdirSync(join(work.path, 'bad', 'new', 'WEB-INF', 'classes', 'x'), { recursive: true });
    mkdirSync(join(work.path, 'bad', 'msm', 'WEB-INF', 'lib'), { recursive: true });
    // Class file version 65: Java 21, on a Java 17 lab.
    writeFileSync(join(work.path, 'bad', 'new', 'WEB-INF', 'classes', 'x', 'New.class'), Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x41]));
    writeFileSync(join(work.path, 'bad', 'msm', 'WEB-INF', 'lib', 'memcached-session-manager-2.3.2.jar'), 'x\n');
    writeFileSync(join(work.path, 'notzip.war'), 'not a zip\n');
  });

  const bad: Array<{ entries: unknown[]; path: string; says: string }> = [
    { entries: [SAMPLE, { contextPath: '/shop', source: 'missing.war' }], path: 'webapps[1].source', says: 'no such file' },
    { entries: [SAMPLE, { contextPath: '/shop', source: 'notzip.war' }], path: 'webapps[1].source', says: 'not a WAR' },
    { entries: [SAMPLE, { contextPath: '/shop', source: 'bad/new' }], path: 'webapps[1].source', says: 'WEB-INF/classes/x/New.class is compiled for Java 21' },
    { entries: [SAMPLE, { contextPath: '/shop', source: 'bad/msm' }], path: 'webapps[1].source', says: 'memcached-session-manager-2.3.2.jar' },
    { entries: [SAMPLE, { contextPath: KIT_PROBE_CONTEXT, source: 'shop.war' }], path: 'webapps[1].contextPath', says: 'already uses this context path' },
    { entries: [{ contextPath: KIT_PROBE_CONTEXT, source: 'shop.war' }], path: 'webapps[0].contextPath', says: 'where the kit puts its sample app' },
  ];
  for (const [i, c] of bad.entries()) {
    it(`refuses ${JSON.stringify(c.entries.at(-1))} at ${c.path}: "${c.says}", with a Fix`, () => {
      const problems = refusal(work.write(`bad-${i}.json`, labConfig(c.entries)));
      const hit = problems.find((p) => p.path === c.path);
      expect(hit, `problems: ${JSON.stringify(problems)}`).toBeDefined();
      expect(hit!.message).toContain(c.says);
      expect(hit!.message).toContain('Fix: ');
    });
  }

  it('msm-kit up refuses a bad webapp with exit 1, the field and the fix, no stack trace, nothing written or deployed', async () => {
    const out = join(work.path, 'out-bad');
    const r = await cli(['up', '--config', work.write('bad-cli.json', labConfig(bad[0].entries)), '--out', out, '--stand-ins']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad[0].path}: `);
    expect(r.stderr).toContain('Fix: ');
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(existsSync(join(out, 'tomcat-image'))).toBe(false);
    expect(await leftovers(NAME)).toEqual([]);
  });

  it('deploys the shop alone (the kit adds its probe at /msm-kit); the WAR is unchanged; the printed page answers', async () => {
    const before = sha256(war);
    const lab = await slot.up(work.write('lab.json', labConfig([{ contextPath: '/shop', source: 'shop.war' }])));
    expect(sha256(war)).toBe(before);
    expect(lab.resolved.webapps.map((w) => w.contextPath)).toEqual(['/shop', KIT_PROBE_CONTEXT]);
    expect(lab.resolved.appUrl).toBe(`http://127.0.0.1:${PORT}/shop/`);
    const page = await fetch(lab.resolved.appUrl);
    expect(page.status).toBe(200);
  });

  it("moves the cart between the Tomcats: one item more per request, both nodes answering, the app's own context.xml kept", async () => {
    const lab = slot.lab;
    let cookie = '';
    let first = '';
    let html = '';
    const nodes = new Set<string>();
    for (let i = 1; i <= 8; i++) {
      const r = await fetch(lab.page(`/shop/?add=item-${i % 3}`), { headers: cookie ? { cookie } : {} });
      cookie = r.headers.get('set-cookie')?.split(';')[0] ?? cookie;
      html = await r.text();
      const node = r.headers.get(NODE_HEADER) ?? '';
      const items = Number(/data-shop="items">(\d+)</.exec(html)?.[1]);
      const session = /data-shop="session">([^<]*)</.exec(html)?.[1] ?? '';
      say(NAME, `#${i} node=${node} items=${items} session=${session}`);
      expect(r.status).toBe(200);
      expect(items, `request ${i} on ${node}: the cart did not move`).toBe(i);
      expect(['wa-tomcat1', 'wa-tomcat2']).toContain(node);
      if (i === 1) first = session.split('-')[0];
      expect(session.split('-')[0], 'the session id changed').toBe(first);
      nodes.add(node);
    }
    expect(nodes.size, `only ${[...nodes]} answered`).toBe(2);
    expect(html, "the shop's own context.xml parameter").toContain('msm-kit test shop');
  });

  it('verify passes on the shop (session identity only) and on the kit probe (counter, versions)', async () => {
    const lab = slot.lab;
    const shop = await lab.verify({ path: '/shop/', requests: 10 });
    expect(shop.sampleApp).toBe(false);
    expect(shop.ok, shop.verdict).toBe(true);
    expect(shop.verdict).toContain('session identity only');
    const probe = await lab.verify({ requests: 10 });
    expect(probe.ok, probe.verdict).toBe(true);
    expect(probe.views.at(-1)?.counter).toBe(10);
    expect(new Set(probe.views.map((v) => v.node)).size).toBe(2);
  });

  it('down leaves no container or network of the lab', async () => {
    await slot.down();
  });
});
