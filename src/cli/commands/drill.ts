/** `drill`: a failure drill on a deployed lab. */
import { InvalidArgumentError, type Command } from 'commander';
import { runDrill, SCENARIOS, type Scenario } from '../../lab/drill';
import { applyHttpsTrust, configOption, httpsOptions, loadLab, log, positive, type HttpsOpts } from '../options';

export function register(program: Command): void {
  httpsOptions(configOption(program.command('drill').description(`failure drill on a deployed lab: ${SCENARIOS.join(', ')}`), 'lab config of the deployed lab')
    .argument('<scenario>', SCENARIOS.join(' | '))
    .option('-k, --sessions <n>', 'concurrent client sessions', positive, 20)
    .option('-d, --duration <s>', 'seconds of traffic', positive, 12)
    .option('--node <name>', 'container to stop (default: the first of its kind)')
    .option('--json', 'print the report as JSON'))
    .action(async (scenario: string, o: HttpsOpts & { config: string; sessions: number; duration: number; node?: string; json?: boolean }) => {
      if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new InvalidArgumentError(`unknown scenario "${scenario}". Use one of ${SCENARIOS.join(', ')}`);
      const lab = loadLab(o);
      applyHttpsTrust(o, lab);
      const report = await runDrill(lab, { scenario: scenario as Scenario, sessions: o.sessions, durationS: o.duration, node: o.node, log });
      console.log(o.json ? JSON.stringify(report, null, 2) : report.summary);
      if (!report.ok) process.exitCode = 1;
    });
}
