/** Reading and matching the versions a Tomcat container really runs. */
import { describe, expect, it } from 'vitest';
import { javaMatches, parseCatalinaVersion, tomcatMatches } from '../../src/lab/versions';

const CATALINA_9_17 = `Using CATALINA_BASE:   /usr/local/tomcat
Server version: Apache Tomcat/9.0.117
Server built:   Oct 2 2025 10:00:00 UTC
Server number:  9.0.117.0
OS Name:        Linux
JVM Version:    17.0.21.1+2-1-deb12u1-Debian
JVM Vendor:     Debian`;

describe('running versions', () => {
  it('parses catalina.sh version', () => {
    expect(parseCatalinaVersion(CATALINA_9_17)).toEqual({ tomcat: '9.0.117.0', java: '17.0.21.1+2-1-deb12u1-Debian' });
    expect(parseCatalinaVersion('nothing useful')).toEqual({ tomcat: undefined, java: undefined });
  });

  it('matches a Tomcat release to its configured major, and not to another', () => {
    expect(tomcatMatches('9.0.117.0', '9')).toBe(true);
    expect(tomcatMatches('8.5.100.0', '8.5')).toBe(true);
    expect(tomcatMatches('7.0.109.0', '7')).toBe(true);
    expect(tomcatMatches('9.0.117.0', '7')).toBe(false);
    expect(tomcatMatches('8.0.53.0', '8.5')).toBe(false);
  });

  it('matches Java feature releases (8 is 1.8.0_x), and not a longer number with the same prefix', () => {
    expect(javaMatches('1.8.0_504-8u504-ga-1-b01', 8)).toBe(true);
    expect(javaMatches('17.0.21.1+2-1-deb12u1-Debian', 17)).toBe(true);
    expect(javaMatches('21', 21)).toBe(true);
    expect(javaMatches('11.0.32.1', 17)).toBe(false);
    expect(javaMatches('17.0.1', 8)).toBe(false);
    expect(javaMatches('210.0.1', 21)).toBe(false);
  });
});
