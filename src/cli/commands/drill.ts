/** `drill`: a failure drill on a deployed lab. */
import { InvalidArgumentError, type Command } from 'commander';
import { runDrill, SCENARIOS, type Scenario } from '../../lab/drill';
import { configOption, loadLab, log, positive } from '../options';

export function register(program: Command): void {
  configOption(program.command('drill').description(`failure drill on a deployed lab: ${SCENARIOS.join(', ')}`), 'lab config of the deployed lab')
    .argument('<scenario>', SCENARIOS.join(' | '))
    .option('-k, --sessions <n>', 'concurrent client sessions', positive, 20)
    .option('-d, --duration <s>', 'seconds of traffic', positive, 12)
    .option('--node <name>', 'container to stop (default: the first of its kind)')
    .option('--json', 'print the report as JSON')
    .action(async (scenario: string, o: { config: string; sessions: number; duration: number; node?: string; json?: boolean }) => {
      if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new InvalidArgumentError(`unknown scenario "${scenario}". Use one of ${SCENARIOS.join(', ')}`);
      let lab = loadLab(o);
      let chaos;
      if (lab.swarm) {
        // A Swarm lab: its URL is on nginx's host; failures are a killed task or a stopped host.
        const { swarmUrl } = await import('../../lab/swarm');
        const { swarmChaos } = await import('../../lab/swarm-drill');
        if (scenario === 'cold-start') throw new InvalidArgumentError('cold-start is not a Swarm drill. Use memcached-down, tomcat-down or restart');
        lab = { ...lab, url: await swarmUrl(lab) };
        chaos = swarmChaos(lab, scenario as Scenario);
      }
      const report = await runDrill(lab, { scenario: scenario as Scenario, sessions: o.sessions, durationS: o.duration, node: o.node, log, chaos });
      console.log(o.json ? JSON.stringify(report, null, 2) : report.summary);
      if (!report.ok) process.exitCode = 1;
    });
}
