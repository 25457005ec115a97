'use strict';
/**
 * A module of the built kit (dist/, from `npx tsc -p tsconfig.json` or `npm ci`), for
 * the scripts: `built('src/index.js', 'matrix')`. When dist is missing it says so and
 * the fix, and exits 1 (no stack trace).
 */
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..', '..');

function built(rel, who) {
  try {
    return require(join(root, 'dist', rel));
  } catch (e) {
    console.error(`${who}: msm-kit is not built (${e.message.split('\n')[0]}). Fix: npx tsc -p tsconfig.json (or npm ci)`);
    process.exit(1);
  }
}

module.exports = { built, root };
