/**
 * `lint FILE...`: check hand-written msm <Manager> elements (context.xml,
 * server.xml, conf/Catalina/<host>/<app>.xml, or a bare <Manager>) against msm's
 * real behaviour. Exit 1 when any finding is an error.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors';
import { DEFAULT_MSM, formatFinding, lintText, type Finding } from '../../lint/lint';
import { positive } from '../options';

export interface LintCommandOptions {
  readonly tomcat?: string;
  readonly java?: number;
  readonly msm?: string;
  readonly json?: boolean;
}

export function lintFiles(files: readonly string[], o: LintCommandOptions): Finding[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(e)})`}. Fix: pass the path of a context.xml, server.xml or a file holding a <Manager>`);
    }
    return lintText(file, text, { tomcat: o.tomcat, java: o.java, msm: o.msm });
  });
}

export function register(program: Command): void {
  program
    .command('lint')
    .description("check hand-written msm <Manager> elements (context.xml, server.xml, a bare <Manager>) against msm's real behaviour")
    .argument('<file...>', 'files to check')
    .option('--tomcat <version>', 'Tomcat version the Manager runs on (e.g. 9, 8.5, 7)', '9')
    .option('--java <n>', 'Java feature version of the Tomcat (e.g. 8, 17)', positive)
    .option('--msm <version>', 'msm version in use', DEFAULT_MSM)
    .option('--json', 'print the findings as JSON')
    .action((files: string[], o: LintCommandOptions) => {
      if (o.msm !== undefined && !/^\d+(\.\d+){0,2}$/.test(o.msm)) throw new UsageError(`--msm "${o.msm}" is not a version. Fix: e.g. --msm 2.3.2`);
      const findings = lintFiles(files, o);
      const errors = findings.filter((f) => f.severity === 'error').length;
      const warnings = findings.filter((f) => f.severity === 'warning').length;
      if (o.json) process.stdout.write(JSON.stringify({ files, errors, warnings, findings }, null, 2) + '\n');
      else {
        for (const f of findings) console.log(formatFinding(f));
        console.log(`${files.length} file(s): ${errors} error(s), ${warnings} warning(s), ${findings.length - errors - warnings} unchecked`);
      }
      if (errors > 0) process.exitCode = 1;
    });
}
