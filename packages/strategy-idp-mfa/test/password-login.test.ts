/** Email + password over HTTP (Fastify adapter): success, refusals, lockout, reset flags, hostile bodies. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './support/app.js';
import { addUser } from './support/users.js';
import { expectConnectError, expectNoSecrets, expectSeedLoginBody } from './support/seed-schema.js';

let app: TestApp;

beforeAll(async () => {
  app = await startApp({ passwordRotationDays: 90 });
});
afterAll(() => app.close());

describe('password login without MFA', () => {
  it('answers the seed response with a token the issuer verifies', async () => {
    const { user, email, password } = await addUser(app, { email: 'Ada@Example.com', title: 'Engineer', groups: ['groups/eng@example.com'] });
    const res = await app.login({ email: 'ada@example.com', password });
    expect(res.status).toBe(200);
    expectSeedLoginBody(res.body);
    expectNoSecrets(res.body);
    expect(res.body.mfaTempToken).toBeUndefined();
    expect(res.body.requireResetPassword).toBe(false);
    expect(res.body.user).toMatchObject({
      name: 'users/ada@example.com',
      state: 'ACTIVE',
      email: 'ada@example.com',
      title: 'Engineer',
      userType: 'USER',
      mfaEnabled: false,
      groups: ['groups/eng@example.com'],
      profile: { source: 'password' },
    });
    expect(Date.parse(res.body.user.profile.lastLoginTime)).toBe(app.clock.now().getTime());
    const verified = await app.gatehouse.issuer.verify(res.body.token);
    expect(verified.subject).toMatchObject({ type: 'user', id: user.id });
    expect(verified.claims).toMatchObject({ email: 'ada@example.com', amr: ['pwd'], auth_method: 'idp-mfa' });
    expect(res.cookies.size).toBe(0);
    expect(email).toBe('Ada@Example.com');
  });

  it('normalises the email (case, surrounding spaces, NFKC) before lookup', async () => {
    const { password } = await addUser(app, { email: 'grace@example.com' });
    const res = await app.login({ email: '  ＧＲＡＣＥ@example.com ', password });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe('grace@example.com');
  });
});

describe('password refusals', () => {
  it('refuses a wrong password and an unknown email with the same 401', async () => {
    const { email } = await addUser(app, { email: 'wrong@example.com' });
    const wrong = await app.login({ email, password: 'not it' });
    const unknown = await app.login({ email: 'nobody@example.com', password: 'not it' });
    expectConnectError(wrong, 'unauthenticated', 401);
    expectConnectError(unknown, 'unauthenticated', 401);
    expect(wrong.body).toEqual(unknown.body);
  });

  it('refuses an IdP-only user (no password hash) like an unknown one', async () => {
    await app.gatehouse.stores.users.create({ username: 'idp-only@example.com', email: 'idp-only@example.com', displayName: 'x', source: 'idps/corp' }, app.clock.now());
    const res = await app.login({ email: 'idp-only@example.com', password: 'anything' });
    expectConnectError(res, 'unauthenticated', 401);
  });

  it('refuses a deactivated user and a system bot only after the password matched', async () => {
    const disabled = await addUser(app, { email: 'gone@example.com', disabled: true });
    expectConnectError(await app.login({ email: disabled.email, password: disabled.password }), 'unauthenticated', 401);
    const bot = await addUser(app, { email: 'bot@example.com', userType: 'SYSTEM_BOT' });
    expectConnectError(await app.login({ email: bot.email, password: bot.password }), 'unauthenticated', 401);
    const service = await addUser(app, { email: 'svc@example.com', userType: 'SERVICE_ACCOUNT' });
    const ok = await app.login({ email: service.email, password: service.password });
    expect(ok.status).toBe(200);
    expect(ok.body.user.userType).toBe('SERVICE_ACCOUNT');
  });

  it('locks the normalised email out after 5 failures: 429 resource_exhausted with retry-after, even for the right password', async () => {
    const { email, password } = await addUser(app, { email: 'locked@example.com' });
    for (let i = 0; i < 5; i++) {
      expectConnectError(await app.login({ email: i % 2 ? email.toUpperCase() : ` ${email}`, password: `wrong-${i}` }), 'unauthenticated', 401);
    }
    const locked = await app.login({ email, password });
    expectConnectError(locked, 'resource_exhausted', 429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body.token).toBeUndefined();
    app.clock.advance(15 * 60_000 + 1000);
    const after = await app.login({ email, password });
    expect(after.status).toBe(200);
  });

  it('locks unknown emails out the same way (no enumeration through lockout)', async () => {
    for (let i = 0; i < 5; i++) await app.login({ email: 'ghost@example.com', password: `wrong-${i}` });
    expectConnectError(await app.login({ email: 'ghost@example.com', password: 'x' }), 'resource_exhausted', 429);
  });
});

describe('requireResetPassword', () => {
  it('is true when an admin flagged the user', async () => {
    const { email, password } = await addUser(app, { email: 'flagged@example.com', requireResetPassword: true });
    const res = await app.login({ email, password });
    expect(res.status).toBe(200);
    expect(res.body.requireResetPassword).toBe(true);
  });

  it('is true when the password is older than passwordRotationDays, false just before', async () => {
    const { user, email, password } = await addUser(app, { email: 'old@example.com' });
    const changed = user.passwordChangedAt!.getTime();
    await app.gatehouse.stores.users.update(user.id, { passwordChangedAt: new Date(app.clock.now().getTime() - 89 * 86_400_000) });
    expect((await app.login({ email, password })).body.requireResetPassword).toBe(false);
    await app.gatehouse.stores.users.update(user.id, { passwordChangedAt: new Date(app.clock.now().getTime() - 91 * 86_400_000) });
    const res = await app.login({ email, password });
    expect(res.body.requireResetPassword).toBe(true);
    expectSeedLoginBody(res.body);
    expect(changed).toBeGreaterThan(0);
  });
});

describe('hostile bodies', () => {
  const cases: [string, unknown, string][] = [
    ['extra field', { email: 'a@b.c', password: 'x', admin: true }, 'admin'],
    ['wrong type', { email: 'a@b.c', password: 123 }, 'password'],
    ['web not boolean', { email: 'a@b.c', password: 'x', web: 'yes' }, 'web'],
    ['oversized password', { email: 'a@b.c', password: 'x'.repeat(5000) }, 'password'],
    ['malformed idpName', { idpName: 'corp', idpContext: { oidcContext: { code: 'c' } } }, 'idpName'],
    ['extra field in context', { idpName: 'idps/corp', idpContext: { oidcContext: { code: 'c', state: 's' } } }, 'idpContext.oidcContext.state'],
    ['missing password', { email: 'a@b.c' }, 'password'],
    ['password with idpName', { idpName: 'idps/corp', password: 'x', idpContext: { oidcContext: { code: 'c' } } }, 'password'],
    ['otpCode without temp token', { email: 'a@b.c', password: 'x', otpCode: '123456' }, 'mfaTempToken'],
    ['temp token without code', { mfaTempToken: 'a'.repeat(43) }, 'otpCode'],
    ['temp token with both codes', { mfaTempToken: 'a'.repeat(43), otpCode: '123456', recoveryCode: 'abcde-fghjk' }, 'otpCode'],
    ['temp token with password', { mfaTempToken: 'a'.repeat(43), otpCode: '123456', password: 'x' }, 'password'],
    ['context without idpName', { idpContext: { oidcContext: { code: 'c' } } }, 'idpName'],
  ];
  for (const [name, body, field] of cases) {
    it(`${name} → 400 invalid_argument naming ${field}`, async () => {
      const res = await app.login(body);
      expectConnectError(res, 'invalid_argument', 400);
      const fields = res.body.details[0].debug.fieldViolations.map((f: { field: string }) => f.field);
      expect(fields).toContain(field);
    });
  }

  it('malformed JSON and non-object bodies are 400, never 500', async () => {
    expectConnectError(await app.login('{"email":'), 'invalid_argument', 400);
    expectConnectError(await app.login('[]'), 'invalid_argument', 400);
    expectConnectError(await app.login('null'), 'invalid_argument', 400);
  });
});
