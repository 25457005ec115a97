/** The drills' verdict on their own requests: a drill whose requests failed, or whose page set no session, must fail. */
import { describe, expect, it } from 'vitest';
import { judgeRequests, type RequestCounts } from '../../src/lab/drill';

const counts = (c: Partial<RequestCounts>): RequestCounts => ({ scenario: 'tomcat-down', url: 'http://127.0.0.1:8080/shop/', requests: 100, httpFailed: 0, withoutSession: 0, ...c });

describe('judgeRequests', () => {
  it('no failed request and every answer with a session: no problem', () => {
    expect(judgeRequests(counts({}))).toEqual([]);
  });

  it('failed requests fail the drill, with the count, the first failure and a Fix', () => {
    const p = judgeRequests(counts({ httpFailed: 3, firstFailure: 'HTTP 502' }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^3 of 100 request\(s\) failed \(first: HTTP 502\): users saw errors\. Fix: /);
  });

  it('every request failed (the case that used to PASS): fails', () => {
    expect(judgeRequests(counts({ scenario: 'memcached-down', httpFailed: 100 }))).toHaveLength(1);
  });

  it('a page that sets no session fails with a Fix that points --path at a page that creates one', () => {
    const p = judgeRequests(counts({ requests: 4523, withoutSession: 4523 }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/none of the 4523 answer\(s\) from http:\/\/127\.0\.0\.1:8080\/shop\/ carried a session.*Fix: point --path at a page that creates a session/);
  });

  it('cold-start: requests failing while the Tomcats start are reported, not judged, unless all failed', () => {
    expect(judgeRequests(counts({ scenario: 'cold-start', httpFailed: 40 }))).toEqual([]);
    expect(judgeRequests(counts({ scenario: 'cold-start', httpFailed: 100 }))[0]).toMatch(/every one of the 100 request\(s\) failed/);
  });

  it('no request at all is a failure too', () => {
    expect(judgeRequests(counts({ requests: 0 }))[0]).toMatch(/no request was sent/);
  });
});
