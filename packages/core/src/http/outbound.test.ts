import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundHttp } from './outbound.js';

describe('createOutboundHttp size cap', () => {
  let server: Server;
  let url: string;
  const http = createOutboundHttp({ maxResponseBytes: 100 });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = 'x'.repeat(1000);
      if (req.url === '/declared') res.writeHead(200, { 'content-length': body.length }).end(body);
      else res.writeHead(200).end(body); // chunked: no declared length
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await http.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  // An unhandled 'error' from the destroyed body would fail this run (vitest reports uncaught errors).
  it.each(['/declared', '/chunked'])('refuses an oversized answer (%s) with upstream_too_large, without an uncaught error', async (path) => {
    await expect(http.request(`${url}${path}`)).rejects.toMatchObject({ kind: 'upstream_failed', reasonCode: 'upstream_too_large' });
    await new Promise((r) => setTimeout(r, 20));
  });
});
