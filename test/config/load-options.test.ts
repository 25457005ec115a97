/** Rules about the Docker lab's own topology do not apply to Tomcats Docker does not run (bundle). */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';
import { DEFAULT_CONFIG, patch } from '../helpers';

const onLoopback = patch(DEFAULT_CONFIG, {
  memcached: {
    nodes: [
      { id: 'n1', name: 'memcached-node1', host: '127.0.0.1', port: 21211 },
      { id: 'n2', name: 'memcached-node2', host: '127.0.0.1', port: 21212 },
    ],
  },
});

describe('load options', () => {
  it('refuses memcached on 127.0.0.1 for the Docker lab (inside a container that is the Tomcat itself)', () => {
    expect(() => parseConfig(onLoopback, 'x.json')).toThrow(ConfigError);
  });

  it('accepts it outside Docker (msm-kit bundle), where the other rules still apply', () => {
    expect(parseConfig(onLoopback, 'x.json', { outsideDocker: true }).memcached.nodes[0].host).toBe('127.0.0.1');
    expect(() => parseConfig(patch(onLoopback, { manager: { failoverNodes: ['nope'] } }), 'x.json', { outsideDocker: true })).toThrow(/not a memcached node id/);
  });
});
