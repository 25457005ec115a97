/**
 * TLS at the lab's nginx: the facts (ports, paths, protocols, ciphers) and the
 * checks a given certificate/key pair must pass before anything is deployed:
 * both files readable PEM, the key not readable by group or others, the key
 * the certificate's own (public keys compared), the certificate valid now.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ConfigProblem } from '../errors';
import type { LabConfig } from './schema';
import { printable } from './show';

/** nginx's HTTPS port inside its container; published on loadBalancer.httpsPort. */
export const NGINX_TLS_PORT = 443;
/** Where the certificate and key are uploaded in the nginx container (a directory the image has: an upload cannot create one). */
export const NGINX_CERT_PATH = '/etc/nginx/msm-kit-lab.crt';
export const NGINX_KEY_PATH = '/etc/nginx/msm-kit-lab.key';
/** Under the output directory: the certificate and key the lab deploys (self-signed ones are made here). */
export const TLS_SUBDIR = 'tls';
export const TLS_CERT_FILE = 'lab.crt';
export const TLS_KEY_FILE = 'lab.key';
/** TLS 1.2 and 1.3 only (Mozilla's "intermediate" profile). */
export const TLS_PROTOCOLS = ['TLSv1.2', 'TLSv1.3'] as const;
/**
 * TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only (Mozilla's
 * "intermediate" profile without its DHE suites, which need DH parameters the
 * kit does not generate). TLS 1.3 suites are OpenSSL's defaults, all modern.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;
/** Strict-Transport-Security max-age, in seconds (two years). */
export const HSTS_MAX_AGE = 63072000;
/** SameSite value of the session cookie (Lax: a link from another site keeps the session, a cross-site POST does not). */
export const SESSION_COOKIE_SAMESITE = 'Lax';
/** Days a self-signed lab certificate is valid. */
export const SELF_SIGNED_DAYS = 365;

export type TlsSetting = NonNullable<LabConfig['loadBalancer']['tls']>;
export interface TlsFiles {
  readonly certificate: string;
  readonly key: string;
}

/** The certificate/key paths of a config, absolute (relative ones are relative to the config file). */
export function tlsFilesOf(tls: TlsSetting | undefined, configFile: string): TlsFiles | undefined {
  if (tls === undefined || tls === 'self-signed') return undefined;
  const base = dirname(resolve(configFile));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  return { certificate: abs(tls.certificate), key: abs(tls.key) };
}

const CERT_PATH = 'loadBalancer.tls.certificate';
const KEY_PATH = 'loadBalancer.tls.key';

/**
 * Every problem of a certificate/key pair (empty: it may be deployed).
 * `now` is for tests. Messages name the file, never its content.
 */
export function checkTlsFiles(files: TlsFiles, now: Date = new Date()): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const shown = (p: string) => printable(p, 200);
  const read = (path: string, field: string, what: string): Buffer | undefined => {
    try {
      return readFileSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problems.push({
        path: field,
        message: `${code === 'ENOENT' ? 'no such file' : `cannot read the ${what} (${code ?? 'error'})`}: ${shown(path)}. Fix: give the path of a readable PEM ${what}, relative to the config file`,
      });
      return undefined;
    }
  };
  const certPem = read(files.certificate, CERT_PATH, 'certificate');
  const keyPem = read(files.key, KEY_PATH, 'private key');

  let cert: X509Certificate | undefined;
  if (certPem) {
    try {
      cert = new X509Certificate(certPem);
    } catch {
      problems.push({ path: CERT_PATH, message: `not a PEM certificate: ${shown(files.certificate)}. Fix: give the certificate file ("-----BEGIN CERTIFICATE-----")` });
    }
  }
  if (cert) {
    const from = new Date(cert.validFrom);
    const to = new Date(cert.validTo);
    if (to.getTime() <= now.getTime())
      problems.push({ path: CERT_PATH, message: `the certificate expired on ${to.toISOString()}: ${shown(files.certificate)}. Fix: renew it, or use "self-signed" for a lab` });
    else if (from.getTime() > now.getTime())
      problems.push({ path: CERT_PATH, message: `the certificate is not valid before ${from.toISOString()}: ${shown(files.certificate)}. Fix: check the host's clock, or issue it again` });
  }

  let keyObj: ReturnType<typeof createPrivateKey> | undefined;
  if (keyPem) {
    const mode = statSync(files.key).mode & 0o777;
    if ((mode & 0o077) !== 0)
      problems.push({ path: KEY_PATH, message: `the private key is readable by ${mode & 0o007 ? 'every user' : 'its group'} (mode ${mode.toString(8).padStart(4, '0')}): ${shown(files.key)}. Fix: chmod 600 ${shown(files.key)}` });
    try {
      keyObj = createPrivateKey(keyPem);
    } catch {
      problems.push({ path: KEY_PATH, message: `not an unencrypted PEM private key: ${shown(files.key)}. Fix: give the key file ("-----BEGIN PRIVATE KEY-----"; nginx cannot ask for a passphrase)` });
    }
  }
  if (cert && keyObj) {
    const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' });
    if (!spki(cert.publicKey).equals(spki(createPublicKey(keyObj))))
      problems.push({ path: KEY_PATH, message: `this key does not belong to the certificate ${shown(files.certificate)} (their public keys differ). Fix: give the key the certificate was issued for` });
  }
  return problems;
}
