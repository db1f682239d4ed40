import { createHash, createVerify, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOciLoginBody, loginWithOci, ociIdentityUserUrl, OciLoginError } from './oci.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const fingerprint = createHash('md5').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').match(/../g)!.join(':');
const creds = {
  identityId: 'id-1',
  userOcid: 'ocid1.user.oc1..aaaaaaaauser',
  tenancyOcid: 'ocid1.tenancy.oc1..aaaaaaaatenancy',
  fingerprint,
  privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  region: 'us-ashburn-1',
};

/** Recomputes the draft-cavage signing string from the body and checks it with the public key. */
function verifies(body: Awaited<ReturnType<typeof buildOciLoginBody>>, target: string, key = publicKey) {
  const auth = body.headers.authorization;
  const list = /headers="([^"]+)"/.exec(auth)![1]!.split(' ');
  const sig = /signature="([^"]+)"/.exec(auth)![1]!;
  const headers = body.headers as Record<string, string>;
  const data = list.map((h) => (h === '(request-target)' ? `(request-target): get ${target}` : `${h}: ${headers[h]}`)).join('\n');
  return createVerify('RSA-SHA256').update(data).verify(key, Buffer.from(sig, 'base64'));
}

describe('buildOciLoginBody', () => {
  it('signs GET /20160918/users/<userOcid> for the region identity host, as the seed body', async () => {
    const body = await buildOciLoginBody(creds);
    expect(Object.keys(body).sort()).toEqual(['headers', 'identityId', 'userOcid']);
    expect(body.identityId).toBe('id-1');
    expect(body.userOcid).toBe(creds.userOcid);
    expect(Object.keys(body.headers).sort()).toEqual(['authorization', 'date', 'host', 'x-date']);
    expect(body.headers.host).toBe('identity.us-ashburn-1.oraclecloud.com');
    expect(body.headers.authorization).toMatch(
      new RegExp(`^Signature version="1",keyId="${creds.tenancyOcid}/${creds.userOcid}/${fingerprint}",algorithm="rsa-sha256",headers="[^"]*\\(request-target\\)[^"]*",signature="[A-Za-z0-9+/=]+"$`),
    );
    expect(verifies(body, `/20160918/users/${creds.userOcid}`)).toBe(true);
    // …and not for any other path or key.
    expect(verifies(body, `/20160918/users/ocid1.user.oc1..aaaaaaaaother`)).toBe(false);
    expect(verifies(body, `/20160918/users/${creds.userOcid}`, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)).toBe(false);
  });

  it('signs at the given time, in another realm, with the organization slug', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const body = await buildOciLoginBody({ ...creds, now, region: 'us-langley-1', realmDomain: 'oraclegovcloud.com', organizationSlug: 'acme' });
    expect(body.headers['x-date']).toBe('Sun, 01 Mar 2026 12:00:00 GMT');
    expect(body.headers.date).toBe('Sun, 01 Mar 2026 12:00:00 GMT');
    expect(body.headers.host).toBe('identity.us-langley-1.oraclegovcloud.com');
    expect(body.organizationSlug).toBe('acme');
    expect(verifies(body, `/20160918/users/${creds.userOcid}`)).toBe(true);
  });

  it('signs with passphrase-protected PKCS#1 and PKCS#8 keys, and refuses a wrong passphrase cleanly', async () => {
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'hunter22' }).toString();
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'hunter22' }).toString();
    for (const privateKeyPem of [pkcs1, pkcs8]) {
      const body = await buildOciLoginBody({ ...creds, privateKeyPem, passphrase: 'hunter22' });
      expect(verifies(body, `/20160918/users/${creds.userOcid}`)).toBe(true);
      const err = await buildOciLoginBody({ ...creds, privateKeyPem, passphrase: 'not-the-Passphrase-42' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect(String(err)).not.toContain('not-the-Passphrase-42');
    }
  });

  it('refuses a key that is not RSA', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(buildOciLoginBody({ ...creds, privateKeyPem: ec })).rejects.toThrow(/RSA/);
  });

  it('refuses a region or realm domain that would build another URL', () => {
    expect(() => ociIdentityUserUrl('us-ashburn-1.evil.com#', creds.userOcid)).toThrow(TypeError);
    expect(() => ociIdentityUserUrl('us-ashburn-1', creds.userOcid, 'evil.com/x')).toThrow(TypeError);
    expect(ociIdentityUserUrl('eu-frankfurt-1', 'a/b')).toBe('https://identity.eu-frankfurt-1.oraclecloud.com/20160918/users/a%2Fb');
  });
});

describe('loginWithOci', () => {
  let server: Server;
  let baseUrl: string;
  const received: { path?: string; contentType?: string; body?: any } = {};
  let answer: { status: number; body: unknown } = { status: 200, body: {} };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        received.path = req.url;
        received.contentType = req.headers['content-type'];
        received.body = JSON.parse(raw);
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts the signed body to the OCI login route and returns the token', async () => {
    answer = { status: 200, body: { accessToken: 'tok', expiresIn: 60, accessTokenMaxTTL: 120, tokenType: 'Bearer' } };
    const result = await loginWithOci({ ...creds, baseUrl });
    expect(result).toEqual(answer.body);
    expect(received.path).toBe('/api/v1/auth/oci-auth/login');
    expect(received.contentType).toBe('application/json');
    expect(received.body.userOcid).toBe(creds.userOcid);
    expect(verifies(received.body, `/20160918/users/${creds.userOcid}`)).toBe(true);
  });

  it('throws OciLoginError with the status and error body on refusal', async () => {
    answer = { status: 401, body: { reqId: 'req-1', statusCode: 401, message: 'Authentication failed', error: 'UnauthorizedError' } };
    const err = await loginWithOci({ ...creds, baseUrl }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OciLoginError);
    expect((err as OciLoginError).status).toBe(401);
    expect((err as OciLoginError).body).toEqual(answer.body);
  });

  it('refuses a 200 that is not a token response', async () => {
    answer = { status: 200, body: { hello: 'world' } };
    await expect(loginWithOci({ ...creds, baseUrl })).rejects.toBeInstanceOf(OciLoginError);
  });
});
