import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundHttp } from './outbound.js';

// First in the file: undici is loaded on the first call of this module instance, and the calls race that load.
describe('createOutboundHttp, first calls', () => {
  it('concurrent first calls share one pool (one connection when the pool allows one)', async () => {
    let connections = 0;
    const server = createServer((_req, res) => setTimeout(() => res.end('ok'), 20));
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const http = createOutboundHttp({ connections: 1 });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const answers = await Promise.all([http.request(url), http.request(url), http.request(url)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(connections).toBe(1);
    } finally {
      await http.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('close() before any call has nothing to close', async () => {
    await expect(createOutboundHttp().close()).resolves.toBeUndefined();
  });
});

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

describe('createOutboundHttp deadline and caller abort', () => {
  let server: Server;
  let url: string;
  const closed: string[] = [];
  const http = createOutboundHttp({ timeoutMs: 300 });

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.on('close', () => closed.push(req.url!));
      if (req.url === '/drip') {
        // Headers at once, then a byte every 100 ms: never idle long enough for a per-read timeout.
        res.writeHead(200, { 'content-type': 'application/json' });
        const t = setInterval(() => res.write(' '), 100);
        res.on('close', () => clearInterval(t));
      } else if (req.url === '/hang') {
        // Nothing at all until the client gives up.
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await http.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('the deadline covers the whole exchange: a body that keeps dripping is cut at timeoutMs', async () => {
    // Without a whole-exchange deadline this would never settle (the server keeps writing).
    await expect(http.request(`${url}/drip`)).rejects.toMatchObject({ kind: 'upstream_failed', reasonCode: 'upstream_timeout' });
  });

  it("the caller's abort ends the upstream request (network failure, not timeout), and an aborted caller sends nothing", async () => {
    const caller = new AbortController();
    const pending = http.request(`${url}/hang`, { signal: caller.signal, timeoutMs: 60_000 });
    setTimeout(() => caller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ kind: 'upstream_failed', reasonCode: 'upstream_network' });
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toContain('/hang');
    const before = closed.length;
    await expect(http.request(`${url}/ok-never`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ reasonCode: 'upstream_network' });
    await new Promise((r) => setTimeout(r, 50));
    expect(closed.slice(before)).not.toContain('/ok-never');
  });

  it("a normal answer leaves no listener on the caller's signal", async () => {
    const caller = new AbortController();
    const res = await http.request(`${url}/ok`, { signal: caller.signal });
    expect(res.json()).toEqual({ ok: true });
    expect(res.text()).toBe('{"ok":true}');
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});
