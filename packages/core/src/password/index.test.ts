import { describe, expect, it } from 'vitest';
import { AuthError, StoreUnavailableError } from '../errors/auth-error.js';
import { ManualClock } from '../runtime/clock.js';
import { MemoryLimiterStore, createMemoryStores } from '../stores/memory.js';
import {
  DEFAULT_ARGON2,
  LoginLockout,
  PasswordLockout,
  PasswordChecker,
  PasswordVerifier,
  createPasswordUser,
  hashPassword,
  needsRehash,
  normaliseEmail,
  normaliseUsername,
  setUserPassword,
  verifyPassword,
  type Argon2Params,
} from './index.js';

// Cheap parameters keep this suite fast; the default-cost path is exercised once below and by the
// ece-password timing test.
const CHEAP: Argon2Params = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const OTHER: Argon2Params = { memoryCost: 2048, timeCost: 1, parallelism: 1 };
const NOW = new Date('2026-01-01T00:00:00Z');
const IP = '198.51.100.7';

async function rejection(p: Promise<unknown>): Promise<AuthError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AuthError);
  return err as AuthError;
}

describe('normaliseUsername / normaliseEmail', () => {
  it('folds width, case and surrounding whitespace into one form', () => {
    expect(new Set(['Admin', 'admin ', 'ＡＤＭＩＮ', '\tADMIN\n'].map(normaliseUsername))).toEqual(new Set(['admin']));
  });
  it('keeps distinct names distinct', () => {
    expect(normaliseUsername('admin1')).not.toBe(normaliseUsername('admin'));
  });
  it('lower-cases and NFKC-folds emails', () => {
    expect(normaliseEmail(' Ann@Ｅxample.COM ')).toBe('ann@example.com');
  });
});

describe('argon2 helpers', () => {
  it('hashes to an argon2id PHC string that verifies only the right password', async () => {
    const phc = await hashPassword('correct horse', CHEAP);
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await verifyPassword(phc, 'correct horse')).toBe(true);
    expect(await verifyPassword(phc, 'correct horsf')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });
  it('flags hashes made with other parameters or another algorithm', async () => {
    const phc = await hashPassword('pw', CHEAP);
    expect(needsRehash(phc, CHEAP)).toBe(false);
    expect(needsRehash(phc, OTHER)).toBe(true);
    expect(needsRehash('$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA', CHEAP)).toBe(true);
  });
});

describe('createPasswordUser', () => {
  it('stores the normalised username and email, an argon2id hash and passwordChangedAt', async () => {
    const stores = createMemoryStores();
    const user = await createPasswordUser(stores, { username: ' ＡＤＭＩＮ ', password: 's3cret-passphrase', email: 'Admin@Example.COM' }, { now: NOW, params: CHEAP });
    expect(user.username).toBe('admin');
    expect(user.email).toBe('admin@example.com');
    expect(user.displayName).toBe('ADMIN');
    expect(user.passwordChangedAt).toEqual(NOW);
    expect(user.createdAt).toEqual(NOW);
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(user.passwordHash!, 's3cret-passphrase')).toBe(true);
    expect((await stores.users.getByUsername('admin'))?.id).toBe(user.id);
    expect((await stores.users.getByEmail('admin@example.com'))?.id).toBe(user.id);
  });

  it('passes other fields through (displayName, disabled, groups, id)', async () => {
    const stores = createMemoryStores();
    const user = await createPasswordUser(
      stores,
      { id: 'u-1', username: 'bob', password: 'long enough pw', displayName: 'Bob B.', disabled: true, groups: ['ops'], requireResetPassword: true },
      { now: NOW, params: CHEAP },
    );
    expect(user).toMatchObject({ id: 'u-1', displayName: 'Bob B.', disabled: true, groups: ['ops'], requireResetPassword: true, email: null });
  });

  it('uses the default argon2id cost (19 MiB, t=2) when no params are given', async () => {
    const stores = createMemoryStores();
    const user = await createPasswordUser(stores, { username: 'carol', password: 'long enough pw' }, { now: NOW });
    expect(user.passwordHash).toMatch(new RegExp(`^\\$argon2id\\$v=19\\$m=${DEFAULT_ARGON2.memoryCost},t=${DEFAULT_ARGON2.timeCost},p=1\\$`));
  });

  it('refuses a second user whose name normalises to the same form', async () => {
    const stores = createMemoryStores();
    await createPasswordUser(stores, { username: 'Admin', password: 'long enough pw' }, { now: NOW, params: CHEAP });
    const err = await rejection(createPasswordUser(stores, { username: 'ＡＤＭＩＮ', password: 'long enough pw' }, { now: NOW, params: CHEAP }));
    expect(err.reasonCode).toBe('user_exists');
  });

  it.each([
    ['blank username', { username: '   ', password: 'long enough pw' }, ['username']],
    ['257-character username', { username: 'a'.repeat(257), password: 'long enough pw' }, ['username']],
    ['empty password', { username: 'dan', password: '' }, ['password']],
    ['1025-byte password', { username: 'dan', password: 'é'.repeat(513) }, ['password']],
    ['malformed email', { username: 'dan', password: 'long enough pw', email: 'not an email' }, ['email']],
    ['several problems', { username: '', password: '', email: '@' }, ['username', 'password', 'email']],
  ])('refuses a %s naming the field', async (_name, input, fields) => {
    const stores = createMemoryStores();
    const err = await rejection(createPasswordUser(stores, input, { now: NOW, params: CHEAP }));
    expect(err.kind).toBe('validation');
    expect(err.fields).toEqual(fields);
    expect(err.message).not.toContain('é');
    expect(await stores.users.list()).toEqual([]);
  });

  it.each([
    ['7-character password', { username: 'dan', password: 'abcdefg' }, 'password_too_short'],
    ['common password', { username: 'dan', password: 'Password123' }, 'password_too_common'],
    ['common password in another width', { username: 'dan', password: 'ｐａｓｓｗｏｒｄ１２３' }, 'password_too_common'],
    ['password equal to the username', { username: 'danielle.k', password: 'Danielle.K' }, 'password_is_username'],
    ['password equal to the email\'s local part', { username: 'dan', email: 'wonderland-42@example.com', password: 'wonderland-42' }, 'password_is_username'],
  ])('the policy (NIST 800-63B) refuses a %s, naming the password and not echoing it', async (_name, input, code) => {
    const stores = createMemoryStores();
    const err = await rejection(createPasswordUser(stores, input, { now: NOW, params: CHEAP }));
    expect(err.issues).toEqual([{ path: 'password', code, message: expect.any(String) }]);
    expect(err.message).not.toContain(input.password);
    expect(await stores.users.list()).toEqual([]);
  });

  it('the policy imposes no composition rules: a long passphrase of lower-case words is fine; eight characters are enough', async () => {
    const stores = createMemoryStores();
    await createPasswordUser(stores, { username: 'ivy', password: 'purple monkey dishwasher' }, { now: NOW, params: CHEAP });
    await createPasswordUser(stores, { username: 'jon', password: 'zq7#xv2!' }, { now: NOW, params: CHEAP });
    expect(await stores.users.list()).toHaveLength(2);
  });

  it('a configured policy: a longer minimum; the common-password check switched off', async () => {
    const stores = createMemoryStores();
    const strict = { minLength: 15, rejectCommon: true };
    expect((await rejection(createPasswordUser(stores, { username: 'kim', password: 'fourteen chars' }, { now: NOW, params: CHEAP, policy: strict }))).issues?.[0]?.code).toBe('password_too_short');
    await createPasswordUser(stores, { username: 'lee', password: 'password123' }, { now: NOW, params: CHEAP, policy: { minLength: 8, rejectCommon: false } });
    // Below the floor of 6 no configuration goes.
    expect((await rejection(createPasswordUser(stores, { username: 'max', password: 'abc12' }, { now: NOW, params: CHEAP, policy: { minLength: 1, rejectCommon: false } }))).issues?.[0]?.code).toBe('password_too_short');
  });

  it('accepts a 1024-byte password (the limit itself)', async () => {
    const stores = createMemoryStores();
    const user = await createPasswordUser(stores, { username: 'erin', password: 'é'.repeat(512) }, { now: NOW, params: CHEAP });
    expect(await verifyPassword(user.passwordHash!, 'é'.repeat(512))).toBe(true);
  });
});

describe('setUserPassword', () => {
  it('replaces the hash, stamps passwordChangedAt and clears requireResetPassword', async () => {
    const stores = createMemoryStores();
    const user = await createPasswordUser(stores, { username: 'fay', password: 'old passphrase', requireResetPassword: true }, { now: NOW, params: CHEAP });
    const later = new Date('2026-02-01T00:00:00Z');
    const updated = await setUserPassword(stores, user.id, 'new passphrase', { now: later, params: OTHER });
    expect(updated.passwordChangedAt).toEqual(later);
    expect(updated.requireResetPassword).toBe(false);
    expect(updated.passwordHash).toMatch(/^\$argon2id\$v=19\$m=2048,t=1,p=1\$/);
    expect(await verifyPassword(updated.passwordHash!, 'new passphrase')).toBe(true);
    expect(await verifyPassword(updated.passwordHash!, 'old passphrase')).toBe(false);
  });

  it('can flag the new password for reset (an admin-set temporary password)', async () => {
    const stores = createMemoryStores();
    const user = await createPasswordUser(stores, { username: 'gus', password: 'old passphrase' }, { now: NOW, params: CHEAP });
    const updated = await setUserPassword(stores, user.id, 'temporary passphrase', { now: NOW, params: CHEAP, requireResetPassword: true });
    expect(updated.requireResetPassword).toBe(true);
  });

  it('refuses an unknown user and an invalid password', async () => {
    const stores = createMemoryStores();
    expect((await rejection(setUserPassword(stores, 'nope', 'long enough pw', { now: NOW, params: CHEAP }))).kind).toBe('not_found');
    const user = await createPasswordUser(stores, { username: 'hal', password: 'old passphrase' }, { now: NOW, params: CHEAP });
    const err = await rejection(setUserPassword(stores, user.id, 'x'.repeat(1025), { now: NOW, params: CHEAP }));
    expect(err.fields).toEqual(['password']);
    for (const weak of ['short', 'qwerty123', 'HAL']) expect((await rejection(setUserPassword(stores, user.id, weak, { now: NOW, params: CHEAP }))).fields).toEqual(['password']);
    expect(await verifyPassword((await stores.users.getById(user.id))!.passwordHash!, 'old passphrase')).toBe(true);
  });
});

describe('PasswordChecker', () => {
  const setup = async () => {
    const limiter = new MemoryLimiterStore();
    const checker = new PasswordChecker(limiter, { namespace: 'test', params: CHEAP });
    const phc = await hashPassword('right', CHEAP);
    return { limiter, checker, phc };
  };

  it('accepts the right password and refuses a wrong one or an unknown user', async () => {
    const { checker, phc } = await setup();
    expect(await checker.check({ clientIp: IP, username: 'ann', passwordHash: phc, password: 'right', now: NOW })).toEqual({ ok: true, rehash: null });
    expect(await checker.check({ clientIp: IP, username: 'ann', passwordHash: phc, password: 'wrong', now: NOW })).toEqual({ ok: false });
    expect(await checker.check({ clientIp: IP, username: 'ghost', passwordHash: null, password: 'right', now: NOW })).toEqual({ ok: false });
  });

  it('refuses an over-long password even when its prefix would match', async () => {
    const { checker } = await setup();
    const long = 'x'.repeat(1025);
    const phc = await hashPassword(long.slice(0, 64), CHEAP);
    expect(await checker.verify(phc, long)).toEqual({ ok: false });
  });

  it('returns a fresh hash with the current parameters when the stored one is outdated', async () => {
    const { checker } = await setup();
    const old = await hashPassword('right', OTHER);
    const result = await checker.verify(old, 'right');
    expect(result.ok).toBe(true);
    const rehash = result.ok ? result.rehash : null;
    expect(rehash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await verifyPassword(rehash!, 'right')).toBe(true);
  });

  it('locks out on the 6th attempt in the window, even with the right password, and reopens after it', async () => {
    const { checker, phc } = await setup();
    const clock = new ManualClock(NOW);
    for (let i = 0; i < 5; i++) {
      expect(await checker.check({ clientIp: IP, username: 'ann', passwordHash: phc, password: 'wrong', now: clock.now() })).toEqual({ ok: false });
    }
    const err = await rejection(checker.check({ clientIp: IP, username: 'ann', passwordHash: phc, password: 'right', now: clock.now() }));
    expect(err).toMatchObject({ kind: 'rate_limited', reasonCode: 'account_locked', retryAfter: 900 });
    clock.advance(15 * 60_000);
    expect((await checker.check({ clientIp: IP, username: 'ann', passwordHash: phc, password: 'right', now: clock.now() })).ok).toBe(true);
  });

  it('clears the counter after a success', async () => {
    const { checker, phc, limiter } = await setup();
    for (let i = 0; i < 4; i++) await checker.check({ clientIp: IP, username: 'ann', passwordHash: phc, password: 'wrong', now: NOW });
    expect((await checker.check({ clientIp: IP, username: 'ann', passwordHash: phc, password: 'right', now: NOW })).ok).toBe(true);
    expect(await limiter.peek(`lockout:test:ann@${IP}`, NOW)).toBeNull();
    for (let i = 0; i < 5; i++) await checker.check({ clientIp: IP, username: 'ann', passwordHash: phc, password: 'wrong', now: NOW });
    await rejection(checker.check({ clientIp: IP, username: 'ann', passwordHash: phc, password: 'right', now: NOW }));
  });

  it('counts unknown users like known ones (lockout does not reveal existence)', async () => {
    const { checker } = await setup();
    for (let i = 0; i < 5; i++) await checker.check({ clientIp: IP, username: 'ghost', passwordHash: null, password: 'x', now: NOW });
    expect((await rejection(checker.check({ clientIp: IP, username: 'ghost', passwordHash: null, password: 'x', now: NOW }))).kind).toBe('rate_limited');
  });

  it('checks at most maxFailures passwords however many attempts run concurrently', async () => {
    const { checker, phc } = await setup();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => checker.check({ clientIp: IP, username: 'ann', passwordHash: phc, password: 'wrong', now: NOW })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(results.filter((r) => r.status === 'rejected' && (r.reason as AuthError).kind === 'rate_limited')).toHaveLength(15);
  });

  it('verify() alone does not count towards lockout; prepare() precomputes the dummy hash', async () => {
    const { checker, limiter } = await setup();
    await checker.prepare();
    for (let i = 0; i < 10; i++) expect(await checker.verify(null, 'x')).toEqual({ ok: false });
    expect(await limiter.peek(`lockout:test:ghost@${IP}`, NOW)).toBeNull();
    expect(await limiter.peek('lockout-account:test:ghost', NOW)).toBeNull();
  });

  it('honours a custom lockout policy', async () => {
    const limiter = new MemoryLimiterStore();
    const checker = new PasswordChecker(limiter, { namespace: 't', params: CHEAP, lockout: { maxFailures: 2, windowMs: 1000 } });
    expect(checker.lockout).toEqual({ maxFailures: 2, windowMs: 1000, accountCeiling: 100, addressCeiling: 50 });
    await checker.check({ clientIp: IP, username: 'a', passwordHash: null, password: 'x', now: NOW });
    await checker.check({ clientIp: IP, username: 'a', passwordHash: null, password: 'x', now: NOW });
    expect((await rejection(checker.check({ clientIp: IP, username: 'a', passwordHash: null, password: 'x', now: NOW }))).retryAfter).toBe(1);
  });
});

describe('PasswordChecker: a throttle that cannot be turned against users', () => {
  const check = (checker: PasswordChecker, phc: string | null, password: string, clientIp: string, username = 'ann', now = NOW) =>
    checker.check({ clientIp, username, passwordHash: phc, password, now });

  it('five failures from one address lock the account for that address only: the user elsewhere still gets in', async () => {
    const checker = new PasswordChecker(new MemoryLimiterStore(), { namespace: 'test', params: CHEAP });
    const phc = await hashPassword('right', CHEAP);
    for (let i = 0; i < 5; i++) expect(await check(checker, phc, 'wrong', '203.0.113.66')).toEqual({ ok: false });
    expect(await rejection(check(checker, phc, 'right', '203.0.113.66'))).toMatchObject({ kind: 'rate_limited', reasonCode: 'account_locked' });
    expect((await check(checker, phc, 'right', '198.51.100.20')).ok).toBe(true);
  });

  it('distributed guessing of one account stops at the account ceiling, for every address', async () => {
    const limiter = new MemoryLimiterStore();
    const checker = new PasswordChecker(limiter, { namespace: 'c', params: CHEAP, lockout: { maxFailures: 5, windowMs: 60_000, accountCeiling: 12 } });
    const phc = await hashPassword('right', CHEAP);
    for (let a = 1; a <= 3; a++) for (let i = 0; i < 4; i++) await check(checker, phc, 'wrong', `203.0.113.${a}`);
    // 12 failures from three addresses: the account is refused from a fresh address, right password or not.
    const err = await rejection(check(checker, phc, 'right', '198.51.100.99'));
    expect(err).toMatchObject({ kind: 'rate_limited', reasonCode: 'account_locked', message: 'Too many failed login attempts, try again later' });
    // Other accounts are untouched.
    expect((await check(checker, phc, 'right', '198.51.100.99', 'bob')).ok).toBe(true);
  });

  it('spraying many accounts from one address stops at the address ceiling; other addresses are untouched', async () => {
    const limiter = new MemoryLimiterStore();
    const checker = new PasswordChecker(limiter, { namespace: 's', params: CHEAP, lockout: { maxFailures: 5, windowMs: 60_000, addressCeiling: 10 } });
    const phc = await hashPassword('right', CHEAP);
    for (let i = 0; i < 10; i++) expect(await check(checker, null, 'Winter2026!', '203.0.113.9', `user${i}`)).toEqual({ ok: false });
    expect((await rejection(check(checker, phc, 'right', '203.0.113.9', 'user10'))).kind).toBe('rate_limited');
    expect((await check(checker, phc, 'right', '203.0.113.10', 'user10')).ok).toBe(true);
  });

  it('IPv6 addresses count per /64 for the spraying ceiling', async () => {
    const limiter = new MemoryLimiterStore();
    const checker = new PasswordChecker(limiter, { namespace: 'v6', params: CHEAP, lockout: { maxFailures: 5, windowMs: 60_000, addressCeiling: 3 } });
    for (let i = 0; i < 3; i++) await check(checker, null, 'x', `2001:db8:7:7::${i + 1}`, `user${i}`);
    expect((await rejection(check(checker, null, 'x', '2001:db8:7:7:ffff::1', 'user9'))).kind).toBe('rate_limited');
  });

  it('a success does not reset the ceilings (a user logging in cannot launder an attacker\'s failures), and windows expire', async () => {
    const limiter = new MemoryLimiterStore();
    const checker = new PasswordChecker(limiter, { namespace: 'w', params: CHEAP, lockout: { maxFailures: 5, windowMs: 60_000, accountCeiling: 4 } });
    const phc = await hashPassword('right', CHEAP);
    for (let i = 0; i < 3; i++) await check(checker, phc, 'wrong', '203.0.113.1');
    expect((await check(checker, phc, 'right', '198.51.100.1')).ok).toBe(true);
    await check(checker, phc, 'wrong', '203.0.113.2');
    expect((await rejection(check(checker, phc, 'right', '198.51.100.1'))).kind).toBe('rate_limited');
    expect((await check(checker, phc, 'right', '198.51.100.1', 'ann', new Date(NOW.getTime() + 60_000))).ok).toBe(true);
  });
});

describe('PasswordVerifier', () => {
  it('verifies with a dummy hash of its own parameters for unknown users, without counting', async () => {
    const verifier = new PasswordVerifier(CHEAP);
    expect(verifier.params).toEqual(CHEAP);
    await verifier.prepare();
    const phc = await hashPassword('right', CHEAP);
    expect(await verifier.verify(phc, 'right')).toEqual({ ok: true, rehash: null });
    expect(await verifier.verify(phc, 'wrong')).toEqual({ ok: false });
    expect(await verifier.verify(null, 'right')).toEqual({ ok: false });
  });
  it('defaults to DEFAULT_ARGON2', () => {
    expect(new PasswordVerifier().params).toEqual(DEFAULT_ARGON2);
  });
});

describe('LoginLockout', () => {
  it('gates read-only with assertNotLocked and counts with recordFailure', async () => {
    const lockout = new LoginLockout(new MemoryLimiterStore(), { namespace: 'x', policy: { maxFailures: 2, windowMs: 60_000 } });
    await lockout.assertNotLocked('ann', NOW);
    await lockout.recordFailure('ann', NOW);
    await lockout.assertNotLocked('ann', NOW);
    await lockout.recordFailure('ann', NOW);
    expect((await rejection(lockout.assertNotLocked('ann', NOW))).retryAfter).toBe(60);
    await lockout.clear('ann');
    await lockout.assertNotLocked('ann', NOW);
    expect(lockout.key('ann')).toBe('lockout:x:ann');
  });

  it('guard: an answered check stays counted; a store or upstream that did not answer gives the slot back', async () => {
    const limiter = new MemoryLimiterStore();
    const lockout = new LoginLockout(limiter, { namespace: 'x', policy: { maxFailures: 2, windowMs: 60_000 } });
    const count = async () => (await limiter.peek(lockout.key('bea'), NOW))?.count ?? 0;
    await expect(lockout.guard('bea', NOW, async () => false)).resolves.toBe(false);
    expect(await count()).toBe(1);
    const wrong = new AuthError({ kind: 'unauthenticated', reasonCode: 'wrong' });
    await expect(lockout.guard('bea', NOW, () => Promise.reject(wrong))).rejects.toBe(wrong);
    expect(await count()).toBe(2);
    // The window is full: the next attempt is refused before any check, right password or not.
    let checked = false;
    expect((await rejection(lockout.guard('bea', NOW, async () => (checked = true)))).reasonCode).toBe('account_locked');
    expect(checked).toBe(false);
    await lockout.clear('bea');
    for (const failure of [new StoreUnavailableError(), new AuthError({ kind: 'upstream_failed', reasonCode: 'directory_down' })]) {
      for (let i = 0; i < 5; i++) await expect(lockout.guard('bea', NOW, () => Promise.reject(failure))).rejects.toBe(failure);
      expect(await count()).toBe(0);
    }
    // An unexpected bug is not an outage: it stays counted.
    await expect(lockout.guard('bea', NOW, () => Promise.reject(new TypeError('bug')))).rejects.toThrow('bug');
    expect(await count()).toBe(1);
  });

  it('PasswordLockout.guard: an outage gives the account-and-address slot back; answered attempts keep it', async () => {
    const limiter = new MemoryLimiterStore();
    const lockout = new PasswordLockout(limiter, { namespace: 'x', policy: { maxFailures: 2, windowMs: 60_000 } });
    const pair = async () => (await limiter.peek(lockout.keys('eve', '10.0.0.9').pair, NOW))?.count ?? 0;
    for (let i = 0; i < 6; i++) {
      await expect(lockout.guard('eve', '10.0.0.9', NOW, () => Promise.reject(new StoreUnavailableError()))).rejects.toBeInstanceOf(StoreUnavailableError);
    }
    expect(await pair()).toBe(0);
    await expect(lockout.guard('eve', '10.0.0.9', NOW, async () => 'answered')).resolves.toBe('answered');
    expect(await pair()).toBe(1);
    const broken = Object.assign(new MemoryLimiterStore(), { reset: () => Promise.reject(new StoreUnavailableError()) });
    await expect(new PasswordLockout(broken, { namespace: 'x' }).settle('eve', '10.0.0.9')).resolves.toBeUndefined();
  });

  it('settle forgets the attempts, and a store that fails there does not fail the caller', async () => {
    const limiter = new MemoryLimiterStore();
    const lockout = new LoginLockout(limiter, { namespace: 'x' });
    await lockout.attempt('cid', NOW);
    await lockout.settle('cid');
    expect(await limiter.peek(lockout.key('cid'), NOW)).toBeNull();
    const broken = Object.assign(new MemoryLimiterStore(), { reset: () => Promise.reject(new StoreUnavailableError()) });
    await expect(new LoginLockout(broken, { namespace: 'x' }).settle('cid')).resolves.toBeUndefined();
  });

  it('PasswordChecker: a store failure while clearing after a success still returns the success', async () => {
    const limiter = Object.assign(new MemoryLimiterStore(), { reset: () => Promise.reject(new StoreUnavailableError()) });
    const checker = new PasswordChecker(limiter, { namespace: 'x', params: CHEAP });
    const hash = await hashPassword('right-password', CHEAP);
    await expect(checker.check({ clientIp: '10.0.0.7', username: 'dan', passwordHash: hash, password: 'right-password', now: NOW })).resolves.toMatchObject({ ok: true });
  });
});
