/** `web: true` logins (cookies, no token in the body) and the refresh route (rotation, reuse detection). */
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa } from '@gatehouse-auth/testing/certs';
import { parseSetCookie, startApp, type HttpResult, type TestApp } from './support/app.js';
import { addUser, nextTotpStep, totpAt } from './support/users.js';
import { expectConnectError, expectNoSecrets, expectSeedLoginBody } from './support/seed-schema.js';

let app: TestApp;

beforeAll(async () => {
  app = await startApp({ refreshTokenTtlSeconds: 3600, token: { accessTokenTTL: 900, accessTokenMaxTTL: 900 } });
});
afterAll(() => app.close());

function expectSessionCookies(res: HttpResult, userName: string, secure: boolean) {
  const access = res.cookies.get('access-token')!;
  const refresh = res.cookies.get('refresh-token')!;
  const user = res.cookies.get('user')!;
  for (const c of [access, refresh, user]) {
    expect(c).toBeDefined();
    expect(c.attributes.samesite).toBe('Strict');
    expect(c.attributes.path).toBe('/');
    expect(c.attributes.secure).toBe(secure ? true : undefined);
  }
  expect(access.attributes.httponly).toBe(true);
  expect(refresh.attributes.httponly).toBe(true);
  expect(user.attributes.httponly).toBeUndefined();
  expect(access.attributes['max-age']).toBe('900');
  expect(refresh.attributes['max-age']).toBe('3600');
  expect(user.value).toBe(userName);
  expect(refresh.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return { access: access.value, refresh: refresh.value };
}

describe('web: true', () => {
  it('sets access-token, refresh-token and user cookies and leaves the token out of the body', async () => {
    const u = await addUser(app, { email: 'web@example.com' });
    const res = await app.login({ email: u.email, password: u.password, web: true });
    expect(res.status).toBe(200);
    expectSeedLoginBody(res.body);
    expectNoSecrets(res.body);
    expect(res.body.token).toBeUndefined();
    expect(Object.keys(res.body).sort()).toEqual(['requireResetPassword', 'user']);
    const { access, refresh } = expectSessionCookies(res, 'users/web@example.com', false);
    expect((await app.gatehouse.issuer.verify(access)).subject.id).toBe(u.user.id);
    // The refresh token is stored only as a hash.
    expect(JSON.stringify(await app.gatehouse.stores.tokens.consumeRefreshToken(refresh, app.clock.now()))).toBe('{"status":"unknown"}');
  });

  it('with MFA: no cookies after the first step, the session cookies after the second', async () => {
    const u = await addUser(app, { email: 'web-mfa@example.com', mfa: true });
    nextTotpStep(app.clock);
    const first = await app.login({ email: u.email, password: u.password, web: true });
    expect(first.body).toEqual({ mfaTempToken: expect.any(String) });
    expect(first.cookies.size).toBe(0);
    const second = await app.login({ mfaTempToken: first.body.mfaTempToken, otpCode: await totpAt(u.totpSecret, app.clock), web: true });
    expect(second.status).toBe(200);
    expectSeedLoginBody(second.body);
    expect(second.body.token).toBeUndefined();
    expectSessionCookies(second, 'users/web-mfa@example.com', false);
  });

  it('marks the cookies Secure when the request came over https (real TLS, Fastify https server)', async () => {
    const ca = await createCa({ commonName: 'Web Test Root', keyType: 'ec' });
    const leaf = await ca.issue({ commonName: 'localhost', keyType: 'ec', extKeyUsage: ['serverAuth'], subjectAltNames: [{ type: 'ip', value: '127.0.0.1' }] });
    const tls = await startApp({}, { https: { key: leaf.keyPem, cert: leaf.certPem } });
    try {
      const u = await addUser(tls, { email: 'tls@example.com' });
      const res = await new Promise<HttpResult>((resolve, reject) => {
        const req = httpsRequest(`${tls.url}/v1/auth/login`, { method: 'POST', ca: ca.certPem, headers: { 'content-type': 'application/json' } }, (r) => {
          let text = '';
          r.on('data', (c) => (text += c));
          r.on('end', () => {
            const setCookie = r.headers['set-cookie'] ?? [];
            resolve({ status: r.statusCode!, body: JSON.parse(text), headers: new Headers(), cookies: parseSetCookie(setCookie) });
          });
        });
        req.on('error', reject);
        req.end(JSON.stringify({ email: u.email, password: u.password, web: true }));
      });
      expect(res.status).toBe(200);
      expect(tls.url.startsWith('https://')).toBe(true);
      for (const name of ['access-token', 'refresh-token', 'user']) expect(res.cookies.get(name)?.attributes.secure).toBe(true);
    } finally {
      await tls.close();
    }
  });
});

describe('Secure behind a TLS-terminating proxy', () => {
  const TTLS = { refreshTokenTtlSeconds: 3600, token: { accessTokenTTL: 900, accessTokenMaxTTL: 900 } };
  const behindProxy = () => startApp(TTLS, { gatehouse: { trustProxy: ['127.0.0.1/32'] } });

  it('X-Forwarded-Proto: https from a trusted proxy marks the cookies Secure; the same header from an untrusted peer does not', async () => {
    const trusted = await behindProxy();
    const untrusted = await startApp(TTLS);
    try {
      for (const [target, expected] of [[trusted, true], [untrusted, false]] as const) {
        const u = await addUser(target, { email: 'proxy@example.com' });
        const res = await target.post('/v1/auth/login', { email: u.email, password: u.password, web: true }, { headers: { 'x-forwarded-proto': 'https' } });
        expect(res.status).toBe(200);
        expectSessionCookies(res, 'users/proxy@example.com', expected);
      }
    } finally {
      await trusted.close();
      await untrusted.close();
    }
  });

  it('cookies.secure: always marks them Secure over plain http, login and refresh alike', async () => {
    const always = await startApp({ ...TTLS, cookies: { secure: 'always' } });
    try {
      const u = await addUser(always, { email: 'always@example.com' });
      const res = await always.login({ email: u.email, password: u.password, web: true });
      const { refresh } = expectSessionCookies(res, 'users/always@example.com', true);
      const refreshed = await always.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': refresh } });
      expect(refreshed.status).toBe(200);
      expectSessionCookies(refreshed, 'users/always@example.com', true);
    } finally {
      await always.close();
    }
  });
});

describe('refresh route', () => {
  async function webLogin(email: string) {
    const u = await addUser(app, { email });
    const res = await app.login({ email: u.email, password: u.password, web: true });
    return { u, ...expectSessionCookies(res, `users/${email}`, false) };
  }

  it('rotates: new access and refresh cookies, the old refresh token is spent', async () => {
    const { u, refresh } = await webLogin('rotate@example.com');
    app.clock.advance(60_000);
    const res = await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': refresh } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ name: 'users/rotate@example.com', email: 'rotate@example.com' });
    const next = expectSessionCookies(res, 'users/rotate@example.com', false);
    expect(next.refresh).not.toBe(refresh);
    const verified = await app.gatehouse.issuer.verify(next.access);
    expect(verified.subject.id).toBe(u.user.id);
    expect(verified.issuedAt.getTime()).toBe(app.clock.now().getTime() - (app.clock.now().getTime() % 1000));
    // The new one rotates again.
    const again = await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': next.refresh } });
    expect(again.status).toBe(200);
  });

  it('reuse of a rotated refresh token → 401 and the whole family is revoked (the newest token too)', async () => {
    const { refresh: first } = await webLogin('reuse-rt@example.com');
    const rotated = await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': first } });
    const second = rotated.cookies.get('refresh-token')!.value;
    const replay = await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': first } });
    expectConnectError(replay, 'unauthenticated', 401);
    expect(replay.cookies.size).toBe(0);
    expectConnectError(await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': second } }), 'unauthenticated', 401);
  });

  it('concurrent refreshes with one token: exactly one rotates, the family is then revoked', async () => {
    const { refresh } = await webLogin('rt-race@example.com');
    const results = await Promise.all(Array.from({ length: 10 }, () => app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': refresh } })));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    const winnerToken = winners[0]!.cookies.get('refresh-token')!.value;
    expectConnectError(await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': winnerToken } }), 'unauthenticated', 401);
  });

  it('refuses a missing, malformed, unknown or expired refresh token with 401', async () => {
    expectConnectError(await app.post('/v1/auth/refresh', {}), 'unauthenticated', 401);
    expectConnectError(await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': 'x' } }), 'unauthenticated', 401);
    expectConnectError(await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': 'A'.repeat(43) } }), 'unauthenticated', 401);
    const { refresh } = await webLogin('rt-expired@example.com');
    app.clock.advance(3600_000 + 1);
    expectConnectError(await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': refresh } }), 'unauthenticated', 401);
  });

  it('refuses the refresh of a deactivated user and revokes the family', async () => {
    const { u, refresh } = await webLogin('rt-disabled@example.com');
    await app.gatehouse.stores.users.update(u.user.id, { disabled: true });
    expectConnectError(await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': refresh } }), 'unauthenticated', 401);
  });

  it('takes no body fields', async () => {
    const res = await app.post('/v1/auth/refresh', { refreshToken: 'x' });
    expectConnectError(res, 'invalid_argument', 400);
  });
});
