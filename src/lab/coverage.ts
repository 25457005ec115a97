/**
 * Attribute coverage: which JDK types survive a trip through msm with the lab's
 * serializer. The sample app's attributes.jsp stores one type per session
 * (`?only=<name>`) and, on every later request, compares what it reads back with
 * a freshly built value. One session per type, several requests each, through
 * the balancer (non-sticky: the requests change nodes).
 */
import { SessionClient } from './http';

export const COVERAGE_PAGE = 'attributes.jsp';

export interface AttributeResult {
  readonly name: string;
  readonly ok: boolean;
  /** Nodes that served the session's requests. */
  readonly nodes: readonly string[];
  /** What went wrong (the page's verdict, a new session, a failed request). */
  readonly problem?: string;
}

/** Every attribute the page knows, from one request without `only`. */
export async function coverageAttributes(url: string): Promise<string[]> {
  const v = await new SessionClient(url).get(COVERAGE_PAGE);
  const names = Object.keys(v.fields)
    .filter((k) => k.startsWith('attr:'))
    .map((k) => k.slice('attr:'.length));
  if (v.status !== 200 || names.length === 0) throw new Error(`${url}${COVERAGE_PAGE} answered ${v.error ?? `HTTP ${v.status}`} without attributes`);
  return names;
}

export async function checkAttribute(url: string, name: string, requests = 4): Promise<AttributeResult> {
  const client = new SessionClient(url);
  const nodes = new Set<string>();
  let session: string | undefined;
  for (let i = 1; i <= requests; i++) {
    const v = await client.get(`${COVERAGE_PAGE}?only=${encodeURIComponent(name)}`);
    if (v.node) nodes.add(v.node);
    const verdict = v.fields[`attr:${name}`];
    const fail = (problem: string): AttributeResult => ({ name, ok: false, nodes: [...nodes], problem: `request ${i} on ${v.node ?? '?'}: ${problem}` });
    if (v.status !== 200 || verdict === undefined) return fail(v.error ?? `HTTP ${v.status}`);
    if (session !== undefined && v.session?.split(/[-.]/)[0] !== session) return fail(`a new session (${v.session}): the stored one could not be read back`);
    session = v.session?.split(/[-.]/)[0];
    const want = i === 1 ? 'new' : 'ok';
    if (verdict !== want) return fail(verdict === 'new' ? 'the attribute was missing' : verdict);
  }
  return { name, ok: true, nodes: [...nodes] };
}

/** Checks every attribute the page knows; one line per attribute through `log`. */
export async function checkCoverage(url: string, log: (line: string) => void = () => {}): Promise<AttributeResult[]> {
  const out: AttributeResult[] = [];
  for (const name of await coverageAttributes(url)) {
    const r = await checkAttribute(url, name);
    log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${name.padEnd(18)} ${r.ok ? `via ${r.nodes.join(', ')}` : r.problem}`);
    out.push(r);
  }
  return out;
}
