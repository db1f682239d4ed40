/**
 * The decision table, in process, both ways: the chain as the adapters hand it over from the TLS socket (DER,
 * leaf first) and as a trusted proxy forwards it (URL-encoded PEM header). Every row must decide identically.
 */
import type { GatehouseRequest } from '@gatehouse-auth/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TLS_CERT_LOGIN_PATH } from '../src/index.js';
import { buildPki, createHarness, HEADER, pemToDer, type Harness, type Pki, type Presented } from './support/pki.js';

let pki: Pki;
let h: Harness;

beforeAll(async () => {
  pki = await buildPki();
  h = await createHarness(pki, { certificateHeader: HEADER, trustedProxies: ['127.0.0.1/32', '::1/128'] });
});

type Way = (p: Presented | undefined, extra?: Partial<GatehouseRequest>) => GatehouseRequest;

const body = () => ({ identityId: h.identityId });
const viaSocket: Way = (p, extra = {}) => ({
  method: 'POST',
  path: TLS_CERT_LOGIN_PATH,
  headers: { 'content-type': 'application/json' },
  body: body(),
  socketAddress: '198.51.100.20',
  protocol: 'https',
  peerCertificates: p ? pemToDer(p.chainPem) : [],
  ...extra,
});
const viaHeader: Way = (p, extra = {}) => ({
  method: 'POST',
  path: TLS_CERT_LOGIN_PATH,
  headers: { 'content-type': 'application/json', ...(p ? { [HEADER]: encodeURIComponent(p.chainPem) } : {}) },
  body: body(),
  socketAddress: '127.0.0.1',
  protocol: 'http',
  ...extra,
});

describe.each([
  ['the TLS socket', viaSocket],
  ['a trusted proxy header', viaHeader],
] as const)('decisions for a chain from %s', (_name, way) => {
  it('every row of the table', async () => {
    const seen: { name: string; status: number; reason: string | undefined }[] = [];
    for (const row of pki.decisions) {
      const res = await h.gh.handle(way(row.presented));
      seen.push({ name: row.name, status: res.status, reason: h.lastReason() });
      if (res.status === 200) {
        const token = (res.body as { accessToken: string }).accessToken;
        expect((await h.gh.issuer.verify(token)).subject).toEqual({ type: 'identity', id: h.identityId });
        expect(res.body).toMatchObject({ expiresIn: 600, accessTokenMaxTTL: 3600, tokenType: 'Bearer' });
      } else {
        expect(Object.keys(res.body as object).sort()).toEqual(['error', 'message', 'reqId', 'statusCode']);
      }
    }
    expect(seen).toEqual(pki.decisions.map((row) => ({ name: row.name, status: row.status, reason: row.reason })));
  });

  it('no certificate at all → 401 no_certificate', async () => {
    const res = await h.gh.handle(way(undefined));
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'UnauthorizedError', message: 'A client certificate is required' });
    expect(h.lastReason()).toBe('no_certificate');
  });

  it('no certificate and an unknown identity answer alike (the certificate is read first)', async () => {
    const res = await h.gh.handle(way(undefined, { body: { identityId: 'does-not-exist' } }));
    expect(res.status).toBe(401);
    expect(h.lastReason()).toBe('no_certificate');
    const withCert = await h.gh.handle(way(pki.decisions[0]!.presented, { body: { identityId: 'does-not-exist' } }));
    expect(withCert.status).toBe(404);
  });

  it('records the leaf CN, serial, issuer and source in the audit detail on success', async () => {
    const res = await h.gh.handle(way({ chainPem: pki.goodClient.chainPem, keyPem: '' }));
    expect(res.status).toBe(200);
    expect(h.audit.at(-1)).toMatchObject({
      type: 'login.succeeded',
      subject: `identity:${h.identityId}`,
      detail: { commonName: 'client-ec', serial: pki.goodClient.serial, issuer: 'CN=Gatehouse Test Issuing CA\nO=Gatehouse Tests', certificateSource: way === viaSocket ? 'socket' : 'header' },
    });
    expect(JSON.stringify(h.audit.at(-1))).not.toContain('PRIVATE KEY');
  });

  it('decides against the injected clock, not the wall clock', async () => {
    const row = pki.decisions.find((d) => d.reason === 'certificate_not_yet_valid')!;
    h.clock.set(new Date(pki.now.getTime() + 45 * 86_400_000));
    try {
      expect((await h.gh.handle(way(row.presented))).status).toBe(200);
    } finally {
      h.clock.set(pki.now);
    }
    h.clock.set(new Date(pki.now.getTime() + 3 * 365 * 86_400_000)); // the good leaf has expired by then
    try {
      expect((await h.gh.handle(way({ chainPem: pki.goodClient.chainPem, keyPem: '' }))).status).toBe(401);
      expect(h.lastReason()).toBe('certificate_expired');
    } finally {
      h.clock.set(pki.now);
    }
  });

  it('organizationSlug scopes the login (mismatch → 403)', async () => {
    const ok = await h.gh.handle(way(pki.decisions[0]!.presented, { body: { identityId: h.identityId, organizationSlug: 'acme' } }));
    expect(ok.status).toBe(200);
    const other = await h.gh.handle(way(pki.decisions[0]!.presented, { body: { identityId: h.identityId, organizationSlug: 'globex' } }));
    expect(other.status).toBe(403);
  });

  it('refuses extra body fields with 422 (the seed forbids additional properties)', async () => {
    const res = await h.gh.handle(way(pki.decisions[0]!.presented, { body: { identityId: h.identityId, certificate: 'x' } }));
    expect(res.status).toBe(422);
  });
});

describe('the header path alone', () => {

  it('ignores the header from an untrusted address: refused as having no certificate', async () => {
    const res = await h.gh.handle(viaHeader(pki.decisions[0]!.presented, { socketAddress: '203.0.113.9' }));
    expect(res.status).toBe(401);
    expect(h.lastReason()).toBe('no_certificate');
  });

  it('from a trusted proxy, only the header counts (the socket chain is the proxy’s own)', async () => {
    const res = await h.gh.handle(viaHeader(undefined, { peerCertificates: pemToDer(pki.goodClient.chainPem), protocol: 'https' }));
    expect(res.status).toBe(401);
    expect(h.lastReason()).toBe('no_certificate');
  });

  it('IPv4-mapped IPv6 proxy addresses count as the IPv4 proxy', async () => {
    const res = await h.gh.handle(viaHeader({ chainPem: pki.goodClient.chainPem, keyPem: '' }, { socketAddress: '::ffff:127.0.0.1' }));
    expect(res.status).toBe(200);
  });

  // A proxy that puts raw PEM in a header must first turn its line breaks into spaces or tabs; nginx's folded
  // $ssl_client_cert never gets this far (Node answers 400: see mtls.e2e.test.ts).
  it('accepts un-encoded PEM whose line breaks became spaces or tabs', async () => {
    const tabbed = pki.goodClient.chainPem.trim().replace(/\n/g, '\n\t');
    for (const value of [pki.goodClient.chainPem.replace(/\n/g, ' '), tabbed.replace(/\n/g, '')]) {
      const res = await h.gh.handle(viaHeader(undefined, { headers: { 'content-type': 'application/json', [HEADER]: value } }));
      expect(res.status).toBe(200);
    }
  });

  const hostile: [string, number, string, string | string[]][] = [
    ['garbage', 400, 'malformed_certificate', 'definitely not a certificate'],
    ['broken percent-encoding', 400, 'malformed_certificate', '%E0%A4%A'],
    ['a PEM block of garbage base64', 400, 'malformed_certificate', encodeURIComponent('-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n')],
    ['valid base64 that is not DER', 400, 'malformed_certificate', encodeURIComponent(`-----BEGIN CERTIFICATE-----\n${Buffer.from('hello world!').toString('base64')}\n-----END CERTIFICATE-----\n`)],
    ['an unterminated PEM block', 400, 'malformed_certificate', encodeURIComponent('-----BEGIN CERTIFICATE-----\nMIIB')],
    ['many unterminated BEGIN lines', 400, 'malformed_certificate', '-----BEGIN CERTIFICATE-----'.repeat(2000)],
    ['a repeated header', 400, 'malformed_certificate', ['a', 'b']],
    ['1 MB of anything', 400, 'certificate_too_large', 'A'.repeat(1024 * 1024)],
    ['an empty value', 401, 'no_certificate', ''],
  ];
  it.each(hostile)('%s → %i %s, never 500', async (_name, status, reason, value) => {
    const res = await h.gh.handle(viaHeader(undefined, { headers: { 'content-type': 'application/json', [HEADER]: value } }));
    expect(res.status).toBe(status);
    expect(h.lastReason()).toBe(reason);
    expect((res.body as { statusCode: number }).statusCode).toBe(status);
  });

  it('a chain of more certificates than allowed → 400 chain_too_long', async () => {
    const value = encodeURIComponent(pki.goodClient.certPem.repeat(9));
    const res = await h.gh.handle(viaHeader(undefined, { headers: { 'content-type': 'application/json', [HEADER]: value } }));
    expect(res.status).toBe(400);
    expect(h.lastReason()).toBe('chain_too_long');
  });

  it('a certificate with a garbage tail inside valid PEM → 400, not 500', async () => {
    const der = Buffer.concat([pki.goodClient.certDer, Buffer.from([0, 0])]);
    const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
    const res = await h.gh.handle(viaHeader(undefined, { headers: { 'content-type': 'application/json', [HEADER]: encodeURIComponent(pem) } }));
    expect(res.status).toBe(400);
    expect(h.lastReason()).toBe('malformed_certificate');
  });
});

describe('the socket path alone', () => {
  it('garbage DER from an adapter → 400 malformed_certificate', async () => {
    const res = await h.gh.handle(viaSocket(undefined, { peerCertificates: [new Uint8Array([0x30, 0x03, 0x02, 0x01])] }));
    expect(res.status).toBe(400);
    expect(h.lastReason()).toBe('malformed_certificate');
  });

  it('a header sent straight to the server (no proxy) is ignored; the socket chain decides', async () => {
    const res = await h.gh.handle(
      viaSocket(pki.decisions[0]!.presented, {
        headers: { 'content-type': 'application/json', [HEADER]: encodeURIComponent(pki.decisions.find((d) => d.reason === 'unknown_ca')!.presented.chainPem) },
      }),
    );
    expect(res.status).toBe(200);
  });
});
