/** `drill`: a failure drill on a deployed lab. */
import { InvalidArgumentError, type Command } from 'commander';
import { webappServing } from '../../config/webapps';
import { UsageError } from '../../errors';
import { join } from 'node:path';
import { DEFAULT_OUT_DIR, REPORTS_SUBDIR } from '../../config/layout';
import { writePlot } from '../../lab/plot';
import { loadConfig } from '../../config/load';
import { runDrill, SCENARIOS, type DrillChange, type Scenario } from '../../lab/drill';
import { IDLE_SCENARIO } from '../../lab/idle';
import { applyHttpsTrust, configOption, httpsOptions, loadLab, log, positive, warn, type HttpsOpts } from '../options';

export function register(program: Command): void {
  httpsOptions(configOption(program.command('drill').description(`failure drill on a deployed lab: ${[...SCENARIOS, IDLE_SCENARIO].join(', ')}`), 'lab config of the deployed lab')
    .argument('<scenario>', [...SCENARIOS, IDLE_SCENARIO].join(' | '))
    .option('-k, --sessions <n>', 'concurrent client sessions', positive, 20)
    .option('-d, --duration <s>', 'seconds of traffic', positive, 12)
    .option('--node <name>', 'container to stop (default: the first of its kind)')
    .option('--path <path>', 'drive this path of the lab instead of the sample app (e.g. /shop/): session identity only, no counter')
    .option('--to <config>', 'rolling: the same lab with a change made; applied under load with up (rolling, or --all-at-once)')
    .option('--all-at-once', "rolling: apply the change as up --all-at-once does (today's fast path), to compare")
    .option('--stand-ins', "rolling: apply on the kit's offline stand-ins (as up --stand-ins)")
    .option('--json', 'print the report as JSON')
    .option('--plot <file>', 'write the plot of throughput, failures and latency over time here (SVG)', undefined)
    .option('--no-plot', 'write no plot'))
    .action(async (scenario: string, o: HttpsOpts & { config: string; sessions: number; duration: number; node?: string; path?: string; json?: boolean; plot?: string | false; to?: string; allAtOnce?: boolean; standIns?: boolean }) => {
      if (scenario === IDLE_SCENARIO) return idleDrill(o);
      if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new InvalidArgumentError(`unknown scenario "${scenario}". Use one of ${[...SCENARIOS, IDLE_SCENARIO].join(', ')}`);
      let lab = loadLab(o);
      applyHttpsTrust(o, lab);
      let chaos;
      if (lab.swarm) {
        // A Swarm lab: its URL is on nginx's host; failures are a killed task or a stopped host.
        const { swarmUrl } = await import('../../lab/swarm');
        const { swarmChaos } = await import('../../lab/swarm-drill');
        if (scenario === 'cold-start') throw new InvalidArgumentError('cold-start is not a Swarm drill. Use memcached-down, tomcat-down or restart');
        const base = await swarmUrl(lab);
        lab = { ...lab, url: base, probeUrl: new URL(new URL(lab.probeUrl).pathname, base).href };
        chaos = swarmChaos(lab, scenario as Scenario);
      }
      if (lab.kubernetes) {
        // A Kubernetes lab: failures are a Deployment scaled to 0, or a lost cluster node (restart).
        if (scenario === 'cold-start' || scenario === 'redis-down')
          throw new InvalidArgumentError(`${scenario} is not a Kubernetes drill yet. Use memcached-down, tomcat-down, restart (a lost cluster node) or rolling`);
        const { kubeChaos } = await import('../../lab/kube-drill');
        chaos = kubeChaos(lab, scenario as Scenario);
      }
      if (o.path !== undefined && !o.path.startsWith('/')) throw new UsageError(`--path ${JSON.stringify(o.path).slice(0, 80)}: not a path. Fix: start it with "/", e.g. --path /shop/`);
      const url = o.path === undefined ? undefined : new URL(o.path, lab.url).href;
      // Only the sample app has the counter; on any other app the drill checks session identity and says so.
      const identityOnly = o.path !== undefined && webappServing(o.path, lab.webapps.map((w) => w.contextPath)) !== lab.sampleWebapp.contextPath;
      if (identityOnly) log(`drill: ${url} is not the sample app: checking session identity only (no counter)`);
      let change: DrillChange | undefined;
      if (o.to !== undefined && scenario !== 'rolling') throw new UsageError(`--to is for drill rolling, not ${scenario}. Fix: drop --to, or run drill rolling`);
      if (scenario === 'rolling') {
        if (lab.swarm) throw new UsageError('drill rolling runs on a one-engine lab; a Swarm lab rolls with its services\' update_config (see docs/swarm.md). Fix: drop engine from the config to drill it on one engine');
        if (o.to === undefined) throw new UsageError('drill rolling needs the change to apply. Fix: pass --to <config>, the same lab config with the change made (e.g. another manager.operationTimeout)');
        const to = o.to;
        const next = warn(to, loadConfig(to));
        if (next.name !== lab.name) throw new UsageError(`--to ${to} is lab "${next.name}", not the deployed lab "${lab.name}". Fix: give the config the same name (a change to the same lab)`);
        const { appliedLine, upLab } = await import('../../lab/up');
        change = {
          verb: `up --config ${to}${o.allAtOnce ? ' --all-at-once' : ''}`,
          run: async () => {
            const up = await upLab(next, { outDir: o.out ?? DEFAULT_OUT_DIR, standIns: o.standIns, allAtOnce: o.allAtOnce, log });
            return { line: appliedLine(up), deaths: up.storeDeaths };
          },
        };
      }
      const report = await runDrill(lab, { scenario: scenario as Scenario, sessions: o.sessions, durationS: o.duration, node: o.node, url, identityOnly, log, chaos, change });
      console.log(o.json ? JSON.stringify(report, null, 2) : report.summary);
      // The plot beside the table: <out>/reports/drill-<scenario>.svg unless --plot says where (or --no-plot).
      if (o.plot !== false) {
        const file = typeof o.plot === 'string' ? o.plot : join(o.out ?? DEFAULT_OUT_DIR, REPORTS_SUBDIR, `drill-${scenario}.svg`);
        writePlot(file, report.timeline, `drill ${scenario} on ${lab.name} (${report.mode}): ${report.requests} requests, ${report.requestsFailed} failed, ${report.sessionsLost} sessions lost`);
        log(`drill: plot written to ${file}`);
      }
      if (!report.ok) process.exitCode = 1;
    });
}

/**
 * `drill memcached-restart`: idle sessions across a memcached node's restart (src/lab/idle.ts):
 * -k sessions (default 20) at counter 2, the node restarted (it comes back empty), 15 s without a
 * request, then one more each; every session must carry on. Non-sticky labs with two or more
 * memcached nodes (where a backup copy exists).
 */
async function idleDrill(o: HttpsOpts & { config: string; sessions: number; node?: string; json?: boolean }): Promise<void> {
  const lab = loadLab(o);
  applyHttpsTrust(o, lab);
  if (lab.sticky || lab.memcacheds.length < 2)
    throw new UsageError(`drill ${IDLE_SCENARIO} checks the backup copies of a non-sticky lab with two or more memcached nodes (lab ${lab.name} is ${lab.sticky ? 'sticky' : `non-sticky with ${lab.memcacheds.length} memcached node(s)`}). Fix: run it on such a lab`);
  const node = o.node ?? lab.memcacheds[0].name;
  if (!lab.memcacheds.some((m) => m.name === node)) throw new UsageError(`--node ${node}: not a memcached node of lab ${lab.name}. Fix: use one of ${lab.memcacheds.map((m) => m.name).join(', ')}`);
  const { idleSessionsAcross, restartStoreNode } = await import('../../lab/idle');
  const r = await idleSessionsAcross(lab.probeUrl, () => restartStoreNode(lab, node), { sessions: o.sessions, nodeId: lab.memcacheds.find((m) => m.name === node)!.id, log });
  if (o.json) console.log(JSON.stringify({ scenario: IDLE_SCENARIO, node, ...r }, null, 2));
  else {
    for (const l of r.lost.slice(0, 10)) console.log(`  lost: ${l}`);
    console.log(`${r.lost.length ? 'FAIL' : 'PASS'}: ${r.kept} of ${r.sessions} idle sessions carried on across ${node}'s restart (it came back empty)${r.lost.length ? `; ${r.lost.length} lost. Fix: the kit's Manager restores them from their backup copies (Manager 1.5.0+; docs/drills.md)` : ''}`);
  }
  if (r.lost.length) process.exitCode = 1;
}
