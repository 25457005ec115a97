/**
 * `synth`: config → artifacts + Terraform JSON. Shared by the CLI and by the
 * cdktf app (stacks/main.ts), so `msm-kit synth` and `cdktf synth` agree.
 */
import { join, resolve } from 'node:path';
import { App } from '../cdktf';
import { resolveLab, type ResolvedLab } from '../config/resolve';
import type { LabConfig } from '../config/schema';
import type { FetchOptions } from '../jars/fetch';
import { LabStack } from '../../stacks/lab-stack';
import { writeArtifacts, type Artifacts } from './artifacts';

export interface SynthOptions {
  /** Where artifacts go. @default "out" */
  readonly outDir?: string;
  /** Where the Terraform JSON goes. @default "<outDir>/cdktf.out" (cdktf's CDKTF_OUTDIR when run by the cdktf CLI) */
  readonly cdktfOutDir?: string;
  /** Local Terraform state file. @default ".msm-kit/state/<lab name>.tfstate" in the working directory */
  readonly statePath?: string;
  readonly fetch?: FetchOptions;
}

export interface SynthResult {
  readonly lab: ResolvedLab;
  readonly artifacts: Artifacts;
  /** Directory holding cdk.tf.json for the lab's stack. */
  readonly stackDir: string;
}

export function defaultStatePath(labName: string): string {
  return resolve('.msm-kit', 'state', `${labName}.tfstate`);
}

export async function synthLab(config: LabConfig, opts: SynthOptions = {}): Promise<SynthResult> {
  const lab = resolveLab(config);
  const outDir = resolve(opts.outDir ?? 'out');
  const artifacts = await writeArtifacts(lab, outDir, opts.fetch);
  const cdktfOut = resolve(opts.cdktfOutDir ?? join(outDir, 'cdktf.out'));
  const app = new App({ outdir: cdktfOut });
  new LabStack(app, lab.name, { lab, artifacts, statePath: opts.statePath ?? defaultStatePath(lab.name) });
  app.synth();
  return { lab, artifacts, stackDir: join(cdktfOut, 'stacks', lab.name) };
}
