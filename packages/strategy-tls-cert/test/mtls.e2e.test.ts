/**
 * Over the network, through each adapter:
 * - real mutual TLS on loopback (the server asks for a certificate and leaves the verdict to Gatehouse), and
 * - the same decision table as a TLS-terminating proxy would forward it: plain HTTP from 127.0.0.1 carrying the
 *   URL-encoded PEM chain in a header, with 127.0.0.1 configured as the trusted proxy.
 * Every row must decide identically both ways.
 */
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { loginWithTlsCert, TlsCertLoginError } from '@gatehouse-auth/client';
import type { Gatehouse } from '@gatehouse-auth/core';
import { gatehouseExpress } from '@gatehouse-auth/express';
import { gatehouseFastify } from '@gatehouse-auth/fastify';
import { gatehouseKoa } from '@gatehouse-auth/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TLS_CERT_LOGIN_PATH } from '../src/index.js';
import { buildOcspPki, buildPki, createHarness, createOcspHarness, HEADER, type Harness, type OcspPki, type Pki, type Presented } from './support/pki.js';

/** Lets a 1 MB header reach the app (Node's default limit of 16 KiB would answer 431 itself). */
const MAX_HEADER_SIZE = 2 * 1024 * 1024;

interface Tls {
  cert: string;
  key: string;
}

type Start = (gh: Gatehouse, tls?: Tls) => Promise<{ url: string; close: () => Promise<void> }>;

async function listen(server: Server, scheme: 'http' | 'https') {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** TLS version and client-certificate key type of every handshake, to show what Ed25519 ran over. */
const handshakes: { protocol: string | null; keyType: string | undefined }[] = [];

function nodeServer(listener: RequestListener, tls?: Tls): Server {
  if (!tls) return createHttpServer({ maxHeaderSize: MAX_HEADER_SIZE }, listener);
  const server = createHttpsServer({ ...tls, requestCert: true, rejectUnauthorized: false, maxHeaderSize: MAX_HEADER_SIZE }, listener);
  server.on('secureConnection', (socket: TLSSocket) => {
    // Not getPeerX509Certificate(): on Node 20 a server socket then loses the presented intermediates from
    // getPeerCertificate(true), which is what the adapters read.
    const raw = socket.getPeerCertificate().raw;
    handshakes.push({ protocol: socket.getProtocol(), keyType: raw ? new X509Certificate(raw).publicKey.asymmetricKeyType : undefined });
  });
  return server;
}

const adapters: [string, Start][] = [
  [
    'fastify',
    async (gh, tls) => {
      let server!: Server;
      const app = Fastify({
        serverFactory: (handler) => (server = nodeServer(handler, tls)),
      });
      await app.register(gatehouseFastify, { gatehouse: gh });
      await app.ready();
      const running = await listen(server, tls ? 'https' : 'http');
      return { url: running.url, close: async () => void (await Promise.all([running.close(), app.close()])) };
    },
  ],
  ['express', (gh, tls) => listen(nodeServer(express().use(gatehouseExpress({ gatehouse: gh })), tls), tls ? 'https' : 'http')],
  ['koa', (gh, tls) => listen(nodeServer(new Koa().use(gatehouseKoa({ gatehouse: gh })).callback(), tls), tls ? 'https' : 'http')],
];

let pki: Pki;
let ocspPki: OcspPki;
beforeAll(async () => {
  pki = await buildPki();
  ocspPki = await buildOcspPki(pki);
});
afterAll(async () => {
  await ocspPki.close();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe.each(adapters)('tls-cert over %s', (_adapter, start) => {
  // Socket path: the proxy header is configured, but only for an address range the test client is not in.
  let direct: Harness;
  let httpsUrl: string;
  // Header path: 127.0.0.1 is the trusted proxy.
  let proxied: Harness;
  let httpUrl: string;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    direct = await createHarness(pki, { certificateHeader: HEADER, trustedProxies: ['192.0.2.0/24'] });
    proxied = await createHarness(pki, { certificateHeader: HEADER, trustedProxies: ['127.0.0.1/32', '::1/128'] });
    const tlsServer = await start(direct.gh, { cert: pki.server.certPem, key: pki.server.keyPem });
    const plainServer = await start(proxied.gh);
    closers.push(tlsServer.close, plainServer.close);
    httpsUrl = tlsServer.url;
    httpUrl = plainServer.url;
  });
  afterAll(async () => {
    await Promise.all(closers.map((close) => close()));
    await direct.gh.close();
    await proxied.gh.close();
  });

  const body = (h: Harness) => JSON.stringify({ identityId: h.identityId });

  async function overMtls(presented: Presented | undefined, headers: Record<string, string> = {}): Promise<Answer> {
    const agent = new Agent({ connect: { ca: pki.root.certPem, ...(presented ? { cert: presented.chainPem, key: presented.keyPem } : {}) } });
    try {
      const res = await request(`${httpsUrl}${TLS_CERT_LOGIN_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: body(direct),
        dispatcher: agent,
      });
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    } finally {
      await agent.close();
    }
  }

  async function viaProxyHeader(value: string | undefined): Promise<Answer> {
    const res = await request(`${httpUrl}${TLS_CERT_LOGIN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(value === undefined ? {} : { [HEADER]: value }) },
      body: body(proxied),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  }

  it('the client logs in over real mTLS with RSA, ECDSA and Ed25519 leaves; the tokens verify', async () => {
    for (const name of ['valid RSA leaf via the issuing CA', 'valid ECDSA leaf via the issuing CA', 'valid Ed25519 leaf via the issuing CA']) {
      const row = pki.decisions.find((d) => d.name === name)!;
      const token = await loginWithTlsCert({
        baseUrl: httpsUrl,
        identityId: direct.identityId,
        organizationSlug: 'acme',
        certPem: row.presented.chainPem,
        keyPem: row.presented.keyPem,
        caPem: pki.root.certPem,
      });
      expect(token).toMatchObject({ tokenType: 'Bearer', expiresIn: 600, accessTokenMaxTTL: 3600 });
      expect((await direct.gh.issuer.verify(token.accessToken)).subject).toEqual({ type: 'identity', id: direct.identityId });
      expect(direct.audit.at(-1)).toMatchObject({ type: 'login.succeeded', detail: { certificateSource: 'socket' } });
    }
    // Ed25519 client certificates work in TLS 1.3 (Node's default maximum) with OpenSSL 3.
    expect(handshakes).toContainEqual({ protocol: 'TLSv1.3', keyType: 'ed25519' });
  });

  it('the client surfaces a refusal as TlsCertLoginError (401, seed error shape)', async () => {
    const row = pki.decisions.find((d) => d.reason === 'unknown_ca')!;
    const error = await loginWithTlsCert({
      baseUrl: httpsUrl,
      identityId: direct.identityId,
      certPem: row.presented.chainPem,
      keyPem: row.presented.keyPem,
      caPem: pki.root.certPem,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsCertLoginError);
    expect((error as TlsCertLoginError).status).toBe(401);
    expect(Object.keys((error as TlsCertLoginError).body as object).sort()).toEqual(['error', 'message', 'reqId', 'statusCode']);
  });

  it('the decision table over real mTLS equals the table via a trusted proxy header', async () => {
    const socketWay: unknown[] = [];
    const headerWay: unknown[] = [];
    for (const row of pki.decisions) {
      const a = await overMtls(row.presented);
      socketWay.push({ name: row.name, status: a.status, reason: direct.lastReason() });
      const b = await viaProxyHeader(encodeURIComponent(row.presented.chainPem));
      headerWay.push({ name: row.name, status: b.status, reason: proxied.lastReason() });
    }
    const expected = pki.decisions.map((row) => ({ name: row.name, status: row.status, reason: row.reason }));
    expect(socketWay).toEqual(expected);
    expect(headerWay).toEqual(expected);
  });

  it('no certificate at all: 401 no_certificate both ways', async () => {
    const a = await overMtls(undefined);
    expect(a).toMatchObject({ status: 401, body: { statusCode: 401, error: 'UnauthorizedError' } });
    expect(direct.lastReason()).toBe('no_certificate');
    const b = await viaProxyHeader(undefined);
    expect(b.status).toBe(401);
    expect(proxied.lastReason()).toBe('no_certificate');
  });

  it('the header from an untrusted address is ignored: no certificate', async () => {
    const good = pki.decisions[0]!.presented.chainPem;
    const a = await overMtls(undefined, { [HEADER]: encodeURIComponent(good) });
    expect(a.status).toBe(401);
    expect(direct.lastReason()).toBe('no_certificate');
  });

  it('a garbage or 1 MB header from the proxy is 400, never 500', async () => {
    const garbage = await viaProxyHeader('%%%not-a-cert');
    expect(garbage).toMatchObject({ status: 400, body: { statusCode: 400, error: 'BadRequest' } });
    expect(proxied.lastReason()).toBe('malformed_certificate');
    const huge = await viaProxyHeader('A'.repeat(1024 * 1024));
    expect(huge).toMatchObject({ status: 400, body: { statusCode: 400, error: 'BadRequest' } });
    expect(proxied.lastReason()).toBe('certificate_too_large');
  });

  it('nginx’s tab-folded $ssl_client_cert never reaches Gatehouse: Node’s HTTP parser answers 400 first', async () => {
    const folded = pki.goodClient.chainPem.trim().replace(/\n/g, '\r\n\t');
    const events = proxied.audit.length;
    const { port } = new URL(httpUrl);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    const payload = JSON.stringify({ identityId: proxied.identityId });
    socket.end(
      `POST ${TLS_CERT_LOGIN_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${HEADER}: ${folded}\r\nContent-Length: ${payload.length}\r\n\r\n${payload}`,
    );
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    await once(socket, 'close');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(proxied.audit.length).toBe(events); // no login was attempted
    // The same chain as nginx's $ssl_client_escaped_cert sends it logs in.
    expect((await viaProxyHeader(encodeURIComponent(pki.goodClient.chainPem))).status).toBe(200);
  });

  describe('OCSP, through this adapter', () => {
    let closedDirect: Awaited<ReturnType<typeof createOcspHarness>>;
    let closedProxied: Awaited<ReturnType<typeof createOcspHarness>>;
    let tlsUrl: string;
    let plainUrl: string;
    const ocspClosers: (() => Promise<void>)[] = [];
    beforeAll(async () => {
      closedDirect = await createOcspHarness(pki, ocspPki, { certificateHeader: HEADER, trustedProxies: ['192.0.2.0/24'] });
      closedProxied = await createOcspHarness(pki, ocspPki, { certificateHeader: HEADER, trustedProxies: ['127.0.0.1/32', '::1/128'] });
      const tlsServer = await start(closedDirect.gh, { cert: pki.server.certPem, key: pki.server.keyPem });
      const plainServer = await start(closedProxied.gh);
      ocspClosers.push(tlsServer.close, plainServer.close);
      tlsUrl = tlsServer.url;
      plainUrl = plainServer.url;
    });
    afterAll(async () => {
      await Promise.all(ocspClosers.map((close) => close()));
      await closedDirect.gh.close();
      await closedProxied.gh.close();
    });

    async function login(url: string, identityId: string, presented: Presented, overTls: boolean): Promise<number> {
      const agent = overTls ? new Agent({ connect: { ca: pki.root.certPem, cert: presented.chainPem, key: presented.keyPem } }) : undefined;
      try {
        const res = await request(`${url}${TLS_CERT_LOGIN_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(overTls ? {} : { [HEADER]: encodeURIComponent(presented.chainPem) }) },
          body: JSON.stringify({ identityId }),
          ...(agent ? { dispatcher: agent } : {}),
        });
        await res.body.dump();
        return res.statusCode;
      } finally {
        await agent?.close();
      }
    }

    it('the OCSP decision table over real mTLS and via a trusted proxy header, failing closed and failing open', async () => {
      const seen: unknown[] = [];
      const expected: unknown[] = [];
      for (const row of ocspPki.decisions) {
        for (const [way, h, url, overTls] of [
          ['mtls', closedDirect, tlsUrl, true],
          ['header', closedProxied, plainUrl, false],
        ] as const) {
          const closed = await login(url, h.identityId, row.presented, overTls);
          const closedEvent = h.audit.at(-1)!;
          const open = await login(url, h.openIdentityId, row.presented, overTls);
          const openEvent = h.audit.at(-1)!;
          seen.push({ row: row.name, way, closed: { status: closed, reason: closedEvent.reasonCode }, open: { status: open, reason: openEvent.reasonCode, warning: openEvent.detail?.ocspWarning } });
          expected.push({ row: row.name, way, closed: row.closed, open: { status: row.open.status, reason: row.open.reason, warning: row.open.warning } });
          if (closed === 200) expect(closedEvent.detail).toMatchObject({ certificateSource: overTls ? 'socket' : 'header', ocsp: 'good' });
        }
      }
      expect(seen).toEqual(expected);
    });
  });
});
