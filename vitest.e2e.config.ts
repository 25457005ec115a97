import { defineConfig } from 'vitest/config';

/**
 * The end-to-end scenarios (test/e2e/*.e2e.ts): real labs on the real engine, through
 * the library (test/e2e/driver.ts). Files run in parallel, MSM_KIT_E2E_WORKERS at a time
 * (2: the two cores; each lab has its own names, ports and subnet); the tests of one file
 * run in order. scripts/e2e.sh runs the files with drills one at a time (a drill's verdict
 * at a node's death is timing-sensitive when another lab starts its JVMs on the same cores).
 * `npm run test:e2e:ts [-- FILE]`; needs the engine, jars and provider (scripts/e2e.sh sets them up).
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 15 * 60_000,
    hookTimeout: 10 * 60_000,
    pool: 'forks',
    maxWorkers: Number(process.env.MSM_KIT_E2E_WORKERS ?? 2),
    sequence: { concurrent: false },
    reporters: ['verbose'],
  },
});
