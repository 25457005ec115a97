/** `schema`: the JSON Schema of the lab config (also committed as lab.config.schema.json). */
import type { Command } from 'commander';
import { labJsonSchema } from '../../config/json-schema';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the lab config')
    .action(() => {
      process.stdout.write(JSON.stringify(labJsonSchema(), null, 2) + '\n');
    });
}
