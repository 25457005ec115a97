/** The few docker CLI calls the drills and verify need (stop, start, health). */
import { execFile, spawn } from 'node:child_process';
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

/** Runs `docker ARGS` with `input` on its stdin (e.g. a file for `docker exec -i … sh -c 'cat > …'`). */
export function dockerInput(input: string, ...args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const err: Buffer[] = [];
    child.stdout.on('data', () => undefined);
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new StepError('docker', `docker ${args[0]}: ${e.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolvePromise() : reject(new StepError('docker', `docker ${args.slice(0, 3).join(' ')} … exited with ${code}: ${Buffer.concat(err).toString('utf8').trim()}`)),
    );
    child.stdin.end(input);
  });
}

/**
 * Stops a container (10 s grace) and says when it went: from the stop signal (`from`,
 * Date.now()) to the end of its process as the engine recorded it (`until`, same clock;
 * the end of the stop command when the engine does not say).
 */
export async function stopMeasured(name: string): Promise<{ from: number; until: number }> {
  const from = Date.now();
  await docker('stop', '-t', '10', name);
  const finished = Date.parse(await docker('inspect', '-f', '{{.State.FinishedAt}}', name).catch(() => ''));
  return { from, until: Number.isFinite(finished) ? Math.max(from, finished) : Date.now() };
}

/**
 * A container's log since a time (its stdout and stderr together: Tomcat logs to stderr);
 * `timestamps`: each line starts with the engine's RFC 3339 time of it.
 */
export async function containerLog(name: string, sinceIso: string, untilIso?: string, timestamps = false): Promise<string> {
  try {
    const range = untilIso === undefined ? [] : ['--until', untilIso];
    const stamped = timestamps ? ['--timestamps'] : [];
    const { stdout, stderr } = await exec('docker', ['logs', ...stamped, '--since', sinceIso, ...range, name], { timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
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
