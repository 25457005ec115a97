/**
 * Getting a lab's images onto the engine: present locally, pulled from a
 * registry, or built as the kit's offline stand-ins (scripts/setup/images.sh
 * does the building; the facts it builds from come from config/images.ts).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { resolveLab, type ResolvedLab } from '../config/resolve';
import type { LabConfig } from '../config/schema';
import { StepError } from '../errors';
import { PACKAGE_ROOT } from '../paths';
import { docker } from './docker';

/** auto: stand-ins only when an official image can be neither found nor pulled. */
export type StandInPolicy = 'auto' | 'always' | 'never';

async function present(image: string): Promise<boolean> {
  return docker('image', 'inspect', '--format', '{{.Id}}', image).then(
    () => true,
    () => false,
  );
}

async function pull(image: string, log: (line: string) => void): Promise<boolean> {
  log(`[images] pulling ${image}`);
  return docker('pull', '-q', image).then(
    () => true,
    () => false,
  );
}

function buildStandIn(args: readonly string[], log: (line: string) => void): Promise<void> {
  const script = join(PACKAGE_ROOT, 'scripts', 'setup', 'images.sh');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (b: Buffer) => {
      for (const line of b.toString('utf8').split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 10) tail.shift();
        log(`  ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => reject(new StepError('image build', e.message)));
    child.on('close', (code) =>
      code === 0 ? resolvePromise() : reject(new StepError('image build', `images.sh ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`)),
    );
  });
}

/** Says loudly which stand-ins a lab deploys, and what they really are. */
export function announceStandIns(lab: ResolvedLab, log: (line: string) => void): void {
  for (const s of Object.values(lab.standIns)) log(`[images] !!! stand-in: ${s.tag} for ${s.official} (${s.description})`);
}

export interface EnsuredImages {
  /** Whether the lab must be deployed with stand-ins (`--stand-ins`). */
  readonly standIns: boolean;
  readonly lab: ResolvedLab;
}

export async function ensureImages(config: LabConfig, policy: StandInPolicy, log: (line: string) => void): Promise<EnsuredImages> {
  if (policy !== 'always') {
    const lab = resolveLab(config);
    const missing: string[] = [];
    for (const [role, image] of Object.entries(lab.images)) {
      if (await present(image)) continue;
      // A stand-in the lab needs even with a registry (no official image does the job): build it.
      const only = lab.standIns[role as keyof typeof lab.standIns];
      if (only) {
        log(`[images] building ${only.tag} (${only.description}): no official image does this`);
        await buildStandIn(only.buildArgs, log);
        continue;
      }
      if (await pull(image, log)) continue;
      missing.push(image);
    }
    if (missing.length === 0) return { standIns: false, lab };
    if (policy === 'never') throw new StepError('images', `cannot find or pull ${missing.join(', ')}. Fix: make them available to the engine, or allow stand-ins (--stand-ins auto)`);
    log(`[images] !!! no registry for ${missing.join(', ')}: using the kit's offline stand-ins (Debian packages and Maven Central)`);
  }
  const lab = resolveLab(config, { standIns: true });
  for (const [role, image] of Object.entries(lab.images)) {
    if (await present(image)) continue;
    const standIn = lab.standIns[role as keyof typeof lab.standIns];
    if (!standIn) throw new StepError('images', `${image} (set in the config's images.${role}) is neither present nor pullable, and the kit has no stand-in for it. Fix: load it into the engine, or remove images.${role}`);
    log(`[images] building ${standIn.tag} (${standIn.description})`);
    await buildStandIn(standIn.buildArgs, log);
  }
  announceStandIns(lab, log);
  return { standIns: true, lab };
}
