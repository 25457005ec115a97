/** Pure parts of verify and the drills: session id parsing, loss and failure-window analysis. */
import { describe, expect, it } from 'vitest';
import { analyseSession, longestGap, longestWindow, trailAround } from '../../src/lab/drill';
import { parseSessionId } from '../../src/lab/http';

const ok = (session: string, counter: number, t0 = 0) => ({ status: 200, session, counter, t0, t1: t0 + 5 });

describe('parseSessionId', () => {
  it('splits <hex>-<memcachedId>.<jvmRoute>', () => {
    expect(parseSessionId('ABC123-mnode1.tomcat1')).toEqual({ hex: 'ABC123', memcachedId: 'mnode1', route: 'tomcat1' });
    expect(parseSessionId('ABC123-mnode2')).toEqual({ hex: 'ABC123', memcachedId: 'mnode2', route: undefined });
  });
});

describe('analyseSession', () => {
  it('a relocated session (new node id, new route) with a rising counter is not lost', () => {
    expect(analyseSession([ok('A1-mnode1.t1', 1), ok('A1-mnode2.t2', 2), ok('A1-mnode2.t2', 3)])).toMatchObject({ lost: false, repeated: 0, skipped: 0 });
  });

  it('a new id is a lost session', () => {
    const r = analyseSession([ok('A1-mnode1', 5), ok('B2-mnode2', 1, 1234)]);
    expect(r.lost).toBe(true);
    expect(r.lostAtStop).toBe(false);
  });

  it('only a request truly in flight when the node died is at the failover instant; the next one is not excused', () => {
    const stop = { from: 1000, until: 1100 };
    // in flight: sent before the node was gone (t0 <= 1100), answered after it began to go (t1 >= 1000)
    expect(analyseSession([ok('A1', 1, 0), ok('B2', 1, 1050)], stop).lostAtStop).toBe(true);
    expect(analyseSession([ok('A1', 1, 0), ok('A1', 1, 1096)], stop)).toMatchObject({ repeated: 1, updatesLostAtStop: 1 });
    // the first request after the stop (sent at 1150) used to be excused: no longer
    expect(analyseSession([ok('A1', 1, 0), ok('A1', 2, 990), ok('B2', 1, 1150)], stop)).toMatchObject({ lost: true, lostAtStop: false });
    expect(analyseSession([ok('A1', 1, 0), ok('A1', 1, 1120)], stop)).toMatchObject({ repeated: 1, updatesLostAtStop: 0 });
    // a measured instant (from = until): only the request that spans it
    const died = { from: 1040, until: 1040 };
    expect(analyseSession([ok('A1', 1, 0), ok('B2', 1, 1036)], died).lostAtStop).toBe(true);
    expect(analyseSession([ok('A1', 1, 0), ok('B2', 1, 1041)], died).lostAtStop).toBe(false);
  });

  it('a repeated counter is the previous answer\'s write lost: at the instant when that request was in flight then, even if the one that shows it was sent after', () => {
    const stop = { from: 1000, until: 1040 };
    const span = (session: string, counter: number, t0: number, t1: number) => ({ status: 200, session, counter, t0, t1 });
    // the write of the request sent at 980 and answered at 1150 (in flight when the node died) is missing
    expect(analyseSession([span('A1-mnode1', 5, 800, 960), span('A1-mnode1', 6, 980, 1150), span('A1-mnode2', 6, 1157, 1300)], stop)).toMatchObject({
      repeated: 1,
      updatesLostAtStop: 1,
    });
    // the same loss, but the request whose write is missing was answered before the node began to go: not excused
    expect(analyseSession([span('A1-mnode1', 5, 800, 900), span('A1-mnode1', 6, 910, 990), span('A1-mnode2', 6, 1157, 1300)], stop)).toMatchObject({
      repeated: 1,
      updatesLostAtStop: 0,
    });
    // a skipped counter: the request the client saw fail was in flight at the instant
    expect(analyseSession([span('A1', 5, 800, 900), { status: 0, t0: 990, t1: 1100 }, span('A1', 7, 1110, 1200)], stop)).toMatchObject({ skipped: 1, updatesLostAtStop: 1 });
    expect(analyseSession([span('A1', 5, 800, 900), { status: 0, t0: 1100, t1: 1105 }, span('A1', 7, 1110, 1200)], stop)).toMatchObject({ skipped: 1, updatesLostAtStop: 0 });
  });

  it('a loss after the failover instant is not excused', () => {
    const stop = { from: 1000, until: 1100 };
    const r = analyseSession([ok('A1', 1, 0), ok('A1', 2, 1150), ok('B2', 1, 5000)], stop);
    expect(r).toMatchObject({ lost: true, lostAtStop: false });
  });

  it('with several failover instants (a soak), a loss at either is excused and one between them is not', () => {
    const stops = [{ from: 1000, until: 1100 }, { from: 5000, until: 5100 }];
    expect(analyseSession([ok('A1', 1, 0), ok('A1', 2, 3000), ok('B2', 1, 5050)], stops)).toMatchObject({ lost: true, lostAtStop: true, lostIndex: 2 });
    expect(analyseSession([ok('A1', 1, 0), ok('A1', 2, 1150), ok('B2', 1, 3000)], stops)).toMatchObject({ lost: true, lostAtStop: false, lostIndex: 2 });
    const r = analyseSession([ok('A1', 1, 0), ok('A1', 1, 1050), ok('A1', 2, 3000), ok('A1', 2, 3100), ok('A1', 3, 5200)], stops);
    expect(r).toMatchObject({ repeated: 2, updatesLostAtStop: 1 });
    expect(r.updates).toEqual([
      { t0: 1050, kind: 'repeated', atStop: true },
      { t0: 3100, kind: 'repeated', atStop: false },
    ]);
  });

  it('a counter reset under the same id is a lost session', () => {
    expect(analyseSession([ok('A1-mnode1', 7), ok('A1-mnode2', 1)]).lost).toBe(true);
  });

  it('counts repeated and skipped updates, ignoring failed requests', () => {
    const r = analyseSession([ok('A1', 1), ok('A1', 2), ok('A1', 2), { status: 502, session: undefined, counter: undefined, t0: 0, t1: 1 } as never, ok('A1', 5)]);
    expect(r).toMatchObject({ lost: false, repeated: 1, skipped: 1 });
  });
});

describe('longestWindow', () => {
  it('merges overlapping failures and returns the longest stretch', () => {
    expect(longestWindow([[0, 100], [50, 300], [1000, 1100]])).toBe(300);
    expect(longestWindow([])).toBe(0);
  });
});

describe('longestGap', () => {
  it('is the longest time between two successful answers, failed ones not counting', () => {
    const a = (status: number, t1: number) => ({ status, t1 });
    expect(longestGap([a(200, 100), a(502, 150), a(200, 900), a(200, 1000), a(200, 120)])).toBe(780);
    expect(longestGap([a(200, 5)])).toBe(0);
    expect(longestGap([])).toBe(0);
  });
});

describe('analyseSession, session identity only (drill --path on an app without the counter)', () => {
  const seen = (session: string) => ({ status: 200, session, counter: undefined, t0: 0, t1: 1 });
  it('a kept id is no loss, a changed id is a lost session; no counter is read', () => {
    expect(analyseSession([seen('A1-mnode1'), seen('A1-mnode2'), seen('A1-mnode2')], undefined, true)).toMatchObject({ lost: false, repeated: 0, skipped: 0 });
    expect(analyseSession([seen('A1-mnode1'), seen('B2-mnode1')], undefined, true)).toMatchObject({ lost: true });
    // without identityOnly, samples without a counter are not read at all
    expect(analyseSession([seen('A1-mnode1'), seen('B2-mnode1')])).toMatchObject({ lost: false });
  });
});

describe('trailAround', () => {
  const s = [
    { status: 200, node: 't1', session: 'A-mnode1', counter: 5, t0: 900 },
    { status: 200, node: 't2', session: 'A-mnode1', counter: 6, t0: 1000 },
    { status: 0, t0: 1100 },
    { status: 200, node: 't1', session: 'A-mnode2', counter: 6, t0: 1200 },
    { status: 200, node: 't2', session: 'A-mnode2', counter: 7, t0: 1300 },
    { status: 200, node: 't1', session: 'A-mnode2', counter: 8, t0: 1400 },
  ];
  it('shows two requests before the lost one and one after, relative to the instant, the lost one marked', () => {
    expect(trailAround(s, 1200, 1000)).toBe('0.000 s t2 A-mnode1 #6 | 0.100 s HTTP 0 | 0.200 s t1 A-mnode2 #6 < | 0.300 s t2 A-mnode2 #7');
  });
  it('is empty for a request the session never sent', () => {
    expect(trailAround(s, 1234, 0)).toBe('');
  });
});
