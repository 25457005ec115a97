/** Pure parts of settling a lab before a drill: which nodes answered, how long nginx remembers a failure. */
import { describe, expect, it } from 'vitest';
import { failMemoryWaitMs, lastNginxFailureMs, settledFrom } from '../../src/lab/settle';

describe('settledFrom', () => {
  const nodes = ['tomcat-node1', 'tomcat-node2'];

  it('is settled once every node answered at least once', () => {
    expect(settledFrom(nodes, ['tomcat-node2', 'tomcat-node2', 'tomcat-node1'])).toEqual({ settled: true, missing: [] });
  });

  it('is not settled while a node has not answered, and names it', () => {
    expect(settledFrom(nodes, ['tomcat-node1', 'tomcat-node1', 'tomcat-node1'])).toEqual({ settled: false, missing: ['tomcat-node2'] });
  });

  it('failed requests (no node) and unknown nodes do not count', () => {
    expect(settledFrom(nodes, [undefined, 'tomcat-node1', 'other-node'])).toEqual({ settled: false, missing: ['tomcat-node2'] });
  });

  it('no answers, or no expected nodes, is not settled', () => {
    expect(settledFrom(nodes, []).settled).toBe(false);
    expect(settledFrom([], ['tomcat-node1']).settled).toBe(false);
  });
});

describe('failMemoryWaitMs', () => {
  it('waits the whole fail_timeout when the last failure is unknown', () => {
    expect(failMemoryWaitMs(5, 1_000_000)).toBe(5000);
  });

  it('waits only what is left of it after a known failure', () => {
    expect(failMemoryWaitMs(5, 1_000_000, 1_000_000 - 2000)).toBe(3000);
  });

  it('does not wait when the last failure is older than fail_timeout', () => {
    expect(failMemoryWaitMs(5, 1_000_000, 1_000_000 - 60_000)).toBe(0);
  });

  it('never waits longer than fail_timeout, even for a failure stamped in the future', () => {
    expect(failMemoryWaitMs(5, 1_000_000, 1_000_000 + 60_000)).toBe(5000);
  });
});

describe("lastNginxFailureMs (nginx's failure memory from its log, docker logs --timestamps)", () => {
  const line = (iso: string, level: string, what: string) => `${iso} 2026/12/08 01:27:23 [${level}] 36#36: *35 ${what}, client: 172.28.57.1, server: , request: "GET / HTTP/1.1", upstream: "http://172.28.57.40:8080/"`;
  it('takes the latest failure line, whatever the order (stdout and stderr come apart)', () => {
    const text = [
      line('2026-12-08T01:27:41.508818793Z', 'warn', 'upstream server temporarily disabled while reading response header from upstream'),
      line('2026-12-08T01:27:48.006534337Z', 'error', 'connect() failed (111: Connection refused) while connecting to upstream'),
      line('2026-12-08T01:27:23.158638277Z', 'error', 'upstream prematurely closed connection while reading response header from upstream'),
    ].join('\n');
    expect(lastNginxFailureMs(text)).toBe(Date.parse('2026-12-08T01:27:48.006Z'));
  });
  it('ignores lines that are no node failure (start-up notices, a client that went away)', () => {
    const text = [
      '2026-12-08T01:27:00.000000000Z 2026/12/08 01:27:00 [notice] 1#1: start worker processes',
      line('2026-12-08T01:27:30.000000000Z', 'info', 'client prematurely closed connection while sending to client'),
      '',
    ].join('\n');
    expect(lastNginxFailureMs(text)).toBeUndefined();
  });
  it('counts "no live upstreams" and timeouts', () => {
    expect(lastNginxFailureMs(line('2026-12-08T01:00:00Z', 'error', 'no live upstreams while connecting to upstream'))).toBe(Date.parse('2026-12-08T01:00:00Z'));
    expect(lastNginxFailureMs(line('2026-12-08T01:00:01Z', 'error', 'upstream timed out (110: Connection timed out) while reading response header from upstream'))).toBe(Date.parse('2026-12-08T01:00:01Z'));
  });
});
