/** `jars`: download the msm jar set into the cache and verify every checksum. */
import type { Command } from 'commander';
import { defaultCacheRoot, fetchJars } from '../../jars/fetch';
import { allJars, jarFileName, labJars } from '../../jars/manifest';
import { configOption, loadLab, log } from '../options';

export function register(program: Command): void {
  configOption(program.command('jars').description('download the msm jar set from Maven Central into the cache and verify every checksum'))
    .option('--all', 'every jar the kit knows, for every Tomcat version and serializer')
    .option('--offline', 'only check the cache')
    .action(async (o: { config: string; all?: boolean; offline?: boolean }) => {
      const jars = o.all ? allJars() : labJars(loadLab(o));
      const paths = await fetchJars(jars, { offline: o.offline, log });
      jars.forEach((j, i) => console.log(`ok  ${jarFileName(j).padEnd(48)} ${j.target.padEnd(12)} sha256 ${j.sha256.slice(0, 16)}…  ${paths[i]}`));
      console.log(`${jars.length} jars verified in ${defaultCacheRoot()}/jars`);
    });
}
