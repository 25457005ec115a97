/**
 * The kit's one error family. Every mistake a user can make (a bad config, a
 * wrong flag, a URL where nothing listens, a failed download or deploy step)
 * is a KitError: entry points print its message alone. Anything else is a bug
 * in the kit and is printed with its stack trace.
 */
export class KitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One problem of a config: dotted field path (`(file)` for the file itself) and a message ending in `Fix: …`. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** The config is wrong: printed one problem per line. Nothing was written or deployed. */
export class ConfigError extends KitError {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n` + problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  }
}

/** A command was called wrongly (an unknown node, a missing argument). */
export class UsageError extends KitError {}

/** A jar could not be had: names the jar, the URL or path and the underlying error. */
export class JarError extends KitError {}

/** A step of deploying or driving the lab failed (terraform, docker, an image build): names the step. */
export class StepError extends KitError {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

/** True for errors whose message is the whole story (user mistakes and failed steps). */
export function isKitError(e: unknown): e is KitError {
  return e instanceof KitError;
}

/** What an entry point prints for an error: the message for a KitError, the stack for a bug. */
export function describeError(e: unknown): string {
  if (isKitError(e)) return e.message;
  const err = e as Error;
  return `msm-kit: unexpected error (a bug in msm-kit; please report it):\n${err?.stack ?? String(e)}`;
}
