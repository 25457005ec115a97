/** lab.config.schema.json documents itself: every property has a description editors show on hover. */
import { describe, expect, it } from 'vitest';
import { labJsonSchema } from '../../src/config/json-schema';

type Node = { properties?: Record<string, Node>; items?: Node; description?: string; anyOf?: Node[] };

function undocumented(node: Node, path: string, out: string[]): string[] {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const p = path ? `${path}.${key}` : key;
    if (!child.description) out.push(p);
    undocumented(child, p, out);
  }
  if (node.items) undocumented(node.items, `${path}[]`, out);
  for (const alt of node.anyOf ?? []) undocumented(alt, path, out);
  return out;
}

describe('JSON Schema', () => {
  it('has a description on every property, nested ones included', () => {
    expect(undocumented(labJsonSchema() as Node, '', [])).toEqual([]);
  });

  it('the check finds a property without a description', () => {
    expect(undocumented({ properties: { a: { description: 'x', properties: { b: {} } } } }, '', [])).toEqual(['a.b']);
  });

  it('carries defaults', () => {
    const s = labJsonSchema() as { properties: Record<string, { properties: Record<string, { default?: unknown }> }> };
    expect(s.properties.loadBalancer.properties.port.default).toBe(8080);
    expect(s.properties.tomcat.properties.version.default).toBe('9');
  });
});
