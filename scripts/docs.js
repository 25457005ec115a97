#!/usr/bin/env node
/**
 * Writes the generated reference pages (docs/reference/*.md) from the kit's sources
 * (src/docs/reference.ts): `npm run docs` after a change to the schema, the rules,
 * the advice or the version matrix. `--check` writes nothing and exits 1 when a
 * committed page differs (what test/docs/reference.test.ts checks too).
 */
'use strict';
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { built, root } = require('./lib/built');

const docs = built(join('src', 'docs', 'reference.js'), 'docs');
const check = process.argv.includes('--check');
const dir = join(root, docs.REFERENCE_DIR);
mkdirSync(dir, { recursive: true });
let stale = 0;
for (const { file, content } of docs.referencePages()) {
  const path = join(dir, file);
  let old = '';
  try {
    old = readFileSync(path, 'utf8');
  } catch {}
  if (old === content) {
    console.log(`docs: ${docs.REFERENCE_DIR}/${file} is current`);
    continue;
  }
  if (check) {
    console.error(`docs: ${docs.REFERENCE_DIR}/${file} is stale. Fix: npm run docs`);
    stale++;
  } else {
    writeFileSync(path, content);
    console.log(`docs: wrote ${docs.REFERENCE_DIR}/${file}`);
  }
}
process.exit(stale ? 1 : 0);
