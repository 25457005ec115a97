/** The version matrix comes from the schema and its rules. */
import { describe, expect, it } from 'vitest';
import { allCombinations, combinationConfig, matrix } from '../../src/config/matrix';
import { SERIALIZER_GAPS, serializerGaps } from '../../src/config/serializers';
import { DEFAULT_CONFIG } from '../helpers';

describe('version matrix', () => {
  it('knows 3 Tomcats × 4 Javas × 4 serializers and accepts all but flexjson, with its reason', () => {
    expect(allCombinations()).toHaveLength(48);
    const m = matrix(DEFAULT_CONFIG);
    expect(m.supported).toHaveLength(36);
    expect(m.refused.every((r) => r.serializer === 'flexjson' && /no msm-flexjson-serializer/.test(r.reason))).toBe(true);
    expect(m.supported).toContainEqual({ tomcat: '7', java: 8, serializer: 'kryo' });
  });

  it('a combination config keeps the base and sets versions and serializer', () => {
    const cfg = combinationConfig({ tomcat: '8.5', java: 11, serializer: 'xstream' }, DEFAULT_CONFIG) as { tomcat: { version: string; javaVersion: number; nodes: unknown[] }; manager: { serializer: string; lockingMode: string } };
    expect(cfg.tomcat).toMatchObject({ version: '8.5', javaVersion: 11 });
    expect(cfg.tomcat.nodes).toHaveLength(2);
    expect(cfg.manager).toMatchObject({ serializer: 'xstream', lockingMode: 'auto' });
  });

  it('every serializer gap says what happens', () => {
    for (const gaps of Object.values(SERIALIZER_GAPS)) for (const g of gaps) expect(g.what.length).toBeGreaterThan(20);
    expect(serializerGaps('java', 17)).toEqual(SERIALIZER_GAPS.java.map((g) => g.attribute));
  });
});
