/** The e2e harness's one allowance for verify --failover (test/e2e/driver.ts lostOnlyTheStopUpdate): only the exact known-race shape is retried. */
import { expect, it } from 'vitest';
import { lostOnlyTheStopUpdate } from './e2e/driver';
const mk = (cs: number[]) => ({ ok: false, verdict: 'x', views: cs.map((c, i) => ({ status: 200, counter: c, session: `ABC-mnode1.t${i < 6 ? 1 : 2}` })) }) as any;
it('only a repeat of the counter at the stop, everything else rising by one, is the known race', () => {
  expect(lostOnlyTheStopUpdate(mk([1,2,3,4,5,6,6,7,8,9,10,11]), 12)).toBe(true);
  expect(lostOnlyTheStopUpdate(mk([1,2,3,4,5,6,7,8,9,10,11,12]), 12)).toBe(false);
  expect(lostOnlyTheStopUpdate(mk([1,2,3,4,5,6,5,6,7,8,9,10]), 12)).toBe(false);
  expect(lostOnlyTheStopUpdate(mk([1,2,3,4,5,6,1,2,3,4,5,6]), 12)).toBe(false);
  expect(lostOnlyTheStopUpdate(mk([1,2,3,4,5,6,6,7,8,8,9,10]), 12)).toBe(false);
});
