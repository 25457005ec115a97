/**
 * `images`: make sure the lab's images are on the engine: present, pulled, or
 * (without a registry) built as the kit's offline stand-ins.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/load';
import { ensureImages, type StandInPolicy } from '../../lab/images';
import { configOption, log } from '../options';

const POLICIES: readonly StandInPolicy[] = ['auto', 'always', 'never'];

export function register(program: Command): void {
  configOption(program.command('images').description('make sure the lab\'s images exist: present locally, pulled, or built as offline stand-ins'))
    .option('--stand-ins <policy>', 'auto: stand-ins only when an official image cannot be had; always; never', 'auto')
    .option('--json', 'print {"standIns": boolean, "images": {...}} (for scripts)')
    .action(async (o: { config: string; standIns: string; json?: boolean }) => {
      if (!(POLICIES as readonly string[]).includes(o.standIns)) throw new InvalidArgumentError(`--stand-ins must be one of ${POLICIES.join(', ')} (got "${o.standIns}")`);
      const r = await ensureImages(loadConfig(o.config), o.standIns as StandInPolicy, log);
      if (o.json) process.stdout.write(JSON.stringify({ standIns: r.standIns, images: r.lab.images }, null, 2) + '\n');
      else console.log(`images ready${r.standIns ? ' (offline stand-ins: deploy with --stand-ins)' : ''}: ${Object.values(r.lab.images).join(', ')}`);
    });
}
