import { describe, expect, it } from 'vitest';
import { createPasswordUser, hashPassword } from '@gatehouse-auth/core/password';
import type { GatehouseResponse } from '@gatehouse-auth/core';
import { CHEAP_ARGON2, harness, headersSansRequestId } from './test-support/harness.js';

const OLD_PARAMS = { memoryCost: 2048, timeCost: 1, parallelism: 1 };
const ALICE = { username: 'alice', password: 'correct horse' };

/** The exact bytes a client sees: status, body as serialised, headers but the request id. */
const wire = (res: GatehouseResponse) => ({ status: res.status, body: JSON.stringify(res.body), headers: headersSansRequestId(res) });

describe('userStoreBackend', () => {
  it('rehashes on login when the stored hash was made with other parameters, and stamps lastLoginAt', async () => {
    const h = await harness({ users: [ALICE], userArgon2: OLD_PARAMS });
    const before = (await h.stores.users.getByUsername('alice'))!;
    expect(before.passwordHash).toMatch(/\$m=2048,t=1,p=1\$/);
    expect(before.lastLoginAt).toBeNull();
    expect((await h.login(ALICE)).status).toBe(200);
    const after = (await h.stores.users.getByUsername('alice'))!;
    expect(after.passwordHash).toMatch(/\$m=1024,t=1,p=1\$/);
    expect(after.passwordChangedAt).toEqual(before.passwordChangedAt); // a rehash is not a password change
    expect(after.lastLoginAt).toEqual(h.clock.now());
    expect(h.audit.at(-1)?.detail).toMatchObject({ rehashed: true });
    // The new hash still takes the same password, and is left alone next time.
    expect((await h.login(ALICE)).status).toBe(200);
    expect((await h.stores.users.getByUsername('alice'))!.passwordHash).toBe(after.passwordHash);
    expect(h.audit.at(-1)?.detail).toMatchObject({ rehashed: false });
  });

  it('does not rehash on a failed login', async () => {
    const h = await harness({ users: [ALICE], userArgon2: OLD_PARAMS });
    const before = (await h.stores.users.getByUsername('alice'))!.passwordHash;
    expect((await h.login({ ...ALICE, password: 'wrong' })).status).toBe(401);
    expect((await h.stores.users.getByUsername('alice'))!.passwordHash).toBe(before);
  });

  it('refuses a disabled user with the right password exactly like bad credentials', async () => {
    const h = await harness({ users: [ALICE, { username: 'dora', password: 'correct-pw-123', disabled: true }] });
    const disabled = await h.login({ username: 'dora', password: 'correct-pw-123' });
    const wrong = await h.login({ username: 'alice', password: 'nope' });
    expect(disabled.status).toBe(401);
    expect(wire(disabled)).toEqual(wire(wrong));
    expect((await h.stores.users.getByUsername('dora'))!.lastLoginAt).toBeNull();
  });

  it('refuses an IdP-only user (no password hash) like an unknown one', async () => {
    const h = await harness({ users: [ALICE] });
    await h.stores.users.create({ username: 'sso-only', displayName: 'SSO', source: 'idps/okta' }, h.clock.now());
    expect(wire(await h.login({ username: 'sso-only', password: 'anything' }))).toEqual(wire(await h.login({ username: 'ghost', password: 'anything' })));
  });

  it('treats a corrupt stored hash as a mismatch, not a 500', async () => {
    const h = await harness();
    await h.stores.users.create({ username: 'eve', displayName: 'Eve', passwordHash: 'not-a-phc-string' }, h.clock.now());
    expect((await h.login({ username: 'eve', password: 'x' })).status).toBe(401);
  });

  it('answers 502 when the user store itself fails', async () => {
    const h = await harness({ users: [ALICE] });
    h.stores.users.getByUsername = async () => {
      throw new Error('connection terminated');
    };
    const res = await h.login(ALICE);
    expect(res.status).toBe(502);
    expect(res.headers['x-cloud-error-codes']).toBe('authc.authentication_cluster_error');
  });
});

describe('enumeration: what a client sees', () => {
  it('gives byte-identical status, body and headers (but the request id) for an unknown user and a wrong password', async () => {
    const h = await harness({ users: [ALICE] });
    const unknown = await h.login({ username: 'mallory', password: 'guess' });
    const wrong = await h.login({ username: 'alice', password: 'guess' });
    expect(unknown.status).toBe(401);
    expect(wire(unknown)).toEqual(wire(wrong));
    expect(unknown.cookies).toEqual(wrong.cookies);
    expect(unknown.headers['x-request-id']).not.toBe(wrong.headers['x-request-id']);
    // And the 6th attempt locks either kind in the same way.
    for (let i = 0; i < 4; i++) {
      await h.login({ username: 'mallory', password: 'guess' });
      await h.login({ username: 'alice', password: 'guess' });
    }
    expect(wire(await h.login({ username: 'mallory', password: 'guess' }))).toEqual(wire(await h.login({ username: 'alice', password: 'guess' })));
  });

  it('the dummy hash uses the configured parameters (same argon2 work as a real user)', async () => {
    // Indirect but observable: a user hashed with the strategy's parameters is not rehashed, so the
    // strategy's parameters are the ones the verifier (and its dummy hash) run with.
    const h = await harness({ users: [ALICE] });
    const stored = (await h.stores.users.getByUsername('alice'))!.passwordHash;
    await h.login(ALICE);
    expect((await h.stores.users.getByUsername('alice'))!.passwordHash).toBe(stored);
  });

  it('works with users created straight through the store API', async () => {
    const h = await harness();
    await h.stores.users.create({ username: 'frank', displayName: 'Frank', passwordHash: await hashPassword('correct-pw-123', CHEAP_ARGON2) }, h.clock.now());
    expect((await h.login({ username: 'Frank', password: 'correct-pw-123' })).status).toBe(200);
    await expect(createPasswordUser(h.stores, { username: 'FRANK', password: 'another-pw-456' }, { now: h.clock.now(), params: CHEAP_ARGON2 })).rejects.toMatchObject({ reasonCode: 'user_exists' });
  });
});
