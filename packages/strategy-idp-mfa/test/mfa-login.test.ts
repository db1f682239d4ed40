/** The two-step login over HTTP: password → {mfaTempToken} → otpCode | recoveryCode, and every refusal. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './support/app.js';
import { addUser, nextTotpStep, totpAt, type TestUser } from './support/users.js';
import { expectConnectError, expectNoSecrets, expectSeedLoginBody } from './support/seed-schema.js';

let app: TestApp;

beforeAll(async () => {
  // A generous per-user cap here, so the per-temp-token and store-level guarantees are what the tests see;
  // the per-user cap has its own app below.
  app = await startApp({ mfa: { maxFailuresPerUser: 200 } });
});
afterAll(() => app.close());

async function firstStep(u: TestUser, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await app.login({ email: u.email, password: u.password, ...extra });
  expect(res.status).toBe(200);
  // Only the temp token: no token, no user, no cookies before the second factor.
  expect(res.body).toEqual({ mfaTempToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  expect(res.cookies.size).toBe(0);
  expectSeedLoginBody(res.body);
  return res.body.mfaTempToken as string;
}

describe('password → mfaTempToken → second factor', () => {
  it('otpCode completes the login with amr pwd+otp', async () => {
    const u = await addUser(app, { email: 'otp@example.com', mfa: true });
    nextTotpStep(app.clock);
    const mfaTempToken = await firstStep(u);
    const res = await app.login({ mfaTempToken, otpCode: await totpAt(u.totpSecret, app.clock) });
    expect(res.status).toBe(200);
    expectSeedLoginBody(res.body);
    expectNoSecrets(res.body);
    expect(res.body.user).toMatchObject({ name: 'users/otp@example.com', mfaEnabled: true });
    const verified = await app.gatehouse.issuer.verify(res.body.token);
    expect(verified.subject.id).toBe(u.user.id);
    expect(verified.claims.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('accepts the previous and the next step (±1), not two steps away', async () => {
    const u = await addUser(app, { email: 'window@example.com', mfa: true });
    nextTotpStep(app.clock);
    app.clock.advance(10_000);
    const past = await app.login({ mfaTempToken: await firstStep(u), otpCode: await totpAt(u.totpSecret, app.clock, -1) });
    expect(past.status).toBe(200);
    const future = await app.login({ mfaTempToken: await firstStep(u), otpCode: await totpAt(u.totpSecret, app.clock, 1) });
    expect(future.status).toBe(200);
    const tooOld = await app.login({ mfaTempToken: await firstStep(u), otpCode: await totpAt(u.totpSecret, app.clock, -2) });
    expectConnectError(tooOld, 'unauthenticated', 401);
    const tooNew = await app.login({ mfaTempToken: await firstStep(u), otpCode: await totpAt(u.totpSecret, app.clock, 2) });
    expectConnectError(tooNew, 'unauthenticated', 401);
  });

  it('recoveryCode completes the login (any spelling of the code), amr pwd+kba', async () => {
    const u = await addUser(app, { email: 'recovery@example.com', mfa: true });
    const res = await app.login({ mfaTempToken: await firstStep(u), recoveryCode: ` ${u.recoveryCodes[0]!.toUpperCase()} ` });
    expect(res.status).toBe(200);
    expectSeedLoginBody(res.body);
    expect((await app.gatehouse.issuer.verify(res.body.token)).claims.amr).toEqual(['pwd', 'kba', 'mfa']);
    expect(await app.gatehouse.stores.users.countRecoveryCodes(u.user.id)).toBe(9);
    const noDash = await app.login({ mfaTempToken: await firstStep(u), recoveryCode: u.recoveryCodes[1]!.replace('-', '') });
    expect(noDash.status).toBe(200);
  });

  it('the email may be repeated in the second call, and must then be the same user', async () => {
    const u = await addUser(app, { email: 'repeat@example.com', mfa: true });
    nextTotpStep(app.clock);
    const ok = await app.login({ mfaTempToken: await firstStep(u), email: 'REPEAT@example.com', otpCode: await totpAt(u.totpSecret, app.clock) });
    expect(ok.status).toBe(200);
  });
});

describe('OTP refusals', () => {
  it('a wrong OTP is 401 and costs the temp token an attempt', async () => {
    const u = await addUser(app, { email: 'wrong-otp@example.com', mfa: true });
    nextTotpStep(app.clock);
    const mfaTempToken = await firstStep(u);
    const good = await totpAt(u.totpSecret, app.clock);
    const wrong = good === '000000' ? '111111' : '000000';
    expectConnectError(await app.login({ mfaTempToken, otpCode: wrong }), 'unauthenticated', 401);
    expectConnectError(await app.login({ mfaTempToken, otpCode: 'abcdef' }), 'unauthenticated', 401);
    // The token survives a wrong code (attempts left), and the right code still works once.
    const res = await app.login({ mfaTempToken, otpCode: good });
    expect(res.status).toBe(200);
  });

  it('an OTP replayed within its window is refused, even with a fresh temp token', async () => {
    const u = await addUser(app, { email: 'replay@example.com', mfa: true });
    nextTotpStep(app.clock);
    const code = await totpAt(u.totpSecret, app.clock);
    expect((await app.login({ mfaTempToken: await firstStep(u), otpCode: code })).status).toBe(200);
    app.clock.advance(20_000); // still inside the code's window
    expectConnectError(await app.login({ mfaTempToken: await firstStep(u), otpCode: code }), 'unauthenticated', 401);
    nextTotpStep(app.clock);
    expect((await app.login({ mfaTempToken: await firstStep(u), otpCode: await totpAt(u.totpSecret, app.clock) })).status).toBe(200);
  });

  it('an OTP with surrounding whitespace is accepted once, then refused', async () => {
    const u = await addUser(app, { email: 'spaces@example.com', mfa: true });
    nextTotpStep(app.clock);
    const code = await totpAt(u.totpSecret, app.clock);
    const first = await app.login({ mfaTempToken: await firstStep(u), otpCode: `  ${code}\t\n` });
    expect(first.status).toBe(200);
    expectConnectError(await app.login({ mfaTempToken: await firstStep(u), otpCode: ` ${code} ` }), 'unauthenticated', 401);
    expectConnectError(await app.login({ mfaTempToken: await firstStep(u), otpCode: code }), 'unauthenticated', 401);
  });
});

describe('recovery code refusals', () => {
  it('a used recovery code is refused', async () => {
    const u = await addUser(app, { email: 'reuse@example.com', mfa: true });
    expect((await app.login({ mfaTempToken: await firstStep(u), recoveryCode: u.recoveryCodes[3] })).status).toBe(200);
    expectConnectError(await app.login({ mfaTempToken: await firstStep(u), recoveryCode: u.recoveryCodes[3] }), 'unauthenticated', 401);
    expectConnectError(await app.login({ mfaTempToken: await firstStep(u), recoveryCode: 'not-a-code' }), 'unauthenticated', 401);
  });

  it('50 concurrent uses of one recovery code (50 temp tokens): exactly one succeeds', async () => {
    const u = await addUser(app, { email: 'race@example.com', mfa: true });
    const tokens: string[] = [];
    for (let i = 0; i < 50; i++) tokens.push(await firstStep(u));
    const results = await Promise.all(tokens.map((mfaTempToken) => app.login({ mfaTempToken, recoveryCode: u.recoveryCodes[5] })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(49);
    for (const r of results.filter((x) => x.status === 401)) expectConnectError(r, 'unauthenticated', 401);
    expect(await app.gatehouse.stores.users.countRecoveryCodes(u.user.id)).toBe(9);
  });

  it('the same race forced in lockstep (50 in-process calls started in one tick): exactly one succeeds', async () => {
    const u = await addUser(app, { email: 'race-lockstep@example.com', mfa: true });
    const tokens: string[] = [];
    for (let i = 0; i < 50; i++) tokens.push(await firstStep(u));
    const results = await Promise.all(tokens.map((mfaTempToken) => app.loginInProcess({ mfaTempToken, recoveryCode: u.recoveryCodes[2] })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(49);
    expect(await app.gatehouse.stores.users.countRecoveryCodes(u.user.id)).toBe(9);
  });
});

describe('temp token refusals', () => {
  it('expired after 5 minutes (injected clock)', async () => {
    const u = await addUser(app, { email: 'expired@example.com', mfa: true });
    const mfaTempToken = await firstStep(u);
    app.clock.advance(300_000 + 1);
    expectConnectError(await app.login({ mfaTempToken, otpCode: await totpAt(u.totpSecret, app.clock) }), 'unauthenticated', 401);
  });

  it('still valid just before 5 minutes', async () => {
    const u = await addUser(app, { email: 'not-expired@example.com', mfa: true });
    const mfaTempToken = await firstStep(u);
    app.clock.advance(299_000);
    expect((await app.login({ mfaTempToken, recoveryCode: u.recoveryCodes[0] })).status).toBe(200);
  });

  it('single use: a completed temp token is refused the second time', async () => {
    const u = await addUser(app, { email: 'twice@example.com', mfa: true });
    const mfaTempToken = await firstStep(u);
    expect((await app.login({ mfaTempToken, recoveryCode: u.recoveryCodes[0] })).status).toBe(200);
    expectConnectError(await app.login({ mfaTempToken, recoveryCode: u.recoveryCodes[1] }), 'unauthenticated', 401);
    expect(await app.gatehouse.stores.users.countRecoveryCodes(u.user.id)).toBe(9);
  });

  it('concurrent completions of one temp token: exactly one succeeds', async () => {
    const u = await addUser(app, { email: 'temp-race@example.com', mfa: true });
    const mfaTempToken = await firstStep(u);
    const results = await Promise.all(u.recoveryCodes.slice(0, 4).map((recoveryCode) => app.login({ mfaTempToken, recoveryCode })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    // Forced lockstep: every call has peeked the token before any consumes it; still one winner.
    const again = await firstStep(u);
    const lockstep = await Promise.all(u.recoveryCodes.slice(4, 8).map((recoveryCode) => app.loginInProcess({ mfaTempToken: again, recoveryCode })));
    expect(lockstep.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it("bound to its user: another user's valid code (or email) does not complete it", async () => {
    const alice = await addUser(app, { email: 'alice-b@example.com', mfa: true });
    const bob = await addUser(app, { email: 'bob-b@example.com', mfa: true });
    nextTotpStep(app.clock);
    const aliceToken = await firstStep(alice);
    expectConnectError(await app.login({ mfaTempToken: aliceToken, otpCode: await totpAt(bob.totpSecret, app.clock) }), 'unauthenticated', 401);
    expectConnectError(await app.login({ mfaTempToken: aliceToken, recoveryCode: bob.recoveryCodes[0] }), 'unauthenticated', 401);
    expectConnectError(
      await app.login({ mfaTempToken: aliceToken, email: bob.email, otpCode: await totpAt(alice.totpSecret, app.clock) }),
      'unauthenticated',
      401,
    );
    // Bob's recovery code was not spent on Alice's token.
    expect(await app.gatehouse.stores.users.countRecoveryCodes(bob.user.id)).toBe(10);
    // The right user's code still works on the token (it had attempts left).
    const ok = await app.login({ mfaTempToken: aliceToken, otpCode: await totpAt(alice.totpSecret, app.clock) });
    expect(ok.status).toBe(200);
    expect(ok.body.user.email).toBe(alice.email);
  });

  it('dead after 5 failed attempts: even the right code is refused then', async () => {
    const u = await addUser(app, { email: 'five@example.com', mfa: true });
    nextTotpStep(app.clock);
    const mfaTempToken = await firstStep(u);
    for (let i = 0; i < 5; i++) expectConnectError(await app.login({ mfaTempToken, recoveryCode: `aaaaa-aaaa${i + 2}` }), 'unauthenticated', 401);
    expectConnectError(await app.login({ mfaTempToken, otpCode: await totpAt(u.totpSecret, app.clock) }), 'unauthenticated', 401);
    expectConnectError(await app.login({ mfaTempToken, recoveryCode: u.recoveryCodes[0] }), 'unauthenticated', 401);
    expect(await app.gatehouse.stores.users.countRecoveryCodes(u.user.id)).toBe(10);
  });

  it('four failures leave the token usable', async () => {
    const u = await addUser(app, { email: 'four@example.com', mfa: true });
    const mfaTempToken = await firstStep(u);
    for (let i = 0; i < 4; i++) expectConnectError(await app.login({ mfaTempToken, recoveryCode: `aaaaa-aaaa${i + 2}` }), 'unauthenticated', 401);
    expect((await app.login({ mfaTempToken, recoveryCode: u.recoveryCodes[0] })).status).toBe(200);
  });

  it('a made-up, malformed or truncated temp token is 401', async () => {
    const u = await addUser(app, { email: 'madeup@example.com', mfa: true });
    const real = await firstStep(u);
    for (const mfaTempToken of ['A'.repeat(43), 'short', real.slice(0, 42), `${real}x`]) {
      expectConnectError(await app.login({ mfaTempToken, recoveryCode: u.recoveryCodes[0] }), 'unauthenticated', 401);
    }
    expect(await app.gatehouse.stores.users.countRecoveryCodes(u.user.id)).toBe(10);
  });
});

describe('hostile second-step bodies', () => {
  const HOSTILE: unknown[] = [null, 0, 1e308, true, [], {}, { $gt: '' }, '', 'x'.repeat(100_000), '\u0000\u202e<script>', '../../etc/passwd', '１２３４５６'];
  it('every field gets a 4xx in the bytebase dialect, never a 500, and no code is spent', async () => {
    const u = await addUser(app, { email: 'hostile-mfa@example.com', mfa: true });
    const mfaTempToken = await firstStep(u);
    for (const field of ['mfaTempToken', 'otpCode', 'recoveryCode']) {
      for (const value of HOSTILE) {
        const body = field === 'mfaTempToken' ? { mfaTempToken: value, otpCode: '123456' } : { mfaTempToken: 'A'.repeat(43), [field]: value };
        const res = await app.loginInProcess(body);
        expect(res.status, `${field}=${JSON.stringify(value)?.slice(0, 30)}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.body).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
      }
    }
    expect(await app.gatehouse.stores.users.countRecoveryCodes(u.user.id)).toBe(10);
    // The real temp token was never touched by the hostile calls above.
    expect((await app.login({ mfaTempToken, recoveryCode: u.recoveryCodes[0] })).status).toBe(200);
  });
});

describe('per-user cap across temp tokens', () => {
  let capped: TestApp;
  beforeAll(async () => {
    capped = await startApp({ mfa: { maxFailuresPerUser: 6 } });
  });
  afterAll(() => capped.close());

  it('after 6 checked attempts in the window the 7th is 429, however many temp tokens were used', async () => {
    const u = await addUser(capped, { email: 'cap@example.com', mfa: true });
    const temp = async () => (await capped.login({ email: u.email, password: u.password })).body.mfaTempToken as string;
    for (let i = 0; i < 3; i++) {
      const t = await temp();
      expectConnectError(await capped.login({ mfaTempToken: t, recoveryCode: 'bbbbb-bbbb2' }), 'unauthenticated', 401);
      expectConnectError(await capped.login({ mfaTempToken: t, recoveryCode: 'bbbbb-bbbb3' }), 'unauthenticated', 401);
    }
    const locked = await capped.login({ mfaTempToken: await temp(), recoveryCode: u.recoveryCodes[0] });
    expectConnectError(locked, 'resource_exhausted', 429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await capped.gatehouse.stores.users.countRecoveryCodes(u.user.id)).toBe(10);
    capped.clock.advance(15 * 60_000 + 1);
    expect((await capped.login({ mfaTempToken: await temp(), recoveryCode: u.recoveryCodes[0] })).status).toBe(200);
  });
});
