/** bench-load --profile's reading of HotSpot thread dumps (scripts/lib/thread-dumps.js). */
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const td = require('../scripts/lib/thread-dumps.js');

/** A Java 17 dump in HotSpot's layout, with the CPU times given per thread. */
function dump(cpu: { exec1: number; exec2: number; gc: number; jit: number; io: number; lockWaiter?: boolean }): string {
  return [
    'Full thread dump OpenJDK 64-Bit Server VM (17.0.21+1-Debian mixed mode, sharing):',
    '',
    `"http-nio-8080-exec-1" #31 daemon prio=5 os_prio=0 cpu=${cpu.exec1}ms elapsed=12.50s tid=0x00007f nid=0x2a runnable  [0x00007e]`,
    '   java.lang.Thread.State: RUNNABLE',
    '\tat java.io.ObjectOutputStream.writeObject0(java.base@17.0.21/ObjectOutputStream.java:1175)',
    '\tat java.io.ObjectOutputStream.writeObject(java.base@17.0.21/ObjectOutputStream.java:345)',
    '\tat de.javakaffee.web.msm.serializer.java.JavaSerializationTranscoder.serializeAttributes(JavaSerializationTranscoder.java:91)',
    '\tat org.apache.catalina.connector.CoyoteAdapter.service(CoyoteAdapter.java:342)',
    '',
    `"http-nio-8080-exec-2" #32 daemon prio=5 os_prio=0 cpu=${cpu.exec2}ms elapsed=12.50s tid=0x00007f nid=0x2b waiting on condition  [0x00007e]`,
    `   java.lang.Thread.State: ${cpu.lockWaiter ? 'TIMED_WAITING (sleeping)' : 'WAITING (parking)'}`,
    ...(cpu.lockWaiter
      ? ['\tat java.lang.Thread.sleep(java.base@17.0.21/Native Method)', '\tat de.javakaffee.web.msm.LockingStrategy.checkTimeoutAndWait(LockingStrategy.java:191)', '\tat de.javakaffee.web.msm.LockingStrategy.acquireLock(LockingStrategy.java:178)']
      : ['\tat jdk.internal.misc.Unsafe.park(java.base@17.0.21/Native Method)', '\tat java.util.concurrent.LinkedBlockingQueue.take(java.base@17.0.21/LinkedBlockingQueue.java:435)', '\tat org.apache.tomcat.util.threads.TaskQueue.take(TaskQueue.java:146)']),
    '',
    `"GC Thread#0" os_prio=0 cpu=${cpu.gc}ms elapsed=30.00s tid=0x00007f nid=0x10 runnable  `,
    '',
    `"C2 CompilerThread0" #8 daemon prio=9 os_prio=0 cpu=${cpu.jit}ms elapsed=30.00s tid=0x00007f nid=0x11 waiting on condition  [0x0000000000000000]`,
    '   java.lang.Thread.State: RUNNABLE',
    '',
    `"Memcached IO over {MemcachedConnection to memcached-node1/172.28.57.10:11211}" #20 prio=5 os_prio=0 cpu=${cpu.io}ms elapsed=29.00s tid=0x00007f nid=0x20 runnable  [0x00007e]`,
    '   java.lang.Thread.State: RUNNABLE',
    '\tat sun.nio.ch.EPoll.wait(java.base@17.0.21/Native Method)',
    '',
    'JNI global refs: 15, weak refs: 0',
    '',
  ].join('\n');
}

describe('thread dumps', () => {
  const before = dump({ exec1: 100, exec2: 50, gc: 10, jit: 500, io: 20 });
  const after = dump({ exec1: 400, exec2: 50, gc: 70, jit: 505, io: 45, lockWaiter: true });

  it('splits a container log into its dumps and reads name, state, cpu= and frames', () => {
    const dumps = td.splitDumps(`catalina: started\n${before}some log line\n${after}`);
    expect(dumps).toHaveLength(2);
    const threads = td.parseThreadDump(dumps[0]);
    expect(threads.map((t: { name: string }) => t.name)).toEqual(['http-nio-8080-exec-1', 'http-nio-8080-exec-2', 'GC Thread#0', 'C2 CompilerThread0', 'Memcached IO over {MemcachedConnection to memcached-node1/172.28.57.10:11211}']);
    expect(threads[0]).toMatchObject({ state: 'RUNNABLE', cpuMs: 100 });
    expect(threads[0].frames[0]).toBe('java.io.ObjectOutputStream.writeObject0');
  });

  it('CPU by thread group is the difference between two dumps', () => {
    const cpu = td.cpuByGroup(td.parseThreadDump(before), td.parseThreadDump(after));
    expect(cpu).toEqual({ 'request threads': 300, 'GC and VM (safepoints)': 60, 'JIT compiler': 5, 'store client (spymemcached / jedis)': 25 });
  });

  it("classifies request threads: serializing, idle, waiting for msm's lock", () => {
    expect(td.activities([td.parseThreadDump(before)])).toEqual({ 'serializing / deserializing the session': 1, 'idle (no request)': 1 });
    expect(td.activities([td.parseThreadDump(after)])).toEqual({ 'serializing / deserializing the session': 1, "waiting for msm's session lock": 1 });
  });

  it('a Java 8 dump has no cpu=: no CPU figures rather than zeros', () => {
    const j8 = before.replace(/ cpu=[\d.]+ms elapsed=[\d.]+s/g, '');
    expect(td.cpuByGroup(td.parseThreadDump(j8), td.parseThreadDump(j8))).toEqual({});
  });
});
