/**
 * Hardening renderers: the TLS nginx.conf (golden, real `nginx -t` with a real
 * certificate, redirect, HSTS, protocols and ciphers, sticky routing intact),
 * server.xml (golden, parsed: no shutdown port, RemoteIpValve trusting nginx only,
 * no error report or version), SameSite per Tomcat version.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { resolveLab } from '../../src/config/resolve';
import { NGINX_CERT_PATH, NGINX_KEY_PATH, TLS12_CIPHERS } from '../../src/config/tls';
import { renderContextXml } from '../../src/render/context-xml';
import { renderNginxConf } from '../../src/render/nginx-conf';
import { renderServerXml } from '../../src/render/server-xml';
import { accept, DEFAULT_CONFIG, golden, patch, STICKY_CONFIG } from '../helpers';
import { NGINX_UPSTREAM_KEEPALIVE_TIMEOUT_S, TOMCAT_CONNECTION_TIMEOUT_MS } from '../../src/config/layout';


const tlsLab = resolveLab(accept(patch(DEFAULT_CONFIG, { loadBalancer: { tls: 'self-signed', httpsPort: 8443 } })));
const stickyTls = resolveLab(accept(patch(STICKY_CONFIG, { loadBalancer: { tls: 'self-signed' } })));

/** `nginx -t` on a TLS nginx.conf, its certificate paths pointed at a real pair made by openssl. */
function nginxTls(conf: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'msm-nginx-tls-'));
  const crt = join(dir, 'lab.crt');
  const key = join(dir, 'lab.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=t', '-keyout', key, '-out', crt], { stdio: 'ignore', env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
  chmodSync(key, 0o600);
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, conf.split(NGINX_CERT_PATH).join(crt).split(NGINX_KEY_PATH).join(key));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const nginx = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find(existsSync);
  if (!nginx) throw new Error('nginx is not installed: `nginx -t` cannot run. Install it (apt-get install nginx-light)');
  execFileSync(nginx, ['-t', '-q', '-p', dir, '-c', file, '-g', `pid ${dir}/nginx.pid;`], { stdio: 'pipe' });
}

describe('nginx.conf with TLS', () => {
  it('matches its golden file', () => golden('tls/nginx.conf', renderNginxConf(tlsLab)));
  it('passes nginx -t with a real certificate (non-sticky and sticky)', () => {
    nginxTls(renderNginxConf(tlsLab));
    nginxTls(renderNginxConf(stickyTls));
  });

  it('sends HSTS from every location that has add_header lines of its own (nginx does not inherit the server\'s then)', () => {
    for (const lab of [tlsLab, stickyTls]) {
      const tlsServer = renderNginxConf(lab).split(' ssl;')[1];
      const locations = tlsServer.split(/\n\s*location /).slice(1);
      const withHeaders = locations.filter((l) => l.split('\n    }')[0].includes('add_header'));
      expect(withHeaders.length).toBeGreaterThan(0);
      for (const l of withHeaders) expect(l.split('\n    }')[0]).toContain('add_header Strict-Transport-Security');
    }
  });

  it('redirects the plain port to HTTPS on httpsPort, keeps the health check there', () => {
    const conf = renderNginxConf(tlsLab);
    const plain = conf.slice(conf.indexOf('listen 80;'), conf.indexOf('listen 443 ssl;'));
    expect(plain).toContain('return 301 https://$host:8443$request_uri;');
    expect(plain).toContain('location = /msm-kit-health');
    expect(plain).not.toContain('proxy_pass');
  });

  it('TLS 1.2+ only, ECDHE AEAD ciphers, HSTS, X-Forwarded-Proto', () => {
    const conf = renderNginxConf(tlsLab);
    expect(conf).toContain('ssl_protocols TLSv1.2 TLSv1.3;');
    expect(conf).not.toMatch(/TLSv1(\.1)? |SSLv/);
    expect(conf).toContain(`ssl_ciphers ${TLS12_CIPHERS.join(':')};`);
    for (const c of TLS12_CIPHERS) expect(c).toMatch(/^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
    expect(conf).toContain('add_header Strict-Transport-Security "max-age=63072000" always;');
    expect(conf).toContain('proxy_set_header X-Forwarded-Proto $scheme;');
  });

  it('sticky routing is intact behind TLS', () => {
    const conf = renderNginxConf(stickyTls);
    const tls = conf.slice(conf.indexOf('listen 443 ssl;'));
    expect(tls).toContain('proxy_pass http://$msm_upstream;');
    expect(conf).toContain('map $cookie_JSESSIONID $msm_route_cookie');
  });

  it('without tls: no TLS directive, no HSTS', () => {
    const conf = renderNginxConf(resolveLab(accept(DEFAULT_CONFIG)));
    expect(conf).not.toMatch(/ssl|Strict-Transport|return 301/);
  });

  it('the lab URL becomes https on httpsPort', () => {
    expect(tlsLab.url).toBe('https://127.0.0.1:8443/');
    expect(resolveLab(accept(DEFAULT_CONFIG)).url).toBe('http://127.0.0.1:8080/');
  });
});

describe('server.xml', () => {
  const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml, true);
  const lab = resolveLab(accept(DEFAULT_CONFIG));

  it('matches its golden file', () => golden('non-sticky/server.xml', renderServerXml(lab)));

  it('no shutdown port, one HTTP connector with a neutral Server header, no AJP', () => {
    const s = parse(renderServerXml(lab)).Server;
    expect(s.port).toBe('-1');
    expect(s.Service.Connector).toEqual({ port: '8080', protocol: 'HTTP/1.1', connectionTimeout: '20000', server: 'Apache' });
  });

  it('RemoteIpValve believes X-Forwarded-Proto from the lab nginx only', () => {
    const v = parse(renderServerXml(lab)).Server.Service.Engine.Valve;
    expect(v).toMatchObject({ className: 'org.apache.catalina.valves.RemoteIpValve', internalProxies: '172\\.28\\.57\\.2', protocolHeader: 'X-Forwarded-Proto', protocolHeaderHttpsValue: 'https' });
    expect(new RegExp(`^${v.internalProxies}$`).test('172.28.57.2')).toBe(true);
    expect(new RegExp(`^${v.internalProxies}$`).test('172.28.57.20')).toBe(false);
    expect(new RegExp(`^${v.internalProxies}$`).test('172x28x57x2')).toBe(false);
  });

  it('error pages without report or server version; no autoDeploy', () => {
    const h = parse(renderServerXml(lab)).Server.Service.Engine.Host;
    expect(h.Valve).toEqual({ className: 'org.apache.catalina.valves.ErrorReportValve', showReport: 'false', showServerInfo: 'false' });
    expect(h.autoDeploy).toBe('false');
  });

  it("bundle form: Tomcat's default internalProxies", () => {
    expect(parse(renderServerXml(lab, { internalProxies: null })).Server.Service.Engine.Valve).not.toHaveProperty('internalProxies');
  });
});

describe('session cookie SameSite, per Tomcat version', () => {
  const ctx = (version: string, javaVersion = 17) => {
    const l = resolveLab(accept(patch(DEFAULT_CONFIG, { tomcat: { version, javaVersion } })));
    return { xml: renderContextXml(l), nginx: renderNginxConf(l) };
  };
  it('Tomcat 8.5 and 9: CookieProcessor sameSiteCookies="lax" in context.xml, HttpOnly explicit', () => {
    for (const v of ['8.5', '9']) {
      const { xml, nginx } = ctx(v);
      expect(xml).toContain('<CookieProcessor className="org.apache.tomcat.util.http.Rfc6265CookieProcessor" sameSiteCookies="lax"/>');
      expect(xml).toContain('<Context useHttpOnly="true">');
      expect(nginx).not.toContain('proxy_cookie_flags');
    }
  });
  it('Tomcat 7 (no CookieProcessor): nothing in context.xml, nginx adds SameSite', () => {
    const { xml, nginx } = ctx('7', 8);
    expect(xml).not.toContain('CookieProcessor');
    expect(nginx).toContain('proxy_cookie_flags JSESSIONID samesite=lax;');
    nginxTls(nginx);
  });
});

describe('kept-alive connections between nginx and Tomcat', () => {
  it('end on nginx\'s side first: every upstream closes an idle connection before Tomcat would', () => {
    expect(NGINX_UPSTREAM_KEEPALIVE_TIMEOUT_S * 1000).toBeLessThan(TOMCAT_CONNECTION_TIMEOUT_MS);
    for (const config of [DEFAULT_CONFIG, STICKY_CONFIG]) {
      const lab = resolveLab(accept(config));
      const conf = renderNginxConf(lab);
      const upstreams = conf.match(/^  upstream /gm)?.length ?? 0;
      expect(upstreams).toBeGreaterThan(0);
      expect(conf.match(new RegExp(`^    keepalive_timeout ${NGINX_UPSTREAM_KEEPALIVE_TIMEOUT_S}s;$`, 'gm'))?.length).toBe(upstreams);
      expect(renderServerXml(lab)).toContain(`connectionTimeout="${TOMCAT_CONNECTION_TIMEOUT_MS}"`);
    }
  });
});
