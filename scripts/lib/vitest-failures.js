#!/usr/bin/env node
// Prints, from vitest's JSON report (--reporter=json --outputFile.json=FILE), each failed test:
// its file, its full name and the first lines of its failure. scripts/e2e.sh calls it at the end
// of a run, so the tail of a long CI log names what failed, not only the step.
//   node scripts/lib/vitest-failures.js REPORT.json...
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const LINES = 6;
let shown = 0;
for (const file of process.argv.slice(2)) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.log(`  (no vitest report at ${file}: ${e.message})`);
    continue;
  }
  for (const suite of report.testResults ?? []) {
    const rel = path.relative(process.cwd(), suite.name);
    const failed = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
    if (!failed.length && suite.status === 'failed') {
      console.log(`  ${rel}: the file failed outside a test`);
      for (const l of String(suite.message ?? '').split('\n').slice(0, LINES)) console.log(`      ${l}`);
      shown++;
    }
    for (const t of failed) {
      console.log(`  ${rel}: ${t.fullName}`);
      const msg = (t.failureMessages ?? []).join('\n').split('\n').filter((l) => l.trim() && !/^\s+at /.test(l));
      for (const l of msg.slice(0, LINES)) console.log(`      ${l}`);
      shown++;
    }
  }
}
if (!shown) console.log('  (the reports name no failed test)');
