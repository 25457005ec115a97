/** The version matrix comes from the schema and its rules. */
import { describe, expect, it } from 'vitest';
import { allCombinations, combinationConfig, deployedInCi, matrix } from '../../src/config/matrix';
import { SERIALIZER_GAPS, serializerGaps } from '../../src/config/serializers';
import { SERIALIZERS } from '../../src/config/schema';
import { DEFAULT_CONFIG } from '../helpers';

describe('version matrix', () => {
  it('knows 5 Tomcats × 4 Javas × 4 serializers; on 7-9 accepts all but flexjson, with its reason', () => {
    expect(allCombinations()).toHaveLength(80);
    const m = matrix(DEFAULT_CONFIG);
    const javax = (c: { tomcat: string }) => ['7', '8.5', '9'].includes(c.tomcat);
    expect(m.supported.filter(javax)).toHaveLength(36);
    expect(m.refused.filter(javax).every((r) => r.serializer === 'flexjson' && /no msm-flexjson-serializer/.test(r.reason))).toBe(true);
    expect(m.supported).toContainEqual({ tomcat: '7', java: 8, serializer: 'kryo' });
  });

  it('Tomcat 10.1 (Java 11+) and 11 (Java 17+) with java, kryo and xstream (flexjson refused as everywhere); CI deploys them on their oldest and newest Java', () => {
    const m = matrix(DEFAULT_CONFIG);
    const isJakarta = (c: { tomcat: string }) => c.tomcat === '10.1' || c.tomcat === '11';
    const proven = SERIALIZERS.filter((s) => s !== 'flexjson');
    const want = (['10.1/11', '10.1/17', '10.1/21', '11/17', '11/21'] as const).flatMap((tj) => proven.map((s) => `${tj}/${s}`)).sort();
    expect(m.supported.filter(isJakarta).map((c) => `${c.tomcat}/${c.java}/${c.serializer}`).sort()).toEqual(want);
    expect([...new Set(m.supported.filter(isJakarta).filter(deployedInCi).map((c) => `${c.tomcat}/${c.java}`))].sort()).toEqual(['10.1/11', '10.1/21', '11/17', '11/21']);
    expect(m.supported.filter(deployedInCi)).toHaveLength(36 + 4 * proven.length);
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
