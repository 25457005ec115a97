/** `import FILE`: an existing msm <Manager> (and an nginx.conf upstream) as a lab config. */
import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_CONFIG_FILE } from '../../config/load';
import { UsageError } from '../../errors';
import { importManager } from '../../lint/import';
import { log, positive } from '../options';

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(e)})`}. Fix: check the path`);
  }
}

export function register(program: Command): void {
  program
    .command('import')
    .description('turn an existing msm <Manager> (context.xml, server.xml) and optionally an nginx.conf upstream into a lab config')
    .argument('<file>', 'context.xml, server.xml or a file holding the <Manager>')
    .option('-o, --out <file>', 'lab config to write', DEFAULT_CONFIG_FILE)
    .option('--nginx <file>', 'nginx.conf whose upstream lists the Tomcats')
    .option('--tomcat <version>', 'Tomcat version (7, 8.5, 9)', '9')
    .option('--java <n>', 'Java feature version (8, 11, 17, 21)', positive)
    .option('--name <name>', 'lab name', 'msm-lab')
    .option('--force', 'overwrite the output file')
    .action((file: string, o: { out: string; nginx?: string; tomcat: string; java?: number; name: string; force?: boolean }) => {
      if (existsSync(o.out) && !o.force) throw new UsageError(`${o.out} exists. Fix: pass --force to overwrite it, or --out another file`);
      const r = importManager(file, read(file), { tomcat: o.tomcat, java: o.java, name: o.name, nginx: o.nginx ? { file: o.nginx, text: read(o.nginx) } : undefined });
      for (const n of r.notes) log(`note: ${n}`);
      writeFileSync(o.out, JSON.stringify(r.config, null, 2) + '\n');
      console.log(`imported ${file}${o.nginx ? ` and ${o.nginx}` : ''} into ${o.out}; check it with: msm-kit validate -c ${o.out}`);
    });
}
