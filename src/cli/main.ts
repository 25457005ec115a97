/**
 * The msm-kit command line: a thin layer over config → synth → terraform → verify.
 * User mistakes print a message and exit 1; they never print a stack trace.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from '../config/load';
import { resolveLab } from '../config/resolve';
import { UsageError } from '../errors';
import { JarError } from '../jars/fetch';
import { StepError } from '../lab/terraform';

const log = (line: string) => console.error(line);

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number.`);
  return n;
}

function configOption(cmd: Command): Command {
  return cmd.option('-c, --config <file>', 'lab config file', DEFAULT_CONFIG_FILE);
}

export function buildProgram(): Command {
  const program = new Command('msm-kit')
    .description('Tomcat session sharing through memcached (memcached-session-manager), as code.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (s, write) => write(s) });

  configOption(program.command('validate').description('check a lab config against every msm rule')).action((o: { config: string }) => {
    const cfg = loadConfig(o.config);
    const lab = resolveLab(cfg);
    console.log(
      `${o.config}: valid — ${lab.sticky ? 'sticky' : 'non-sticky'}, Tomcat ${cfg.tomcat.version} on Java ${cfg.tomcat.javaVersion}, ` +
        `${lab.tomcats.length} Tomcat × ${lab.memcacheds.length} memcached, serializer ${cfg.manager.serializer}, ${lab.url}`,
    );
  });

  configOption(program.command('synth').description('write context.xml, nginx.conf, the Tomcat image context and the Terraform JSON'))
    .option('-o, --out <dir>', 'output directory', 'out')
    .option('--offline', 'use cached jars only')
    .action(async (o: { config: string; out: string; offline?: boolean }) => {
      const { synthLab } = await import('../synth/synth');
      const r = await synthLab(loadConfig(o.config), { outDir: o.out, fetch: { offline: o.offline, log } });
      console.log(`synthesized ${r.lab.name} into ${o.out}/ (${r.artifacts.files.length} files; Terraform JSON in ${r.stackDir})`);
    });

  program
    .command('schema')
    .description('print the JSON Schema of the lab config')
    .action(async () => {
      const { labJsonSchema } = await import('../config/json-schema');
      process.stdout.write(JSON.stringify(labJsonSchema(), null, 2) + '\n');
    });

  configOption(program.command('jars').description('download the msm jar set from Maven Central into the cache and verify every checksum'))
    .option('--all', 'every jar the kit knows, for every Tomcat version and serializer')
    .option('--offline', 'only check the cache')
    .action(async (o: { config: string; all?: boolean; offline?: boolean }) => {
      const { allJars, jarFileName } = await import('../jars/manifest');
      const { fetchJars, defaultCacheRoot } = await import('../jars/fetch');
      const jars = o.all ? allJars() : resolveLab(loadConfig(o.config)).jars;
      const paths = await fetchJars(jars, { offline: o.offline, log });
      jars.forEach((j, i) => console.log(`ok  ${jarFileName(j).padEnd(48)} ${j.target.padEnd(12)} sha256 ${j.sha256.slice(0, 16)}…  ${paths[i]}`));
      console.log(`${jars.length} jars verified in ${defaultCacheRoot()}/jars`);
    });

  configOption(program.command('up').description('synthesize and deploy the lab with terraform, then print its URL'))
    .option('-o, --out <dir>', 'output directory', 'out')
    .action(async (o: { config: string; out: string }) => {
      const { synthLab } = await import('../synth/synth');
      const { applyStack } = await import('../lab/terraform');
      const started = Date.now();
      log('[synth] rendering the lab');
      const r = await synthLab(loadConfig(o.config), { outDir: o.out, fetch: { log } });
      log(`[apply] terraform apply in ${r.stackDir}`);
      await applyStack(r.stackDir);
      console.log(`lab ${r.lab.name} is up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${r.lab.url}`);
    });

  configOption(program.command('down').description('destroy the lab (containers, network, state); images are kept as a cache'))
    .option('-o, --out <dir>', 'output directory', 'out')
    .action(async (o: { config: string; out: string }) => {
      const { synthLab } = await import('../synth/synth');
      const { destroyStack } = await import('../lab/terraform');
      const r = await synthLab(loadConfig(o.config), { outDir: o.out, fetch: { log } });
      await destroyStack(r.stackDir);
      console.log(`lab ${r.lab.name} is down`);
    });

  program
    .command('verify')
    .description('prove sessions are shared: N requests through nginx with one cookie jar')
    .option('-c, --config <file>', 'lab config (for the URL and the mode)', DEFAULT_CONFIG_FILE)
    .option('--url <url>', 'lab URL (default: from the config)')
    .option('-n, --requests <n>', 'number of requests', positive, 10)
    .option('--sticky', 'expect sticky behaviour (default: from the config)')
    .option('--failover', 'halfway through, stop the Tomcat serving the session (started again at the end)')
    .action(async (o: { config: string; url?: string; requests: number; sticky?: boolean; failover?: boolean }) => {
      const { verifyLab } = await import('../lab/verify');
      const { dockerCli } = await import('../lab/docker');
      // With --url the config only supplies the mode; without a config the mode is --sticky or non-sticky.
      let lab: ReturnType<typeof resolveLab> | undefined;
      try {
        lab = resolveLab(loadConfig(o.config));
      } catch (e) {
        if (!(o.url && e instanceof ConfigError && e.problems[0]?.path === '(file)')) throw e;
      }
      const url = o.url ?? lab!.url;
      const sticky = o.sticky ?? lab?.sticky ?? false;
      log(`verify: ${o.requests} requests to ${url} (${sticky ? 'sticky' : 'non-sticky'})`);
      const r = await verifyLab({ url, requests: o.requests, sticky, failover: o.failover, docker: dockerCli, log: (l) => console.log(l) });
      console.log(r.verdict);
      if (!r.ok) process.exitCode = 1;
    });

  program
    .command('drill')
    .description('failure drill on a deployed lab: memcached-down, tomcat-down or restart')
    .argument('<scenario>', 'memcached-down | tomcat-down | restart')
    .option('-c, --config <file>', 'lab config of the deployed lab', DEFAULT_CONFIG_FILE)
    .option('-k, --sessions <n>', 'concurrent client sessions', positive, 20)
    .option('-d, --duration <s>', 'seconds of traffic', positive, 12)
    .option('--node <name>', 'container to stop (default: the first of its kind)')
    .option('--json', 'print the report as JSON')
    .action(async (scenario: string, o: { config: string; sessions: number; duration: number; node?: string; json?: boolean }) => {
      const { runDrill, SCENARIOS } = await import('../lab/drill');
      if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new InvalidArgumentError(`unknown scenario "${scenario}". Use one of ${SCENARIOS.join(', ')}`);
      const lab = resolveLab(loadConfig(o.config));
      const report = await runDrill(lab, { scenario: scenario as (typeof SCENARIOS)[number], sessions: o.sessions, durationS: o.duration, node: o.node, log });
      console.log(o.json ? JSON.stringify(report, null, 2) : report.summary);
      if (!report.ok) process.exitCode = 1;
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
    } else if (e instanceof JarError) {
      console.error(`jars: ${e.message}`);
    } else if (e instanceof StepError || e instanceof InvalidArgumentError || e instanceof UsageError) {
      console.error(e.message);
    } else {
      console.error(`msm-kit: unexpected error: ${(e as Error).stack ?? e}`);
    }
    process.exitCode = 1;
  }
}
