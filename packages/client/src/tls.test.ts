import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createCa, type CertificateAuthority, type IssuedCertificate } from '@gatehouse-auth/testing/certs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginWithTlsCert, TLS_CERT_LOGIN_ROUTE, TlsCertLoginError } from './tls.js';

// A bare HTTPS server standing in for Gatehouse: it asks for a client certificate and records what it got.
describe('loginWithTlsCert over real mutual TLS', () => {
  let ca: CertificateAuthority;
  let serverCert: IssuedCertificate;
  let server: Server;
  let baseUrl: string;
  const seen: { path?: string; body: unknown; peerCn: unknown; peerChainLength: number }[] = [];

  beforeAll(async () => {
    ca = await createCa({ commonName: 'Client Test Root' });
    serverCert = await ca.issue({
      commonName: 'localhost',
      extKeyUsage: ['serverAuth'],
      subjectAltNames: [{ type: 'ip', value: '127.0.0.1' }],
    });
    server = createServer({ cert: serverCert.certPem, key: serverCert.keyPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const socket = req.socket as TLSSocket;
        const peer = socket.getPeerCertificate(true);
        let length = 0;
        for (let c: typeof peer | undefined = peer; c && c.raw && length < 5; c = c.issuerCertificate === c ? undefined : c.issuerCertificate) length++;
        seen.push({ path: req.url, body: JSON.parse(raw), peerCn: peer.subject?.CN, peerChainLength: length });
        if (!peer.subject) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ reqId: 'r', statusCode: 401, message: 'A client certificate is required', error: 'UnauthorizedError' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accessToken: 'token-for-' + String(peer.subject.CN), expiresIn: 60, accessTokenMaxTTL: 120, tokenType: 'Bearer' }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  for (const keyType of ['rsa', 'ec', 'ed25519'] as const) {
    it(`presents a ${keyType} client certificate and its intermediate`, async () => {
      const inter = await ca.issueIntermediate({ commonName: 'Client Test Issuing' });
      const leaf = await inter.issue({ commonName: `svc-${keyType}`, keyType });
      const result = await loginWithTlsCert({
        baseUrl,
        identityId: 'id-1',
        organizationSlug: 'acme',
        certPem: leaf.chainPem,
        keyPem: leaf.keyPem,
        caPem: ca.certPem,
      });
      expect(result).toEqual({ accessToken: `token-for-svc-${keyType}`, expiresIn: 60, accessTokenMaxTTL: 120, tokenType: 'Bearer' });
      const last = seen.at(-1)!;
      expect(last).toMatchObject({ path: TLS_CERT_LOGIN_ROUTE, body: { identityId: 'id-1', organizationSlug: 'acme' }, peerCn: `svc-${keyType}` });
      expect(last.peerChainLength).toBeGreaterThanOrEqual(2); // leaf + intermediate went over the wire
    });
  }

  it('verifies the server against caPem (a server from another CA is refused)', async () => {
    const other = await createCa({ commonName: 'Other Root' });
    const leaf = await ca.issue({ commonName: 'svc' });
    await expect(loginWithTlsCert({ baseUrl, identityId: 'id-1', certPem: leaf.certPem, keyPem: leaf.keyPem, caPem: other.certPem })).rejects.toThrow();
  });

  it('turns a refusal into TlsCertLoginError with the status and body', async () => {
    const leaf = await ca.issue({ commonName: 'svc' });
    // A key that does not match the certificate makes the TLS layer itself fail: no HTTP status at all.
    const stranger = await ca.issue({ commonName: 'stranger' });
    await expect(loginWithTlsCert({ baseUrl, identityId: 'x', certPem: leaf.certPem, keyPem: stranger.keyPem, caPem: ca.certPem })).rejects.toThrow();
    // No certificate → the server's 401 comes back as a typed error.
    const error = await loginWithTlsCert({ baseUrl, identityId: 'x', certPem: '', keyPem: '', caPem: ca.certPem }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsCertLoginError);
    expect((error as TlsCertLoginError).status).toBe(401);
    expect((error as TlsCertLoginError).body).toMatchObject({ statusCode: 401, error: 'UnauthorizedError' });
  });

  it('refuses a plain-http base URL (the certificate only exists in TLS)', async () => {
    await expect(loginWithTlsCert({ baseUrl: 'http://127.0.0.1:1', identityId: 'x', certPem: 'c', keyPem: 'k' })).rejects.toThrow(TypeError);
  });
});
