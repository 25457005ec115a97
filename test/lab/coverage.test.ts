/** The attribute coverage check against a stand-in of attributes.jsp on 127.0.0.1. */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAttribute, coverageAttributes } from '../../src/lab/coverage';

let server: Server | undefined;
afterEach(() => server?.close());

/** A page that stores attributes per session; `broken` ones come back as `FAIL: …`, `lost` ones as a new session. */
async function page(opts: { broken?: string[]; lost?: string[] } = {}): Promise<string> {
  const names = ['subList', 'uri'];
  const seen = new Map<string, Set<string>>();
  let n = 0;
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const only = url.searchParams.get('only');
    let id = /JSESSIONID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!id || (only && opts.lost?.includes(only) && seen.get(id)?.has(only))) {
      id = `S${++n}`;
      res.setHeader('set-cookie', `JSESSIONID=${id}; Path=/`);
    }
    const stored = seen.get(id) ?? new Set<string>();
    seen.set(id, stored);
    const rows = names
      .filter((a) => !only || a === only)
      .map((a) => {
        const verdict = !stored.has(a) ? 'new' : opts.broken?.includes(a) ? 'FAIL: got X, want Y' : 'ok';
        stored.add(a);
        return `<td data-key="attr:${a}">${verdict}</td>`;
      });
    res.end(`<span data-key="node">t${n % 2}</span><span data-key="session">${id}</span>${rows.join('')}`);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as { port: number }).port}/`;
}

describe('attribute coverage', () => {
  it('lists the attributes the page knows', async () => {
    expect(await coverageAttributes(await page())).toEqual(['subList', 'uri']);
  });

  it('passes an attribute that reads back ok on every later request', async () => {
    expect(await checkAttribute(await page(), 'uri')).toMatchObject({ name: 'uri', ok: true });
  });

  it('fails an attribute the page reports wrong, and one whose session was replaced', async () => {
    const wrong = await checkAttribute(await page({ broken: ['subList'] }), 'subList');
    expect(wrong).toMatchObject({ ok: false, problem: expect.stringMatching(/request 2 .*FAIL: got X/) });
    server?.close();
    const lost = await checkAttribute(await page({ lost: ['uri'] }), 'uri');
    expect(lost).toMatchObject({ ok: false, problem: expect.stringMatching(/a new session/) });
  });
});
