import { defineConfig } from 'vitest/config';

/**
 * The end-to-end scenarios (test/e2e/*.e2e.ts): real labs on the real engine, through
 * the library (test/e2e/driver.ts). Files run in parallel, two at a time (the two cores;
 * each lab has its own names, ports and subnet); the tests of one file run in order.
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
