import { createServer, type RequestListener } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createOutboundHttp, ManualClock, silentLogger } from '@gatehouse-auth/core';
import { createCa } from '@gatehouse-auth/testing/certs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../parse-certificate.js';
import { OcspChecker, type OcspSettings } from './checker.js';

const http = createOutboundHttp();
afterAll(() => http.close());

const settings: OcspSettings = { failOpen: false, serversOverride: [], queryAllServers: false, nonce: false, thisUpdateMaxAge: 0 };

async function serve(listener: RequestListener) {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ocsp`, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('OcspChecker outbound rules (through ctx.http)', () => {
  it('refuses an answer over maxResponseBytes, does not follow redirects, and refuses non-200', async () => {
    const ca = await createCa({ commonName: 'CA' });
    const leaf = parseCertificate((await ca.issue({ commonName: 'x' })).certDer);
    const issuer = parseCertificate(ca.certDer);
    let redirectedTo = 0;
    const target = await serve((_req, res) => {
      redirectedTo++;
      res.end();
    });
    const big = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.alloc(4096, 0x30)));
    const redirect = await serve((_req, res) => res.writeHead(302, { location: target.url }).end());
    const checker = new OcspChecker({ timeoutMs: 1000, maxResponseBytes: 1024, cacheSize: 8, clockSkewMs: 0, allowedResponderOrigins: undefined, requestSigner: undefined, signRequests: 'when-required' });
    const ctx = { http, clock: new ManualClock(), logger: silentLogger };
    expect(await checker.check(leaf, issuer, { ...settings, serversOverride: [big.url] }, ctx)).toEqual({ outcome: 'unverified', reason: 'ocsp_response_too_large' });
    expect(await checker.check(leaf, issuer, { ...settings, serversOverride: [redirect.url] }, ctx)).toEqual({ outcome: 'unverified', reason: 'ocsp_http_error', detail: 'HTTP 302' });
    expect(redirectedTo).toBe(0);
    expect(checker.cacheSize).toBe(0);
    await Promise.all([target.close(), big.close(), redirect.close()]);
  });
});
