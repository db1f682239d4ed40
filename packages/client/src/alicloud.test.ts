import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlicloudLoginError, alibabaTimestamp, buildAlicloudLoginBody, loginWithAlicloud } from './alicloud.js';

/** Alibaba RPC signature v1 from the spec, independent of the SDK code the client uses. */
function specSignature(params: Record<string, string>, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = Object.keys(params).filter((k) => k !== 'Signature').sort().map((k) => `${enc(k)}=${enc(params[k]!)}`).join('&');
  return createHmac('sha1', `${secret}&`).update(`GET&%2F&${enc(query)}`).digest('base64');
}

describe('buildAlicloudLoginBody', () => {
  const now = new Date('2026-03-01T10:20:30.456Z');

  it('produces the seed fields, signed over exactly the STS parameters', () => {
    const body = buildAlicloudLoginBody({ identityId: 'id-1', accessKeyId: 'LTAI5tClientTest01', accessKeySecret: 's3cr3t/with+chars', now, nonce: 'nonce-0001' });
    expect(body).toEqual({
      identityId: 'id-1',
      Action: 'GetCallerIdentity',
      Format: 'JSON',
      Version: '2015-04-01',
      AccessKeyId: 'LTAI5tClientTest01',
      SignatureMethod: 'HMAC-SHA1',
      Timestamp: '2026-03-01T10:20:30Z',
      SignatureVersion: '1.0',
      SignatureNonce: 'nonce-0001',
      Signature: expect.stringMatching(/^[A-Za-z0-9+/]{27}=$/),
    });
    const { identityId: _i, ...signed } = body;
    expect(body.Signature).toBe(specSignature(signed, 's3cr3t/with+chars'));
    expect(body.Signature).not.toBe(specSignature(signed, 's3cr3t/with+charz'));
  });

  it('includes and signs the SecurityToken of temporary credentials, and carries organizationSlug unsigned', () => {
    const body = buildAlicloudLoginBody({
      identityId: 'id-1', accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2Sv1', accessKeySecret: 'x', securityToken: 'CAIS+tok/en==', organizationSlug: 'acme', now,
    });
    expect(body.SecurityToken).toBe('CAIS+tok/en==');
    expect(body.organizationSlug).toBe('acme');
    const { identityId: _i, organizationSlug: _o, ...signed } = body;
    expect(body.Signature).toBe(specSignature(signed, 'x'));
  });

  it('uses a fresh random nonce each time by default', () => {
    const a = buildAlicloudLoginBody({ identityId: 'i', accessKeyId: 'LTAI5tClientTest01', accessKeySecret: 'x' });
    const b = buildAlicloudLoginBody({ identityId: 'i', accessKeyId: 'LTAI5tClientTest01', accessKeySecret: 'x' });
    expect(a.SignatureNonce).not.toBe(b.SignatureNonce);
    expect(a.SignatureNonce).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('formats timestamps without milliseconds', () => {
    expect(alibabaTimestamp(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026-12-31T23:59:59Z');
  });
});

describe('loginWithAlicloud', () => {
  let server: Server;
  let baseUrl: string;
  let lastBody: Record<string, unknown> = {};
  let reply: { status: number; body: string } = { status: 200, body: '{}' };
  beforeAll(async () => {
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        lastBody = req.url === '/api/v1/auth/alicloud-auth/login' && req.method === 'POST' ? JSON.parse(data) : {};
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts the signed body and returns the token response', async () => {
    reply = { status: 200, body: JSON.stringify({ accessToken: 'tok', expiresIn: 60, accessTokenMaxTTL: 120, tokenType: 'Bearer' }) };
    const res = await loginWithAlicloud({ baseUrl, identityId: 'id-7', accessKeyId: 'LTAI5tClientTest01', accessKeySecret: 'x' });
    expect(res).toEqual({ accessToken: 'tok', expiresIn: 60, accessTokenMaxTTL: 120, tokenType: 'Bearer' });
    expect(lastBody.identityId).toBe('id-7');
    expect(lastBody).not.toHaveProperty('accessKeySecret');
    expect(JSON.stringify(lastBody)).not.toContain('"x"');
  });

  it('throws AlicloudLoginError carrying the server error body', async () => {
    const errorBody = { reqId: 'req-1', statusCode: 401, message: 'The Alibaba Cloud principal is not allowed to log in as this identity', error: 'UnauthorizedError' };
    reply = { status: 401, body: JSON.stringify(errorBody) };
    const err = await loginWithAlicloud({ baseUrl, identityId: 'i', accessKeyId: 'LTAI5tClientTest01', accessKeySecret: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlicloudLoginError);
    expect((err as AlicloudLoginError).status).toBe(401);
    expect((err as AlicloudLoginError).body).toEqual(errorBody);
  });

  it('refuses a 200 that is not a token response', async () => {
    reply = { status: 200, body: '{"accessToken":1}' };
    await expect(loginWithAlicloud({ baseUrl, identityId: 'i', accessKeyId: 'LTAI5tClientTest01', accessKeySecret: 'x' })).rejects.toBeInstanceOf(AlicloudLoginError);
  });
});
