/**
 * The msm-kit command line: a thin layer over the library, one module per
 * command (src/cli/commands/). A KitError (a user mistake, a failed step) prints
 * its message alone; anything else is a bug and prints its stack trace.
 */
import { Command, InvalidArgumentError } from 'commander';
import { describeError } from '../errors';
import * as bundle from './commands/bundle';
import * as drill from './commands/drill';
import * as images from './commands/images';
import * as importCmd from './commands/import';
import * as jars from './commands/jars';
import * as lint from './commands/lint';
import * as schema from './commands/schema';
import * as status from './commands/status';
import * as synth from './commands/synth';
import * as up from './commands/up';
import * as validate from './commands/validate';
import * as verify from './commands/verify';

export function buildProgram(): Command {
  const program = new Command('msm-kit')
    .description('Tomcat session sharing through memcached (memcached-session-manager), as code.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (s, write) => write(s) });
  for (const command of [validate, synth, schema, jars, images, up, verify, drill, status, lint, importCmd, bundle]) command.register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    console.error(e instanceof InvalidArgumentError ? e.message : describeError(e));
    process.exitCode = 1;
  }
}
