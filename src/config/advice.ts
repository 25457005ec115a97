/**
 * Advice: setups msm accepts and runs, but that lose data or expose the lab in
 * a way users do not expect. Unlike the rules (rules.ts), advice never refuses a
 * config: `validate`, `synth` and `up` print it as warnings. Each entry says why.
 */
import type { ConfigProblem } from '../errors';
import { formatPath } from './load';
import { showValue } from './show';
import type { Rule } from './rules';
import type { LabConfig } from './schema';

/** msm's own sessionBackupTimeout when unset, in ms. */
export const MSM_SESSION_BACKUP_TIMEOUT = 100;
/** The backup timeout below which a cold or busy JVM relocates sessions (measured with the cold-start drill). */
export const SAFE_SESSION_BACKUP_TIMEOUT = 1000;

export const advisoryRules: readonly Rule[] = [
  {
    id: 'backup-timeout-cold-start',
    why:
      'with synchronous backup msm waits sessionBackupTimeout (100 ms unless set) for the session write; when it times out (a cold JVM, a busy host) msm marks the memcached node unavailable and the next requests load the session from its backup copy, which it writes after the response: the last update is lost (the cold-start drill lost 10 sessions and 32 updates with 100 ms, none with 2000 ms).',
    check: (c) => {
      const m = c.manager;
      const timeout = m.sessionBackupTimeout ?? MSM_SESSION_BACKUP_TIMEOUT;
      if (m.sessionBackupAsync !== false || timeout >= SAFE_SESSION_BACKUP_TIMEOUT) return [];
      return [
        {
          path: ['manager', 'sessionBackupTimeout'],
          value: m.sessionBackupTimeout,
          message: `msm waits only ${timeout} ms for each session write; a slower write (a cold or busy JVM) makes msm relocate sessions to a backup copy that misses the last update. Fix: set manager.sessionBackupTimeout to 2000 and manager.operationTimeout to 2000`,
        },
      ];
    },
  },
];

/** The advice that applies to a valid config, formatted like config problems. */
export function configWarnings(cfg: LabConfig): ConfigProblem[] {
  return advisoryRules.flatMap((r) => r.check(cfg).map((i) => ({ path: formatPath(i.path), message: `${i.message} (got ${showValue(i.value)})` })));
}
