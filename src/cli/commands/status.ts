/** `status`: what a running lab's sessions and stores are doing, from its Prometheus. */
import { InvalidArgumentError, type Command } from 'commander';
import { formatStatus, labStatus, prometheusUrl } from '../../lab/status';
import { configOption, loadLab, log, positive } from '../options';

export function register(program: Command): void {
  configOption(program.command('status').description("what the lab's sessions and stores are doing now: per Tomcat sessions, req/s, msm failures; per store node items, bytes, evictions, hit rate (from the lab's Prometheus)"))
    .option('--json', 'print the figures as JSON (one object; with --watch one per line)')
    .option('-w, --watch [seconds]', 'print again every N seconds until interrupted (default 5)', positive)
    .option('--prometheus <url>', "the lab's Prometheus (default: found from the engine)")
    .action(async (o: { config: string; json?: boolean; watch?: number | boolean; prometheus?: string }) => {
      // The options first: a mistake in them is said before the engine is asked anything.
      const every: number | undefined = o.watch === undefined || o.watch === false ? undefined : o.watch === true ? 5 : o.watch;
      if (o.prometheus !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(o.prometheus))
        throw new InvalidArgumentError(`--prometheus "${o.prometheus.slice(0, 80)}" is not an http(s) URL. Fix: e.g. --prometheus http://127.0.0.1:9090 (or leave it out: the lab's own Prometheus is found from the engine)`);
      const lab = loadLab(o);
      const base = (o.prometheus ?? (await prometheusUrl(lab))).replace(/\/+$/, '');
      for (;;) {
        const s = await labStatus(lab, base);
        if (o.json) process.stdout.write(JSON.stringify(s, null, every === undefined ? 2 : undefined) + '\n');
        else {
          if (every !== undefined && process.stdout.isTTY) process.stdout.write('\x1b[H\x1b[2J');
          console.log(formatStatus(s));
        }
        if (every === undefined) return;
        if (!o.json && !process.stdout.isTTY) console.log('');
        await new Promise((r) => setTimeout(r, every * 1000));
        if (!o.json) log(`(every ${every} s; Ctrl-C stops)`);
      }
    });
}
