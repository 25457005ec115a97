/**
 * Drives the real terraform on a synthesized stack: init, apply, destroy.
 * Uses the project-local CLI config (.msm-kit/terraformrc, written by
 * scripts/setup/provider.sh) when present, so the provider comes from the
 * offline mirror; with registry access no setup is needed.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StepError } from '../errors';
import { explainBroken, watchContainers, type ContainerState } from './diagnose';

export function terraformEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', ...extra };
  const local = resolve('.msm-kit', 'terraformrc');
  if (existsSync(local)) env.TF_CLI_CONFIG_FILE = local;
  return env;
}

/** terraform lines worth showing as progress; the rest only with MSM_KIT_VERBOSE=1 (and in errors). */
const PROGRESS = /(Creating\.\.\.|Creation complete|Destroying\.\.\.|Destruction complete|Still creating|Modifying|Modifications complete|Plan:|Apply complete|Destroy complete|Installed |Error|Warning|^url = )/;

/** Docker errors a failed apply ends with, and what the user does about each; first match wins. */
const DOCKER_FIXES: ReadonlyArray<readonly [RegExp, string]> = [
  [/no space left on device/i, 'the disk where Docker keeps its data is full. Fix: free room there (docker system df shows what Docker holds; docker rmi the images you no longer need, docker builder prune the build cache), then run up again'],
  [/Cannot connect to the Docker daemon|docker\.sock: connect/i, 'no Docker engine answers. Fix: start it (bash scripts/setup/engine.sh), or set docker.host in the config to the one you use'],
  [/Pool overlaps with other one on this address space/i, 'network.subnet overlaps another Docker network on this engine. Fix: pick a free /24 for network.subnet (docker network inspect shows the ones in use)'],
  [/could not connect to registry\.terraform\.io|Failed to query available provider packages/i, 'terraform cannot reach its registry for the docker provider, and no local mirror is set up here. Fix: bash scripts/setup/provider.sh (builds the provider from the Go module proxy into a local mirror and writes .msm-kit/terraformrc, which msm-kit uses when run from the repository), then run up again; bash scripts/lab.sh up does this for you'],
  [/port is already allocated|address already in use/i, 'a host port the lab publishes is taken. Fix: set loadBalancer.port to a free port, or stop what listens on it'],
];

/** The fix for a failed terraform run, read from its last lines; undefined when none is known. */
export function terraformFix(lines: readonly string[]): string | undefined {
  const text = lines.join('\n');
  return DOCKER_FIXES.find(([re]) => re.test(text))?.[1];
}

/** Runs terraform in dir, streaming its progress with a prefix; rejects with the last lines on failure. */
export interface TerraformOptions {
  /**
   * Watch this lab's containers (label msm-kit.lab) during the run: stop
   * terraform as soon as one exits or turns unhealthy, and explain every broken
   * container (last log lines, likely fix) when the run fails.
   */
  readonly watchLab?: string;
  /** Extra environment, e.g. TF_VAR_* of sensitive variables (never logged). @default none */
  readonly env?: Record<string, string>;
}

export function terraform(step: string, dir: string, args: string[], log: (line: string) => void = (l) => console.error(l), opts: TerraformOptions = {}): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const tail: string[] = [];
    const child = spawn('terraform', args, { cwd: dir, env: terraformEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let brokenFirst: ContainerState | undefined;
    const stopWatch = opts.watchLab
      ? watchContainers(opts.watchLab, (c) => {
          brokenFirst = c;
          log(`  [${step}] container ${c.name} ${c.status === 'running' ? (c.health === 'unhealthy' ? 'is unhealthy' : 'failed to start its webapp') : `exited (code ${c.exitCode})`}: stopping terraform instead of waiting for its health timeout`);
          child.kill('SIGINT'); // terraform stops gracefully on an interrupt; state stays consistent
          setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 20_000).unref();
        })
      : () => undefined;
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
      stopWatch();
      if (code === 0 && brokenFirst === undefined) return resolvePromise();
      // Name the piece: a failed docker_image build is the image build, not the apply.
      const piece = step === 'apply' && tail.some((l) => /docker_image\.\w*Image\w*|Unable to build|failed to build/i.test(l) && /Error/i.test(l)) ? 'image build' : step;
      const why = opts.watchLab ? explainBroken(opts.watchLab) : '';
      if (brokenFirst !== undefined)
        return reject(
          new StepError(
            piece,
            `stopped terraform ${args[0]}: container ${brokenFirst.name} will not become healthy.\n${why}\n` +
              `The lab is half deployed. Fix: correct the config as the line above says, then run up again (or down to remove it)`,
          ),
        );
      reject(
        new StepError(
          piece,
          `terraform ${args[0]} exited with ${code}:\n${tail.slice(-15).join('\n')}` +
            (why ? `\n\nWhy (from the containers):\n${why}` : '') +
            (terraformFix(tail) ? `\n\n${terraformFix(tail)}` : ''),
        ),
      );
    });
  });
}

/** Runs terraform quietly and returns its exit code and output (`show -json`, `plan -detailed-exitcode`). */
export function terraformOutput(dir: string, args: string[], env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('terraform', args, { cwd: dir, env: terraformEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new StepError(args[0], (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'terraform is not on PATH. Fix: install Terraform ≥ 1.5 (scripts/setup/provider.sh checks for it)' : e.message)));
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Where init records what it was run for: the stack's `terraform` block (backend, providers). */
const INIT_MARK = join('.terraform', 'msm-kit-init.sha256');

function initKey(stackDir: string): string | undefined {
  try {
    const tf = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as { terraform?: unknown };
    return createHash('sha256').update(JSON.stringify(tf.terraform ?? null)).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * terraform init, unless it already ran for this stack's backend and providers
 * (the `terraform` block of cdk.tf.json unchanged, lock file and providers present):
 * a needless init costs a second or more on every up and down.
 */
export async function initStack(stackDir: string, log?: (line: string) => void): Promise<void> {
  const key = initKey(stackDir);
  const mark = join(stackDir, INIT_MARK);
  const done =
    key !== undefined &&
    existsSync(join(stackDir, '.terraform.lock.hcl')) &&
    existsSync(join(stackDir, '.terraform', 'providers')) &&
    existsSync(mark) &&
    readFileSync(mark, 'utf8').trim() === key;
  if (done) return;
  await terraform('provider', stackDir, ['init', '-input=false', '-no-color'], log);
  if (key !== undefined) writeFileSync(mark, key + '\n');
}

/** init + apply; with `labName`, the lab's containers are watched (see TerraformOptions.watchLab). */
export async function applyStack(stackDir: string, log?: (line: string) => void, labName?: string, env?: Record<string, string>): Promise<void> {
  await initStack(stackDir, log);
  await terraform('apply', stackDir, ['apply', '-auto-approve', '-input=false', '-no-color'], log, { watchLab: labName, env });
}

/** destroy; `env` gives the values of the stack's variables (terraform asks for them on destroy too). */
export async function destroyStack(stackDir: string, log?: (line: string) => void, env?: Record<string, string>): Promise<void> {
  await initStack(stackDir, log);
  await terraform('destroy', stackDir, ['destroy', '-auto-approve', '-input=false', '-no-color'], log, { env });
}
