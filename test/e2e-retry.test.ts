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

it('a drill is retried only for a few failed requests, or for exactly one lost update in non-sticky memcached-down', async () => {
  const { narrowDrillFailure } = await import('./e2e/driver');
  const r = (requestsFailed: number, sessionsLost: number, updatesLost: number, updatesLostAtStop = 0) => ({ requestsFailed, sessionsLost, updatesLost, updatesLostAtStop });
  expect(narrowDrillFailure(r(1, 0, 0), 'tomcat-down', false)).toMatch(/failed request/);
  expect(narrowDrillFailure(r(2, 0, 1, 1), 'tomcat-down', true)).toMatch(/failed request/);
  expect(narrowDrillFailure(r(3, 0, 0), 'tomcat-down', false)).toBeUndefined();
  expect(narrowDrillFailure(r(1, 1, 0), 'tomcat-down', false)).toBeUndefined();
  expect(narrowDrillFailure(r(1, 0, 1), 'tomcat-down', false)).toBeUndefined();
  expect(narrowDrillFailure(r(0, 0, 1), 'memcached-down', false)).toMatch(/open race/);
  expect(narrowDrillFailure(r(0, 0, 2, 1), 'memcached-down', false)).toMatch(/open race/);
  expect(narrowDrillFailure(r(0, 0, 2), 'memcached-down', false)).toBeUndefined();
  expect(narrowDrillFailure(r(0, 1, 1), 'memcached-down', false)).toBeUndefined();
  expect(narrowDrillFailure(r(1, 0, 1), 'memcached-down', false)).toBeUndefined();
  expect(narrowDrillFailure(r(0, 0, 1), 'memcached-down', true)).toBeUndefined();
  expect(narrowDrillFailure(r(0, 0, 1), 'tomcat-down', false)).toBeUndefined();
});
