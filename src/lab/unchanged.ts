/**
 * The no-change path of `up`: when the synthesized stack and the Terraform state
 * are byte-identical to those of the last successful apply, and every container
 * the state names runs under the id the state records (healthy where it has a
 * health check), terraform has nothing to do and the versions were checked on
 * these very containers, so `up` skips init, plan, apply and the version check.
 * Anything else (a changed config, a changed image build context, a removed,
 * stopped or replaced container, a state file touched by hand) goes through
 * terraform as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { docker } from './docker';

export interface AppliedMark {
  /** SHA-256 of the stack's cdk.tf.json (it carries the image context hash and every container's settings). */
  readonly stack: string;
  /** SHA-256 of the state file after the apply. */
  readonly state: string;
}

const sha256 = (file: string): string | undefined => (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : undefined);

/** What the stack and state look like now; undefined when either is missing. */
export function currentMark(stackDir: string, statePath: string): AppliedMark | undefined {
  const stack = sha256(join(stackDir, 'cdk.tf.json'));
  const state = sha256(statePath);
  return stack === undefined || state === undefined ? undefined : { stack, state };
}

export function writeAppliedMark(markPath: string, stackDir: string, statePath: string): void {
  const m = currentMark(stackDir, statePath);
  if (m === undefined) return;
  mkdirSync(dirname(markPath), { recursive: true });
  writeFileSync(markPath, JSON.stringify(m, null, 2) + '\n');
}

export function clearAppliedMark(markPath: string): void {
  rmSync(markPath, { force: true });
}

function readMark(markPath: string): AppliedMark | undefined {
  try {
    const m = JSON.parse(readFileSync(markPath, 'utf8')) as Partial<AppliedMark>;
    return typeof m.stack === 'string' && typeof m.state === 'string' ? { stack: m.stack, state: m.state } : undefined;
  } catch {
    return undefined;
  }
}

/** The containers a Terraform state records: name → container id. */
export function stateContainers(stateText: string): Map<string, string> {
  const out = new Map<string, string>();
  const state = JSON.parse(stateText) as { resources?: Array<{ type?: string; instances?: Array<{ attributes?: { name?: string; id?: string } }> }> };
  for (const r of state.resources ?? []) {
    if (r.type !== 'docker_container') continue;
    for (const i of r.instances ?? []) if (i.attributes?.name && i.attributes.id) out.set(i.attributes.name, i.attributes.id);
  }
  return out;
}

/**
 * Why terraform must run, or undefined when the lab is exactly as last applied
 * and running. `containers`: the names the lab must have.
 */
export async function whyApply(markPath: string, stackDir: string, statePath: string, containers: readonly string[]): Promise<string | undefined> {
  const last = readMark(markPath);
  if (last === undefined) return 'no record of a previous apply';
  const now = currentMark(stackDir, statePath);
  if (now === undefined) return 'no state from a previous apply';
  if (now.stack !== last.stack) return 'the stack changed since the last apply';
  if (now.state !== last.state) return 'the state changed since the last apply';
  let recorded: Map<string, string>;
  try {
    recorded = stateContainers(readFileSync(statePath, 'utf8'));
  } catch {
    return 'the state cannot be read';
  }
  const unknown = containers.find((c) => !recorded.has(c));
  if (unknown !== undefined) return `the state has no container ${unknown}`;
  let out: string;
  try {
    out = await docker('inspect', '-f', '{{.Name}} {{.Id}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', ...containers);
  } catch {
    return 'a container of the lab is missing';
  }
  for (const line of out.split('\n').filter(Boolean)) {
    const [slashName, id, status, health] = line.split(' ');
    const name = slashName.replace(/^\//, '');
    if (recorded.get(name) !== id) return `${name} is not the container the state records`;
    if (status !== 'running') return `${name} is ${status}`;
    if (health !== 'healthy' && health !== 'none') return `${name} is ${health}`;
  }
  return undefined;
}

/**
 * Whether the lab runs as the state records it: the state holds containers and every
 * one of them runs under the recorded id. Such a lab has users; `up` rolls changes
 * onto it one node at a time (src/lab/rolling.ts) instead of replacing all at once.
 */
export async function labIsLive(statePath: string): Promise<boolean> {
  let recorded: Map<string, string>;
  try {
    recorded = stateContainers(readFileSync(statePath, 'utf8'));
  } catch {
    return false;
  }
  if (recorded.size === 0) return false;
  try {
    const out = await docker('inspect', '-f', '{{.Name}} {{.Id}} {{.State.Status}}', ...recorded.keys());
    return out
      .split('\n')
      .filter(Boolean)
      .every((line) => {
        const [slashName, id, status] = line.split(' ');
        return recorded.get(slashName.replace(/^\//, '')) === id && status === 'running';
      });
  } catch {
    return false; // a recorded container is gone
  }
}
