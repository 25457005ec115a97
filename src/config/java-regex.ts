/**
 * Java regex semantics for every pattern msm compiles (requestUriIgnorePattern,
 * sessionAttributeFilter, lockingMode uriPattern:). JavaScript's engine is not
 * Java's: Java refuses `{id}` ("Illegal repetition") that JavaScript reads as a
 * literal, and accepts inline flags `(?i)` that JavaScript refuses. So patterns
 * are compiled by java.util.regex itself, through tools/java/RegexCheck.java.
 *
 * - One `java` run checks a whole batch (`checkJavaRegexes`); results are cached
 *   by SHA-256 (of the checker's source and the pattern) under
 *   `$MSM_KIT_CACHE/java-regex` (default ~/.cache/msm-kit/java-regex), so a
 *   pattern is compiled by Java once per machine. The checker is compiled once
 *   with `javac` into the same cache when javac exists; otherwise `java File.java`
 *   (Java 11+ single-file launch) runs it.
 * - Fallback: without `java` on PATH (or `MSM_KIT_JAVA` pointing at one), the
 *   JavaScript engine decides and every result says `engine: "javascript"`;
 *   `javaRegexEngine()` tells callers to print a warning that Java's semantics
 *   were not checked.
 *
 * Shared with `msm-kit lint`: keep `checkJavaRegex(pattern)` and
 * `checkJavaRegexes(patterns)` as they are.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths';

export type JavaRegexResult = ({ ok: true } | { ok: false; message: string }) & {
  /** Which engine decided: java.util.regex, or JavaScript's when no Java was found. */
  readonly engine?: 'java' | 'javascript';
};

const CHECKER_SOURCE = join(PACKAGE_ROOT, 'tools', 'java', 'RegexCheck.java');

function cacheDir(): string {
  return join(process.env.MSM_KIT_CACHE ?? join(homedir(), '.cache', 'msm-kit'), 'java-regex');
}

let checkerHash: string | undefined;
function sourceHash(): string {
  checkerHash ??= createHash('sha256').update(readFileSync(CHECKER_SOURCE)).digest('hex');
  return checkerHash;
}

const memory = new Map<string, JavaRegexResult>();
let javaMissing: boolean | undefined;

function javaBin(): string {
  return process.env.MSM_KIT_JAVA ?? 'java';
}

function keyOf(pattern: string): string {
  return createHash('sha256').update(sourceHash()).update('\0').update(pattern, 'utf8').digest('hex');
}

function jsCheck(pattern: string): JavaRegexResult {
  try {
    new RegExp(pattern);
    return { ok: true, engine: 'javascript' };
  } catch (e) {
    return { ok: false, message: (e as Error).message.replace(/^Invalid regular expression: /, ''), engine: 'javascript' };
  }
}

/** Command that runs the checker: compiled class (cached) when javac works, else single-file source launch. */
function checkerCommand(): string[] {
  const classDir = join(cacheDir(), 'class-' + sourceHash().slice(0, 16));
  if (existsSync(join(classDir, 'RegexCheck.class'))) return [javaBin(), '-cp', classDir, 'RegexCheck'];
  const javac = process.env.MSM_KIT_JAVA ? join(process.env.MSM_KIT_JAVA, '..', 'javac') : 'javac';
  const tmp = `${classDir}.tmp-${process.pid}`;
  const r = spawnSync(javac, ['-d', tmp, CHECKER_SOURCE], { stdio: 'ignore', timeout: 60_000 });
  if (r.status === 0) {
    try {
      renameSync(tmp, classDir);
    } catch {
      /* another process won the race; its class is the same */
    }
    if (existsSync(join(classDir, 'RegexCheck.class'))) return [javaBin(), '-cp', classDir, 'RegexCheck'];
  }
  return [javaBin(), CHECKER_SOURCE];
}

function runJava(patterns: string[]): Array<JavaRegexResult> | undefined {
  if (javaMissing) return undefined;
  const [cmd, ...args] = checkerCommand();
  const input = patterns.map((p) => Buffer.from(p, 'utf8').toString('base64')).join('\n') + '\n';
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    javaMissing = true;
    return undefined;
  }
  const lines = r.stdout.split('\n').filter((l) => l.length > 0);
  if (lines.length !== patterns.length) {
    javaMissing = true;
    return undefined;
  }
  return lines.map((l) =>
    l === 'OK' ? { ok: true, engine: 'java' } : { ok: false, message: Buffer.from(l.slice(4), 'base64').toString('utf8'), engine: 'java' },
  );
}

/** Checks many patterns with java.util.regex in one Java run (cached); JavaScript's engine when no Java is found. */
export function checkJavaRegexes(patterns: readonly string[]): JavaRegexResult[] {
  const dir = cacheDir();
  const todo: string[] = [];
  for (const p of new Set(patterns)) {
    if (memory.has(p)) continue;
    const file = join(dir, keyOf(p) + '.json');
    if (existsSync(file)) {
      try {
        memory.set(p, JSON.parse(readFileSync(file, 'utf8')) as JavaRegexResult);
        continue;
      } catch {
        /* a damaged cache entry is recomputed */
      }
    }
    todo.push(p);
  }
  if (todo.length > 0) {
    const results = runJava(todo);
    if (results === undefined) {
      for (const p of todo) memory.set(p, jsCheck(p)); // not cached on disk: Java may be installed later
    } else {
      mkdirSync(dir, { recursive: true });
      todo.forEach((p, i) => {
        memory.set(p, results[i]);
        const file = join(dir, keyOf(p) + '.json');
        writeFileSync(`${file}.${process.pid}`, JSON.stringify(results[i]));
        renameSync(`${file}.${process.pid}`, file);
      });
    }
  }
  return patterns.map((p) => memory.get(p)!);
}

/** Whether java.util.regex compiles the pattern (msm compiles it with Pattern.compile, no flags). */
export function checkJavaRegex(pattern: string): JavaRegexResult {
  return checkJavaRegexes([pattern])[0];
}

/**
 * Which engine the last checks used: "javascript" means no Java was found and
 * Java's semantics were not checked (callers print a warning).
 */
export function javaRegexEngine(): 'java' | 'javascript' | 'unused' {
  if (javaMissing) return 'javascript';
  return memory.size > 0 ? 'java' : 'unused';
}
