/**
 * The command line, run as a user runs it (fresh node process on bin/msm-kit.js).
 * Needs `npm run build` first (npm test's pretest does it). synth runs offline:
 * .ci/run fills the jar cache beforehand, and tests never reach the network.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labJsonSchema } from '../../src/config/json-schema';
import { DEFAULT_CONFIG, patch, ROOT } from '../helpers';

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'msm-kit.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmpConfig(cfg: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'msm-cli-'));
  const file = join(dir, 'lab.config.json');
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  return file;
}

describe('msm-kit validate', () => {
  it('exits 0 with a one-line summary for the default config', () => {
    const r = run(['validate']);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(/valid — non-sticky, Tomcat 9 on Java 17, 2 Tomcat × 2 memcached/);
  });

  it('accepts the sticky example', () => {
    const r = run(['validate', '--config', 'examples/sticky.json']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('sticky');
  });

  it('exits 1 listing every error, one per line, each starting with the field path, without a stack trace', () => {
    const file = tmpConfig(patch(DEFAULT_CONFIG, { manager: { failoverNodes: ['mem-node2'], lockingMode: 'maybe' }, tomcat: { version: '10.1' } }));
    const r = run(['validate', '--config', file]);
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n').slice(1);
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(['manager.failoverNodes', 'manager.failoverNodes[0]', 'manager.lockingMode', 'tomcat.version']);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('reports a missing file and bad JSON clearly', () => {
    const missing = run(['validate', '--config', '/nonexistent/lab.json']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no such file\. Fix:/);
    const dir = mkdtempSync(join(tmpdir(), 'msm-cli-'));
    writeFileSync(join(dir, 'bad.json'), '{ "tomcat": ');
    const bad = run(['validate', '--config', join(dir, 'bad.json')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/not valid JSON/);
  });
});

describe('msm-kit synth', () => {
  it('writes nothing and exits 1 on an invalid config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msm-synth-'));
    const file = tmpConfig(patch(DEFAULT_CONFIG, { memcached: { nodes: [] } }));
    const r = run(['synth', '--config', file, '--out', join(dir, 'out'), '--offline']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^memcached\.nodes: /m);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes byte-identical artifacts on two runs of the same config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msm-synth-'));
    const outs = ['a', 'b'].map((n) => {
      const r = run(['synth', '--config', 'examples/sticky.json', '--out', join(dir, n), '--offline']);
      expect(r.code, r.err).toBe(0);
      return join(dir, n);
    });
    for (const f of ['context.xml', 'nginx.conf', 'jars.json', 'tomcat-image/Dockerfile', 'tomcat-image/tomcat/webapps/ROOT/index.jsp', 'tomcat-image/tomcat/lib/memcached-session-manager-tc9-2.3.2.jar']) {
      expect(readFileSync(join(outs[1], f)), f).toEqual(readFileSync(join(outs[0], f)));
    }
    const tf = (o: string) => readFileSync(join(o, 'cdktf.out', 'stacks', 'msm-sticky', 'cdk.tf.json'), 'utf8').replaceAll(o, '<OUT>');
    expect(tf(outs[1])).toBe(tf(outs[0]));
    expect(readFileSync(join(outs[0], 'context.xml'), 'utf8')).toBe(readFileSync(join(ROOT, 'test', 'golden', 'sticky', 'context.xml'), 'utf8'));
  });
});

describe('msm-kit drill and verify argument errors', () => {
  it('refuses an unknown scenario and an unknown node with a fix, without a stack trace, before touching Docker', () => {
    const scenario = run(['drill', 'meteor-strike']);
    expect(scenario.code).toBe(1);
    expect(scenario.err).toMatch(/unknown scenario "meteor-strike"/);
    const node = run(['drill', 'restart', '--node', 'bogus']);
    expect(node.code).toBe(1);
    expect(node.err).toMatch(/--node bogus is not a node of lab msm-lab\. Fix: use one of tomcat-node1/);
    for (const r of [scenario, node]) expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('refuses a non-numeric request count', () => {
    const r = run(['verify', '--requests', 'many']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/"many" is not a positive whole number/);
  });
});

describe('msm-kit schema and help', () => {
  it('prints the JSON Schema, and the committed lab.config.schema.json is up to date', () => {
    const r = run(['schema']);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out);
    expect(printed).toEqual(labJsonSchema());
    expect(printed.properties.manager.properties.lockingMode).toBeDefined();
    expect(JSON.parse(readFileSync(join(ROOT, 'lab.config.schema.json'), 'utf8'))).toEqual(printed);
  });

  for (const cmd of ['validate', 'synth', 'schema', 'jars', 'up', 'down', 'verify', 'drill']) {
    it(`${cmd} --help describes the command`, () => {
      const r = run([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`Usage: msm-kit ${cmd}`));
    });
  }
});
