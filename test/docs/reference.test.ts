/**
 * The documentation is current and its links hold: every generated reference page
 * (docs/reference/*.md) is what src/docs/reference.ts renders from the sources now,
 * and every relative link in README.md and docs/ points at a file that exists (and,
 * with a #fragment, at a heading of that file).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DIR, referencePages } from '../../src/docs/reference';

const ROOT = resolve(__dirname, '..', '..');

describe('generated reference pages', () => {
  for (const { file, content } of referencePages())
    it(`${REFERENCE_DIR}/${file} is current (else: npm run docs)`, () => {
      const path = join(ROOT, REFERENCE_DIR, file);
      expect(existsSync(path), `${path} is missing. Fix: npm run docs`).toBe(true);
      expect(readFileSync(path, 'utf8') === content, `${REFERENCE_DIR}/${file} is stale. Fix: npm run docs, and commit it`).toBe(true);
    });

  it('the pages say what the sources hold (a rule id, a config key, a refused combination)', () => {
    const [config, rules, versions] = referencePages().map((p) => p.content);
    expect(config).toContain('| `manager.sticky` |');
    expect(rules).toContain('| `memcached-ids-unique` |');
    expect(versions).toMatch(/\| 10\.1\/8\/\w+ \| /);
  });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function markdownFiles(): string[] {
  const docs = join(ROOT, 'docs');
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.md') ? [join(d, e.name)] : []));
  return [join(ROOT, 'README.md'), ...(existsSync(docs) ? walk(docs) : [])];
}

const anchorsOf = (file: string) => new Set(readFileSync(file, 'utf8').split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, ''))));

describe('links in README.md and docs/', () => {
  it('slug follows GitHub', () => {
    expect(slug('Changing a running lab: `up` rolls, one node at a time')).toBe('changing-a-running-lab-up-rolls-one-node-at-a-time');
  });
  for (const file of markdownFiles())
    it(`${file.slice(ROOT.length + 1)}: every relative link resolves`, () => {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
      const broken: string[] = [];
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target)) continue; // http(s), mailto: not checked here
        const [path, fragment] = target.split('#');
        const dest = path ? resolve(dirname(file), path) : file;
        if (!existsSync(dest)) broken.push(`${target} (no such file)`);
        else if (fragment && dest.endsWith('.md') && !anchorsOf(dest).has(fragment)) broken.push(`${target} (no such heading)`);
      }
      expect(broken, `broken links in ${file}`).toEqual([]);
    });
});
