/** `up` and `down`: synthesize, then terraform apply or destroy. */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { loadConfig } from '../../config/load';
import { terraformSecretEnv } from '../../config/secrets';
import { waitHealthy } from '../../lab/docker';
import { labContainers } from '../../lab/settle';
import { announceStandIns } from '../../lab/images';
import { appliedMarkPathFor } from '../../config/layout';
import { applyStack, destroyStack } from '../../lab/terraform';
import { clearAppliedMark, whyApply, writeAppliedMark } from '../../lab/unchanged';
import { checkRunningVersions } from '../../lab/versions';
import { applyHttpsTrust, configOption, log, outOption, standInsOption, warn } from '../options';
import { bindText } from './validate';

export function register(program: Command): void {
  standInsOption(outOption(configOption(program.command('up').description('synthesize and deploy the lab with terraform, then print its URL'))))
    .option('--force', 'run terraform apply even when nothing changed since the last apply and every container runs')
    .action(async (o: { config: string; out: string; standIns?: boolean; force?: boolean }) => {
      const started = Date.now();
      log('[synth] rendering the lab');
      const { synthLab } = await import('../../synth/synth');
      const r = await synthLab(warn(o.config, loadConfig(o.config)), { outDir: o.out, standIns: o.standIns, fetch: { log }, log });
      announceStandIns(r.lab, log);
      const mark = appliedMarkPathFor(r.lab.name, o.out);
      const containers = labContainers(r.lab);
      let base = r.lab.url;
      if (r.lab.swarm) {
        const { prepareSwarm } = await import('../../lab/swarm');
        base = await prepareSwarm(r.lab, r.artifacts.imageContextDir, r.artifacts.tomcatImageTag, log);
      }
      // The no-change path is one engine's: a Swarm's tasks are not containers the state records.
      const why = r.lab.swarm ? 'a Swarm lab is always applied' : o.force ? '--force' : await whyApply(mark, r.stackDir, r.statePath, containers);
      if (why === undefined) {
        log('[apply] nothing changed since the last apply and the containers it made run: terraform and the version check skipped (--force applies anyway)');
      } else {
        log(`[apply] terraform apply in ${r.stackDir} (state: ${r.statePath}; ${why})`);
        clearAppliedMark(mark);
        await applyStack(r.stackDir, log, r.lab.name, terraformSecretEnv(r.lab.manager));
        if (!r.lab.swarm) {
          // terraform waits for health only on the containers it creates; one it merely started again (a stopped one) may still be booting.
          await Promise.all(containers.map((c) => waitHealthy(c)));
          await checkRunningVersions(r.lab, log);
          writeAppliedMark(mark, r.stackDir, r.statePath);
        }
      }
      const { waitAnswering } = await import('../../lab/http');
      applyHttpsTrust({ out: o.out }, r.lab);
      const s = await waitAnswering(new URL(new URL(r.lab.probeUrl).pathname, base).href);
      log(`[answer] the sample page answers through nginx (${s.toFixed(1)} s: the first request compiles the JSP)`);
      if (r.artifacts.tls?.selfSigned) log(`[tls] self-signed certificate: ${r.artifacts.tls.certificate} (verify and drill trust it with --out ${o.out}; curl --cacert it)`);
      if (r.lab.swarm) {
        const { taskHosts } = await import('../../lab/swarm');
        const hosts = await taskHosts(r.lab);
        log(`[swarm] placement: ${Object.entries(hosts).map(([n, h]) => `${n}@${h || '(no task)'}`).join(', ')}`);
        console.log(`lab ${r.lab.name} is up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${base} (Swarm on ${r.lab.swarm.manager})`);
      } else console.log(`lab ${r.lab.name} is up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${bindText(r.lab)}`);
    });

  standInsOption(outOption(configOption(program.command('down').description('destroy the lab (containers, network, state); images are kept as a cache')))).action(
    async (o: { config: string; out: string; standIns?: boolean }) => {
      const { synthLab } = await import('../../synth/synth');
      const r = await synthLab(loadConfig(o.config, { checkTls: false }), { outDir: o.out, standIns: o.standIns, fetch: { log }, log });
      clearAppliedMark(appliedMarkPathFor(r.lab.name, o.out));
      if (!existsSync(r.statePath)) log(`[destroy] no state at ${r.statePath}: nothing was deployed from --out ${o.out} (pass the --out used with up)`);
      await destroyStack(r.stackDir, log, terraformSecretEnv(r.lab.manager));
      console.log(`lab ${r.lab.name} is down`);
    }
  );
}
