/**
 * `bundle`: the kit's output for Tomcats Docker does not run: one overlay of
 * $CATALINA_HOME per Tomcat node (jars, context file, setenv.sh, serializer
 * jars) with its INSTALL.md, plus nginx.conf and the memcached settings.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { resolveLab } from '../../config/resolve';
import { UsageError } from '../../errors';
import { configOption, log, warn } from '../options';

const collect = (value: string, prev: Record<string, string>): Record<string, string> => {
  const m = /^([^=]+)=(.+)$/.exec(value);
  if (!m) throw new UsageError(`--tomcat-address "${value}" is not NODE=HOST:PORT. Fix: e.g. --tomcat-address tomcat-node1=10.0.0.5:8080`);
  return { ...prev, [m[1]]: m[2] };
};

export function register(program: Command): void {
  configOption(program.command('bundle').description("the kit's output for Tomcats without Docker: per node an overlay of $CATALINA_HOME and an INSTALL.md, plus nginx.conf and memcached settings"))
    .option('-o, --out <dir>', 'output directory (rewritten)', 'bundle')
    .option('--app <name>', 'webapp (context) name: conf/Catalina/<host>/<app>.xml', 'ROOT')
    .option('--host <name>', 'Tomcat <Host> name', 'localhost')
    .option('--tomcat-address <node=host:port>', 'where nginx reaches a Tomcat node (repeatable; default <node name>:8080)', collect, {})
    .option('--sample-app', "include the kit's sample page (node, session id, counter) as webapps/<app>")
    .option('--offline', 'use cached jars only')
    .action(async (o: { config: string; out: string; app: string; host: string; tomcatAddress: Record<string, string>; sampleApp?: boolean; offline?: boolean }) => {
      const { writeBundle } = await import('../../bundle/bundle');
      const lab = resolveLab(warn(o.config, loadConfig(o.config, { outsideDocker: true })));
      const b = await writeBundle(lab, { outDir: o.out, app: o.app, host: o.host, sampleApp: o.sampleApp, tomcatAddresses: o.tomcatAddress, fetch: { offline: o.offline, log } });
      console.log(`bundled ${lab.name} into ${o.out}/: ${b.nodes.map((n) => `${n}/ (overlay + INSTALL.md)`).join(', ')}, nginx/nginx.conf, ${lab.redis ? 'redis/' : 'memcached/'} (${b.files.length} files)`);
    });
}
