/** tools/cdktn/compare.js: what `npm run check:cdktn` counts as explained, and that it catches the rest. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

type Diff = { path: (string | number)[]; a: unknown; b: unknown; why?: string };
const { compareSynth, describe: describeDiff, diffJson, formatPath } = createRequire(__filename)('../../tools/cdktn/compare.js') as {
  compareSynth: (a: unknown, b: unknown, ctx: object) => { explained: Diff[]; unexplained: Diff[] };
  describe: (d: Diff) => string;
  diffJson: (a: unknown, b: unknown) => Diff[];
  formatPath: (p: (string | number)[]) => string;
};

const ctx = { cdktfVersion: '0.21.0', cdktnVersion: '0.24.0' };
function doc(version = '0.21.0') {
  return {
    '//': { metadata: { backend: 'local', stackName: 'lab', version } },
    terraform: { required_providers: { docker: { source: 'kreuzwerker/docker', version: '3.6.2' } } },
    resource: {
      docker_container: { Tomcat_1: { name: 'tomcat-node1', env: ['A=1', 'B=2'], healthcheck: { retries: 120 } } },
    },
  };
}

describe('diffJson', () => {
  it('finds nothing in equal documents', () => {
    expect(diffJson(doc(), doc())).toEqual([]);
  });
  it('finds changed, missing, extra and reordered values, in key order', () => {
    const b = doc();
    b.resource.docker_container.Tomcat_1.env = ['B=2', 'A=1', 'C=3'];
    delete (b.resource.docker_container.Tomcat_1.healthcheck as { retries?: number }).retries;
    (b.resource as Record<string, unknown>).docker_volume = { V: {} };
    expect(diffJson(doc(), b).map((d) => formatPath(d.path))).toEqual([
      '$.resource.docker_container.Tomcat_1.env[0]',
      '$.resource.docker_container.Tomcat_1.env[1]',
      '$.resource.docker_container.Tomcat_1.env[2]',
      '$.resource.docker_container.Tomcat_1.healthcheck.retries',
      '$.resource.docker_volume',
    ]);
  });
  it('tells a number from a string', () => {
    expect(diffJson({ port: 8080 }, { port: '8080' })).toHaveLength(1);
  });
});

describe('compareSynth', () => {
  it('explains the engine version in the stack metadata', () => {
    const r = compareSynth(doc('0.21.0'), doc('0.24.0'), ctx);
    expect(r.unexplained).toEqual([]);
    expect(r.explained.map(describeDiff)).toEqual([
      expect.stringMatching(/^\$\["\/\/"\]\.metadata\.version: cdktf "0\.21\.0" \/ cdktn "0\.24\.0" \(the engine's own version/),
    ]);
  });
  it('does not explain an unexpected value at a known place', () => {
    const r = compareSynth(doc('0.21.0'), doc('0.25.0'), ctx);
    expect(r.unexplained.map((d) => formatPath(d.path))).toEqual(['$["//"].metadata.version']);
  });
  it('catches an injected difference next to an explained one', () => {
    const b = doc('0.24.0');
    b.terraform.required_providers.docker.version = '~> 3.0';
    const r = compareSynth(doc(), b, ctx);
    expect(r.explained).toHaveLength(1);
    expect(r.unexplained.map(describeDiff)).toEqual(['$.terraform.required_providers.docker.version: cdktf "3.6.2" / cdktn "~> 3.0"']);
  });
  it('reports a value present on one side only', () => {
    const b = doc('0.24.0') as ReturnType<typeof doc> & { provider?: unknown };
    b.provider = { docker: [{ host: 'unix:///var/run/docker.sock' }] };
    expect(compareSynth(doc(), b, ctx).unexplained.map(describeDiff)).toEqual(['$.provider: cdktf (absent) / cdktn {"docker":[{"host":"unix:///var/run/docker.sock"}]}']);
  });
});
