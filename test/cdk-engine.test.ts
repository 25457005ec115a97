/** The engine switch behind src/cdktf.ts (MSM_KIT_CDK). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cdktnToolsDir, parseCdkEngine, useCdkEngine } from '../src/cdk-engine';

const empty = mkdtempSync(join(tmpdir(), 'msm-kit-cdktn-'));
writeFileSync(join(empty, 'package.json'), '{"private":true}\n');
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('parseCdkEngine', () => {
  it('defaults to cdktf when unset or empty', () => {
    expect(parseCdkEngine(undefined)).toBe('cdktf');
    expect(parseCdkEngine('')).toBe('cdktf');
    expect(parseCdkEngine(' cdktf ')).toBe('cdktf');
  });
  it('accepts cdktn', () => {
    expect(parseCdkEngine('cdktn')).toBe('cdktn');
  });
  it('refuses anything else with a fix', () => {
    expect(() => parseCdkEngine('cdk-terrain')).toThrow(/MSM_KIT_CDK="cdk-terrain" is not a CDK engine\. Fix: set MSM_KIT_CDK to cdktf/);
  });
});

describe('cdktnToolsDir', () => {
  it('finds tools/cdktn above the source', () => {
    expect(cdktnToolsDir({}, __dirname)).toBe(join(__dirname, '..', 'tools', 'cdktn'));
  });
  it('takes MSM_KIT_CDKTN_DIR first', () => {
    expect(cdktnToolsDir({ MSM_KIT_CDKTN_DIR: empty })).toBe(empty);
  });
  it('says how to point at it when there is none', () => {
    expect(() => cdktnToolsDir({}, tmpdir())).toThrow(/no tools\/cdktn found above .*Fix: set MSM_KIT_CDKTN_DIR/);
  });
});

describe('useCdkEngine', () => {
  it('leaves cdktf alone', () => {
    expect(useCdkEngine(undefined)).toBe('cdktf');
  });
  it('refuses cdktn when tools/cdktn is not prepared, and says how to prepare it', () => {
    expect(() => useCdkEngine('cdktn', { MSM_KIT_CDKTN_DIR: empty })).toThrow(/cannot load cdktn from tools\/cdktn\/node_modules .*Fix: run `npm run cdktn:prepare`/);
  });
});
