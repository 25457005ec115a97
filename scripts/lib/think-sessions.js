'use strict';
/**
 * Client sessions with think time, shared by scripts/soak.js and
 * scripts/bench-load.js: `sessions` loops, each sending one request (`step`),
 * then sleeping `pause(result)` ms, until `durationMs` after `start`. The first
 * requests are spread over `spreadMs`, so the sessions do not start in step.
 */
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * @param {{ sessions: number, durationMs: number, spreadMs: number, start?: number,
 *           step: (i: number) => Promise<any>, pause: (result: any, i: number) => number }} o
 * @returns {Promise<void>} when every session has sent its last request
 */
async function runThinkSessions(o) {
  const start = o.start ?? performance.now();
  const end = start + o.durationMs;
  await Promise.all(
    Array.from({ length: o.sessions }, async (_, i) => {
      await sleep(Math.random() * o.spreadMs);
      while (performance.now() < end) {
        const r = await o.step(i);
        await sleep(Math.min(o.pause(r, i), end - performance.now()));
      }
    }),
  );
}

module.exports = { runThinkSessions, sleep };
