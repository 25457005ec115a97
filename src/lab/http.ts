/** A tiny cookie-keeping client for the sample app, shared by verify and the drills. */
import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { NODE_HEADER } from '../config/layout';
import { StepError, UsageError } from '../errors';

export interface PageView {
  readonly status: number;
  /** The node the page names (the sample app), else the node nginx's X-Msm-Kit-Node header names. */
  readonly node?: string;
  /** Whether the page was the sample app's (it names its node, session and counter). */
  readonly samplePage?: boolean;
  readonly session?: string;
  readonly counter?: number;
  /** `Apache Tomcat/9.0.117`, as the page reports it. */
  readonly tomcat?: string;
  /** java.version, as the page reports it. */
  readonly java?: string;
  /** Every `data-key` cell of the page (attributes.jsp reports one per attribute). */
  readonly fields: Readonly<Record<string, string>>;
  readonly error?: string;
  readonly ms: number;
}

const field = (html: string, key: string) => new RegExp(`data-key="${key}">([^<]*)<`).exec(html)?.[1];
/** `HTTP 400 from tomcat1 ("HTTP Status 400 – Bad Request")`: a failed answer, with who gave it when known. */
export function failureLine(status: number, node: string | undefined, html: string): string {
  const title = /<title>([^<]{1,120})<\/title>/i.exec(html)?.[1]?.trim();
  return `HTTP ${status}${node ? ` from ${node}` : ''}${title ? ` ("${title}")` : ''}`;
}
const fieldsOf = (html: string) => Object.fromEntries([...html.matchAll(/data-key="([^"]+)">([^<]*)</g)].map((m) => [m[1], m[2]]));

/**
 * How HTTPS labs are trusted by every client here (verify, drills, settle,
 * coverage): extra CA certificates (the lab's self-signed certificate) on top
 * of Node's own roots, or no check at all (`--insecure`). Set once by the CLI.
 */
export interface HttpsTrust {
  /** PEM certificates trusted besides Node's roots. @default none */
  readonly ca?: readonly string[];
  /** Accept any certificate (never for a lab you do not own). @default false */
  readonly insecure?: boolean;
}
let trust: HttpsTrust = {};
export function setHttpsTrust(t: HttpsTrust): void {
  trust = t;
}
function tlsOptions(): { rejectUnauthorized?: boolean; ca?: string[] } {
  if (trust.insecure) return { rejectUnauthorized: false };
  return trust.ca?.length ? { ca: [...rootCertificates, ...trust.ca] } : {};
}

/** A keep-alive agent for the URL's protocol (HTTPS with the trust above). */
export function keepAliveAgent(url: string, maxSockets: number): Agent {
  return new URL(url).protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets, ...tlsOptions() }) : new Agent({ keepAlive: true, maxSockets });
}

export class SessionClient {
  private cookie?: string;

  constructor(
    readonly url: string,
    private readonly timeoutMs = 10000,
    private readonly agent?: import('node:http').Agent,
  ) {}

  /** Sends `id` as the session cookie from now on (until an answer sets another). */
  useSessionId(id: string): this {
    this.cookie = id;
    return this;
  }

  /**
   * GETs the client's URL, or `path` (with its query) resolved against it. Like a
   * browser (RFC 9112 §9.3.1), a GET whose kept-alive connection the server closed
   * before any answer (nginx reloading closes its idle connections) is sent once more
   * on a new connection: the request never reached a server.
   */
  async get(path?: string): Promise<PageView> {
    const started = performance.now();
    const first = await this.once(path, started, this.agent);
    // Once more on a connection of its own: the pool's other idle connections may be closing too.
    return first.retry ? (await this.once(path, started, false)).view : first.view;
  }

  private once(path: string | undefined, started: number, agent: import('node:http').Agent | false | undefined): Promise<{ view: PageView; retry: boolean }> {
    return new Promise((resolveOnce) => {
      let retry = false;
      const resolvePromise = (view: PageView) => resolveOnce({ view, retry });
      const done = (v: Omit<PageView, 'ms' | 'fields'> & { fields?: Record<string, string> }) => resolvePromise({ fields: {}, ...v, ms: performance.now() - started });
      const target = path === undefined ? new URL(this.url) : new URL(path, this.url);
      const secure = target.protocol === 'https:';
      const req = (secure ? httpsRequest : request)(
        target,
        { method: 'GET', headers: this.cookie ? { cookie: `JSESSIONID=${this.cookie}` } : {}, timeout: this.timeoutMs, agent, ...(secure ? tlsOptions() : {}) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            for (const sc of res.headers['set-cookie'] ?? []) {
              const m = /^JSESSIONID=([^;]+)/.exec(sc);
              if (m) this.cookie = m[1];
            }
            const html = Buffer.concat(chunks).toString('utf8');
            const counter = field(html, 'counter');
            const header = res.headers[NODE_HEADER.toLowerCase()];
            const pageNode = field(html, 'node');
            done({
              status: res.statusCode ?? 0,
              node: pageNode ?? (typeof header === 'string' ? header : undefined),
              samplePage: pageNode !== undefined,
              // any app: the session cookie the client holds after this answer
              session: field(html, 'session') ?? this.cookie,
              counter: counter === undefined ? undefined : Number(counter),
              tomcat: field(html, 'tomcat'),
              java: field(html, 'java')?.split(' ')[0],
              fields: fieldsOf(html),
              // What a failure was, as a user saw it: the status, who answered (nginx's header), the error page's title.
              error: res.statusCode === 200 ? undefined : failureLine(res.statusCode ?? 0, typeof header === 'string' ? header : undefined, html),
            });
          });
          res.on('error', (e) => done({ status: 0, error: e.message }));
        },
      );
      let answered = false;
      req.on('response', () => (answered = true));
      req.on('timeout', () => req.destroy(new Error(`timeout after ${this.timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        retry = !answered && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE');
        done({ status: 0, error: e.message });
      });
      req.end();
    });
  }
}

/**
 * Fails with a UsageError when nothing at `url` serves the sample page (no
 * listener, an error status, or a page without a session): the lab is not
 * deployed there, or the URL is wrong.
 */
export async function ensureLabAnswers(url: string, hint: string, timeoutMs = 30_000): Promise<void> {
  // Generous: the first request to a fresh Tomcat compiles the JSP.
  const v = await new SessionClient(url, timeoutMs).get();
  if (v.status === 200 && v.session !== undefined) return;
  const what = v.status === 0 ? `nothing answers at ${url} (${v.error})` : `${url} answered ${v.error ?? `HTTP ${v.status}`} without the sample page's session`;
  throw new UsageError(`${what}. Fix: ${hint}`);
}

/**
 * Waits until the sample page answers with a session through the balancer
 * (every Tomcat has compiled it once: one request per Tomcat behind round-robin
 * is not guaranteed, so it asks until `need` answers came back). Returns the
 * seconds it took; throws a StepError after `timeoutS`.
 */
export async function waitAnswering(url: string, timeoutS = 120, need = 4): Promise<number> {
  const start = performance.now();
  let got = 0;
  let last = '';
  while ((performance.now() - start) / 1000 < timeoutS) {
    const v = await new SessionClient(url, 30_000).get();
    if (v.status === 200 && v.session !== undefined) {
      if (++got >= need) return (performance.now() - start) / 1000;
    } else {
      last = v.error ?? `HTTP ${v.status}`;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new StepError('answer', `${url} did not serve the sample page within ${timeoutS} s (last: ${last || 'no answer'}). Fix: see the Tomcat logs (docker logs <tomcat node>)`);
}

/** Splits an msm session id `<hex>[-<memcachedId>][.<jvmRoute>]`. */
export function parseSessionId(id: string): { hex: string; memcachedId?: string; route?: string } {
  const m = /^([0-9A-Fa-f]+)(?:-(\w+))?(?:\.([A-Za-z0-9_-]+))?$/.exec(id);
  if (!m) return { hex: id };
  return { hex: m[1], memcachedId: m[2], route: m[3] };
}
