/**
 * `lint FILE...`: check hand-written msm <Manager> elements (context.xml,
 * server.xml, conf/Catalina/<host>/<app>.xml, or a bare <Manager>) against msm's
 * real behaviour. `lint DIR`: a $CATALINA_BASE/$CATALINA_HOME, its context files,
 * jars and bin/setenv.sh (lint/tomcat-dir.ts). Exit 1 when any finding is an error.
 */
import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../../errors';
import { DEFAULT_MSM, formatFinding, lintText, type Finding } from '../../lint/lint';
import { isTomcatDir, lintTomcatDir } from '../../lint/tomcat-dir';
import { positive } from '../options';

export interface LintCommandOptions {
  /** Tomcat version. @default "9" for a file; for a DIR, read from lib/catalina.jar or RELEASE-NOTES */
  readonly tomcat?: string;
  /** Java feature version. @default unknown for a file; for a DIR, read from the release file of setenv.sh's JAVA_HOME */
  readonly java?: number;
  /** msm version. @default "2.3.2" for a file; for a DIR, the version of lib/'s memcached-session-manager jar */
  readonly msm?: string;
  /** Print the findings as JSON. @default false */
  readonly json?: boolean;
}

const isDirectory = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export function lintFiles(files: readonly string[], o: LintCommandOptions): Finding[] {
  return files.flatMap((file) => {
    if (isDirectory(file)) {
      if (!isTomcatDir(file)) throw new UsageError(`${file}: a directory, but no Tomcat (it has neither conf/ nor lib/). Fix: pass a $CATALINA_BASE or $CATALINA_HOME, or the context.xml / server.xml files themselves`);
      return lintTomcatDir(file, o);
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(e)})`}. Fix: pass the path of a context.xml, server.xml or a file holding a <Manager>`);
    }
    return lintText(file, text, { tomcat: o.tomcat ?? '9', java: o.java, msm: o.msm ?? DEFAULT_MSM });
  });
}

export function register(program: Command): void {
  program
    .command('lint')
    .description("check hand-written msm <Manager> elements (context.xml, server.xml, a bare <Manager>), or a whole $CATALINA_BASE/$CATALINA_HOME with its jars and setenv.sh, against msm's real behaviour")
    .argument('<file-or-dir...>', 'files to check, or Tomcat directories ($CATALINA_BASE, $CATALINA_HOME)')
    .option('--tomcat <version>', 'Tomcat version the Manager runs on (e.g. 9, 8.5, 7; default 9, or for a DIR its lib/catalina.jar)')
    .option('--java <n>', 'Java feature version of the Tomcat (e.g. 8, 17; for a DIR default: setenv.sh\'s JAVA_HOME)', positive)
    .option('--msm <version>', `msm version in use (default ${DEFAULT_MSM}, or for a DIR its lib/ jar)`)
    .option('--json', 'print the findings as JSON')
    .action((files: string[], o: LintCommandOptions) => {
      if (o.msm !== undefined && !/^\d+(\.\d+){0,2}$/.test(o.msm)) throw new UsageError(`--msm "${o.msm}" is not a version. Fix: e.g. --msm 2.3.2`);
      const findings = lintFiles(files, o);
      const errors = findings.filter((f) => f.severity === 'error').length;
      const warnings = findings.filter((f) => f.severity === 'warning').length;
      if (o.json) process.stdout.write(JSON.stringify({ files, errors, warnings, findings }, null, 2) + '\n');
      else {
        for (const f of findings) console.log(formatFinding(f));
        console.log(`${files.length} path(s): ${errors} error(s), ${warnings} warning(s), ${findings.length - errors - warnings} unchecked`);
      }
      if (errors > 0) process.exitCode = 1;
    });
}
