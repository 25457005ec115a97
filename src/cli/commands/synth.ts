/** `synth`: write context.xml, nginx.conf, the Tomcat image context and the Terraform JSON. */
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { configOption, log, outOption, standInsOption, warn } from '../options';

export function register(program: Command): void {
  standInsOption(outOption(configOption(program.command('synth').description('write context.xml, nginx.conf, the Tomcat image context and the Terraform JSON'))))
    .option('--offline', 'use cached jars only')
    .action(async (o: { config: string; out: string; offline?: boolean; standIns?: boolean }) => {
      const { synthLab } = await import('../../synth/synth');
      const r = await synthLab(warn(o.config, loadConfig(o.config)), { outDir: o.out, standIns: o.standIns, fetch: { offline: o.offline, log }, log });
      console.log(`synthesized ${r.lab.name} into ${o.out}/ (${r.artifacts.files.length} files; Terraform JSON in ${r.stackDir})`);
    });
}
