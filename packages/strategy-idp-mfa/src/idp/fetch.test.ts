import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, createOutboundHttp } from '@gatehouse-auth/core';
import { endpointKey, idpFetch } from './fetch.js';

let server: Server;
let base: string;
const seen: string[] = [];
const http = createOutboundHttp({ timeoutMs: 2000, maxResponseBytes: 1024 });

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/redirect') return void res.writeHead(302, { location: '/token' }).end();
    if (req.url === '/big') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ x: 'y'.repeat(5000) }));
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await http.close();
  await new Promise<void>((r) => server.close(() => r()));
});

const only = (...urls: string[]) => {
  const keys = new Set(urls.map(endpointKey));
  return (u: URL) => keys.has(endpointKey(u));
};

describe('idpFetch', () => {
  it('forwards method, headers and form body to an allowed endpoint and returns a fetch Response', async () => {
    const f = idpFetch({ http, timeoutMs: 2000, allowed: only(`${base}/token`) });
    const res = await f(`${base}/token`, { method: 'POST', headers: { authorization: 'Basic abc' }, body: new URLSearchParams({ code: 'c' }), redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ method: 'POST', body: 'code=c', auth: 'Basic abc' });
  });

  it('never contacts an endpoint outside the allow-list (other path, other port, other host)', async () => {
    const f = idpFetch({ http, timeoutMs: 2000, allowed: only(`${base}/token`) });
    const before = seen.length;
    for (const url of [`${base}/userinfo`, `${base.replace(/:\d+$/, ':1')}/token`, 'http://169.254.169.254/token']) {
      const err = await f(url, { method: 'GET', headers: {}, body: undefined, redirect: 'manual' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).reasonCode).toBe('idp_endpoint_not_allowed');
    }
    expect(seen.length).toBe(before);
  });

  it('does not follow redirects and caps the response size', async () => {
    const f = idpFetch({ http, timeoutMs: 2000, allowed: only(`${base}/redirect`, `${base}/big`) });
    const redirected = await f(`${base}/redirect`, { method: 'GET', headers: {}, body: undefined, redirect: 'manual' });
    expect(redirected.status).toBe(302);
    const big = await f(`${base}/big`, { method: 'GET', headers: {}, body: undefined, redirect: 'manual' }).catch((e: unknown) => e);
    expect((big as AuthError).reasonCode).toBe('upstream_too_large');
  });

  it('applies a body rewrite before the caller reads it', async () => {
    const f = idpFetch({ http, timeoutMs: 2000, allowed: only(`${base}/token`), rewrite: () => Buffer.from('{"rewritten":true}') });
    const res = await f(`${base}/token`, { method: 'POST', headers: {}, body: 'x', redirect: 'manual' });
    expect(await res.json()).toEqual({ rewritten: true });
  });
});
