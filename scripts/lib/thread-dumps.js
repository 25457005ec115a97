'use strict';
/**
 * Where a Tomcat's time goes, read from HotSpot thread dumps (SIGQUIT: `docker kill
 * -s QUIT <container>` makes the JVM, PID 1, print one to the container's log).
 *
 * - CPU by thread group: Java 11+ prints each thread's CPU time (`cpu=12.34ms`); the
 *   difference between a dump at the start and one at the end of a phase gives the CPU
 *   the request threads, the garbage collector, the JIT, msm's own threads and the
 *   memcached/Redis client used in between.
 * - What the request threads were doing: each dump taken during the phase is a sample;
 *   a request thread is classified by its state and stack (idle, waiting for msm's
 *   lock, waiting for the store, serializing, the page's own work, ...).
 *
 * Pure functions over text; bench-load.js does the docker calls.
 */

/**
 * Splits a log into the complete thread dumps it holds: each starts with "Full thread
 * dump" and ends with HotSpot's "JNI global refs" line. A dump still being written when
 * the log was read (a busy JVM prints late) is left out.
 */
function splitDumps(log) {
  const parts = log.split(/^(?=Full thread dump )/m);
  return parts.filter((p) => p.startsWith('Full thread dump ') && /^JNI global refs/m.test(p));
}

/** The threads of one dump: name, state, CPU ms (NaN before Java 11), frames ("pkg.Class.method"). */
function parseThreadDump(text) {
  const threads = [];
  let cur;
  for (const line of text.split('\n')) {
    const head = /^"(.*)"(.*)$/.exec(line);
    if (head) {
      const cpu = /\bcpu=([\d.]+)ms\b/.exec(head[2]);
      cur = { name: head[1], state: '', cpuMs: cpu ? Number(cpu[1]) : NaN, frames: [] };
      threads.push(cur);
      continue;
    }
    if (!cur) continue;
    const state = /^\s+java\.lang\.Thread\.State: (\w+)/.exec(line);
    if (state) cur.state = state[1];
    const frame = /^\s+at ([\w$.<>/]+)\(/.exec(line);
    if (frame) cur.frames.push(frame[1].replace(/^[\w.-]+\//, '')); // drop a module prefix (java.base/)
    if (line.trim() === '') cur = undefined;
  }
  return threads;
}

/** The group a thread's CPU counts to, by its name. */
function threadGroup(name) {
  if (/^(http|https|ajp)-(nio2?|bio|apr)-.*-exec-\d+$/.test(name)) return 'request threads';
  if (/^(http|https|ajp)-(nio2?|bio|apr)-/.test(name)) return 'connector I/O (acceptor, poller)';
  if (/^(GC Thread|G1 |VM Thread$|Gang worker|Parallel GC|Concurrent Mark|Conc#|ParGC|PSYoung|Refine)/.test(name)) return 'GC and VM (safepoints)';
  if (/CompilerThread/.test(name)) return 'JIT compiler';
  if (/^Memcached IO|^spy|^msm-redis-client/.test(name)) return 'store client (spymemcached / jedis)';
  if (/^msm-/.test(name)) return "msm's own threads (backup, lock release)";
  return 'other';
}

const REQUEST = threadGroup('http-nio-8080-exec-1');
/** A pool thread waiting for a request. */
const IDLE = 'idle (no request)';

/** What a request thread was doing at the sample. */
function activity(t) {
  const f = t.frames;
  const has = (re) => f.some((x) => re.test(x));
  if (t.state !== 'RUNNABLE' && has(/TaskQueue\.(take|poll)|LinkedBlockingQueue\.(take|poll)/) && !has(/de\.javakaffee/)) return IDLE;
  if (has(/LockingStrategy\.(checkTimeoutAndWait|acquireLock)/) && t.state !== 'RUNNABLE') return "waiting for msm's session lock";
  if (t.state !== 'RUNNABLE' && has(/de\.javakaffee|net\.spy\.memcached|redis\.clients/)) return 'waiting for the store (get/set/add/delete round trip)';
  if (t.state !== 'RUNNABLE') return 'waiting (other)';
  // Runnable: the innermost frame of interest names the work.
  for (const x of f) {
    if (/^java\.io\.Object(Output|Input)Stream|^java\.io\.ObjectStreamClass|^com\.esotericsoftware\.kryo|^de\.javakaffee\.kryoserializers|^com\.thoughtworks\.xstream/.test(x)) return 'serializing / deserializing the session';
    if (/^sun\.security\.provider\.(SHA|Digest)|^java\.security\.MessageDigest/.test(x)) return "the page's own work (SHA-256)";
    if (/^net\.spy\.memcached|^redis\.clients/.test(x)) return 'store client (spymemcached / jedis)';
    if (/^de\.javakaffee\.web\.msm/.test(x)) return 'msm (other)';
    if (/^org\.apache\.jasper|^org\.apache\.jsp\./.test(x)) return "the page's JSP (besides SHA-256)";
  }
  if (f.length === 0) return 'no stack';
  if (has(/sun\.nio\.ch|SocketInputStream|NioEndpoint|NioChannel|Http11/) && !has(/de\.javakaffee|org\.apache\.jsp/)) return 'reading or writing the HTTP connection';
  return 'Tomcat (other)';
}

/** CPU ms per thread group between two dumps of the same JVM (threads matched by name; new threads count from 0). */
function cpuByGroup(before, after) {
  const was = new Map(before.map((t) => [t.name, t.cpuMs]));
  const out = {};
  for (const t of after) {
    if (!Number.isFinite(t.cpuMs)) continue;
    const d = Math.max(0, t.cpuMs - (was.get(t.name) ?? 0));
    const g = threadGroup(t.name);
    out[g] = (out[g] ?? 0) + d;
  }
  return out;
}

/** Counts of request-thread activities over sampled dumps. */
function activities(dumps) {
  const out = {};
  for (const d of dumps) for (const t of d) if (threadGroup(t.name) === REQUEST) out[activity(t)] = (out[activity(t)] ?? 0) + 1;
  return out;
}

module.exports = { IDLE, splitDumps, parseThreadDump, threadGroup, activity, cpuByGroup, activities };
