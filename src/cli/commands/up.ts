/** `up` and `down`: synthesize, then terraform apply or destroy. */
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { applyHttpsTrust, configOption, log, outOption, standInsOption, warn } from '../options';
import { bindText } from './validate';

export function register(program: Command): void {
  standInsOption(outOption(configOption(program.command('up').description('synthesize and deploy the lab with terraform (a change to a running lab rolls one node at a time), then print its URL'))))
    .option('--force', 'run terraform apply even when nothing changed since the last apply and every container runs')
    .option('--all-at-once', 'replace every changed node together (fastest; for a lab nobody uses): no draining, users see a gap')
    .action(async (o: { config: string; out: string; standIns?: boolean; force?: boolean; allAtOnce?: boolean }) => {
      const { upLab } = await import('../../lab/up');
      const up = await upLab(warn(o.config, loadConfig(o.config)), { outDir: o.out, standIns: o.standIns, force: o.force, allAtOnce: o.allAtOnce, log });
      const lab = up.synth.lab;
      const { waitAnswering } = await import('../../lab/http');
      applyHttpsTrust({ out: o.out }, lab);
      const s = await waitAnswering(new URL(new URL(lab.probeUrl).pathname, up.base).href);
      log(`[answer] the sample page answers through nginx (${s.toFixed(1)} s: the first request compiles the JSP)`);
      const appPage = new URL(new URL(lab.appUrl).pathname, up.base).href;
      if (lab.appUrl !== lab.probeUrl) {
        // Your app's own page: what the printed URL promises. Said as it is; the lab's health is the probe's.
        const { SessionClient } = await import('../../lab/http');
        const a = await new SessionClient(appPage, 30_000).get();
        log(
          a.status >= 200 && a.status < 400
            ? `[answer] your app answers ${appPage} (HTTP ${a.status}); the kit's probe is ${new URL(new URL(lab.probeUrl).pathname, up.base).href}`
            : `[answer] !!! your app's ${appPage} answers ${a.error ?? `HTTP ${a.status}`}: open one of its pages (the lab itself is healthy: the kit's probe answers)`,
        );
      }
      const tls = up.synth.artifacts.tls;
      if (tls?.selfSigned) log(`[tls] self-signed certificate: ${tls.certificate} (verify and drill trust it with --out ${o.out}; curl --cacert it)`);
      if (lab.monitoring) {
        const { prometheusUrl } = await import('../../lab/status');
        const url = await prometheusUrl(lab).catch((e: Error) => `(not found: ${e.message})`);
        log(`[monitoring] Prometheus at ${url}; msm-kit status --config ${o.config} prints what the sessions and stores are doing`);
      }
      const took = (up.seconds + s).toFixed(1);
      if (lab.swarm) {
        const { taskHosts } = await import('../../lab/swarm');
        const hosts = await taskHosts(lab);
        log(`[swarm] placement: ${Object.entries(hosts).map(([n, h]) => `${n}@${h || '(no task)'}`).join(', ')}`);
        console.log(`lab ${lab.name} is up in ${took} s: ${new URL(new URL(lab.appUrl).pathname, up.base).href} (Swarm on ${lab.swarm.manager})`);
      } else if (lab.kubernetes) {
        const { podNodes } = await import('../../lab/kube');
        const where = await podNodes(lab);
        log(`[kubernetes] placement: ${Object.entries(where).map(([n, h]) => `${n}@${h || '(no Ready pod)'}`).join(', ')}`);
        console.log(`lab ${lab.name} is up in ${took} s: ${lab.appUrl} (Kubernetes, namespace ${lab.kubernetes.namespace})`);
      } else console.log(`lab ${lab.name} is up in ${took} s: ${bindText(lab, lab.appUrl)}`);
    });

  standInsOption(outOption(configOption(program.command('down').description('destroy the lab (containers, network, state); images are kept as a cache')))).action(
    async (o: { config: string; out: string; standIns?: boolean }) => {
      const { downLab } = await import('../../lab/up');
      const r = await downLab(loadConfig(o.config, { checkTls: false }), { outDir: o.out, standIns: o.standIns, log });
      console.log(`lab ${r.name} is down`);
    }
  );
}
