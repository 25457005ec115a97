/** Pure parts of settling a lab before a drill: which nodes answered, how long nginx remembers a failure. */
import { describe, expect, it } from 'vitest';
import { failMemoryWaitMs, settledFrom } from '../../src/lab/settle';

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
