/**
 * A failed deploy explains itself. While terraform applies, the lab's
 * containers (label msm-kit.lab=<name>) are watched: one whose process exited,
 * or that Docker marks unhealthy, stops the apply at once instead of leaving
 * terraform to wait out its health timeout. Either way, the failure names each
 * broken container with its last log lines (stdout and stderr) and the likely
 * fix, read from what the log says.
 */
import { spawnSync } from 'node:child_process';

export interface ContainerState {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  /** Docker's State.Status: created, running, exited, dead, … */
  readonly status: string;
  /** healthy, unhealthy, starting, or "" without a health check. */
  readonly health: string;
  readonly exitCode: number;
  readonly oomKilled: boolean;
}

function dockerSync(args: string[]): string | undefined {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
  return r.status === 0 ? r.stdout : undefined;
}

/** The lab's containers and their states (empty when Docker cannot be asked). */
export function labContainers(lab: string): ContainerState[] {
  const ids = dockerSync(['ps', '-aq', '--filter', `label=msm-kit.lab=${lab}`])?.split('\n').filter(Boolean) ?? [];
  if (ids.length === 0) return [];
  const fmt = '{{.Id}}\t{{.Name}}\t{{index .Config.Labels "msm-kit.role"}}\t{{.State.Status}}\t{{if .State.Health}}{{.State.Health.Status}}{{end}}\t{{.State.ExitCode}}\t{{.State.OOMKilled}}';
  const out = dockerSync(['inspect', '-f', fmt, ...ids]) ?? '';
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id, name, role, status, health, exit, oom] = l.split('\t');
      return { id, name: name.replace(/^\//, ''), role, status, health, exitCode: Number(exit), oomKilled: oom === 'true' };
    });
}

/** A container that will not become healthy: its process is gone, or Docker gave up on its health check. */
export function isBroken(c: ContainerState): boolean {
  return c.status === 'exited' || c.status === 'dead' || c.health === 'unhealthy';
}

/** Broken, or a running Tomcat whose webapp already failed to start. */
function isHopeless(c: ContainerState): boolean {
  return isBroken(c) || tomcatGaveUp(c);
}

/** The last lines a container printed, stdout and stderr together (Tomcat logs to stderr). */
export function lastLogLines(name: string, lines = 20): string[] {
  const r = spawnSync('docker', ['logs', '--tail', String(lines), name], { encoding: 'utf8', timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return text
    .split('\n')
    .map((l) => l.replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, ''))
    .filter((l) => l.trim())
    .slice(-lines);
}

/** What the log says went wrong, as a `Fix: …`; the order is from most to least specific. */
const HINTS: Array<[RegExp, (m: RegExpMatchArray, c: ContainerState) => string]> = [
  [/exec format error|executable file not found|no such file or directory: unknown|OCI runtime/i, () => 'the image cannot start its command. Fix: check images.* in the config (a wrong image or architecture)'],
  [/AbstractMethodError|NoSuchMethodError|NoClassDefFoundError: org\/apache\/catalina|IncompatibleClassChangeError/, () => "msm's jars do not fit the Tomcat in the image (images.tomcat is another Tomcat version than tomcat.version). Fix: set tomcat.version to the image's Tomcat, or remove images.tomcat"],
  [/ClassNotFoundException: ([\w.$]+)/, (m) => `class ${m[1]} is not in the Tomcat image. Fix: check manager.customConverter and manager.serializer (the jar set follows the serializer)`],
  [/Unsupported config token|storageKeyPrefix/i, () => 'msm refused manager.storageKeyPrefix. Fix: use static:<x>, host, host.hash, context, context.hash, webappVersion'],
  [/UnknownHostException: ([\w.-]+)|unresolved address|Name or service not known/i, (m) => `a memcached host does not resolve${m[1] ? ` (${m[1]})` : ''}. Fix: check memcached.nodes[].host (leave it unset to use the container name)`],
  [/Connection refused|ConnectException/i, () => 'Tomcat cannot reach memcached. Fix: check memcached.nodes[].host and port, and that the memcached containers are healthy'],
  [/SASL|auth(entication)? fail/i, () => 'memcached refused the SASL login. Fix: check manager.username and manager.password, and that memcached runs with SASL'],
  [/OutOfMemoryError|Cannot allocate memory/i, () => 'the process ran out of memory. Fix: give Docker more memory, or use fewer nodes'],
  [/\[emerg\][^\n]*/, (m) => `nginx refused its configuration (${m[0].trim()}). Fix: this is a bug in the generated nginx.conf if the config validated; report it with the line above`],
  [/failed to listen|Address already in use|bind\(\)/i, () => 'a port inside the container is taken. Fix: check memcached.nodes[].port'],
  [/SEVERE[^\n]*|Exception[^\n]*/, (m) => `Tomcat failed at start-up (${m[0].trim().slice(0, 160)}). Fix: correct the setting the exception names, in the lab config`],
];

export function likelyFix(c: ContainerState, log: readonly string[]): string {
  const text = log.join('\n');
  for (const [re, say] of HINTS) {
    const m = text.match(re);
    if (m) return say(m, c);
  }
  if (c.role === 'tomcat' && c.status === 'exited' && !/catalina|tomcat/i.test(text))
    return `its process exited with code ${c.exitCode} and never mentioned Tomcat: the image does not start Tomcat. Fix: set images.tomcat to a Tomcat image (tomcat:<version>-jre<java>), or remove it`;
  if (c.oomKilled || c.exitCode === 137) return 'the kernel killed it (out of memory, or stopped from outside). Fix: give Docker more memory';
  if (c.status === 'exited') return `its process exited with code ${c.exitCode}. Fix: read its log above; check images.${c.role === 'load-balancer' ? 'nginx' : c.role || 'tomcat'} and the settings it uses`;
  return `its health check kept failing. Fix: read its log above (docker logs ${c.name})`;
}

/** Lines that say what failed: a log level, an exception (not its stack frames), an nginx emergency. */
const KEY_LINE = /^(SEVERE|ERROR|FATAL)\b|^\S[^:\s]*(Exception|Error)\b|^Caused by:|\[(emerg|alert|crit)\]|failed to /;

/**
 * What to print of a log: the first lines that say what failed (up to 8, from
 * the last 400 lines), then the last `lines` lines with stack frames folded.
 */
export function digestLog(log: readonly string[], lines = 20): string[] {
  const cut = (l: string) => (l.length > 300 ? l.slice(0, 300) + '…' : l);
  const key = [...new Set(log.filter((l) => KEY_LINE.test(l)))].slice(0, 8).map(cut);
  const tail: string[] = [];
  let frames = 0;
  for (const l of log.slice(-lines)) {
    if (/^\s+at |^\s+\.\.\. \d+ more/.test(l)) {
      frames++;
      continue;
    }
    if (frames) tail.push(`  … ${frames} stack frame(s)`);
    frames = 0;
    tail.push(cut(l));
  }
  if (frames) tail.push(`  … ${frames} stack frame(s)`);
  return key.length ? ['what failed:', ...key, `last ${lines} lines:`, ...tail] : tail;
}

/** One paragraph per broken container: state, what its log says failed, its last log lines, likely fix. Empty when none is broken. */
export function explainBroken(lab: string, lines = 20): string {
  const broken = labContainers(lab).filter(isHopeless);
  return broken
    .map((c) => {
      const log = lastLogLines(c.name, 400);
      const state = c.status === 'running' ? `running but ${c.health === 'unhealthy' ? 'unhealthy' : 'its webapp failed to start'}` : `${c.status} (exit code ${c.exitCode}${c.oomKilled ? ', OOM-killed' : ''})`;
      return [`container ${c.name} (${c.role || 'lab'}) is ${state}; its log (docker logs ${c.name}):`, ...digestLog(log, lines).map((l) => `  | ${l}`), `likely: ${likelyFix(c, log)}`].join('\n');
    })
    .join('\n\n');
}

/** Lines after which a Tomcat stays up but never serves the app: its health check can only time out. */
const TOMCAT_FATAL = /Context \[[^\]]*\] startup failed|One or more listeners failed to start|Error (?:starting|deploying) web application/;

/** A running Tomcat whose log already says the webapp failed to start (it will never turn healthy). */
export function tomcatGaveUp(c: ContainerState): boolean {
  if (c.role !== 'tomcat' || c.status !== 'running' || c.health === 'healthy') return false;
  return lastLogLines(c.name, 400).some((l) => TOMCAT_FATAL.test(l));
}

/**
 * Watches the lab's containers while `running()` is true; calls `onBroken` once
 * with the first container whose process exited or that turned unhealthy.
 * Only containers this apply creates are watched: those that existed when the
 * watch started are kept as they are or replaced by terraform, which stops them
 * (exit 143) on purpose. Returns a stop function.
 */
export function watchContainers(lab: string, onBroken: (c: ContainerState) => void, everyMs = 2000): () => void {
  const before = new Set(labContainers(lab).map((c) => c.id));
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    const hit = labContainers(lab).find((c) => !before.has(c.id) && (isBroken(c) || tomcatGaveUp(c)));
    if (hit) {
      stopped = true;
      clearInterval(timer);
      onBroken(hit);
    }
  }, everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
