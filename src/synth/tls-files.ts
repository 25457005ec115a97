/**
 * The certificate and key the lab's nginx serves, under `<out>/tls/`: a
 * self-signed pair made with the host's openssl (kept while it stays valid for a
 * day more), or the given pair copied there (already checked by load.ts). The
 * Terraform JSON names these files by path and hash only, never their content.
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StepError } from '../errors';
import type { ResolvedLab } from '../config/resolve';
import { checkTlsFiles, SELF_SIGNED_DAYS, TLS_CERT_FILE, TLS_KEY_FILE, TLS_SUBDIR } from '../config/tls';

export interface LabTlsFiles {
  /** Absolute paths under `<out>/tls/`. */
  readonly certificate: string;
  readonly key: string;
  /** SHA-256 over certificate and key: a new pair replaces the nginx container. */
  readonly hash: string;
  readonly selfSigned: boolean;
}

/** openssl to run (MSM_KIT_OPENSSL names another). */
const openssl = () => process.env.MSM_KIT_OPENSSL ?? 'openssl';

/** The subjectAltNames a self-signed lab certificate needs: where the lab is reached from the host. */
export function selfSignedNames(lab: ResolvedLab): string[] {
  const ips = new Set(['127.0.0.1']);
  const a = lab.loadBalancer.bindAddress;
  if (a !== '0.0.0.0') ips.add(a);
  return ['DNS:localhost', ...[...ips].map((ip) => `IP:${ip}`)];
}

/** Whether a certificate is one the kit made (a given pair copied here earlier is never reused as self-signed). */
function ownSelfSigned(cert: string): boolean {
  try {
    return new X509Certificate(readFileSync(cert)).subject.includes(SELF_SIGNED_MARK);
  } catch {
    return false;
  }
}
const SELF_SIGNED_MARK = '(msm-kit lab)';

function makeSelfSigned(lab: ResolvedLab, cert: string, key: string): void {
  rmSync(cert, { force: true });
  rmSync(key, { force: true });
  try {
    execFileSync(
      openssl(),
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', String(SELF_SIGNED_DAYS), '-subj', `/CN=${lab.name} ${SELF_SIGNED_MARK}`, '-addext', `subjectAltName=${selfSignedNames(lab).join(',')}`, '-keyout', key, '-out', cert],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OPENSSL_CONF: '/dev/null' } },
    );
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    const why = err.code === 'ENOENT' ? `${openssl()} not found` : (err.stderr?.toString().trim().split('\n').pop() ?? err.message);
    throw new StepError('tls', `cannot make the lab's self-signed certificate (${why}). Fix: install openssl (apt-get install openssl), set MSM_KIT_OPENSSL, or give loadBalancer.tls a certificate and key`);
  }
  chmodSync(key, 0o600);
}

/** Writes the lab's certificate and key under `<outDir>/tls/` (none without TLS). */
export function prepareTlsFiles(lab: ResolvedLab, outDir: string): LabTlsFiles | undefined {
  const tls = lab.loadBalancer.tls;
  if (tls === undefined) return undefined;
  const dir = join(outDir, TLS_SUBDIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const cert = join(dir, TLS_CERT_FILE);
  const key = join(dir, TLS_KEY_FILE);
  if (tls === 'self-signed') {
    const tomorrow = new Date(Date.now() + 86400_000);
    const usable = existsSync(cert) && existsSync(key) && ownSelfSigned(cert) && checkTlsFiles({ certificate: cert, key }, tomorrow).length === 0;
    if (!usable) makeSelfSigned(lab, cert, key);
  } else if (existsSync(tls.certificate) && existsSync(tls.key)) {
    rmSync(key, { force: true });
    copyFileSync(tls.certificate, cert);
    copyFileSync(tls.key, key);
    chmodSync(key, 0o600);
  } else if (!existsSync(cert) || !existsSync(key)) {
    // Only `down` gets here (up checked the files): without them or a copy, nothing to name.
    throw new StepError('tls', `neither ${tls.certificate} and ${tls.key} nor their copies under ${dir} exist. Fix: put the certificate and key back, or remove loadBalancer.tls from the config`);
  }
  const hash = createHash('sha256').update(readFileSync(cert)).update('\0').update(readFileSync(key)).digest('hex');
  return { certificate: cert, key, hash, selfSigned: tls === 'self-signed' };
}
