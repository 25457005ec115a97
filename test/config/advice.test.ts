/** Advice (config/advice.ts): warnings for setups msm runs but that lose data; never a refusal. */
import { describe, expect, it } from 'vitest';
import { advisoryRules, configWarnings } from '../../src/config/advice';
import { accept, DEFAULT_CONFIG, patch, STICKY_CONFIG } from '../helpers';

describe('advice', () => {
  it('every entry says why', () => {
    for (const r of advisoryRules) expect(r.why.length, r.id).toBeGreaterThan(40);
  });

  it('backup-timeout-cold-start: warns on synchronous backup with msm\'s 100 ms, accepts 2000 ms', () => {
    const short = accept(patch(DEFAULT_CONFIG, { manager: { sessionBackupTimeout: undefined, operationTimeout: undefined } }));
    const w = configWarnings(short);
    expect(w).toHaveLength(1);
    expect(w[0].path).toBe('manager.sessionBackupTimeout');
    expect(w[0].message).toMatch(/waits only 100 ms.*Fix: set manager\.sessionBackupTimeout to 2000/);
    expect(configWarnings(accept(patch(DEFAULT_CONFIG, { manager: { sessionBackupTimeout: 500 } })))[0].message).toMatch(/only 500 ms/);
    expect(configWarnings(accept(DEFAULT_CONFIG))).toEqual([]);
  });

  it('backup-timeout-cold-start: says nothing with asynchronous backup (the timeout is not used)', () => {
    expect(configWarnings(accept(STICKY_CONFIG))).toEqual([]);
  });
});

describe('advice from the load benchmark', () => {
  it('xstream-cost: warns on the XStream serializer only', () => {
    const w = configWarnings(accept(patch(DEFAULT_CONFIG, { manager: { serializer: 'xstream' } })));
    expect(w.map((x) => x.path)).toEqual(['manager.serializer']);
    expect(w[0].message).toMatch(/Fix: use "java"/);
    expect(configWarnings(accept(patch(DEFAULT_CONFIG, { manager: { serializer: 'kryo' } })))).toEqual([]);
  });
});
