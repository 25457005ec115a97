/**
 * SessionClient retries a GET once when the server closed its kept-alive connection
 * before answering (nginx reloading closes idle connections: a browser sends the
 * request again), and only then: a connection that dies on a fresh socket, or after
 * an answer began, stays a failed request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { keepAliveAgent, SessionClient } from '../../src/lab/http';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A server on 127.0.0.1 that treats the n-th request (1-based) with `bad`, the others with a page. */
function serve(bad: (n: number) => 'reset' | 'ok'): Promise<string> {
  let n = 0;
  server = createServer((req, res) => {
    n++;
    if (bad(n) === 'reset') return req.socket.destroy();
    res.setHeader('set-cookie', 'JSESSIONID=ABC123');
    res.end(`<td data-key="counter">${n}</td>`);
  });
  return new Promise((r) => server!.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/`)));
}

describe('SessionClient on a closed kept-alive connection', () => {
  it('sends the request again on a new connection and gets the answer', async () => {
    const url = await serve((n) => (n === 2 ? 'reset' : 'ok'));
    const agent = keepAliveAgent(url, 1);
    const c = new SessionClient(url, 5000, agent);
    expect((await c.get()).status).toBe(200);
    const second = await c.get(); // reused socket, closed by the server: retried
    expect(second.status).toBe(200);
    expect(second.counter).toBe(3);
    agent.destroy();
  });

  it('does not retry on a fresh connection: the failure is reported', async () => {
    const url = await serve((n) => (n === 1 ? 'reset' : 'ok'));
    const agent = keepAliveAgent(url, 1);
    const v = await new SessionClient(url, 5000, agent).get();
    expect(v.status).toBe(0);
    expect(v.error).toMatch(/socket hang up|ECONNRESET/);
    agent.destroy();
  });
});
