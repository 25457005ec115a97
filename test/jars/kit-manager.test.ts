/**
 * The kit's Manager jar (tools/java/kit-manager), as `npm test`'s pretest made it: one jar
 * serves every Tomcat the kit deploys, so it must name no javax.* type (Tomcat 10.1/11 have
 * none) and carry the classes context.xml and the jakarta Manager name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KIT_MANAGER_CLASS, managerClass } from '../../src/config/msm';
import { defaultCacheRoot } from '../../src/jars/fetch';
import { jarRepoPath, jarSet } from '../../src/jars/manifest';
import { readZip } from '../../src/jars/zip';

const kitJar = () => jarSet('9', 'java', 17).find((j) => j.artifactId === 'msm-kit-manager')!;

describe('the kit Manager jar', () => {
  it('is in the jar set of every Tomcat version, beside msm', () => {
    for (const v of ['7', '8.5', '9', '10.1', '11'] as const) expect(jarSet(v, 'kryo', 17).map((j) => j.artifactId)).toContain('msm-kit-manager');
    expect(managerClass('9')).toBe(KIT_MANAGER_CLASS);
    expect(managerClass('7')).toBe(KIT_MANAGER_CLASS);
  });

  it('holds the Manager, the session service in msm\'s package and the log throttle, and names no javax.* class', () => {
    const entries = readZip(readFileSync(join(defaultCacheRoot(), 'jars', jarRepoPath(kitJar()))));
    const names = entries.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['msmkit/tomcat/KitMemcachedBackupSessionManager.class', 'de/javakaffee/web/msm/KitSessionService.class', 'msmkit/tomcat/LogThrottle.class']));
    for (const e of entries.filter((x) => x.name.endsWith('.class'))) expect(e.data.includes(Buffer.from('javax/')), e.name).toBe(false);
  });
});
