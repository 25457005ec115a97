/** `up` and `down`: synthesize, then terraform apply or destroy. */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { loadConfig } from '../../config/load';
import { terraformSecretEnv } from '../../config/secrets';
import { announceStandIns } from '../../lab/images';
import { applyStack, destroyStack } from '../../lab/terraform';
import { checkRunningVersions } from '../../lab/versions';
import { configOption, log, outOption, standInsOption, warn } from '../options';
import { bindText } from './validate';

export function register(program: Command): void {
  standInsOption(outOption(configOption(program.command('up').description('synthesize and deploy the lab with terraform, then print its URL')))).action(
    async (o: { config: string; out: string; standIns?: boolean }) => {
      const started = Date.now();
      log('[synth] rendering the lab');
      const { synthLab } = await import('../../synth/synth');
      const r = await synthLab(warn(o.config, loadConfig(o.config)), { outDir: o.out, standIns: o.standIns, fetch: { log }, log });
      announceStandIns(r.lab, log);
      let url = r.lab.url;
      if (r.lab.swarm) {
        const { prepareSwarm } = await import('../../lab/swarm');
        url = await prepareSwarm(r.lab, r.artifacts.imageContextDir, r.artifacts.tomcatImageTag, log);
      }
      log(`[apply] terraform apply in ${r.stackDir} (state: ${r.statePath})`);
      await applyStack(r.stackDir, log, r.lab.name, terraformSecretEnv(r.lab.manager));
      if (!r.lab.swarm) await checkRunningVersions(r.lab, log);
      const { waitAnswering } = await import('../../lab/http');
      const s = await waitAnswering(url);
      log(`[answer] the sample page answers through nginx (${s.toFixed(1)} s: the first request compiles the JSP)`);
      if (r.lab.swarm) {
        const { taskHosts } = await import('../../lab/swarm');
        const hosts = await taskHosts(r.lab);
        log(`[swarm] placement: ${Object.entries(hosts).map(([n, h]) => `${n}@${h || '(no task)'}`).join(', ')}`);
        console.log(`lab ${r.lab.name} is up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${url} (Swarm on ${r.lab.swarm.manager})`);
      } else console.log(`lab ${r.lab.name} is up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${bindText(r.lab)}`);
    },
  );

  standInsOption(outOption(configOption(program.command('down').description('destroy the lab (containers, network, state); images are kept as a cache')))).action(
    async (o: { config: string; out: string; standIns?: boolean }) => {
      const { synthLab } = await import('../../synth/synth');
      const r = await synthLab(loadConfig(o.config), { outDir: o.out, standIns: o.standIns, fetch: { log }, log });
      if (!existsSync(r.statePath)) log(`[destroy] no state at ${r.statePath}: nothing was deployed from --out ${o.out} (pass the --out used with up)`);
      await destroyStack(r.stackDir, log, terraformSecretEnv(r.lab.manager));
      console.log(`lab ${r.lab.name} is down`);
    },
  );
}
