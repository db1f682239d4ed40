/**
 * Gatehouse's own store failing under each login path: the Bytebase dialect's 503 `unavailable` (never a 401 or
 * 500), no failed attempt counted (password lockout and the per-user MFA cap stay where they were), and
 * bookkeeping after accepted credentials (lastLoginAt, a rehash, clearing counters) never failing the login.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError, type Stores } from '@gatehouse-auth/core';
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { startApp, type TestApp } from './support/app.js';
import { startTestIdp, type TestIdp } from './support/oidc-idp.js';
import { addUser, nextTotpStep, totpAt } from './support/users.js';
import { expectConnectError } from './support/seed-schema.js';

let app: TestApp;
let idp: TestIdp;
const OLDER_ARGON2 = { memoryCost: 2048, timeCost: 1, parallelism: 1 };

beforeAll(async () => {
  idp = await startTestIdp({ olga: { sub: 'olga', email: 'olga@example.com', email_verified: true, name: 'Olga' } });
  const client = { clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUri: idp.redirectUri, allowInsecureHttpForTesting: true };
  app = await startApp({ idps: { corp: { type: 'oidc', issuer: idp.issuer, ...client } }, mfa: { maxFailuresPerUser: 3 } });
});
afterAll(async () => {
  await app.close();
  await idp.close();
});

/** Makes one store method fail as a database that stopped answering, until the returned restore is called. */
function breakStore<P extends keyof Stores, M extends keyof Stores[P]>(port: P, method: M, seen?: (arg: unknown) => void): () => void {
  const target = app.gatehouse.stores[port] as Record<M, unknown>;
  const original = target[method];
  target[method] = async (_first: unknown, second: unknown) => {
    seen?.(second);
    throw new StoreUnavailableError(new Error('connection refused'));
  };
  return () => {
    target[method] = original;
  };
}

const count = async (key: string) => (await app.gatehouse.stores.limiter.peek(key, app.clock.now()))?.count ?? 0;

describe('password login', () => {
  it('a store outage is 503 unavailable and counts nothing towards lockout; the store back, the login works', async () => {
    const u = await addUser(app, { email: 'pat@example.com' });
    const restore = breakStore('users', 'getByEmail');
    for (let i = 0; i < 8; i++) expectConnectError(await app.login({ email: u.email, password: u.password }), 'unavailable', 503);
    restore();
    expect(await count('lockout:idp-mfa:pat@example.com@127.0.0.1')).toBe(0);
    expect((await app.login({ email: u.email, password: u.password })).status).toBe(200);
  });

  it('storing a rehash and recording lastLoginAt may fail: the accepted login still gets its token', async () => {
    // Hashed with other argon2 parameters than the strategy's, so the login rehashes the password.
    const password = 'an older hash of this password';
    const user = await createPasswordUser(app.gatehouse.stores, { username: 'quinn@example.com', email: 'quinn@example.com', password }, { now: app.clock.now(), params: OLDER_ARGON2 });
    const updates: unknown[] = [];
    const restore = breakStore('users', 'update', (patch) => updates.push(patch));
    try {
      const res = await app.login({ email: 'quinn@example.com', password });
      expect(res.status).toBe(200);
      expect((await app.gatehouse.issuer.verify(res.body.token, { stateful: 'none' })).subject.id).toBe(user.id);
      expect(updates).toEqual([{ passwordHash: expect.stringMatching(/^\$argon2id\$/) }, { lastLoginAt: expect.any(Date) }]);
    } finally {
      restore();
    }
  });
});

describe('MFA step', () => {
  it('a store outage while the code is checked is 503 and costs neither the temp token nor the user an attempt', async () => {
    const u = await addUser(app, { email: 'rae@example.com', mfa: true });
    nextTotpStep(app.clock);
    const first = await app.login({ email: u.email, password: u.password });
    const mfaTempToken = first.body.mfaTempToken as string;
    const code = await totpAt(u.totpSecret, app.clock);
    const restore = breakStore('replay', 'claim');
    // More failures than the per-user cap (3) and the temp token's budget (5).
    for (let i = 0; i < 6; i++) expectConnectError(await app.login({ mfaTempToken, otpCode: code }), 'unavailable', 503);
    restore();
    expect(await count(`lockout:idp-mfa-code:${u.user.id}`)).toBe(0);
    const done = await app.login({ mfaTempToken, otpCode: code });
    expect(done.status).toBe(200);
    expect(done.body.token).toEqual(expect.any(String));
  });

  it('wrong codes still count (control): the per-user cap answers 429 after three', async () => {
    const u = await addUser(app, { email: 'sam@example.com', mfa: true });
    nextTotpStep(app.clock);
    const mfaTempToken = (await app.login({ email: u.email, password: u.password })).body.mfaTempToken as string;
    for (let i = 0; i < 3; i++) expectConnectError(await app.login({ mfaTempToken, otpCode: '000000' }), 'unauthenticated', 401);
    expectConnectError(await app.login({ mfaTempToken, otpCode: await totpAt(u.totpSecret, app.clock) }), 'resource_exhausted', 429);
  });

  it('clearing the per-user count after a success may fail: the login still completes', async () => {
    const u = await addUser(app, { email: 'tess@example.com', mfa: true });
    nextTotpStep(app.clock);
    const mfaTempToken = (await app.login({ email: u.email, password: u.password })).body.mfaTempToken as string;
    const restore = breakStore('limiter', 'reset');
    try {
      expect((await app.login({ mfaTempToken, otpCode: await totpAt(u.totpSecret, app.clock) })).status).toBe(200);
    } finally {
      restore();
    }
  });
});

describe('IdP login', () => {
  it('a store outage while linking the IdP account is 503, not the 401 of a link conflict', async () => {
    await addUser(app, { email: 'olga@example.com' });
    const restore = breakStore('users', 'linkIdp');
    try {
      const res = await app.login({ idpName: 'idps/corp', idpContext: { oidcContext: { code: await idp.authorizationCode('olga') } } });
      expectConnectError(res, 'unavailable', 503);
    } finally {
      restore();
    }
    const res = await app.login({ idpName: 'idps/corp', idpContext: { oidcContext: { code: await idp.authorizationCode('olga') } } });
    expect(res.status).toBe(200);
  });
});
