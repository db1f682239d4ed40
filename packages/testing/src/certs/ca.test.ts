import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { createCa, type CertificateAuthority, type IssuedCertificate, type KeyType } from './index.js';

const KEY_TYPES: KeyType[] = ['rsa', 'ec', 'ed25519'];
const KEY_ASYMMETRIC_TYPE: Record<KeyType, string> = { rsa: 'rsa', ec: 'ec', ed25519: 'ed25519' };

describe('certificates for every issuer/subject key-type combination', () => {
  for (const issuerType of KEY_TYPES) {
    for (const subjectType of KEY_TYPES) {
      it(`${issuerType} CA issues a verifiable ${subjectType} leaf`, async () => {
        const ca = await createCa({ commonName: `Root ${issuerType}`, keyType: issuerType });
        const leaf = await ca.issue({ commonName: `leaf-${subjectType}`, keyType: subjectType });

        const parsed = new X509Certificate(leaf.certPem);
        expect(parsed.subject).toBe(`CN=leaf-${subjectType}`);
        expect(parsed.issuer).toBe(`CN=Root ${issuerType}`);
        expect(parsed.serialNumber).toBe(leaf.serial);
        expect(parsed.publicKey.asymmetricKeyType).toBe(KEY_ASYMMETRIC_TYPE[subjectType]);
        expect(parsed.ca).toBe(false);
        expect(parsed.verify(ca.publicKey)).toBe(true);
        expect(parsed.checkIssued(ca.x509)).toBe(true);
        expect(parsed.checkPrivateKey(leaf.privateKey)).toBe(true);
        expect(Buffer.compare(parsed.raw, leaf.certDer)).toBe(0);

        expect(ca.x509.ca).toBe(true);
        expect(ca.x509.verify(ca.publicKey)).toBe(true);
        const other = await createCa({ commonName: 'Other', keyType: issuerType });
        expect(parsed.verify(other.publicKey)).toBe(false);
      });
    }
  }
});

describe('certificate contents', () => {
  it('carries typed SANs, EKUs and a PKCS#8 key that matches', async () => {
    const ca = await createCa({ commonName: 'Root' });
    const leaf = await ca.issue({
      commonName: 'svc_a@corp',
      extKeyUsage: ['clientAuth', 'serverAuth'],
      subjectAltNames: [
        { type: 'dns', value: 'a.default.svc.cluster.local' },
        { type: 'ip', value: '10.1.2.3' },
        { type: 'ip', value: '::1' },
        { type: 'uri', value: 'spiffe://prod/ns/default/sa/a' },
        { type: 'email', value: 'a@corp.example' },
      ],
    });
    expect(leaf.x509.subject).toBe('CN=svc_a@corp');
    expect(leaf.x509.subjectAltName).toBe(
      'DNS:a.default.svc.cluster.local, IP Address:10.1.2.3, IP Address:0:0:0:0:0:0:0:1, URI:spiffe://prod/ns/default/sa/a, email:a@corp.example',
    );
    expect(leaf.x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.1']);
    expect(leaf.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(leaf.x509.checkPrivateKey(leaf.privateKey)).toBe(true);
  });

  it('writes subject DNs in the given order and string types, OCSP URLs, OCSPSigning and ocsp-nocheck', async () => {
    const ca = await createCa({ commonName: 'Root', ocspUrls: ['http://ocsp.example/root'] });
    expect(ca.x509.infoAccess).toBe('OCSP - URI:http://ocsp.example/root');
    const responder = await ca.issue({
      commonName: 'responder',
      distinguishedName: [{ type: 'C', value: 'US' }, { type: 'O', value: 'Corp', stringType: 'printable' }, { type: 'CN', value: 'responder' }, { type: 'emailAddress', value: 'ops@corp.example' }],
      extKeyUsage: ['OCSPSigning'],
      ocspNoCheck: true,
      ocspUrls: ['http://a.example/ocsp', 'http://b.example/ocsp'],
      subjectAltNames: [{ type: 'directoryName', value: [{ type: 'O', value: 'Corp' }] }, { type: 'registeredId', value: '1.2.3.4' }],
    });
    expect(responder.x509.subject).toBe('C=US\nO=Corp\nCN=responder\nemailAddress=ops@corp.example');
    expect(responder.x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.9']);
    expect(responder.x509.infoAccess).toBe('OCSP - URI:http://a.example/ocsp\nOCSP - URI:http://b.example/ocsp');
    expect(responder.x509.subjectAltName).toBe('DirName:O=Corp, Registered ID:1.2.3.4');
    expect(responder.x509.toLegacyObject().ext_key_usage).toEqual(['1.3.6.1.5.5.7.3.9']);
    // id-pkix-ocsp-nocheck: OID then an empty NULL as the extension value.
    expect(responder.certDer.includes(Buffer.from('06092b0601050507300105040205 00'.replace(/ /g, ''), 'hex'))).toBe(true);
  });

  it('leaves the EKU extension out when asked', async () => {
    const ca = await createCa({ commonName: 'Root' });
    const leaf = await ca.issue({ commonName: 'no-eku', extKeyUsage: [] });
    expect(leaf.x509.keyUsage ?? []).toEqual([]);
    const withEku = await ca.issue({ commonName: 'eku' });
    expect(withEku.x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('honours explicit validity windows (expired, not yet valid)', async () => {
    const ca = await createCa({ commonName: 'Root' });
    const expired = await ca.issue({
      commonName: 'old',
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2021-01-01T00:00:00Z'),
    });
    expect(new Date(expired.x509.validTo).toISOString()).toBe('2021-01-01T00:00:00.000Z');
    const future = await ca.issue({ commonName: 'future', notBefore: new Date('2099-06-01T00:00:00Z'), notAfter: new Date('2100-01-01T00:00:00Z') });
    // 2099 is a UTCTime-less year boundary case: 2050+ must be GeneralizedTime
    expect(new Date(future.x509.validFrom).toISOString()).toBe('2099-06-01T00:00:00.000Z');
    expect(new Date(future.x509.validTo).toISOString()).toBe('2100-01-01T00:00:00.000Z');
  });

  it('makes same-name impostor CAs: identical subject, different key', async () => {
    const real = await createCa({ commonName: 'Corp Root', organization: 'Corp' });
    const impostor = await createCa({ commonName: 'Corp Root', organization: 'Corp' });
    expect(impostor.x509.subject).toBe(real.x509.subject);
    const forged = await impostor.issue({ commonName: 'client-1' });
    expect(forged.x509.issuer).toBe(real.x509.subject);
    expect(forged.x509.verify(real.publicKey)).toBe(false); // names chain, the signature does not
    expect(forged.x509.verify(impostor.publicKey)).toBe(true);
    // The authority key identifier names the impostor's key, so OpenSSL's issuer check tells them apart.
    expect(forged.x509.checkIssued(real.x509)).toBe(false);
    expect(forged.x509.checkIssued(impostor.x509)).toBe(true);
  });

  it('reuses a key pair when asked (same key, new certificate)', async () => {
    const ca = await createCa({ commonName: 'Root' });
    const first = await ca.issueIntermediate({ commonName: 'Loop' });
    const second = await ca.issueIntermediate({ commonName: 'Loop', keys: first });
    expect(second.serial).not.toBe(first.serial);
    expect(second.publicKey.export({ type: 'spki', format: 'der' })).toEqual(first.publicKey.export({ type: 'spki', format: 'der' }));
    expect(second.x509.checkPrivateKey(first.privateKey)).toBe(true);
  });

  it('builds chains: chainPem is the cert plus intermediates, never the root', async () => {
    const root = await createCa({ commonName: 'Root', keyType: 'rsa' });
    const i1 = await root.issueIntermediate({ commonName: 'I1', pathLen: 1 });
    const i2 = await i1.issueIntermediate({ commonName: 'I2', keyType: 'ed25519', pathLen: 0 });
    const leaf = await i2.issue({ commonName: 'leaf' });
    const certs = pemList(leaf.chainPem).map((pem) => new X509Certificate(pem));
    expect(certs.map((c) => c.subject)).toEqual(['CN=leaf', 'CN=I2', 'CN=I1']);
    expect(certs[0]!.verify(i2.publicKey)).toBe(true);
    expect(certs[1]!.verify(i1.publicKey)).toBe(true);
    expect(certs[2]!.verify(root.publicKey)).toBe(true);
    expect(pemList(root.chainPem)).toHaveLength(1);
    expect(pemList(i1.chainPem)).toHaveLength(1);
    expect(i2.x509.ca).toBe(true);
  });
});

// Real OpenSSL checks via TLS: chain building, pathLen, CRL signature and revocation.
describe('TLS handshakes on loopback with generated certificates', () => {
  const servers: tls.Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  // The server asks for a certificate but decides nothing: it records OpenSSL's verdict on each client.
  type Verdict = { cn: string; authorized: boolean; error?: string };
  async function serve(options: tls.TlsOptions): Promise<{ port: number; peers: Verdict[] }> {
    const peers: Verdict[] = [];
    const server = tls.createServer({ ...options, rejectUnauthorized: false }, (socket) => {
      const error = socket.authorizationError;
      peers.push({
        cn: String(socket.getPeerCertificate().subject?.CN ?? ''),
        authorized: socket.authorized,
        ...(error ? { error: typeof error === 'string' ? error : error.message } : {}),
      });
      socket.end('hello');
    });
    server.on('tlsClientError', () => undefined);
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { port: (server.address() as AddressInfo).port, peers };
  }

  function connect(port: number, options: tls.ConnectionOptions): Promise<{ authorized: boolean; data: string }> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
        let data = '';
        socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
        socket.on('end', () => resolve({ authorized: socket.authorized, data }));
      });
      socket.on('error', reject);
    });
  }

  let root: CertificateAuthority;
  let inter: CertificateAuthority;
  let server: IssuedCertificate;

  it('a server certificate through an intermediate verifies for the client', async () => {
    root = await createCa({ commonName: 'TLS Root', keyType: 'rsa' });
    inter = await root.issueIntermediate({ commonName: 'TLS Inter', keyType: 'ec', pathLen: 0 });
    server = await inter.issue({
      commonName: 'localhost',
      extKeyUsage: ['serverAuth'],
      subjectAltNames: [
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ],
    });
    const { port } = await serve({ cert: server.chainPem, key: server.keyPem });
    const result = await connect(port, { ca: root.certPem, servername: 'localhost' });
    expect(result).toEqual({ authorized: true, data: 'hello' });
  });

  for (const keyType of KEY_TYPES) {
    it(`mutual TLS: a ${keyType} client certificate is accepted by OpenSSL`, async () => {
      const client = await inter.issue({ commonName: `client-${keyType}`, keyType });
      const { port, peers } = await serve({
        cert: server.chainPem,
        key: server.keyPem,
        ca: root.certPem,
        requestCert: true,
      });
      const result = await connect(port, { ca: root.certPem, cert: client.chainPem, key: client.keyPem });
      expect(result.data).toBe('hello');
      expect(peers).toEqual([{ cn: `client-${keyType}`, authorized: true }]);
    });
  }

  it('OpenSSL enforces the encoded pathLen (a CA below a pathLen 0 intermediate is refused)', async () => {
    const tooDeep = await inter.issueIntermediate({ commonName: 'Too Deep' });
    const client = await tooDeep.issue({ commonName: 'deep-client' });
    const { port, peers } = await serve({
      cert: server.chainPem,
      key: server.keyPem,
      ca: root.certPem,
      requestCert: true,
    });
    await connect(port, { ca: root.certPem, cert: client.chainPem, key: client.keyPem });
    expect(peers).toEqual([{ cn: 'deep-client', authorized: false, error: 'PATH_LENGTH_EXCEEDED' }]);
  });

  it('OpenSSL enforces the encoded name constraints, critical or not', async () => {
    for (const critical of [true, false]) {
      const constrained = await root.issueIntermediate({ commonName: `NC ${critical}`, nameConstraints: { critical, permitted: [{ type: 'dns', value: 'example.com' }] } });
      const inside = await constrained.issue({ commonName: 'inside', subjectAltNames: [{ type: 'dns', value: 'api.example.com' }] });
      const outside = await constrained.issue({ commonName: 'outside', subjectAltNames: [{ type: 'dns', value: 'evil.test' }] });
      const { port, peers } = await serve({ cert: server.chainPem, key: server.keyPem, ca: root.certPem, requestCert: true });
      await connect(port, { ca: root.certPem, cert: inside.chainPem, key: inside.keyPem });
      await connect(port, { ca: root.certPem, cert: outside.chainPem, key: outside.keyPem });
      expect(peers).toEqual([
        { cn: 'inside', authorized: true },
        // Node names this OpenSSL code UNSPECIFIED; the two leaves differ only in their SAN.
        { cn: 'outside', authorized: false, error: expect.any(String) },
      ]);
    }
  });

  it('OpenSSL accepts the CRL signature and refuses exactly the revoked serial', async () => {
    const good = await inter.issue({ commonName: 'good' });
    const revoked = await inter.issue({ commonName: 'revoked' });
    const crl = inter.crl({ revoked: [{ serial: revoked.serial, revokedAt: new Date(Date.now() - 60_000) }] });
    expect(crl).toMatch(/^-----BEGIN X509 CRL-----\n/);
    const rootCrl = root.crl();
    const { port, peers } = await serve({
      cert: server.chainPem,
      key: server.keyPem,
      ca: root.certPem,
      crl: [rootCrl, crl],
      requestCert: true,
    });
    await connect(port, { ca: root.certPem, cert: good.chainPem, key: good.keyPem });
    await connect(port, { ca: root.certPem, cert: revoked.chainPem, key: revoked.keyPem });
    expect(peers).toEqual([
      { cn: 'good', authorized: true },
      { cn: 'revoked', authorized: false, error: 'CERT_REVOKED' },
    ]);
  });
});

function pemList(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
}
