/**
 * Drives the real terraform on a synthesized stack: init, apply, destroy.
 * Uses the project-local CLI config (.msm-kit/terraformrc, written by
 * scripts/setup/provider.sh) when present, so the provider comes from the
 * offline mirror; with registry access no setup is needed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { StepError } from '../errors';

export function terraformEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  const local = resolve('.msm-kit', 'terraformrc');
  if (existsSync(local)) env.TF_CLI_CONFIG_FILE = local;
  return env;
}

/** terraform lines worth showing as progress; the rest only with MSM_KIT_VERBOSE=1 (and in errors). */
const PROGRESS = /(Creating\.\.\.|Creation complete|Destroying\.\.\.|Destruction complete|Still creating|Modifying|Modifications complete|Plan:|Apply complete|Destroy complete|Installed |Error|Warning|^url = )/;

/** Runs terraform in dir, streaming its progress with a prefix; rejects with the last lines on failure. */
export function terraform(step: string, dir: string, args: string[], log: (line: string) => void = (l) => console.error(l)): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const tail: string[] = [];
    const child = spawn('terraform', args, { cwd: dir, env: terraformEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (buf: Buffer) => {
      for (const line of buf.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        if (process.env.MSM_KIT_VERBOSE || PROGRESS.test(line)) log(`  [${step}] ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) =>
      reject(new StepError(step, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'terraform is not on PATH. Fix: install Terraform ≥ 1.5 (scripts/setup/provider.sh checks for it)' : e.message)),
    );
    child.on('close', (code) => {
      if (code === 0) return resolvePromise();
      // Name the piece: a failed docker_image build is the image build, not the apply.
      const piece = step === 'apply' && tail.some((l) => /docker_image\.\w*Image\w*|Unable to build|failed to build/i.test(l) && /Error/i.test(l)) ? 'image build' : step;
      reject(new StepError(piece, `terraform ${args[0]} exited with ${code}:\n${tail.slice(-15).join('\n')}`));
    });
  });
}

export async function applyStack(stackDir: string, log?: (line: string) => void): Promise<void> {
  await terraform('provider', stackDir, ['init', '-input=false', '-no-color'], log);
  await terraform('apply', stackDir, ['apply', '-auto-approve', '-input=false', '-no-color'], log);
}

export async function destroyStack(stackDir: string, log?: (line: string) => void): Promise<void> {
  await terraform('provider', stackDir, ['init', '-input=false', '-no-color'], log);
  await terraform('destroy', stackDir, ['destroy', '-auto-approve', '-input=false', '-no-color'], log);
}
