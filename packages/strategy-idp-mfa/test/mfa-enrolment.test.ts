/** MFA enrolment for a logged-in user over HTTP: enroll → confirm → (recovery codes) → disable. */
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './support/app.js';
import { addUser, nextTotpStep, totpAt } from './support/users.js';
import { expectConnectError, expectSeedLoginBody } from './support/seed-schema.js';

let app: TestApp;

beforeAll(async () => {
  app = await startApp({ mfa: { issuer: 'Gatehouse Test' } });
});
afterAll(() => app.close());

async function loggedIn(email: string) {
  const u = await addUser(app, { email });
  const res = await app.login({ email: u.email, password: u.password });
  expect(res.status).toBe(200);
  return { u, auth: { authorization: `Bearer ${res.body.token as string}` } };
}

const codeAt = (secret: string, stepOffset = 0) => generate({ secret, epoch: Math.floor(app.clock.now().getTime() / 1000) + stepOffset * 30 });

describe('enrolment', () => {
  it('enroll → confirm turns MFA on and returns 10 recovery codes once; the next login needs the second step', async () => {
    const { u, auth } = await loggedIn('enrol@example.com');
    const enrolled = await app.post('/v1/auth/mfa/enroll', {}, { headers: auth });
    expect(enrolled.status).toBe(200);
    const { tempOtpSecret, otpauthUri, tempOtpSecretCreatedTime } = enrolled.body;
    expect(tempOtpSecret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(tempOtpSecret);
    expect(uri.searchParams.get('issuer')).toBe('Gatehouse Test');
    expect(decodeURIComponent(uri.pathname)).toContain('enrol@example.com');
    expect(Date.parse(tempOtpSecretCreatedTime)).toBe(app.clock.now().getTime());
    // Not on until confirmed.
    expect((await app.gatehouse.stores.users.getById(u.user.id))!.mfa.enabled).toBe(false);
    expect((await app.login({ email: u.email, password: u.password })).body.token).toBeDefined();

    nextTotpStep(app.clock);
    const wrong = await app.post('/v1/auth/mfa/confirm', { otpCode: (await codeAt(tempOtpSecret, 3)) }, { headers: auth });
    expectConnectError(wrong, 'unauthenticated', 401);
    const code = await codeAt(tempOtpSecret);
    const confirmed = await app.post('/v1/auth/mfa/confirm', { otpCode: code }, { headers: auth });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.mfaEnabled).toBe(true);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    for (const c of confirmed.body.recoveryCodes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(await app.gatehouse.stores.users.countRecoveryCodes(u.user.id)).toBe(10);

    const first = await app.login({ email: u.email, password: u.password });
    expect(first.body).toEqual({ mfaTempToken: expect.any(String) });
    // The confirmation code was claimed: it cannot be replayed for the login inside its window.
    expectConnectError(await app.login({ mfaTempToken: first.body.mfaTempToken, otpCode: code }), 'unauthenticated', 401);
    const viaRecovery = await app.login({ mfaTempToken: first.body.mfaTempToken, recoveryCode: confirmed.body.recoveryCodes[0] });
    expect(viaRecovery.status).toBe(200);
    expectSeedLoginBody(viaRecovery.body);
    expect(viaRecovery.body.user.mfaEnabled).toBe(true);
  });

  it('refuses to confirm without enrolment, after the enrolment expired, or to enroll twice', async () => {
    const { auth } = await loggedIn('enrol-pre@example.com');
    expectConnectError(await app.post('/v1/auth/mfa/confirm', { otpCode: '123456' }, { headers: auth }), 'failed_precondition', 400);
    const enrolled = await app.post('/v1/auth/mfa/enroll', {}, { headers: auth });
    app.clock.advance(600_000 + 1);
    const late = await app.post('/v1/auth/mfa/confirm', { otpCode: await codeAt(enrolled.body.tempOtpSecret) }, { headers: auth });
    expectConnectError(late, 'failed_precondition', 400);
    const again = await app.post('/v1/auth/mfa/enroll', {}, { headers: auth });
    nextTotpStep(app.clock);
    expect((await app.post('/v1/auth/mfa/confirm', { otpCode: await codeAt(again.body.tempOtpSecret) }, { headers: auth })).status).toBe(200);
    expectConnectError(await app.post('/v1/auth/mfa/enroll', {}, { headers: auth }), 'failed_precondition', 400);
  });

  it('needs a logged-in user: no token, a bad token → 401', async () => {
    expectConnectError(await app.post('/v1/auth/mfa/enroll', {}), 'unauthenticated', 401);
    expectConnectError(await app.post('/v1/auth/mfa/enroll', {}, { headers: { authorization: 'Bearer nope' } }), 'unauthenticated', 401);
    expectConnectError(await app.post('/v1/auth/mfa/disable', { otpCode: '123456' }), 'unauthenticated', 401);
  });

  it('refuses malformed bodies on every route with 400 invalid_argument', async () => {
    const { auth } = await loggedIn('enrol-hostile@example.com');
    const bad: [string, unknown][] = [
      ['/v1/auth/mfa/enroll', { force: true }],
      ['/v1/auth/mfa/confirm', {}],
      ['/v1/auth/mfa/confirm', { otpCode: 123456 }],
      ['/v1/auth/mfa/confirm', { otpCode: 'x'.repeat(65) }],
      ['/v1/auth/mfa/recovery-codes', { otpCode: null }],
      ['/v1/auth/mfa/disable', { otpCode: '123456', recoveryCode: 'abcde-fghjk' }],
      ['/v1/auth/mfa/disable', []],
    ];
    for (const [path, body] of bad) {
      const res = await app.post(path, body, { headers: auth });
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.code).toMatch(/^(invalid_argument|failed_precondition)$/);
    }
  });

  it('works with the access-token cookie of a web login', async () => {
    const u = await addUser(app, { email: 'enrol-web@example.com' });
    const web = await app.login({ email: u.email, password: u.password, web: true });
    const res = await app.post('/v1/auth/mfa/enroll', {}, { cookies: { 'access-token': web.cookies.get('access-token')!.value } });
    expect(res.status).toBe(200);
    expect(res.body.tempOtpSecret).toBeDefined();
  });
});

describe('recovery codes and disabling', () => {
  it('regenerating needs a current code; old codes stop working, new ones work', async () => {
    const u = await addUser(app, { email: 'regen@example.com', mfa: true });
    // Log in with MFA to get a token.
    const first = await app.login({ email: u.email, password: u.password });
    const done = await app.login({ mfaTempToken: first.body.mfaTempToken, recoveryCode: u.recoveryCodes[0] });
    const auth = { authorization: `Bearer ${done.body.token as string}` };

    expectConnectError(await app.post('/v1/auth/mfa/recovery-codes', {}, { headers: auth }), 'invalid_argument', 400);
    expectConnectError(await app.post('/v1/auth/mfa/recovery-codes', { recoveryCode: u.recoveryCodes[0] }, { headers: auth }), 'unauthenticated', 401);
    nextTotpStep(app.clock);
    const regen = await app.post('/v1/auth/mfa/recovery-codes', { otpCode: await totpAt(u.totpSecret, app.clock) }, { headers: auth });
    expect(regen.status).toBe(200);
    expect(regen.body.recoveryCodes).toHaveLength(10);
    expect(regen.body.recoveryCodes).not.toContain(u.recoveryCodes[1]);

    const t1 = (await app.login({ email: u.email, password: u.password })).body.mfaTempToken;
    expectConnectError(await app.login({ mfaTempToken: t1, recoveryCode: u.recoveryCodes[1] }), 'unauthenticated', 401);
    expect((await app.login({ mfaTempToken: t1, recoveryCode: regen.body.recoveryCodes[9] })).status).toBe(200);
  });

  it('disable needs a current code (OTP or recovery), then logins are one step again', async () => {
    const u = await addUser(app, { email: 'disable@example.com', mfa: true });
    const first = await app.login({ email: u.email, password: u.password });
    const done = await app.login({ mfaTempToken: first.body.mfaTempToken, recoveryCode: u.recoveryCodes[0] });
    const auth = { authorization: `Bearer ${done.body.token as string}` };

    expectConnectError(await app.post('/v1/auth/mfa/disable', { otpCode: '000000x' }, { headers: auth }), 'unauthenticated', 401);
    const off = await app.post('/v1/auth/mfa/disable', { recoveryCode: u.recoveryCodes[1] }, { headers: auth });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ mfaEnabled: false });
    const stored = (await app.gatehouse.stores.users.getById(u.user.id))!;
    expect(stored.mfa).toEqual({ totpSecret: null, pendingTotpSecret: null, pendingCreatedAt: null, enabled: false });
    expect(await app.gatehouse.stores.users.countRecoveryCodes(u.user.id)).toBe(0);
    const login = await app.login({ email: u.email, password: u.password });
    expect(login.body.token).toBeDefined();
    expect(login.body.user.mfaEnabled).toBe(false);
    expectConnectError(await app.post('/v1/auth/mfa/disable', { otpCode: '123456' }, { headers: auth }), 'failed_precondition', 400);
  });

  it('wrong codes on these routes count towards the per-user cap', async () => {
    const capped = await startApp({ mfa: { maxFailuresPerUser: 3 } });
    try {
      const u = await addUser(capped, { email: 'cap2@example.com', mfa: true });
      const first = await capped.login({ email: u.email, password: u.password });
      const done = await capped.login({ mfaTempToken: first.body.mfaTempToken, recoveryCode: u.recoveryCodes[0] });
      const auth = { authorization: `Bearer ${done.body.token as string}` };
      for (let i = 0; i < 3; i++) {
        expectConnectError(await capped.post('/v1/auth/mfa/disable', { recoveryCode: `ccccc-cccc${i + 2}` }, { headers: auth }), 'unauthenticated', 401);
      }
      expectConnectError(await capped.post('/v1/auth/mfa/disable', { recoveryCode: u.recoveryCodes[1] }, { headers: auth }), 'resource_exhausted', 429);
      expect(await capped.gatehouse.stores.users.countRecoveryCodes(u.user.id)).toBe(9);
    } finally {
      await capped.close();
    }
  });
});
