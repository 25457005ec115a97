/**
 * `synth`: config → artifacts + Terraform JSON. Shared by the CLI and by the
 * cdktf app (stacks/main.ts), so `msm-kit synth` and `cdktf synth` agree.
 *
 * The output is relocatable: the Terraform JSON names the image build context
 * and the state file relative to its own directory, so one config synthesized
 * into two output directories gives byte-identical files.
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { UsageError } from '../errors';
import { join, relative, resolve } from 'node:path';
import { App } from '../cdktf';
import { CDKTF_SUBDIR, DEFAULT_OUT_DIR, statePathFor } from '../config/layout';
import { resolveLab, type ResolvedLab, type ResolveOptions } from '../config/resolve';
import type { LabConfig } from '../config/schema';
import type { FetchOptions } from '../jars/fetch';
import { LabStack } from '../../stacks/lab-stack';
import { SwarmStack } from '../../stacks/swarm-stack';
import { KubeStack } from '../../stacks/kube-stack';
import { writeArtifacts, type Artifacts } from './artifacts';

/** --out must be a directory (or not exist yet): never write over or into a file. */
function checkOutDir(given: string, outDir: string): void {
  let dir = outDir;
  for (;;) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      const up = resolve(dir, '..');
      if (up === dir) return;
      dir = up;
      continue;
    }
    if (!st.isDirectory())
      throw new UsageError(`--out ${given}: ${dir === outDir ? 'this is' : `${dir} is`} an existing file, not a directory; synth writes a directory of files there. Fix: pass --out a directory (e.g. --out out)`);
    return;
  }
}

export interface SynthOptions extends ResolveOptions {
  /** Where artifacts go. @default "out" */
  readonly outDir?: string;
  /** Where the Terraform JSON goes. @default "<outDir>/cdktf.out" (cdktf's CDKTF_OUTDIR when run by the cdktf CLI) */
  readonly cdktfOutDir?: string;
  readonly fetch?: FetchOptions;
  /** Progress and notices. @default none */
  readonly log?: (line: string) => void;
}

export interface SynthResult {
  readonly lab: ResolvedLab;
  readonly artifacts: Artifacts;
  /** Directory holding cdk.tf.json for the lab's stack. */
  readonly stackDir: string;
  /** The lab's Terraform state file (absolute). */
  readonly statePath: string;
}

/** Where msm-kit ≤ 0.1 kept state (`.msm-kit/state/` in the working directory); moved on first use. */
function migrateOldState(labName: string, statePath: string, log?: (line: string) => void): void {
  const old = resolve('.msm-kit', 'state', `${labName}.tfstate`);
  if (!existsSync(old) || existsSync(statePath)) return;
  mkdirSync(resolve(statePath, '..'), { recursive: true });
  renameSync(old, statePath);
  if (existsSync(`${old}.backup`)) renameSync(`${old}.backup`, `${statePath}.backup`);
  log?.(`[synth] moved the lab's Terraform state from ${old} to ${statePath}`);
}

export async function synthLab(config: LabConfig, opts: SynthOptions = {}): Promise<SynthResult> {
  const lab = resolveLab(config, opts);
  const outDir = resolve(opts.outDir ?? DEFAULT_OUT_DIR);
  checkOutDir(opts.outDir ?? DEFAULT_OUT_DIR, outDir);
  let artifacts: Artifacts;
  try {
    artifacts = await writeArtifacts(lab, outDir, opts.fetch);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && ['ENOTDIR', 'EEXIST', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EISDIR'].includes(code))
      throw new UsageError(`--out ${opts.outDir ?? DEFAULT_OUT_DIR}: cannot write the lab there (${code}: ${(e as Error).message}). Fix: pass --out a directory you can write to`);
    throw e;
  }
  const cdktfOut = resolve(opts.cdktfOutDir ?? join(outDir, CDKTF_SUBDIR));
  const stackDir = join(cdktfOut, 'stacks', lab.name);
  const statePath = statePathFor(lab.name, outDir);
  migrateOldState(lab.name, statePath, opts.log);
  const app = new App({ outdir: cdktfOut });
  const stackProps = {
    lab,
    artifacts: {
      contextXml: artifacts.contextXml,
      webappContexts: artifacts.webappContexts,
      nginxConf: artifacts.nginxConf,
      ...(artifacts.prometheusYml !== undefined ? { prometheusYml: artifacts.prometheusYml } : {}),
      nginxConfDir: '${path.module}/' + relative(stackDir, artifacts.nginxConfDir),
      imageContext: '${path.module}/' + relative(stackDir, artifacts.imageContextDir),
      imageContextHash: artifacts.imageContextHash,
      tomcatImageTag: artifacts.tomcatImageTag,
      tls: artifacts.tls && {
        certificate: '${path.module}/' + relative(stackDir, artifacts.tls.certificate),
        key: '${path.module}/' + relative(stackDir, artifacts.tls.key),
        hash: artifacts.tls.hash,
      },
    },
    statePath: relative(stackDir, statePath),
  };
  if (lab.swarm) new SwarmStack(app, lab.name, stackProps);
  else if (lab.kubernetes) new KubeStack(app, lab.name, stackProps);
  else new LabStack(app, lab.name, stackProps);
  app.synth();
  return { lab, artifacts, stackDir, statePath };
}
