#!/usr/bin/env node
'use strict';
let cli;
try {
  cli = require('../dist/src/cli/main.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND') {
    const notBuilt = String(e.message).includes('dist/src/cli/main.js');
    console.error(
      notBuilt
        ? 'msm-kit: not built yet. Fix: run "npm install" (or "npm run build") in the msm-kit directory'
        : `msm-kit: a dependency is missing (${String(e.message).split('\n')[0]}). Fix: run "npm ci" in the msm-kit directory`,
    );
    process.exit(1);
  }
  throw e;
}
cli.main(process.argv);
