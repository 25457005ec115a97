import { describe, expect, it } from 'vitest';
import { soakVerdict, type SoakPhase } from '../../src/lab/soak-verdict';

const phase = (label: string, lostAfter: number, updAfter: number, loadFailures: number, timeouts: number): SoakPhase => ({
  label,
  lostAfter,
  updAfter,
  msm: { loadFailures, timeouts },
});

describe('soakVerdict', () => {
  it('passes when nothing is lost after the failover instant, whatever msm logged', () => {
    const v = soakVerdict([phase('steady', 0, 0, 0, 0), phase('memcached killed', 0, 0, 12, 3)], false);
    expect(v.code).toBe(0);
    expect(v.line).toMatch(/^PASS/);
  });

  it('fails on a loss after the instant in a phase where msm logged no failed load and no timeout', () => {
    const v = soakVerdict([phase('memcached killed', 0, 0, 10, 0), phase('memcached started', 1, 0, 0, 0)], false);
    expect(v.code).toBe(1);
    expect(v.line).toMatch(/^FAIL: .*memcached started/);
  });

  it('is inconclusive (3) when every loss after the instant sits where msm reads failed or timed out', () => {
    const v = soakVerdict([phase('memcached killed', 16, 5, 40, 7), phase('tomcat killed', 0, 0, 0, 0)], false);
    expect(v.code).toBe(3);
    expect(v.line).toMatch(/^INCONCLUSIVE \(overloaded\).*memcached killed: 40 failed load\(s\), 7 timeout\(s\).*Fix:/);
  });

  it('one unexplained phase makes the whole run fail, even beside an overloaded one', () => {
    const v = soakVerdict([phase('memcached killed', 3, 0, 5, 0), phase('tomcat started', 0, 1, 0, 0)], false);
    expect(v.code).toBe(1);
  });

  it('sticky mode only reports', () => {
    expect(soakVerdict([phase('memcached killed', 9, 9, 0, 0)], true).code).toBe(0);
  });
});
