/** A failed answer says what a user saw and who gave it: the status, nginx's node header, the error page's title. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NODE_HEADER } from '../../src/config/layout';
import { failureLine, SessionClient } from '../../src/lab/http';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('failureLine', () => {
  it('names the status, the node and the title', () => {
    expect(failureLine(400, 'lab-tomcat1', '<html><head><title>HTTP Status 400 – Bad Request</title>')).toBe('HTTP 400 from lab-tomcat1 ("HTTP Status 400 – Bad Request")');
  });
  it('is the status alone when nothing else is known', () => {
    expect(failureLine(502, undefined, '')).toBe('HTTP 502');
  });
});

describe('SessionClient on an error page', () => {
  it('reports the failure with the node nginx named', async () => {
    server = createServer((_req, res) => {
      res.statusCode = 400;
      res.setHeader(NODE_HEADER, 'lab-tomcat2');
      res.end('<title>Bad Request</title>');
    });
    const url = await new Promise<string>((r) => server!.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/`)));
    const v = await new SessionClient(url, 5000).get();
    expect(v.status).toBe(400);
    expect(v.error).toBe('HTTP 400 from lab-tomcat2 ("Bad Request")');
  });
});
