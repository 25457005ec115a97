/**
 * The soak's verdict (scripts/soak.js), kept here so it is tested.
 *
 * Non-sticky msm promises no lost session and no lost update after the failover
 * instant. Under overload that promise cannot be judged: msm answers a read that
 * failed or timed out as "no such session", and an availability ping that times
 * out marks a node down (with every node down, a new id carries no node and is
 * never stored). So a loss after the instant counts as a failure only in a phase
 * where msm logged no failed load and no operation timeout.
 */
import type { MsmLogCounts } from './drill';

export interface SoakPhase {
  readonly label: string;
  /** Sessions lost after the failover instant in this phase. */
  readonly lostAfter: number;
  /** Updates lost after the failover instant in this phase. */
  readonly updAfter: number;
  /** What msm logged in this phase. */
  readonly msm: Pick<MsmLogCounts, 'loadFailures' | 'timeouts'>;
}

export interface SoakVerdict {
  /** 0 pass, 1 fail, 3 inconclusive (overloaded). */
  readonly code: 0 | 1 | 3;
  readonly line: string;
}

export function soakVerdict(phases: readonly SoakPhase[], sticky: boolean): SoakVerdict {
  const lost = phases.reduce((a, p) => a + p.lostAfter, 0);
  const upd = phases.reduce((a, p) => a + p.updAfter, 0);
  if (sticky) return { code: 0, line: 'sticky mode makes no loss-free promise: figures are reported' };
  if (lost + upd === 0) return { code: 0, line: 'PASS: no session and no update lost after the failover instants (losses at the instant are msm semantics, see docs/modes.md)' };
  const lossy = phases.filter((p) => p.lostAfter + p.updAfter > 0);
  const unexplained = lossy.filter((p) => p.msm.loadFailures + p.msm.timeouts === 0);
  if (unexplained.length > 0) {
    return {
      code: 1,
      line: `FAIL: non-sticky mode promises no lost session and no lost update after the failover instant; ${lost} session(s) and ${upd} update(s) were lost after it, in ${unexplained.map((p) => p.label).join(', ')} with no failed load or timeout logged by msm`,
    };
  }
  return {
    code: 3,
    line: `INCONCLUSIVE (overloaded): ${lost} session(s) and ${upd} update(s) were lost after the failover instant, all in phases where msm's memcached operations failed or timed out (${lossy.map((p) => `${p.label}: ${p.msm.loadFailures} failed load(s), ${p.msm.timeouts} timeout(s)`).join('; ')}). msm answers a failed read as "no such session"; that is msm under overload, not its failover path. Fix: lower the load (--think, --sessions) or raise manager.operationTimeout, and run again`,
  };
}
