/** Options and helpers shared by the commands. */
import { InvalidArgumentError, type Command } from 'commander';
import { configWarnings } from '../config/advice';
import { DEFAULT_OUT_DIR } from '../config/layout';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config/load';
import { resolveLab, type ResolvedLab } from '../config/resolve';
import { TLS_CERT_FILE, TLS_SUBDIR } from '../config/tls';
import { UsageError } from '../errors';
import { setHttpsTrust } from '../lab/http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** `--insecure`, `--ca FILE`, `--out DIR`: how verify and the drills trust an HTTPS lab. */
export function httpsOptions(cmd: Command): Command {
  return cmd
    .option('--ca <file>', "PEM certificate to trust for an HTTPS lab (default: a self-signed lab's own, from <out>/tls)")
    .option('--insecure', 'HTTPS without checking the certificate (only for a lab you own)')
    .option('-o, --out <dir>', "the lab's output directory (where a self-signed lab's certificate is)", DEFAULT_OUT_DIR);
}

export interface HttpsOpts {
  readonly ca?: string;
  readonly insecure?: boolean;
  readonly out?: string;
}

/**
 * Sets how the lab clients trust HTTPS: --insecure, else --ca, else (a
 * self-signed lab) the lab's own certificate under <out>/tls, else Node's roots.
 */
export function applyHttpsTrust(o: HttpsOpts, lab: ResolvedLab | undefined): void {
  if (o.insecure) return setHttpsTrust({ insecure: true });
  const file = o.ca ?? (lab?.loadBalancer.tls === 'self-signed' ? join(o.out ?? DEFAULT_OUT_DIR, TLS_SUBDIR, TLS_CERT_FILE) : undefined);
  if (file === undefined) return setHttpsTrust({});
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the certificate to trust, ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}). Fix: pass --out the lab's output directory (as given to up), --ca FILE, or --insecure`);
  }
  setHttpsTrust({ ca: [pem] });
}
