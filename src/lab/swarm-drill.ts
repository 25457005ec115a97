/**
 * Drills on a Swarm lab, through the same runDrill (same traffic, same loss
 * accounting) with Swarm failures injected:
 * - memcached-down: the memcached task is killed on its host; the Swarm starts a
 *   new one (restart policy `any`), on the same host (its placement);
 * - tomcat-down: the engine of the Tomcat's host is stopped (the host is lost);
 *   its task cannot move (placement pins it), the other Tomcat carries on;
 * - restart: the same host loss, then the host comes back.
 * Killing a task or stopping a host needs that host's engine: the test cluster's
 * (scripts/setup/swarm-cluster.sh) are known; other Swarms are refused.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SWARM_CLUSTER_SCRIPT, testClusterEngine } from '../config/layout';
import type { ResolvedLab } from '../config/resolve';
import { StepError, UsageError } from '../errors';
import { PACKAGE_ROOT } from '../paths';
import { everyTomcatAnswers } from './settle';
import type { DrillChaos, Scenario } from './drill';
import { dockerAt, swarmNodes, taskHosts } from './swarm';

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function engineOfHost(host: string): string {
  const e = testClusterEngine(host);
  if (!e) throw new UsageError(`drills on a Swarm stop a task or a host through that host's own engine; only the test cluster's hosts (host1..host9 of ${SWARM_CLUSTER_SCRIPT}) are known (got "${host}"). Fix: run the drills on the test cluster`);
  return e;
}

async function cluster(...args: string[]): Promise<void> {
  try {
    await exec('bash', [join(PACKAGE_ROOT, SWARM_CLUSTER_SCRIPT), ...args], { timeout: 180_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new StepError('swarm', `${SWARM_CLUSTER_SCRIPT} ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`);
  }
}

/** Running task of a service: its container id and the host it runs on; undefined when none runs. */
async function runningTask(lab: ResolvedLab, name: string): Promise<{ container: string; host: string; health: string } | undefined> {
  const manager = lab.swarm!.manager;
  const tasks = (await dockerAt(manager, ['service', 'ps', name, '--filter', 'desired-state=running', '-q'])).split('\n').filter(Boolean);
  if (!tasks.length) return undefined;
  const lines = (await dockerAt(manager, ['inspect', '--format', '{{.NodeID}} {{.Status.State}} {{.Status.ContainerStatus.ContainerID}}', ...tasks])).split('\n');
  const run = lines.map((l) => l.split(' ')).find((f) => f[1] === 'running');
  if (!run) return undefined;
  const node = (await swarmNodes(lab)).find((n) => n.id === run[0]);
  const host = node?.host ?? '';
  const health = await dockerAt(engineOfHost(host), ['inspect', '-f', '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}', run[2]]).catch(() => 'unknown');
  return { container: run[2], host, health };
}

async function waitTaskHealthy(lab: ResolvedLab, name: string, timeoutS = 180): Promise<void> {
  const until = Date.now() + timeoutS * 1000;
  for (;;) {
    const t = await runningTask(lab, name).catch(() => undefined);
    if (t?.health === 'healthy') return;
    if (Date.now() > until) throw new StepError('swarm', `${name} has no healthy task after ${timeoutS} s. Fix: docker -H ${lab.swarm!.manager} service ps ${name}`);
    await sleep(1000);
  }
}

/** The hosts the drill stopped, so restore finds them after their tasks are gone. */
const stoppedHosts = new Map<string, string>();

export function swarmChaos(lab: ResolvedLab, scenario: Scenario): DrillChaos {
  const hostLoss = scenario !== 'memcached-down';
  return {
    stopVerb: hostLoss ? 'stopped the engine of the host of' : 'killed the task of',
    startVerb: hostLoss ? 'started the engine again of the host of' : 'waited for the Swarm to restart',
    async stop(node) {
      const t = await runningTask(lab, node);
      if (!t) throw new StepError('swarm', `${node} has no running task to stop`);
      if (hostLoss) {
        stoppedHosts.set(node, t.host);
        await cluster('stop-host', t.host.replace(/^host/, ''));
      } else await dockerAt(engineOfHost(t.host), ['kill', t.container]);
    },
    async start(node) {
      const host = stoppedHosts.get(node);
      if (host) {
        await cluster('start-host', host.replace(/^host/, ''));
        stoppedHosts.delete(node);
      }
      await waitTaskHealthy(lab, node);
    },
    async restore(node, log) {
      if (stoppedHosts.has(node)) log(`  restoring the host of ${node} (${stoppedHosts.get(node)})`);
      await this.start(node);
    },
    async settle(log) {
      for (const n of Object.keys(lab.swarm!.placement)) await waitTaskHealthy(lab, n);
      // Every Tomcat answers through nginx (fresh sessions, nginx re-resolves per request).
      await everyTomcatAnswers(lab, lab.url, 'swarm');
      const hosts = await taskHosts(lab);
      log(`settled: ${Object.entries(hosts).map(([n, h]) => `${n}@${h}`).join(', ')}`);
    },
  };
}
