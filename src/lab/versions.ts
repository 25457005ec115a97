/**
 * What really runs: the Tomcat and Java versions read from inside each Tomcat
 * container (`catalina.sh version`), checked against the config. A stand-in or
 * an image override that is another version fails loudly instead of passing for
 * the configured one.
 */
import type { ResolvedLab } from '../config/resolve';
import type { JavaVersionNumber, TomcatVersionName } from '../config/schema';
import { StepError } from '../errors';
import { docker } from './docker';

export interface RunningVersions {
  readonly node: string;
  /** e.g. 9.0.117.0 */
  readonly tomcat: string;
  /** e.g. 17.0.21.1+2-Debian-1deb12u1 or 1.8.0_504-8u504-ga-1-b05 */
  readonly java: string;
}

/** Parses `catalina.sh version` output. */
export function parseCatalinaVersion(text: string): { tomcat?: string; java?: string } {
  return {
    tomcat: /^Server number:\s*(\S+)/m.exec(text)?.[1],
    java: /^JVM Version:\s*(\S+)/m.exec(text)?.[1],
  };
}

/** Whether a running Tomcat version belongs to the configured major ("7", "8.5", "9", "10.1", "11"). */
export function tomcatMatches(running: string, want: TomcatVersionName): boolean {
  const prefix = { '7': '7.0.', '8.5': '8.5.', '9': '9.0.', '10.1': '10.1.', '11': '11.0.' }[want];
  return running.startsWith(prefix);
}

/** Whether a running Java version is the configured feature release (8 is 1.8.0_x). */
export function javaMatches(running: string, want: JavaVersionNumber): boolean {
  return want === 8 ? running.startsWith('1.8.') : new RegExp(`^${want}([.+-]|$)`).test(running);
}

/** Runs `sh -c <script>` inside a Tomcat node (its container, or its pod on Kubernetes) and returns the output. */
export type VersionExec = (node: string, script: string) => Promise<string>;
const dockerVersionExec: VersionExec = (container, script) => docker('exec', container, 'sh', '-c', script);

export async function runningVersions(container: string, exec: VersionExec = dockerVersionExec): Promise<RunningVersions> {
  const out = await exec(container, 'catalina.sh version 2>&1');
  const v = parseCatalinaVersion(out);
  if (!v.tomcat || !v.java) throw new StepError('versions', `cannot read the versions in ${container} (catalina.sh version printed: ${out.split('\n').slice(0, 3).join(' | ')})`);
  return { node: container, tomcat: v.tomcat, java: v.java };
}

/** Reads every Tomcat's versions; throws when one is not what the config says. */
export async function checkRunningVersions(lab: ResolvedLab, log: (line: string) => void = () => {}, exec: VersionExec = dockerVersionExec): Promise<RunningVersions[]> {
  const found = await Promise.all(lab.tomcats.map((t) => runningVersions(t.name, exec)));
  const wrong = found.filter((v) => !tomcatMatches(v.tomcat, lab.tomcatVersion) || !javaMatches(v.java, lab.javaVersion));
  for (const v of found) log(`[versions] ${v.node}: Tomcat ${v.tomcat} on Java ${v.java}`);
  if (wrong.length)
    throw new StepError(
      'versions',
      `${wrong.map((v) => `${v.node} runs Tomcat ${v.tomcat} on Java ${v.java}`).join('; ')}, but the config says Tomcat ${lab.tomcatVersion} on Java ${lab.javaVersion} (image ${lab.images.tomcat}). Fix: use an image of that version (or fix tomcat.version / tomcat.javaVersion), then msm-kit up again`,
    );
  return found;
}
