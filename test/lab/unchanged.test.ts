import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentMark, stateContainers, whyApply, writeAppliedMark } from '../../src/lab/unchanged';

const state = (containers: Record<string, string>) =>
  JSON.stringify({
    resources: [
      { type: 'docker_network', instances: [{ attributes: { name: 'net', id: 'n1' } }] },
      ...Object.entries(containers).map(([name, id]) => ({ type: 'docker_container', instances: [{ attributes: { name, id } }] })),
    ],
  });

function lab(): { dir: string; stackDir: string; statePath: string; mark: string } {
  const dir = mkdtempSync(join(tmpdir(), 'msm-unchanged-'));
  const stackDir = join(dir, 'stack');
  mkdirSync(stackDir);
  writeFileSync(join(stackDir, 'cdk.tf.json'), '{"resource":{}}');
  const statePath = join(dir, 'lab.tfstate');
  writeFileSync(statePath, state({ a: 'id-a' }));
  return { dir, stackDir, statePath, mark: join(dir, 'lab.applied.json') };
}

describe('the no-change path of up', () => {
  it('reads the containers a state records, and nothing else', () => {
    expect([...stateContainers(state({ t1: 'x', m1: 'y' }))]).toEqual([
      ['t1', 'x'],
      ['m1', 'y'],
    ]);
  });

  it('applies without a record of a previous apply', async () => {
    const l = lab();
    expect(await whyApply(l.mark, l.stackDir, l.statePath, ['a'])).toBe('no record of a previous apply');
  });

  it('applies when the stack changed (a config or image context change)', async () => {
    const l = lab();
    writeAppliedMark(l.mark, l.stackDir, l.statePath);
    writeFileSync(join(l.stackDir, 'cdk.tf.json'), '{"resource":{"x":1}}');
    expect(await whyApply(l.mark, l.stackDir, l.statePath, ['a'])).toBe('the stack changed since the last apply');
  });

  it('applies when the state changed since (another apply, a cdktf deploy, a hand edit)', async () => {
    const l = lab();
    writeAppliedMark(l.mark, l.stackDir, l.statePath);
    writeFileSync(l.statePath, state({ a: 'id-b' }));
    expect(await whyApply(l.mark, l.stackDir, l.statePath, ['a'])).toBe('the state changed since the last apply');
  });

  it('applies when the lab needs a container the state does not record', async () => {
    const l = lab();
    writeAppliedMark(l.mark, l.stackDir, l.statePath);
    expect(await whyApply(l.mark, l.stackDir, l.statePath, ['a', 'b'])).toBe('the state has no container b');
  });

  it('has no mark without a state', () => {
    const l = lab();
    expect(currentMark(l.stackDir, join(l.dir, 'missing.tfstate'))).toBeUndefined();
  });
});
