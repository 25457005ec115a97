/**
 * The end-to-end harness's lab driver: deploys, verifies, drills and tears down a real
 * lab through the kit's library (the same calls the CLI makes), with typed results.
 * Scenarios (`test/e2e/*.e2e.ts`, run by `npm run test:e2e:ts`, vitest.e2e.config.ts)
 * use it instead of grepping printed text.
 *
 * Every lab a scenario starts has its own name, ports and subnet, so two scenarios can
 * run side by side; `Lab.down` always runs (afterAll), and `leftovers` says what of a lab
 * is still on the engine.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect } from 'vitest';
import { configWarnings } from '../../src/config/advice';
import { loadConfig } from '../../src/config/load';
import type { ResolvedLab } from '../../src/config/resolve';
import type { LabConfig } from '../../src/config/schema';
import { MSM_BACKUP_KEY_PREFIX } from '../../src/config/msm';
import { usesSasl } from '../../src/config/secrets';
import { TLS_CERT_FILE, TLS_SUBDIR } from '../../src/config/tls';
import { webappServing } from '../../src/config/webapps';
import { ConfigError, type ConfigProblem } from '../../src/errors';
import { containerLog, docker, dockerCli, waitHealthy } from '../../src/lab/docker';
import { runDrill, type DrillOptions, type DrillReport, type Scenario } from '../../src/lab/drill';
import { settleLab } from '../../src/lab/settle';
import { SessionClient, setHttpsTrust, waitAnswering } from '../../src/lab/http';
import { ensureImages } from '../../src/lab/images';
import { appliedLine, downLab, upLab, type UpResult } from '../../src/lab/up';
import { failoverStopAfter, verifyLab, type VerifyResult } from '../../src/lab/verify';

export const ROOT = resolve(__dirname, '..', '..');
const run = promisify(execFile);

/** A line of the harness's own output: `[e2e <lab>] …` on stderr (vitest shows it live). */
export const say = (lab: string, line: string): void => void process.stderr.write(`[e2e ${lab}] ${line}\n`);

/** A scratch directory for a scenario's configs and files, removed by `dispose`. */
export class Workdir {
  readonly path = mkdtempSync(join(tmpdir(), 'msm-kit-e2e-'));
  /** Writes `name` (JSON when not a string) and returns its absolute path. */
  write(name: string, content: unknown): string {
    const file = join(this.path, name);
    writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
    return file;
  }
  dispose(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** The problems a config file is refused with; throws when it is accepted (a test that cannot pass by accident). */
export function refusal(file: string): ConfigProblem[] {
  try {
    loadConfig(file);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error(`${file} was accepted, but should have been refused`);
}

/** What the CLI prints and exits with (for the checks that are about the CLI itself: exit codes, no stack traces). */
export async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin', 'msm-kit.js'), ...args], { cwd: ROOT, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

/** Containers and networks of lab `name` on the engine (label msm-kit.lab). */
export async function leftovers(name: string): Promise<string[]> {
  const containers = (await docker('ps', '-a', '--filter', `label=msm-kit.lab=${name}`, '--format', 'container {{.Names}}')).trim();
  const networks = (await docker('network', 'ls', '--filter', `label=msm-kit.lab=${name}`, '--format', 'network {{.Name}}')).trim();
  return [...containers.split('\n'), ...networks.split('\n')].filter(Boolean);
}

/** A lab config as JSON (what a scenario writes). */
export type ConfigJson = Record<string, unknown> & {
  name: string;
  tomcat: { nodes: Array<Record<string, unknown>> } & Record<string, unknown>;
  memcached?: { nodes: Array<{ id: string } & Record<string, unknown>> } & Record<string, unknown>;
  redis?: Record<string, unknown>;
  manager: Record<string, unknown>;
  loadBalancer?: Record<string, unknown>;
};

/** A repository config file (e.g. examples/sticky.json) as JSON, without its $schema. */
export function readExample(path: string): ConfigJson {
  const { $schema: _schema, ...c } = JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as ConfigJson & { $schema?: string };
  return c;
}

/** Whether a (sticky) failover verify failed only by the update answered right before the stop (see Lab.verifyFailoverOrRetry). */
export function lostOnlyTheStopUpdate(r: VerifyResult, requests: number): boolean {
  const stopAfter = failoverStopAfter(requests);
  const v = r.views;
  if (v.length !== requests || v.some((x) => x.status !== 200 || x.counter === undefined || x.session === undefined)) return false;
  if (new Set(v.map((x) => x.session!.split(/[-.]/)[0])).size !== 1) return false;
  const c = v.map((x) => x.counter!);
  const risesBy1 = (from: number, to: number) => c.slice(from, to).every((n, i) => i === 0 || n === c[from + i - 1] + 1);
  return c[0] === 1 && risesBy1(0, stopAfter) && c[stopAfter] === c[stopAfter - 1] && risesBy1(stopAfter, requests);
}

/**
 * Whether a failed drill failed only in one of the two known rare ways the e2e retries once
 * (the reason, said loudly), or undefined when it must fail at once:
 * - 1 to `rare` failed requests, no session lost, no update lost after the failover instant: a
 *   Tomcat (9 and 11 seen) being stopped has answered one request with "HTTP Status 400 – Bad
 *   Request" right at the stop, about once in 30 tomcat-down drills (cause not found yet);
 * - non-sticky memcached-down: exactly one update lost after the instant, nothing else (no failed
 *   request, no session lost): the open race of docs/modes.md, seen once in CI with the kit's
 *   Manager 1.4.0 (a repeated counter 0.441 s after the death) and not reproduced in 73 drills
 *   here, two labs drilling side by side.
 */
export function narrowDrillFailure(r: Pick<DrillReport, 'requestsFailed' | 'sessionsLost' | 'updatesLost' | 'updatesLostAtStop'>, scenario: Scenario, sticky: boolean, rare = 2): string | undefined {
  const lostAfter = r.updatesLost - r.updatesLostAtStop;
  if (r.sessionsLost !== 0) return undefined;
  if (r.requestsFailed >= 1 && r.requestsFailed <= rare && lostAfter === 0) return `${r.requestsFailed} failed request(s), no session or update lost after the failover instant`;
  if (!sticky && scenario === 'memcached-down' && r.requestsFailed === 0 && lostAfter === 1)
    return 'exactly one update lost after the failover instant and nothing else: the open race of docs/modes.md';
  return undefined;
}

/**
 * The same lab under its own name, container names, port and subnet, so that it can run
 * beside any other: Tomcats `<name>-tomcat<i>` (jvmRoutes kept), memcached nodes
 * `<name>-memcached<i>` (ids kept), Redis `<name>-redis`, nginx `<name>-nginx` on `port`.
 */
export function isolate(c: ConfigJson, at: { name: string; port: number; subnet: string }): ConfigJson {
  const { name } = at;
  return {
    ...c,
    name,
    tomcat: { ...c.tomcat, nodes: c.tomcat.nodes.map((n, i) => ({ ...n, name: `${name}-tomcat${i + 1}` })) },
    ...(c.memcached ? { memcached: { ...c.memcached, nodes: c.memcached.nodes.map((n, i) => ({ ...n, name: `${name}-memcached${i + 1}` })) } } : {}),
    ...(c.redis ? { redis: { ...c.redis, name: `${name}-redis` } } : {}),
    loadBalancer: { ...c.loadBalancer, name: `${name}-nginx`, port: at.port },
    network: { ...(c.network as Record<string, unknown> | undefined), subnet: at.subnet },
  };
}

/**
 * The one lab a describe block deploys, and its scratch directory: `up` deploys it,
 * `lab` is it (failing the test, naming the first test, when that up failed), `down`
 * destroys it and checks that nothing of it is left; after the block it is destroyed
 * whatever happened (afterAll).
 */
export class LabSlot {
  readonly work = new Workdir();
  private current?: Lab;

  constructor(readonly name: string) {
    afterAll(async () => {
      const l = this.current;
      this.current = undefined;
      try {
        await l?.down();
      } finally {
        this.work.dispose();
      }
    });
  }

  /** Deploys `file` (Lab.up) as this slot's lab. */
  async up(file: string, opts: LabOptions = {}): Promise<Lab> {
    this.current = await Lab.up(file, opts);
    return this.current;
  }

  /** The deployed lab. */
  get lab(): Lab {
    expect(this.current, `${this.name} is up (the first test deploys it)`).toBeDefined();
    return this.current!;
  }

  /** `down`, then: no container or network of the lab is left. */
  async down(): Promise<void> {
    const l = this.lab;
    this.current = undefined;
    await l.down();
    expect(await leftovers(this.name)).toEqual([]);
  }
}

export interface LabOptions {
  /** Where the lab's synth output and state go. @default out/e2e-ts/<lab name> */
  readonly outDir?: string;
  /** Also gets every line the kit logs for this lab (up, verify, drills, down), e.g. to check what it printed. @default none */
  readonly onLog?: (line: string) => void;
}

/** A lab deployed by a scenario. */
export class Lab {
  /** Deploys `file` as `msm-kit up` does: images (stand-ins when no registry answers), synth, apply, the first answer. */
  static async up(file: string, opts: LabOptions = {}): Promise<Lab> {
    const config = loadConfig(file);
    const outDir = opts.outDir ?? join(ROOT, 'out', 'e2e-ts', config.name);
    const log = (l: string) => {
      say(config.name, l);
      opts.onLog?.(l);
    };
    // As the CLI's up prints them (src/cli/options.ts warn).
    for (const w of configWarnings(config)) log(`${file}: warning: ${w.path}: ${w.message}`);
    const { standIns } = await ensureImages(config, 'auto', log);
    const lab = new Lab(file, config, outDir, standIns, log);
    try {
      lab.last = await upLab(config, { outDir, standIns, log });
      lab.trustLabCertificate();
      await waitAnswering(lab.page(lab.resolved.probeUrl));
    } catch (e) {
      // Whatever was made goes: a failed up leaves nothing for the next scenario to trip on.
      await lab.down().catch((d: Error) => log(`!!! down after the failed up failed too: ${d.message}`));
      throw e;
    }
    return lab;
  }

  private last?: UpResult;

  private constructor(
    private file_: string,
    private config_: LabConfig,
    readonly outDir: string,
    readonly standIns: boolean,
    private readonly log: (line: string) => void,
  ) {}

  /** The config file of the last `up` (Lab.up or apply). */
  get file(): string {
    return this.file_;
  }
  get config(): LabConfig {
    return this.config_;
  }

  /** How the last `up` applied its change (unchanged, at once, rolling). */
  get applied(): UpResult['applied'] {
    if (!this.last) throw new Error(`${this.config.name} is not up`);
    return this.last.applied;
  }

  /** `msm-kit up` again with another config of the same lab (a change to a running lab: rolling unless `allAtOnce`). */
  async apply(file: string, opts: { allAtOnce?: boolean } = {}): Promise<UpResult> {
    const config = loadConfig(file);
    for (const w of configWarnings(config)) this.log(`${file}: warning: ${w.path}: ${w.message}`);
    if (config.name !== this.config.name) throw new Error(`${file} is lab ${config.name}, not ${this.config.name}`);
    this.last = await upLab(config, { outDir: this.outDir, standIns: this.standIns, allAtOnce: opts.allAtOnce, log: this.log });
    this.file_ = file;
    this.config_ = config;
    this.trustLabCertificate();
    await waitAnswering(this.page(this.resolved.probeUrl));
    return this.last;
  }

  /**
   * A self-signed lab's certificate (written by up under the out directory) is what every
   * client of this process trusts from now on, as verify and drill do by default.
   */
  private trustLabCertificate(): void {
    if (this.resolved.loadBalancer.tls !== 'self-signed') return;
    setHttpsTrust({ ca: [readFileSync(this.certificatePath, 'utf8')] });
  }

  /** Where up wrote a self-signed lab's certificate. */
  get certificatePath(): string {
    return join(this.outDir, TLS_SUBDIR, TLS_CERT_FILE);
  }

  /** `docker exec CONTAINER ARGS…` (a container of this lab), its stdout. */
  async exec(container: string, ...args: string[]): Promise<string> {
    return docker('exec', container, ...args);
  }

  /** Restarts every Tomcat of the lab and waits until each is healthy again. */
  async restartTomcats(): Promise<void> {
    const names = this.resolved.tomcats.map((t) => t.name);
    await docker('restart', ...names);
    await Promise.all(names.map((n) => waitHealthy(n)));
  }

  /** The lab as the kit resolved it at the last `up`. */
  get resolved(): ResolvedLab {
    if (!this.last) throw new Error(`${this.config.name} is not up`);
    return this.last.synth.lab;
  }

  /** A URL of the lab under the base `up` answered on (a path, or a lab URL's path). */
  page(pathOrUrl: string): string {
    const path = pathOrUrl.startsWith('/') ? pathOrUrl : new URL(pathOrUrl).pathname;
    return new URL(path, this.last?.base ?? this.resolved.url).href;
  }

  /** `msm-kit verify [--path P]`: N requests with one cookie jar, typed. */
  async verify(opts: { path?: string; requests?: number; failover?: boolean } = {}): Promise<VerifyResult & { sampleApp: boolean }> {
    const lab = this.resolved;
    const sampleApp = opts.path === undefined || webappServing(opts.path, lab.webapps.map((w) => w.contextPath)) === lab.sampleWebapp.contextPath;
    const url = this.page(opts.path ?? lab.probeUrl);
    const r = await verifyLab({
      url,
      requests: opts.requests ?? 10,
      sticky: lab.sticky,
      failover: opts.failover,
      docker: dockerCli,
      expect: sampleApp ? { tomcat: lab.tomcatVersion, java: lab.javaVersion } : undefined,
      sampleApp,
      sasl: usesSasl(lab.manager),
      log: this.log,
    });
    this.log(r.verdict);
    return { ...r, sampleApp };
  }

  /** Waits until every container is healthy and every Tomcat answers through nginx (what a drill does first). */
  async settle(): Promise<void> {
    await settleLab(this.resolved, { log: this.log });
  }

  /** `msm-kit drill SCENARIO`, typed. */
  async drill(scenario: Scenario, opts: Omit<DrillOptions, 'scenario' | 'log'> = {}): Promise<DrillReport> {
    const since = new Date().toISOString();
    const report = await runDrill(this.resolved, { ...opts, scenario, log: this.log });
    if (!report.ok) await this.printMsmLines(since);
    return report;
  }

  /**
   * After a failed drill: what msm and the kit's Manager said in the Tomcats' logs since
   * `since` (their warnings, failovers and the kit's own lines), so that a rare failure in CI
   * can be read from its output. At most `max` lines per Tomcat.
   */
  private async printMsmLines(since: string, max = 40): Promise<void> {
    const interesting = /msm-kit:|relocat|Could not|backup|WARN|SEVERE|Exception/;
    for (const t of this.resolved.tomcats) {
      const lines = (await containerLog(t.name, since).catch((e: Error) => `(no log: ${e.message})`)).split('\n').filter((l) => interesting.test(l));
      this.log(`${t.name}: ${lines.length} msm line(s) in its log during the failed drill${lines.length > max ? ` (the first ${max})` : ''}`);
      for (const l of lines.slice(0, max)) this.log(`  ${t.name}| ${l.slice(0, 400)}`);
    }
  }

  /**
   * `msm-kit drill rolling --to FILE`: sessions run while `up` applies FILE (another config
   * of this lab) to it, rolling unless `allAtOnce`; typed. The lab is FILE's afterwards.
   */
  async rollTo(file: string, opts: { sessions?: number; durationS?: number; allAtOnce?: boolean } = {}): Promise<DrillReport> {
    const before = this.resolved;
    return runDrill(before, {
      scenario: 'rolling',
      sessions: opts.sessions,
      durationS: opts.durationS,
      log: this.log,
      change: {
        verb: `up --config ${file}${opts.allAtOnce ? ' --all-at-once' : ''}`,
        run: async () => {
          const up = await this.apply(file, { allAtOnce: opts.allAtOnce });
          return { line: appliedLine(up), deaths: up.storeDeaths };
        },
      },
    });
  }

  /** The directory of the lab's synthesized Terraform stack (as of the last up). */
  get stackDir(): string {
    if (!this.last) throw new Error(`${this.config.name} is not up`);
    return this.last.synth.stackDir;
  }

  /**
   * `verify --failover` (12 requests) that must pass, with one narrow allowance in a sticky lab,
   * printed loudly with `!!!`: the known open race of docs/modes.md, where the update of the last request
   * answered before the stop is missing on the other Tomcat (request 7 sees request 6's counter;
   * every answer a 200, one session, every later request rising by one). It was seen in CI on
   * Tomcat 10.1 and 11 sticky and reproduced 1 time in 11 on a Tomcat 10.1 sticky lab; its cause
   * is not found yet. Then the Tomcat is settled and verify runs once more: that run must pass.
   * Any other failure, or this one twice, fails at once.
   */
  async verifyFailoverOrRetry(requests = 12): Promise<{ result: VerifyResult; first?: VerifyResult }> {
    const first = await this.verify({ requests, failover: true });
    // Sticky only: non-sticky mode writes the backup in the request and promises no lost update.
    if (first.ok || !this.resolved.sticky || !lostOnlyTheStopUpdate(first, requests)) return { result: first };
    this.log(`!!! verify --failover lost exactly the update answered right before the stop (the open race in docs/modes.md): ${first.verdict}; running it once more (it must pass)`);
    await this.settle();
    return { result: await this.verify({ requests, failover: true }), first };
  }

  /**
   * A drill that must pass, with two narrow allowances (see {@link narrowDrillFailure}): the
   * failure is printed loudly (kept in `first`) and the drill runs once more; that run must
   * pass. Anything bigger fails at once.
   */
  async drillOrRetry(scenario: Scenario, opts: Omit<DrillOptions, 'scenario' | 'log'> = {}, rare = 2): Promise<{ report: DrillReport; first?: DrillReport }> {
    const first = await this.drill(scenario, opts);
    const why = first.ok ? undefined : narrowDrillFailure(first, scenario, this.resolved.sticky, rare);
    if (!why) return { report: first };
    this.log(`!!! drill ${scenario} FAILED narrowly (${why}): ${first.problems.join(' | ')}; running it once more (it must pass)`);
    return { report: await this.drill(scenario, opts), first };
  }

  /**
   * Whether a non-sticky session's backup copy is current the moment a response arrives: one
   * session, `requests` requests through nginx; after each, its primary copy (key: the session
   * id, on the node the id names) and its backup copy (`bak:<id>`, on the next node) are read
   * straight from memcached (the memcached text protocol, to the containers' addresses) and
   * compared byte for byte. A copy msm writes after the response can still be the previous
   * request's there.
   */
  async backupCopies(requests: number): Promise<{ checked: number; identical: number; stale: number; missing: number }> {
    const lab = this.resolved;
    const nodes = lab.memcacheds;
    if (lab.sticky || nodes.length < 2) throw new Error(`${lab.name}: backup copies are non-sticky with two or more memcached nodes`);
    const client = new SessionClient(this.page(lab.probeUrl), 30_000);
    const r = { checked: 0, identical: 0, stale: 0, missing: 0 };
    for (let i = 0; i < requests; i++) {
      const v = await client.get();
      if (v.status !== 200 || !v.session) throw new Error(`${lab.name}: request ${i + 1} got ${v.status} ${v.error ?? ''}`);
      const at = nodes.findIndex((n) => v.session!.endsWith(`-${n.id}`));
      if (at < 0) throw new Error(`${lab.name}: session id ${v.session} names no memcached node (${nodes.map((n) => n.id).join(', ')})`);
      const next = nodes[(at + 1) % nodes.length];
      const [primary, backup] = await Promise.all([memcachedGet(nodes[at].ip, nodes[at].port, v.session), memcachedGet(next.ip, next.port, `${MSM_BACKUP_KEY_PREFIX}${v.session}`)]);
      r.checked++;
      if (!primary || !backup) r.missing++;
      else if (primary.equals(backup)) r.identical++;
      else r.stale++;
    }
    return r;
  }

  /** `msm-kit down`: destroys what `up` made (state, containers, network); images stay. */
  async down(): Promise<void> {
    await downLab(this.config, { outDir: this.outDir, standIns: this.standIns, log: this.log });
  }
}

/** The value of `key` on the memcached at host:port (text protocol `get`), or undefined when it has none. */
export function memcachedGet(host: string, port: number, key: string, timeoutMs = 5000): Promise<Buffer | undefined> {
  return new Promise((resolveValue, reject) => {
    const socket = connect({ host, port });
    let got = Buffer.alloc(0);
    const fail = (e: Error) => {
      socket.destroy();
      reject(new Error(`memcached get ${key} from ${host}:${port}: ${e.message}`));
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer in ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('connect', () => socket.write(`get ${key}\r\n`));
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.toString('latin1', 0, 5) === 'END\r\n') {
        socket.end();
        return resolveValue(undefined);
      }
      const eol = got.indexOf('\r\n');
      if (eol < 0) return;
      const head = got.toString('latin1', 0, eol).split(' ');
      if (head[0] !== 'VALUE') return fail(new Error(`unexpected answer: ${head.join(' ')}`));
      const bytes = Number(head[3]);
      const start = eol + 2;
      if (got.length < start + bytes + 7) return; // data, \r\n, END\r\n
      socket.end();
      resolveValue(got.subarray(start, start + bytes));
    });
  });
}
