/** The few docker CLI calls the drills and verify need (stop, start, health). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { StepError } from '../errors';

const exec = promisify(execFile);

export async function docker(...args: string[]): Promise<string> {
  try {
    const { stdout } = await exec('docker', args, { timeout: 120_000 });
    return stdout.trim();
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') throw new StepError('docker', 'the docker client is not on PATH. Fix: run scripts/setup/engine.sh (or install Docker)');
    throw new StepError('docker', `docker ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`);
  }
}

/** A container's log since a time (its stdout and stderr together: Tomcat logs to stderr). */
export async function containerLog(name: string, sinceIso: string, untilIso?: string): Promise<string> {
  try {
    const range = untilIso === undefined ? [] : ['--until', untilIso];
    const { stdout, stderr } = await exec('docker', ['logs', '--since', sinceIso, ...range, name], { timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
    return stdout + stderr;
  } catch (e) {
    throw new StepError('docker', `docker logs ${name} failed: ${(e as Error).message}`);
  }
}

/** Waits until a container reports healthy (or running, without a health check). */
export async function waitHealthy(name: string, timeoutS = 180): Promise<void> {
  const until = Date.now() + timeoutS * 1000;
  for (;;) {
    const status = await docker('inspect', '-f', '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}', name);
    if (status === 'healthy' || status === 'running') return;
    if (Date.now() > until) throw new StepError('docker', `${name} is still ${status} after ${timeoutS} s. Fix: see its log with docker logs ${name}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const dockerCli = {
  stop: async (name: string) => void (await docker('stop', '-t', '10', name)),
  start: async (name: string) => {
    await docker('start', name);
    await waitHealthy(name);
  },
};
