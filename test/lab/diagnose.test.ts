/**
 * A failed deploy explains itself (src/lab/diagnose.ts): the log digest keeps
 * what failed (not the stack frames) and the likely fix is read from the log.
 * The logs below are excerpts of real failures deployed on this machine.
 */
import { describe, expect, it } from 'vitest';
import { digestLog, isBroken, likelyFix, type ContainerState } from '../../src/lab/diagnose';

const tomcat = (over: Partial<ContainerState> = {}): ContainerState => ({ id: 'x', name: 'hx-tomcat1', role: 'tomcat', status: 'running', health: 'starting', exitCode: 0, oomKilled: false, ...over });

// Tomcat 7.0.109 image under a Tomcat 9 config (msm-tc9 jars on Tomcat 7).
const WRONG_TOMCAT = [
  'Nov 25, 2026 9:12:31 AM org.apache.catalina.core.StandardContext startInternal',
  'SEVERE: The session manager failed to start',
  'org.apache.catalina.LifecycleException: Failed to start component [de.javakaffee.web.msm.MemcachedBackupSessionManager[]]',
  '\tat org.apache.catalina.util.LifecycleBase.handleSubClassException(LifecycleBase.java:440)',
  '\tat org.apache.catalina.util.LifecycleBase.start(LifecycleBase.java:198)',
  "Caused by: java.lang.AbstractMethodError: Receiver class de.javakaffee.web.msm.MemcachedBackupSessionManager does not define or inherit an implementation of the resolved method 'abstract org.apache.catalina.Context getContext()'",
  '\t... 12 more',
  'SEVERE: Context [] startup failed due to previous errors',
  'INFO: Server startup in 3427 ms',
];

describe('deploy diagnosis', () => {
  it('the digest leads with what failed and folds stack frames', () => {
    const d = digestLog(WRONG_TOMCAT, 20);
    expect(d[0]).toBe('what failed:');
    expect(d).toContain('SEVERE: The session manager failed to start');
    expect(d.some((l) => l.startsWith('Caused by: java.lang.AbstractMethodError'))).toBe(true);
    expect(d.filter((l) => /^\tat /.test(l))).toEqual([]);
    expect(d).toContain('  … 2 stack frame(s)');
    expect(d[d.length - 1]).toBe('INFO: Server startup in 3427 ms');
  });

  it('names the likely fix from the log', () => {
    expect(likelyFix(tomcat(), WRONG_TOMCAT)).toMatch(/images\.tomcat is another Tomcat version.*Fix:/);
    expect(likelyFix(tomcat(), ['SEVERE: x', 'java.lang.ClassNotFoundException: com.example.Conv'])).toMatch(/com\.example\.Conv.*customConverter/);
    expect(likelyFix(tomcat({ role: 'load-balancer' }), ['2026/11/25 [emerg] 1#1: unknown directive "x" in /etc/nginx/nginx.conf:3'])).toMatch(/nginx refused.*unknown directive/);
    expect(likelyFix(tomcat({ status: 'exited', exitCode: 0 }), ['openjdk version "11.0.32.1"', '+ apt-get clean'])).toMatch(/does not start Tomcat.*Fix: set images\.tomcat/);
    expect(likelyFix(tomcat({ status: 'exited', exitCode: 137, oomKilled: true }), ['Catalina start'])).toMatch(/memory/);
    expect(likelyFix(tomcat({ health: 'unhealthy' }), ['INFO: all fine'])).toMatch(/health check kept failing.*Fix:/);
  });

  it('broken means exited, dead or unhealthy; starting and healthy are not', () => {
    expect([tomcat({ status: 'exited' }), tomcat({ status: 'dead' }), tomcat({ health: 'unhealthy' })].every(isBroken)).toBe(true);
    expect([tomcat(), tomcat({ health: 'healthy' }), tomcat({ status: 'created' })].some(isBroken)).toBe(false);
  });
});
