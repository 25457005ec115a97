/**
 * Imports point one way: config → render / jars → constructs → stack → synth →
 * lab → CLI. No file imports a higher layer, and no import circle exists (type
 * imports included).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers';

/** Layer of a source file by its place in the tree; lower numbers are lower layers. */
export function layerOf(file: string): number {
  const rel = relative(ROOT, file);
  const rules: Array<[RegExp, number]> = [
    [/^src\/(errors|paths)\.ts$/, 0],
    [/^src\/config\//, 1],
    [/^src\/(render|jars|lint|docs)\//, 2],
    [/^src\/(cdktf|cdk-engine)\.ts$/, 2],
    [/^src\/constructs\//, 3],
    [/^stacks\/(lab|swarm|kube)-stack\.ts$/, 4],
    [/^src\/(synth|bundle)\//, 5],
    [/^src\/lab\//, 6],
    [/^src\/cli\//, 7],
    [/^stacks\/main\.ts$/, 7],
    [/^src\/index\.ts$/, 8],
  ];
  for (const [re, layer] of rules) if (re.test(rel)) return layer;
  throw new Error(`no layer for ${rel}: add it to the table in test/architecture.test.ts`);
}

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)[^'";]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)) {
    const spec = m[1] ?? m[2];
    out.push(resolve(dirname(file), spec) + '.ts');
  }
  return out;
}

const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'stacks'))];
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('import layering', () => {
  it('resolves every relative import to a file of the tree', () => {
    for (const [file, deps] of graph) for (const d of deps) expect(graph.has(d), `${relative(ROOT, file)} imports ${relative(ROOT, d)}`).toBe(true);
  });

  it('never imports a higher layer', () => {
    const upward: string[] = [];
    for (const [file, deps] of graph)
      for (const d of deps) if (layerOf(d) > layerOf(file)) upward.push(`${relative(ROOT, file)} (layer ${layerOf(file)}) → ${relative(ROOT, d)} (layer ${layerOf(d)})`);
    expect(upward).toEqual([]);
  });

  it('has no import circle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(ROOT, p)).join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('the checker sees an upward import and a circle when there is one', () => {
    expect(layerOf(join(ROOT, 'src/config/resolve.ts'))).toBeLessThan(layerOf(join(ROOT, 'src/jars/manifest.ts')));
    expect(importsOf(join(ROOT, 'src/jars/manifest.ts'))).toContain(join(ROOT, 'src/config/resolve.ts'));
  });
});
