/**
 * manager.formLoginWorkaround (config/form-login.ts): off unless asked for; when on,
 * context.xml carries FormAuthenticator with changeSessionIdOnAuthentication="false"
 * (also when merged into an app's own context.xml), and validate warns that
 * session-fixation protection is off (and that sticky mode does not need it).
 * The behaviour itself, on real Tomcats: test/e2e/formlogin.e2e.ts.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { configWarnings } from '../../src/config/advice';
import { CHANGE_SESSION_ID_ATTRIBUTE, FORM_AUTHENTICATOR_CLASS, FORM_LOGIN_WORKAROUND_CHECKED } from '../../src/config/form-login';
import { TOMCAT_RELEASES } from '../../src/config/images';
import { loadConfig } from '../../src/config/load';
import { resolveLab } from '../../src/config/resolve';
import { SUPPORTED_TOMCATS } from '../../src/config/schema';
import { declaresAuthenticatorValve, mergeManager } from '../../src/config/webapps';
import { ConfigError } from '../../src/errors';
import { renderContextXml } from '../../src/render/context-xml';
import { synthLab } from '../../src/synth/synth';
import { accept, DEFAULT_CONFIG, golden, patch, ROOT, STICKY_CONFIG } from '../helpers';

const ON = { manager: { formLoginWorkaround: true } };
const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml, true);

describe('manager.formLoginWorkaround', () => {
  it('is off unless set: no valve, no warning', () => {
    const cfg = accept(DEFAULT_CONFIG);
    expect(cfg.manager.formLoginWorkaround).toBe(false);
    expect(renderContextXml(resolveLab(cfg))).not.toContain('FormAuthenticator');
    expect(configWarnings(cfg)).toEqual([]);
  });

  it('takes only a boolean', () => {
    expect(() => accept(patch(DEFAULT_CONFIG, { manager: { formLoginWorkaround: 'yes' } }))).toThrow(/manager\.formLoginWorkaround/);
  });

  it('on: context.xml gets the FormAuthenticator valve without the session id change (golden)', () => {
    const xml = renderContextXml(resolveLab(accept(patch(DEFAULT_CONFIG, ON))));
    golden('form-login/context.xml', xml);
    const ctx = parse(xml).Context;
    expect(ctx.Valve).toEqual({ className: FORM_AUTHENTICATOR_CLASS, [CHANGE_SESSION_ID_ATTRIBUTE]: 'false' });
    expect(ctx.Manager.sticky).toBe('false');
  });

  it('on: the valve is written on every Tomcat version, and the Manager is unchanged by it', () => {
    for (const version of SUPPORTED_TOMCATS) {
      const javaVersion = version === '11' ? 17 : 11;
      const off = renderContextXml(resolveLab(accept(patch(DEFAULT_CONFIG, { tomcat: { version, javaVersion } }))));
      const on = renderContextXml(resolveLab(accept(patch(DEFAULT_CONFIG, { ...ON, tomcat: { version, javaVersion } }))));
      expect(parse(on).Context.Valve?.className, version).toBe(FORM_AUTHENTICATOR_CLASS);
      expect(parse(on).Context.Manager, version).toEqual(parse(off).Context.Manager);
    }
  });

  it("on: merging into an app's own context.xml carries the valve along with the Manager", () => {
    const kit = renderContextXml(resolveLab(accept(patch(DEFAULT_CONFIG, ON))));
    const app = '<Context>\n  <Realm className="org.apache.catalina.realm.MemoryRealm" pathname="x.xml"/>\n</Context>\n';
    const merged = parse(mergeManager(app, kit)!).Context;
    expect(merged.Realm.className).toBe('org.apache.catalina.realm.MemoryRealm');
    expect(merged.Manager.className).toBe('msmkit.tomcat.KitMemcachedBackupSessionManager');
    expect(merged.Valve).toEqual({ className: FORM_AUTHENTICATOR_CLASS, [CHANGE_SESSION_ID_ATTRIBUTE]: 'false' });
    // off: nothing but the Manager is merged
    const plain = parse(mergeManager(app, renderContextXml(resolveLab(accept(DEFAULT_CONFIG))))!).Context;
    expect(plain.Valve).toBeUndefined();
  });

  it('on: validate warns that session-fixation protection is off', () => {
    const w = configWarnings(accept(patch(DEFAULT_CONFIG, ON)));
    expect(w).toHaveLength(1);
    expect(w[0].path).toBe('manager.formLoginWorkaround');
    expect(w[0].message).toMatch(/session-fixation protection is off.*Fix: /);
  });

  it('on in sticky mode: warns as well that sticky mode does not need it', () => {
    const w = configWarnings(accept(patch(STICKY_CONFIG, ON)));
    expect(w.map((x) => x.path)).toEqual(['manager.formLoginWorkaround', 'manager.formLoginWorkaround']);
    expect(w[1].message).toMatch(/sticky mode FORM login works without it.*Fix: remove it/);
  });

  it("was checked in the source of exactly the Tomcat release the kit deploys, for every version", () => {
    for (const v of SUPPORTED_TOMCATS) expect(FORM_LOGIN_WORKAROUND_CHECKED[v], `Tomcat ${v}: read AuthenticatorBase/FormAuthenticator of the new release, then update form-login.ts`).toBe(TOMCAT_RELEASES[v].release);
  });

  it('synth: the FORM-login test app (test/fixtures/formlogin) keeps its Realm and gets the Manager, plus the valve only when on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msm-kit-formlogin-'));
    try {
      const webapps = [{ contextPath: '/secure', source: join(ROOT, 'test', 'fixtures', 'formlogin', 'web') }, { contextPath: '/msm-kit', source: 'msm-kit:sample' }];
      for (const on of [false, true]) {
        const file = join(dir, `lab-${on}.json`);
        writeFileSync(file, JSON.stringify(patch(DEFAULT_CONFIG, { webapps, manager: { formLoginWorkaround: on } })));
        const r = await synthLab(loadConfig(file), { outDir: join(dir, `out-${on}`), standIns: true, fetch: { offline: true } });
        const ctx = parse(r.artifacts.webappContexts.find((c) => c.path === '/usr/local/tomcat/webapps/secure/META-INF/context.xml')!.xml).Context;
        expect(ctx.Realm).toEqual({ className: 'org.apache.catalina.realm.MemoryRealm', pathname: 'webapps/secure/WEB-INF/users.xml' });
        expect(ctx.Manager.sticky).toBe('false');
        expect(ctx.Valve?.[CHANGE_SESSION_ID_ATTRIBUTE], `formLoginWorkaround ${on}`).toBe(on ? 'false' : undefined);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on: refuses an app whose own context.xml declares an authenticator valve (two would authenticate); off: accepts it", () => {
    expect(declaresAuthenticatorValve('<Context><Valve className="org.apache.catalina.authenticator.BasicAuthenticator"/></Context>')).toBe(true);
    expect(declaresAuthenticatorValve('<Context><!-- <Valve className="org.apache.catalina.authenticator.FormAuthenticator"/> --></Context>')).toBe(false);
    expect(declaresAuthenticatorValve('<Context><Valve className="org.apache.catalina.valves.AccessLogValve"/></Context>')).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'msm-kit-formlogin-'));
    try {
      cpSync(join(ROOT, 'test', 'fixtures', 'formlogin', 'web'), join(dir, 'app'), { recursive: true });
      writeFileSync(join(dir, 'app', 'META-INF', 'context.xml'), '<Context>\n  <Valve className="org.apache.catalina.authenticator.FormAuthenticator" landingPage="/"/>\n</Context>\n');
      const load = (on: boolean) => {
        const file = join(dir, `lab-${on}.json`);
        writeFileSync(file, JSON.stringify(patch(DEFAULT_CONFIG, { webapps: [{ contextPath: '/secure', source: 'app' }, { contextPath: '/msm-kit', source: 'msm-kit:sample' }], manager: { formLoginWorkaround: on } })));
        return loadConfig(file);
      };
      expect(() => load(false)).not.toThrow();
      let err: unknown;
      try {
        load(true);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const p = (err as ConfigError).problems.find((x) => x.path === 'webapps[0].source');
      expect(p?.message).toMatch(/own authenticator <Valve>.*Fix: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
