/**
 * The same flows through Express and Koa (the other suites use Fastify): password → MFA, web cookies and
 * refresh rotation, enrolment through the access-token cookie, and an OIDC login against the real IdP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Adapter, type TestApp } from './support/app.js';
import { startTestIdp, type TestIdp } from './support/oidc-idp.js';
import { addUser, nextTotpStep, totpAt } from './support/users.js';
import { expectConnectError, expectSeedLoginBody } from './support/seed-schema.js';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp({ alice: { sub: 'alice', email: 'alice@example.com', email_verified: true } });
});
afterAll(() => idp.close());

describe.each<Adapter>(['express', 'koa'])('idp-mfa over HTTP through @gatehouse-auth/%s', (adapter) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp(
      { idps: { corp: { type: 'oidc', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUri: idp.redirectUri, jit: true, allowInsecureHttpForTesting: true } } },
      { adapter },
    );
  });
  afterAll(() => app.close());

  it('password → mfaTempToken → otpCode with web: true sets the cookies; refresh rotates; reuse revokes', async () => {
    const u = await addUser(app, { email: 'multi@example.com', mfa: true });
    nextTotpStep(app.clock);
    const first = await app.login({ email: u.email, password: u.password, web: true });
    expect(first.body).toEqual({ mfaTempToken: expect.any(String) });
    const second = await app.login({ mfaTempToken: first.body.mfaTempToken, otpCode: await totpAt(u.totpSecret, app.clock), web: true });
    expect(second.status).toBe(200);
    expectSeedLoginBody(second.body);
    expect(second.body.token).toBeUndefined();
    const access = second.cookies.get('access-token')!;
    const refresh = second.cookies.get('refresh-token')!;
    expect(access.attributes).toMatchObject({ httponly: true, samesite: 'Strict', path: '/' });
    expect(second.cookies.get('user')!.value).toBe('users/multi@example.com');

    const rotated = await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': refresh.value } });
    expect(rotated.status).toBe(200);
    expectConnectError(await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': refresh.value } }), 'unauthenticated', 401);
    expectConnectError(await app.post('/v1/auth/refresh', {}, { cookies: { 'refresh-token': rotated.cookies.get('refresh-token')!.value } }), 'unauthenticated', 401);

    // The access-token cookie authenticates the enrolment routes (MFA already on → failed_precondition).
    expectConnectError(await app.post('/v1/auth/mfa/enroll', {}, { cookies: { 'access-token': access.value } }), 'failed_precondition', 400);
  });

  it('OIDC code → token, and schema failures in the bytebase dialect', async () => {
    const res = await app.login({ idpName: 'idps/corp', idpContext: { oidcContext: { code: await idp.authorizationCode('alice') } } });
    expect(res.status).toBe(200);
    expectSeedLoginBody(res.body);
    expect((await app.gatehouse.issuer.verify(res.body.token)).claims).toMatchObject({ email: 'alice@example.com', idp: 'idps/corp' });
    expectConnectError(await app.login({ idpName: 'idps/corp', idpContext: { oauth2Context: { code: 'c' } } }), 'invalid_argument', 400);
    expectConnectError(await app.login({ email: 'a@b.c', password: 1 }), 'invalid_argument', 400);
    expectConnectError(await app.login('{"email":'), 'invalid_argument', 400);
  });
});
