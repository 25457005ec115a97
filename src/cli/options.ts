/** Options and helpers shared by the commands. */
import { InvalidArgumentError, type Command } from 'commander';
import { configWarnings } from '../config/advice';
import { DEFAULT_OUT_DIR } from '../config/layout';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config/load';
import { resolveLab, type ResolvedLab } from '../config/resolve';
import type { LabConfig } from '../config/schema';

/** Progress goes to stderr; results to stdout. */
export const log = (line: string): void => console.error(line);

export function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number.`);
  return n;
}

export function configOption(cmd: Command, what = 'lab config file'): Command {
  return cmd.option('-c, --config <file>', what, DEFAULT_CONFIG_FILE);
}

export function outOption(cmd: Command): Command {
  return cmd.option('-o, --out <dir>', 'output directory (artifacts, Terraform JSON, state)', DEFAULT_OUT_DIR);
}

/** `--stand-ins`: deploy the kit's offline stand-ins of the official images (machines without a registry). */
export function standInsOption(cmd: Command): Command {
  return cmd.option('--stand-ins', "use the kit's offline stand-ins of the official images (see `msm-kit images`)");
}

export interface ConfigOpts {
  readonly config: string;
  readonly standIns?: boolean;
}

/** Prints the config's advice (config/advice.ts) as warnings on stderr; returns the config. */
export function warn(file: string, cfg: LabConfig): LabConfig {
  for (const w of configWarnings(cfg)) log(`${file}: warning: ${w.path}: ${w.message}`);
  return cfg;
}

export function loadLab(o: ConfigOpts): ResolvedLab {
  return resolveLab(loadConfig(o.config), { standIns: o.standIns });
}
