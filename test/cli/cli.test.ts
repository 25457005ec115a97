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
    const file = tmpConfig(patch(DEFAULT_CONFIG, { manager: { failoverNodes: ['mem-node2'], lockingMode: 'maybe' }, tomcat: { version: '10.0' } }));
    const r = run(['validate', '--config', file]);
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n').slice(1);
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(['manager.failoverNodes', 'manager.failoverNodes[0]', 'manager.lockingMode', 'tomcat.version']);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('reports a missing file and bad JSON clearly', () => {
    const missing = run(['validate', '--config', '/nonexistent/lab.json']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no such file \(looked for .*lab\.json, from \/.*\)\. Fix:/);
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
    for (const f of ['context.xml', 'nginx/nginx.conf', 'jars.json', 'tomcat-image/Dockerfile', 'tomcat-image/tomcat/webapps/ROOT/index.jsp', 'tomcat-image/tomcat/lib/memcached-session-manager-tc9-2.3.2.jar']) {
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

  it('drill and verify --failover against a URL where nothing listens: one clear message, no stack trace', () => {
    // Port 1 on 127.0.0.1: nothing listens there (and binding it needs root).
    const file = tmpConfig(patch(DEFAULT_CONFIG, { loadBalancer: { port: 1 } }));
    const drill = run(['drill', 'tomcat-down', '--config', file, '--duration', '1']);
    expect(drill.code).toBe(1);
    expect(drill.err).toMatch(/nothing answers at http:\/\/127\.0\.0\.1:1\/ .*Fix: deploy the lab first/);
    const verify = run(['verify', '--config', file, '--failover', '-n', '2']);
    expect(verify.code).toBe(1);
    expect(verify.out).toMatch(/FAIL: 2 request\(s\) failed/);
    const missing = run(['drill', 'restart', '--config', '/nonexistent/lab.json']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/\/nonexistent\/lab\.json: 1 problem\(s\)\n\(file\): no such file \(looked for \/nonexistent\/lab\.json, from \/[^)]*\)\. Fix:/);
    for (const r of [drill, verify, missing]) expect(r.err + r.out).not.toMatch(/\n\s+at |unexpected error/);
  });

  it('refuses a non-numeric request count', () => {
    const r = run(['verify', '--requests', 'many']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/"many" is not a positive whole number/);
  });
});

describe('msm-kit status argument errors', () => {
  it('refuses a bad --watch and a --prometheus that is not a URL before asking the engine, naming the option and the value', () => {
    for (const [args, want] of [
      [['--watch', 'abc'], /--watch.*'abc' is invalid.*not a positive whole number/],
      [['--watch', '0'], /--watch.*'0' is invalid/],
      [['--prometheus', 'notaurl'], /--prometheus "notaurl" is not an http\(s\) URL\. Fix: /],
    ] as const) {
      const r = run(['status', '--config', 'lab.config.json', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(want);
      expect(r.err).not.toMatch(/docker|\n\s+at /);
    }
  });

  it('a Prometheus that does not answer: one line with its Fix, no stack trace', () => {
    const r = run(['status', '--config', 'lab.config.json', '--prometheus', 'http://127.0.0.1:1/']);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toMatch(/^status: Prometheus at http:\/\/127\.0\.0\.1:1 does not answer .*Fix: /);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('a Swarm lab: says the Swarm stack has no monitoring yet, with a Fix that fits a Swarm', () => {
    const r = run(['status', '--config', 'examples/swarm.json']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/is a Swarm lab, and the Swarm stack deploys no monitoring yet\. Fix: /);
    expect(r.err).not.toMatch(/remove monitoring\.enabled/);
  });
});

describe('msm-kit validate --json (the scripts\' typed door)', () => {
  it('prints the lab facts scripts use, and stand-in tags with --stand-ins', () => {
    const r = run(['validate', '--json', '--out', '/tmp/msm-out']);
    expect(r.code).toBe(0);
    const facts = JSON.parse(r.out);
    expect(facts).toMatchObject({
      name: 'msm-lab',
      mode: 'non-sticky',
      tomcat: { version: '9', java: 17 },
      url: 'http://127.0.0.1:8080/',
      bind: { address: '127.0.0.1', port: 8080 },
      images: { tomcat: 'tomcat:9.0-jre17', memcached: 'memcached:1.6', nginx: 'nginx:1.27' },
      standIns: {},
      stackDir: '/tmp/msm-out/cdktf.out/stacks/msm-lab',
      statePath: '/tmp/msm-out/state/msm-lab.tfstate',
      network: { name: 'msm-lab-net', subnet: '172.28.57.0/24' },
      containers: { tomcat: ['tomcat-node1', 'tomcat-node2'], memcached: ['memcached-node1', 'memcached-node2'], loadBalancer: 'nginx' },
    });
    const local = JSON.parse(run(['validate', '--json', '--stand-ins']).out);
    expect(local.images.tomcat).toBe('msm-kit-local/tomcat:9.0-jre17');
    expect(local.standIns.tomcat.buildArgs).toEqual(expect.arrayContaining(['--tomcat-version', '9.0.117', '--java', '17', '--suite', 'bookworm']));
  });

  it('keeps an image the config sets, even with --stand-ins', () => {
    const file = tmpConfig(patch(DEFAULT_CONFIG, { images: { nginx: 'registry.example/nginx:1.27' } }));
    const facts = JSON.parse(run(['validate', '--json', '--stand-ins', '--config', file]).out);
    expect(facts.images.nginx).toBe('registry.example/nginx:1.27');
    expect(facts.standIns.nginx).toBeUndefined();
    expect(facts.standIns.memcached.tag).toBe('msm-kit-local/memcached:1.6');
  });
});

describe('msm-kit synth output is relocatable', () => {
  it('gives byte-identical files in two --out directories at different depths', () => {
    const a = mkdtempSync(join(tmpdir(), 'msm-reloc-'));
    const b = join(mkdtempSync(join(tmpdir(), 'msm-reloc-')), 'deeper', 'still');
    for (const out of [a, b]) expect(run(['synth', '--offline', '--out', out]).code).toBe(0);
    const files = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
        .sort();
    expect(files(b)).toEqual(files(a));
    expect(files(a)).toContain('cdktf.out/stacks/msm-lab/cdk.tf.json');
    for (const f of files(a)) expect(readFileSync(join(b, f)), f).toEqual(readFileSync(join(a, f)));
    expect(readFileSync(join(a, 'cdktf.out/stacks/msm-lab/cdk.tf.json'), 'utf8')).not.toContain(a);
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

  for (const cmd of ['validate', 'synth', 'schema', 'jars', 'images', 'up', 'down', 'verify', 'drill', 'status']) {
    it(`${cmd} --help describes the command`, () => {
      const r = run([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`Usage: msm-kit ${cmd}`));
    });
  }
});
