/**
 * Store conformance suite: what every implementation of the core's store ports must show — the in-memory
 * stores, PGlite and PostgreSQL here, and any store a plugin author writes. It pins down each port method's
 * semantics (as `createMemoryStores()` defines them), expiry decided only by the `now` passed in, purging,
 * and atomicity under concurrency: exactly one winner for every single-use thing, exactly N for a count of N.
 *
 * Usage (vitest):
 *   runStoreConformance('memory', async () => ({ stores: createMemoryStores(), cleanup: async () => {} }));
 *
 * The factory is called once per group of tests (and once per test for purge tests), so each group starts
 * empty; tests inside a group use fresh random ids. When the fixture has `peer()`, the concurrency proofs
 * split their calls across two instances over the same data (e.g. two connection pools: two processes).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { RefreshTokenRecord, StoredKey, Stores, TokenSession } from '@gatehouse-auth/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { storeErrorShape } from './store-helpers.js';

export interface StoreInstance {
  stores: Stores;
  cleanup(): Promise<void>;
}

export interface StoreFixture extends StoreInstance {
  /** Opens another instance over the same data (a second pool on the same database: another process). */
  peer?(): Promise<StoreInstance>;
}

export type StoreFactory = () => Promise<StoreFixture>;

export interface StoreConformanceOptions {
  /** Skip the whole suite; the reason is shown in the suite's name (e.g. `DATABASE_URL is not set`). */
  skip?: string | false;
  /** Fail when the fixture has no `peer()` (to make sure the cross-instance proofs really ran). */
  requirePeer?: boolean;
  /** Per-test timeout in ms (concurrency proofs against a remote database may need more). Default 60 s. */
  timeoutMs?: number;
}

/** A fixed start time: every time in the suite is derived from it and passed in, never read from a clock. */
const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const uid = (prefix: string) => `${prefix}-${randomUUID()}`;
const HOUR = 3600;
const DAY = 24 * HOUR;

const sha256Hex = (n: number) => n.toString(16).padStart(64, '0');

function session(overrides: Partial<TokenSession> = {}): TokenSession {
  return {
    jti: uid('jti'),
    subjectKey: `identity:${uid('subject')}`,
    authMethod: 'conformance',
    createdAt: T0,
    ttl: HOUR,
    maxExpiresAt: at(DAY),
    expiresAt: at(HOUR),
    numUsesLimit: 0,
    numUses: 0,
    trustedIps: ['10.0.0.0/8', '2001:db8::/32'],
    revokedAt: null,
    ...overrides,
  };
}

function refresh(overrides: Partial<Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>> = {}) {
  return { hash: uid('refresh-hash'), family: uid('family'), userId: uid('user'), createdAt: T0, expiresAt: at(DAY), ...overrides };
}

function key(overrides: Partial<StoredKey> = {}): StoredKey {
  const kid = uid('kid');
  return {
    kid,
    alg: 'ES256',
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate', kid, alg: 'ES256', use: 'sig' },
    privateJwk: { kty: 'EC', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate', d: 'private-scalar', kid, alg: 'ES256' },
    createdAt: T0,
    notBefore: T0,
    retiredAt: null,
    notAfter: null,
    ...overrides,
  };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

export function runStoreConformance(name: string, factory: StoreFactory, options: StoreConformanceOptions = {}): void {
  const timeout = options.timeoutMs ?? 60_000;
  if (options.skip) {
    describe.skip(`store conformance: ${name} (skipped: ${options.skip})`, () => {
      it('runs when its backing store is available', () => undefined);
    });
    return;
  }

  /** A describe block with its own fixture: once for the block, or fresh for every test. */
  function group(title: string, body: (fixture: () => StoreFixture) => void, fresh: 'block' | 'test' = 'block') {
    describe(title, () => {
      let fx: StoreFixture | undefined;
      const open = async () => {
        fx = await factory();
      };
      const close = async () => {
        const f = fx;
        fx = undefined;
        await f?.cleanup();
      };
      if (fresh === 'test') {
        beforeEach(open, timeout);
        afterEach(close, timeout);
      } else {
        beforeAll(open, timeout);
        afterAll(close, timeout);
      }
      body(() => {
        if (!fx) throw new Error('store fixture is not open');
        return fx;
      });
    });
  }

  describe(`store conformance: ${name}`, () => {
    // ── identities ──────────────────────────────────────────────────────────────────────────────
    group('identities', (fx) => {
      const s = () => fx().stores.identities;

      it('create assigns an id; get and list return the same identity', { timeout }, async () => {
        const created = await s().create({ name: 'ci-runner' }, T0);
        expect(created).toEqual({ id: expect.any(String), name: 'ci-runner', organizationSlug: null, createdAt: T0 });
        expect(created.id.length).toBeGreaterThan(0);
        expect(await s().get(created.id)).toEqual(created);
        expect((await s().list()).filter((i) => i.id === created.id)).toEqual([created]);
      });

      it('create keeps a given id and organisation; a duplicate id is refused as identity_exists', { timeout }, async () => {
        const id = uid('identity');
        const created = await s().create({ id, name: 'first', organizationSlug: 'acme' }, at(5));
        expect(created).toEqual({ id, name: 'first', organizationSlug: 'acme', createdAt: at(5) });
        const err = await caught(s().create({ id, name: 'second' }, at(6)));
        expect(storeErrorShape(err)).toEqual({ kind: 'bad_request', reasonCode: 'identity_exists' });
        expect((await s().get(id))?.name).toBe('first');
      });

      it('get of an unknown id is null', { timeout }, async () => {
        expect(await s().get(uid('missing'))).toBeNull();
      });

      it('text a database cannot hold (NUL) is stored faithfully or refused as the caller\'s 4xx, never a 500', { timeout }, async () => {
        // The pipeline refuses such input before any store is called; this is the second line of defence.
        const id = `${uid('nul')}\u0000x`;
        let created: unknown;
        try {
          created = await s().create({ id, name: 'nul' }, T0);
        } catch (err) {
          expect(storeErrorShape(err)).toEqual({ kind: 'bad_request', reasonCode: 'unstorable_characters' });
          const lookup = await s().get(id).then(() => null, (e: unknown) => storeErrorShape(e));
          expect(lookup === null || (lookup as { kind?: unknown }).kind === 'bad_request').toBe(true);
          return;
        }
        expect(created).toMatchObject({ id });
        expect(await s().get(id)).toEqual(created);
      });

      it('putMethod on an unknown identity is refused as identity_not_found', { timeout }, async () => {
        const err = await caught(s().putMethod({ identityId: uid('missing'), method: 'm', config: {}, token: tokenSettings() }, T0));
        expect(storeErrorShape(err)).toEqual({ kind: 'not_found', reasonCode: 'identity_not_found' });
      });

      it('putMethod stores config and token settings exactly; getMethod and listMethods return them', { timeout }, async () => {
        const { id } = await s().create({ name: 'with-method' }, T0);
        const config = { secret: 's3cr3t-value', list: [1, 'two', { three: 3 }], nested: { yes: true, no: false, none: null }, unicode: 'ünïcødé ✓' };
        const token = tokenSettings({ accessTokenNumUsesLimit: 7, accessTokenTrustedIps: ['192.0.2.0/24'] });
        const put = await s().putMethod({ identityId: id, method: 'alpha', config, token }, at(10));
        const expected = { identityId: id, method: 'alpha', config, token, createdAt: at(10), updatedAt: at(10) };
        expect(put).toEqual(expected);
        expect(await s().getMethod(id, 'alpha')).toEqual(expected);
        expect(await s().listMethods(id)).toEqual([expected]);
        expect(await s().getMethod(id, 'beta')).toBeNull();
      });

      it('getWithMethod (when a store offers it) answers exactly what get + getMethod answer, in every case', { timeout }, async () => {
        const store = s();
        if (!store.getWithMethod) return;
        const { id } = await store.create({ name: 'joined', organizationSlug: 'acme' }, T0);
        const other = await store.create({ name: 'other' }, T0);
        const config = { secret: 'x', nested: { list: [1, 2] } };
        await store.putMethod({ identityId: id, method: 'alpha', config, token: tokenSettings({ accessTokenTTL: 60 }) }, at(5));
        await store.putMethod({ identityId: other.id, method: 'beta', config: { other: true }, token: tokenSettings() }, at(6));
        for (const [identityId, method] of [[id, 'alpha'], [id, 'beta'], [other.id, 'alpha'], [other.id, 'beta'], [uid('missing'), 'alpha']] as const) {
          const identity = await store.get(identityId);
          const expected = identity ? { identity, method: await store.getMethod(identityId, method) } : null;
          expect(await store.getWithMethod(identityId, method)).toEqual(expected);
        }
      });

      it('putMethod again replaces config and token, keeps createdAt and moves updatedAt', { timeout }, async () => {
        const { id } = await s().create({ name: 'replace' }, T0);
        await s().putMethod({ identityId: id, method: 'alpha', config: { v: 1, gone: 'x' }, token: tokenSettings() }, at(1));
        const token = tokenSettings({ accessTokenTTL: 60, accessTokenMaxTTL: 120 });
        const second = await s().putMethod({ identityId: id, method: 'alpha', config: { v: 2 }, token }, at(2));
        expect(second).toEqual({ identityId: id, method: 'alpha', config: { v: 2 }, token, createdAt: at(1), updatedAt: at(2) });
        expect(await s().getMethod(id, 'alpha')).toEqual(second);
        expect(await s().listMethods(id)).toHaveLength(1);
      });

      it('listMethods lists only that identity’s methods', { timeout }, async () => {
        const a = await s().create({ name: 'a' }, T0);
        const b = await s().create({ name: 'b' }, T0);
        await s().putMethod({ identityId: a.id, method: 'one', config: { n: 1 }, token: tokenSettings() }, T0);
        await s().putMethod({ identityId: a.id, method: 'two', config: { n: 2 }, token: tokenSettings() }, T0);
        await s().putMethod({ identityId: b.id, method: 'one', config: { n: 3 }, token: tokenSettings() }, T0);
        const methods = await s().listMethods(a.id);
        expect(methods.map((m) => [m.method, m.config]).sort()).toEqual([
          ['one', { n: 1 }],
          ['two', { n: 2 }],
        ]);
        expect(await s().listMethods(uid('missing'))).toEqual([]);
      });

      it('removeMethod removes once', { timeout }, async () => {
        const { id } = await s().create({ name: 'remove' }, T0);
        await s().putMethod({ identityId: id, method: 'one', config: {}, token: tokenSettings() }, T0);
        expect(await s().removeMethod(id, 'one')).toBe(true);
        expect(await s().removeMethod(id, 'one')).toBe(false);
        expect(await s().getMethod(id, 'one')).toBeNull();
        expect(await s().get(id)).not.toBeNull();
      });

      it('addMethod inserts only when the method is absent: a second add is null and changes nothing', { timeout }, async () => {
        const { id } = await s().create({ name: 'add-once' }, T0);
        const first = await s().addMethod({ identityId: id, method: 'one', config: { v: 1 }, token: tokenSettings() }, at(1));
        expect(first).toEqual({ identityId: id, method: 'one', config: { v: 1 }, token: tokenSettings(), createdAt: at(1), updatedAt: at(1) });
        expect(await s().addMethod({ identityId: id, method: 'one', config: { v: 2 }, token: tokenSettings({ accessTokenTTL: 5, accessTokenMaxTTL: 5 }) }, at(2))).toBeNull();
        expect(await s().getMethod(id, 'one')).toEqual(first);
        const err = await caught(s().addMethod({ identityId: uid('missing'), method: 'one', config: {}, token: tokenSettings() }, T0));
        expect(storeErrorShape(err)).toEqual({ kind: 'not_found', reasonCode: 'identity_not_found' });
      });

      it('replaceMethod is a compare-and-swap on updatedAt, which moves forward on every write (even at the same now)', { timeout }, async () => {
        const { id } = await s().create({ name: 'cas' }, T0);
        const put = await s().putMethod({ identityId: id, method: 'one', config: { v: 1 }, token: tokenSettings() }, at(1));
        const token = tokenSettings({ accessTokenNumUsesLimit: 3 });
        const second = await s().replaceMethod({ identityId: id, method: 'one', config: { v: 2 }, token }, at(1), put.updatedAt);
        expect(second).toEqual({ identityId: id, method: 'one', config: { v: 2 }, token, createdAt: at(1), updatedAt: new Date(at(1).getTime() + 1) });
        // A stale read is refused and writes nothing.
        expect(await s().replaceMethod({ identityId: id, method: 'one', config: { v: 3 }, token: tokenSettings() }, at(5), put.updatedAt)).toBeNull();
        expect(await s().getMethod(id, 'one')).toEqual(second);
        const third = await s().replaceMethod({ identityId: id, method: 'one', config: { v: 3 }, token: tokenSettings() }, at(5), second!.updatedAt);
        expect(third).toMatchObject({ config: { v: 3 }, createdAt: at(1), updatedAt: at(5) });
        // A removed method is never brought back.
        expect(await s().removeMethod(id, 'one')).toBe(true);
        expect(await s().replaceMethod({ identityId: id, method: 'one', config: { v: 4 }, token: tokenSettings() }, at(6), third!.updatedAt)).toBeNull();
        expect(await s().getMethod(id, 'one')).toBeNull();
        expect(await s().replaceMethod({ identityId: uid('missing'), method: 'one', config: {}, token: tokenSettings() }, at(6), at(5))).toBeNull();
      });

      it('delete removes the identity with its methods; a re-created identity starts clean', { timeout }, async () => {
        const id = uid('identity');
        await s().create({ id, name: 'doomed' }, T0);
        await s().putMethod({ identityId: id, method: 'one', config: { old: true }, token: tokenSettings() }, T0);
        expect(await s().delete(id)).toBe(true);
        expect(await s().delete(id)).toBe(false);
        expect(await s().get(id)).toBeNull();
        expect(await s().getMethod(id, 'one')).toBeNull();
        expect((await s().list()).some((i) => i.id === id)).toBe(false);
        await s().create({ id, name: 'reborn' }, at(1));
        expect(await s().listMethods(id)).toEqual([]);
      });

      it('returned values are copies or frozen: mutating one does not change the store', { timeout }, async () => {
        const { id } = await s().create({ name: 'copies' }, T0);
        const input = { list: [1] };
        const put = await s().putMethod({ identityId: id, method: 'one', config: input, token: tokenSettings() }, T0);
        input.list.push(9);
        const tryPush = (config: unknown, n: number) => {
          try {
            (config as { list: number[] }).list.push(n);
          } catch {
            // frozen: fine
          }
        };
        tryPush(put.config, 2);
        tryPush((await s().getMethod(id, 'one'))!.config, 3);
        expect((await s().getMethod(id, 'one'))!.config).toEqual({ list: [1] });
      });
    });

    // ── users ───────────────────────────────────────────────────────────────────────────────────
    group('users', (fx) => {
      const s = () => fx().stores.users;

      it('create fills the documented defaults', { timeout }, async () => {
        const username = uid('user');
        const user = await s().create({ username, displayName: 'Plain User' }, T0);
        expect(user).toEqual({
          id: expect.any(String),
          username,
          email: null,
          displayName: 'Plain User',
          passwordHash: null,
          passwordChangedAt: null,
          requireResetPassword: false,
          disabled: false,
          title: '',
          phone: '',
          userType: 'USER',
          groups: [],
          mfa: { totpSecret: null, pendingTotpSecret: null, pendingCreatedAt: null, enabled: false },
          lastLoginAt: null,
          source: 'password',
          createdAt: T0,
        });
        expect(await s().getById(user.id)).toEqual(user);
      });

      it('create with a password hash sets passwordChangedAt to now unless given', { timeout }, async () => {
        const a = await s().create({ username: uid('u'), displayName: 'A', passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA' }, at(3));
        expect(a.passwordChangedAt).toEqual(at(3));
        const b = await s().create({ username: uid('u'), displayName: 'B', passwordHash: '$argon2id$x', passwordChangedAt: at(-100) }, at(3));
        expect(b.passwordChangedAt).toEqual(at(-100));
      });

      it('create round-trips every field', { timeout }, async () => {
        const input = {
          id: uid('id'),
          username: uid('full'),
          displayName: 'Full User',
          email: `${uid('mail')}@example.test`,
          passwordHash: '$argon2id$v=19$full',
          passwordChangedAt: at(-50),
          requireResetPassword: true,
          disabled: true,
          title: 'Engineer',
          phone: '+1 555 0100',
          userType: 'SERVICE_ACCOUNT' as const,
          groups: ['admins', 'ops', 'ünïcødé'],
          lastLoginAt: at(-10),
          source: 'idps/corp',
        };
        const user = await s().create(input, T0);
        expect(user).toEqual({ ...input, mfa: { totpSecret: null, pendingTotpSecret: null, pendingCreatedAt: null, enabled: false }, createdAt: T0 });
        expect(await s().getByUsername(input.username)).toEqual(user);
        expect(await s().getByEmail(input.email)).toEqual(user);
      });

      it('refuses a taken username, email or id as user_exists; several users may have no email', { timeout }, async () => {
        const email = `${uid('dup')}@example.test`;
        const first = await s().create({ username: uid('dup'), displayName: 'First', email }, T0);
        for (const input of [
          { username: first.username, displayName: 'Same username' },
          { username: uid('other'), displayName: 'Same email', email },
          { id: first.id, username: uid('other'), displayName: 'Same id' },
        ]) {
          const err = await caught(s().create(input, T0));
          expect(storeErrorShape(err)).toEqual({ kind: 'bad_request', reasonCode: 'user_exists' });
        }
        await s().create({ username: uid('noemail'), displayName: 'No email 1' }, T0);
        await s().create({ username: uid('noemail'), displayName: 'No email 2' }, T0);
      });

      it('lookups of unknown users are null; list contains created users', { timeout }, async () => {
        expect(await s().getById(uid('missing'))).toBeNull();
        expect(await s().getByUsername(uid('missing'))).toBeNull();
        expect(await s().getByEmail(`${uid('missing')}@example.test`)).toBeNull();
        const u = await s().create({ username: uid('listed'), displayName: 'Listed' }, T0);
        expect((await s().list()).filter((x) => x.id === u.id)).toEqual([u]);
      });

      it('update writes the patched fields only and returns the user', { timeout }, async () => {
        const u = await s().create({ username: uid('patch'), displayName: 'Before', groups: ['a'], title: 'keep' }, T0);
        const email = `${uid('new')}@example.test`;
        const updated = await s().update(u.id, {
          email,
          displayName: 'After',
          passwordHash: '$argon2id$new',
          passwordChangedAt: at(7),
          requireResetPassword: true,
          disabled: true,
          phone: '123',
          groups: ['b', 'c'],
          lastLoginAt: at(8),
        });
        const expected = {
          ...u,
          email,
          displayName: 'After',
          passwordHash: '$argon2id$new',
          passwordChangedAt: at(7),
          requireResetPassword: true,
          disabled: true,
          phone: '123',
          groups: ['b', 'c'],
          lastLoginAt: at(8),
        };
        expect(updated).toEqual(expected);
        expect(await s().getById(u.id)).toEqual(expected);
        expect(await s().getByEmail(email)).toEqual(expected);
        expect(await s().update(u.id, {})).toEqual(expected);
        const cleared = await s().update(u.id, { email: null, groups: [] });
        expect(cleared).toEqual({ ...expected, email: null, groups: [] });
        expect(await s().getByEmail(email)).toBeNull();
      });

      it('update of an unknown user is null; a taken email is refused as user_exists on email', { timeout }, async () => {
        expect(await s().update(uid('missing'), { displayName: 'x' })).toBeNull();
        const email = `${uid('taken')}@example.test`;
        await s().create({ username: uid('owner'), displayName: 'Owner', email }, T0);
        const other = await s().create({ username: uid('other'), displayName: 'Other' }, T0);
        const err = await caught(s().update(other.id, { email, displayName: 'Changed' }));
        expect(storeErrorShape(err)).toEqual({ kind: 'bad_request', reasonCode: 'user_exists' });
        expect((err as { fields?: unknown }).fields).toEqual(['email']);
        expect(await s().getById(other.id)).toEqual(other);
      });

      it('setMfa stores secrets, pending enrolment and the enabled flag; clearing works', { timeout }, async () => {
        const u = await s().create({ username: uid('mfa'), displayName: 'MFA' }, T0);
        const pending = { totpSecret: null, pendingTotpSecret: 'JBSWY3DPEHPK3PXP', pendingCreatedAt: at(1), enabled: false };
        await s().setMfa(u.id, pending);
        expect((await s().getById(u.id))!.mfa).toEqual(pending);
        const enabled = { totpSecret: 'JBSWY3DPEHPK3PXP', pendingTotpSecret: null, pendingCreatedAt: null, enabled: true };
        await s().setMfa(u.id, enabled);
        expect((await s().getByUsername(u.username))!.mfa).toEqual(enabled);
        const off = { totpSecret: null, pendingTotpSecret: null, pendingCreatedAt: null, enabled: false };
        await s().setMfa(u.id, off);
        expect((await s().getById(u.id))!.mfa).toEqual(off);
        await s().setMfa(uid('missing'), enabled);
        expect(await s().getById(u.id)).toEqual({ ...u, mfa: off });
      });

      it('recovery codes: replace, count, consume once, per user', { timeout }, async () => {
        const a = await s().create({ username: uid('rc'), displayName: 'A' }, T0);
        const b = await s().create({ username: uid('rc'), displayName: 'B' }, T0);
        const codes = [sha256Hex(1), sha256Hex(2), sha256Hex(3)];
        await s().replaceRecoveryCodes(a.id, codes);
        await s().replaceRecoveryCodes(b.id, [sha256Hex(9)]);
        expect(await s().countRecoveryCodes(a.id)).toBe(3);
        expect(await s().consumeRecoveryCode(b.id, codes[0]!)).toBe(false);
        expect(await s().consumeRecoveryCode(a.id, codes[0]!)).toBe(true);
        expect(await s().consumeRecoveryCode(a.id, codes[0]!)).toBe(false);
        expect(await s().consumeRecoveryCode(a.id, sha256Hex(4))).toBe(false);
        expect(await s().countRecoveryCodes(a.id)).toBe(2);
        await s().replaceRecoveryCodes(a.id, [sha256Hex(5), sha256Hex(6)]);
        expect(await s().consumeRecoveryCode(a.id, codes[1]!)).toBe(false);
        expect(await s().countRecoveryCodes(a.id)).toBe(2);
        expect(await s().consumeRecoveryCode(a.id, sha256Hex(6))).toBe(true);
        await s().replaceRecoveryCodes(a.id, []);
        expect(await s().countRecoveryCodes(a.id)).toBe(0);
        expect(await s().countRecoveryCodes(b.id)).toBe(1);
        expect(await s().consumeRecoveryCode(uid('missing'), sha256Hex(1))).toBe(false);
      });

      it('IdP links: link, find, idempotent relink, refused for another user', { timeout }, async () => {
        const a = await s().create({ username: uid('idp'), displayName: 'A' }, T0);
        const b = await s().create({ username: uid('idp'), displayName: 'B' }, T0);
        const subject = uid('sub');
        await s().linkIdp(a.id, 'corp', subject);
        await s().linkIdp(a.id, 'corp', subject);
        expect(await s().findByIdpLink('corp', subject)).toEqual(a);
        const err = await caught(s().linkIdp(b.id, 'corp', subject));
        expect(storeErrorShape(err)).toEqual({ kind: 'bad_request', reasonCode: 'idp_link_exists' });
        expect((await s().findByIdpLink('corp', subject))?.id).toBe(a.id);
        await s().linkIdp(b.id, 'other-idp', subject);
        expect((await s().findByIdpLink('other-idp', subject))?.id).toBe(b.id);
        expect(await s().findByIdpLink('corp', uid('nobody'))).toBeNull();
      });
    });

    // ── tokens ──────────────────────────────────────────────────────────────────────────────────
    group('tokens', (fx) => {
      const s = () => fx().stores.tokens;

      it('createSession / getSession round-trip', { timeout }, async () => {
        const sess = session({ numUsesLimit: 4, trustedIps: ['0.0.0.0/0', '::/0'] });
        await s().createSession(sess);
        expect(await s().getSession(sess.jti)).toEqual(sess);
        expect(await s().getSession(uid('missing'))).toBeNull();
      });

      it('useSession of an unknown jti is unknown', { timeout }, async () => {
        expect(await s().useSession(uid('missing'), { consume: true, now: T0 })).toEqual({ status: 'unknown', session: null });
      });

      it('without a use limit nothing is counted', { timeout }, async () => {
        const sess = session();
        await s().createSession(sess);
        for (let i = 0; i < 3; i++) expect(await s().useSession(sess.jti, { consume: true, now: at(1) })).toEqual({ status: 'ok', session: sess });
        expect((await s().getSession(sess.jti))!.numUses).toBe(0);
      });

      it('with limit 3 exactly three consuming uses succeed; checks without consuming still pass', { timeout }, async () => {
        const sess = session({ numUsesLimit: 3 });
        await s().createSession(sess);
        for (const n of [1, 2, 3]) {
          expect(await s().useSession(sess.jti, { consume: true, now: at(1) })).toEqual({ status: 'ok', session: { ...sess, numUses: n } });
        }
        expect(await s().useSession(sess.jti, { consume: true, now: at(1) })).toEqual({ status: 'exhausted', session: { ...sess, numUses: 3 } });
        expect(await s().useSession(sess.jti, { consume: false, now: at(1) })).toEqual({ status: 'ok', session: { ...sess, numUses: 3 } });
        expect((await s().getSession(sess.jti))!.numUses).toBe(3);
      });

      it('expiry is decided by the passed-in now (expired at expiresAt), and an expired use is not counted', { timeout }, async () => {
        const sess = session({ numUsesLimit: 5 });
        await s().createSession(sess);
        expect((await s().useSession(sess.jti, { consume: false, now: new Date(sess.expiresAt.getTime() - 1) })).status).toBe('ok');
        expect(await s().useSession(sess.jti, { consume: true, now: sess.expiresAt })).toEqual({ status: 'expired', session: sess });
        expect((await s().getSession(sess.jti))!.numUses).toBe(0);
      });

      it('revokeSession revokes once; a revoked session reports revoked before expired', { timeout }, async () => {
        const sess = session({ numUsesLimit: 2 });
        await s().createSession(sess);
        expect(await s().revokeSession(sess.jti, at(60))).toBe(true);
        expect(await s().revokeSession(sess.jti, at(61))).toBe(false);
        expect(await s().revokeSession(uid('missing'), at(61))).toBe(false);
        const revoked = { ...sess, revokedAt: at(60) };
        expect(await s().useSession(sess.jti, { consume: true, now: at(61) })).toEqual({ status: 'revoked', session: revoked });
        expect(await s().useSession(sess.jti, { consume: false, now: at(2 * DAY) })).toEqual({ status: 'revoked', session: revoked });
        expect(await s().extendSession(sess.jti, at(2 * HOUR))).toBeNull();
        expect(await s().getSession(sess.jti)).toEqual(revoked);
      });

      it('revokeSubject revokes sessions created at or before the cut-off, only for that subject', { timeout }, async () => {
        const subjectKey = `user:${uid('subject')}`;
        const before = session({ subjectKey, createdAt: at(10) });
        const exactly = session({ subjectKey, createdAt: at(20) });
        const after = session({ subjectKey, createdAt: at(21) });
        const other = session({ createdAt: at(10) });
        for (const x of [before, exactly, after, other]) await s().createSession(x);
        expect(await s().getSubjectRevokedBefore(subjectKey)).toBeNull();
        await s().revokeSubject(subjectKey, at(20));
        expect(await s().getSubjectRevokedBefore(subjectKey)).toEqual(at(20));
        expect((await s().useSession(before.jti, { consume: true, now: at(30) })).status).toBe('revoked');
        expect((await s().useSession(exactly.jti, { consume: true, now: at(30) })).status).toBe('revoked');
        expect((await s().useSession(after.jti, { consume: true, now: at(30) })).status).toBe('ok');
        expect((await s().useSession(other.jti, { consume: true, now: at(30) })).status).toBe('ok');
        await s().revokeSubject(subjectKey, at(15));
        expect(await s().getSubjectRevokedBefore(subjectKey)).toEqual(at(20));
        await s().revokeSubject(subjectKey, at(25));
        expect(await s().getSubjectRevokedBefore(subjectKey)).toEqual(at(25));
        expect((await s().useSession(after.jti, { consume: false, now: at(30) })).status).toBe('revoked');
      });

      it('revokeSubjectMethod revokes that subject\'s sessions of that method only, and counts what it revoked', { timeout }, async () => {
        const subjectKey = `identity:${uid('subject')}`;
        const a = session({ subjectKey, authMethod: 'alpha' });
        const b = session({ subjectKey, authMethod: 'alpha' });
        const other = session({ subjectKey, authMethod: 'beta' });
        const elsewhere = session({ authMethod: 'alpha' });
        for (const x of [a, b, other, elsewhere]) await s().createSession(x);
        await s().revokeSession(b.jti, at(1));
        expect(await s().revokeSubjectMethod(subjectKey, 'alpha', at(2))).toBe(1);
        expect(await s().revokeSubjectMethod(subjectKey, 'alpha', at(3))).toBe(0);
        expect(await s().getSession(a.jti)).toEqual({ ...a, revokedAt: at(2) });
        expect((await s().getSession(b.jti))!.revokedAt).toEqual(at(1));
        expect((await s().useSession(a.jti, { consume: false, now: at(4) })).status).toBe('revoked');
        expect((await s().useSession(other.jti, { consume: false, now: at(4) })).status).toBe('ok');
        expect((await s().useSession(elsewhere.jti, { consume: false, now: at(4) })).status).toBe('ok');
      });

      it('extendSession moves the expiry; unknown sessions give null', { timeout }, async () => {
        const sess = session();
        await s().createSession(sess);
        const extended = await s().extendSession(sess.jti, at(2 * HOUR));
        expect(extended).toEqual({ ...sess, expiresAt: at(2 * HOUR) });
        expect((await s().useSession(sess.jti, { consume: true, now: at(HOUR + 1) })).status).toBe('ok');
        expect((await s().useSession(sess.jti, { consume: true, now: at(2 * HOUR) })).status).toBe('expired');
        expect(await s().extendSession(uid('missing'), at(2 * HOUR))).toBeNull();
      });

      it('refresh tokens: first exchange ok, the second reports reused', { timeout }, async () => {
        const r = refresh();
        await s().createRefreshToken(r);
        expect(await s().consumeRefreshToken(r.hash, at(5))).toEqual({ status: 'ok', record: { ...r, usedAt: at(5), revokedAt: null } });
        expect(await s().consumeRefreshToken(r.hash, at(6))).toEqual({ status: 'reused', record: { ...r, usedAt: at(5), revokedAt: null } });
        expect(await s().consumeRefreshToken(uid('missing'), at(6))).toEqual({ status: 'unknown' });
      });

      it('refresh tokens expire at expiresAt; a used token reports reused even after expiry', { timeout }, async () => {
        const r = refresh({ expiresAt: at(100) });
        await s().createRefreshToken(r);
        expect(await s().consumeRefreshToken(r.hash, at(100))).toEqual({ status: 'expired' });
        const used = refresh({ expiresAt: at(100) });
        await s().createRefreshToken(used);
        expect((await s().consumeRefreshToken(used.hash, at(99))).status).toBe('ok');
        expect(await s().consumeRefreshToken(used.hash, at(200))).toEqual({ status: 'reused', record: { ...used, usedAt: at(99), revokedAt: null } });
      });

      it('revokeRefreshFamily revokes every token of the family, also ones created later', { timeout }, async () => {
        const family = uid('family');
        const used = refresh({ family });
        const unused = refresh({ family });
        const otherFamily = refresh();
        for (const r of [used, unused, otherFamily]) await s().createRefreshToken(r);
        expect((await s().consumeRefreshToken(used.hash, at(1))).status).toBe('ok');
        await s().revokeRefreshFamily(family, at(2));
        expect(await s().consumeRefreshToken(used.hash, at(3))).toEqual({ status: 'revoked' });
        expect(await s().consumeRefreshToken(unused.hash, at(3))).toEqual({ status: 'revoked' });
        const later = refresh({ family, createdAt: at(4) });
        await s().createRefreshToken(later);
        expect(await s().consumeRefreshToken(later.hash, at(5))).toEqual({ status: 'revoked' });
        expect((await s().consumeRefreshToken(otherFamily.hash, at(5))).status).toBe('ok');
      });
    });

    // ── admin credentials ───────────────────────────────────────────────────────────────────────
    group('admin credentials', (fx) => {
      const s = () => fx().stores.adminCredentials;
      const hash = () => createHash('sha256').update(uid('token')).digest('hex');

      it('create assigns an id; get, list and findByHash return it; the hash is never part of what comes back', { timeout }, async () => {
        const tokenHash = hash();
        const created = await s().create({ name: 'terraform', tokenHash, scopes: ['identities:write', 'alicloud-auth:read'], expiresAt: at(DAY) }, at(1));
        expect(created).toEqual({ id: expect.any(String), name: 'terraform', scopes: ['identities:write', 'alicloud-auth:read'], createdAt: at(1), expiresAt: at(DAY), revokedAt: null, lastUsedAt: null });
        expect(await s().get(created.id)).toEqual(created);
        expect(await s().findByHash(tokenHash)).toEqual(created);
        expect((await s().list()).filter((c) => c.id === created.id)).toEqual([created]);
        expect(JSON.stringify(await s().list())).not.toContain(tokenHash);
        expect(await s().findByHash(hash())).toBeNull();
        expect(await s().get(uid('missing'))).toBeNull();
        const forever = await s().create({ id: uid('given'), name: 'no expiry', tokenHash: hash(), scopes: ['*:read'], expiresAt: null }, T0);
        expect(forever.expiresAt).toBeNull();
      });

      it('a duplicate id or token hash is refused as admin_credential_exists', { timeout }, async () => {
        const tokenHash = hash();
        const first = await s().create({ name: 'first', tokenHash, scopes: ['*:read'], expiresAt: null }, T0);
        for (const input of [
          { name: 'same hash', tokenHash, scopes: ['*:read'], expiresAt: null },
          { id: first.id, name: 'same id', tokenHash: hash(), scopes: ['*:read'], expiresAt: null },
        ]) {
          expect(storeErrorShape(await caught(s().create(input, T0)))).toEqual({ kind: 'bad_request', reasonCode: 'admin_credential_exists' });
        }
        expect(await s().findByHash(tokenHash)).toEqual(first);
      });

      it('markUsed moves lastUsedAt forward only, and only while the credential is live at now', { timeout }, async () => {
        const c = await s().create({ name: 'used', tokenHash: hash(), scopes: ['*:read'], expiresAt: at(100) }, T0);
        expect(await s().markUsed(c.id, at(10))).toBe(true);
        expect((await s().get(c.id))!.lastUsedAt).toEqual(at(10));
        expect(await s().markUsed(c.id, at(5))).toBe(true);
        expect((await s().get(c.id))!.lastUsedAt).toEqual(at(10));
        expect(await s().markUsed(c.id, at(99))).toBe(true);
        // Expired at expiresAt: refused, and nothing written.
        expect(await s().markUsed(c.id, at(100))).toBe(false);
        expect((await s().get(c.id))!.lastUsedAt).toEqual(at(99));
        expect(await s().markUsed(uid('missing'), at(1))).toBe(false);
      });

      it('revoke revokes once; a revoked credential is never marked used again, whatever the time', { timeout }, async () => {
        const c = await s().create({ name: 'revoked', tokenHash: hash(), scopes: ['*:write'], expiresAt: null }, T0);
        expect(await s().revoke(c.id, at(20))).toBe(true);
        expect(await s().revoke(c.id, at(21))).toBe(false);
        expect(await s().get(c.id)).toEqual({ ...c, revokedAt: at(20) });
        expect(await s().markUsed(c.id, at(1))).toBe(false);
        expect(await s().markUsed(c.id, at(30))).toBe(false);
        expect((await s().get(c.id))!.lastUsedAt).toBeNull();
        expect(await s().revoke(uid('missing'), at(1))).toBe(false);
      });

      it('returned values are copies: mutating one does not change the store', { timeout }, async () => {
        const c = await s().create({ name: 'copy', tokenHash: hash(), scopes: ['users:read'], expiresAt: null }, T0);
        c.scopes.push('*:write');
        (await s().get(c.id))!.scopes.push('*:write');
        expect((await s().get(c.id))!.scopes).toEqual(['users:read']);
      });
    });

    // ── replay ──────────────────────────────────────────────────────────────────────────────────
    group('replay', (fx) => {
      const s = () => fx().stores.replay;

      it('claim succeeds once per namespace and key', { timeout }, async () => {
        const k = uid('nonce');
        expect(await s().claim('ns-a', k, at(60), T0)).toBe(true);
        expect(await s().claim('ns-a', k, at(60), at(1))).toBe(false);
        expect(await s().claim('ns-a', k, at(120), at(59))).toBe(false);
        expect(await s().claim('ns-b', k, at(60), T0)).toBe(true);
        expect(await s().claim('ns-a', `${k}-2`, at(60), T0)).toBe(true);
      });

      it('an expired claim can be claimed again, and then holds until its new expiry', { timeout }, async () => {
        const k = uid('otp');
        expect(await s().claim('otp', k, at(30), T0)).toBe(true);
        expect(await s().claim('otp', k, at(90), at(30))).toBe(true);
        expect(await s().claim('otp', k, at(200), at(89))).toBe(false);
        expect(await s().claim('otp', k, at(200), at(90))).toBe(true);
      });

      it('long and unicode keys are distinct and claimable', { timeout }, async () => {
        const long = 'k'.repeat(10_000) + uid('');
        expect(await s().claim('long', long, at(60), T0)).toBe(true);
        expect(await s().claim('long', long.slice(0, -1), at(60), T0)).toBe(true);
        expect(await s().claim('long', long, at(60), T0)).toBe(false);
        const uni = `ünïcødé-✓-${uid('')}`;
        expect(await s().claim('long', uni, at(60), T0)).toBe(true);
        expect(await s().claim('long', uni.normalize('NFD'), at(60), T0)).toBe(true);
      });

      it('temp tokens: peek returns payload, attempts and expiry without consuming', { timeout }, async () => {
        const id = uid('temp');
        const payload = { userId: 'u-1', nested: { list: [1, 'two', null], flag: true }, text: 'ünïcødé' };
        await s().createTemp('mfa', id, payload, at(300), 5);
        const expected = { payload, attempts: 0, expiresAt: at(300) };
        expect(await s().peekTemp('mfa', id, at(1))).toEqual(expected);
        expect(await s().peekTemp('mfa', id, at(2))).toEqual(expected);
        expect(await s().peekTemp('other-ns', id, at(2))).toBeNull();
        expect(await s().peekTemp('mfa', uid('missing'), at(2))).toBeNull();
        expect(await s().peekTemp('mfa', id, at(300))).toBeNull();
      });

      it('failTemp counts down and kills the token at zero', { timeout }, async () => {
        const id = uid('temp');
        await s().createTemp('mfa', id, { n: 1 }, at(300), 3);
        expect(await s().failTemp('mfa', id, at(1))).toBe(2);
        expect(await s().peekTemp('mfa', id, at(1))).toEqual({ payload: { n: 1 }, attempts: 1, expiresAt: at(300) });
        expect(await s().failTemp('mfa', id, at(2))).toBe(1);
        expect(await s().failTemp('mfa', id, at(3))).toBe(0);
        expect(await s().failTemp('mfa', id, at(4))).toBe(-1);
        expect(await s().peekTemp('mfa', id, at(4))).toBeNull();
        expect(await s().consumeTemp('mfa', id, at(4))).toBeNull();
      });

      it('failTemp of an unknown or expired token is -1', { timeout }, async () => {
        expect(await s().failTemp('mfa', uid('missing'), T0)).toBe(-1);
        const id = uid('temp');
        await s().createTemp('mfa', id, {}, at(10), 3);
        expect(await s().failTemp('mfa', id, at(10))).toBe(-1);
      });

      it('consumeTemp returns the token once, with its failed attempts; expired tokens are not returned', { timeout }, async () => {
        const id = uid('temp');
        await s().createTemp('mfa', id, { user: 'x' }, at(100), 3);
        await s().failTemp('mfa', id, at(1));
        expect(await s().consumeTemp('mfa', id, at(2))).toEqual({ payload: { user: 'x' }, attempts: 1, expiresAt: at(100) });
        expect(await s().consumeTemp('mfa', id, at(3))).toBeNull();
        expect(await s().peekTemp('mfa', id, at(3))).toBeNull();
        const expiring = uid('temp');
        await s().createTemp('mfa', expiring, { user: 'y' }, at(100), 3);
        expect(await s().consumeTemp('mfa', expiring, at(100))).toBeNull();
      });

      it('createTemp with an existing id replaces payload and resets attempts', { timeout }, async () => {
        const id = uid('temp');
        await s().createTemp('mfa', id, { v: 1 }, at(100), 3);
        await s().failTemp('mfa', id, at(1));
        await s().createTemp('mfa', id, { v: 2 }, at(200), 3);
        expect(await s().peekTemp('mfa', id, at(150))).toEqual({ payload: { v: 2 }, attempts: 0, expiresAt: at(200) });
      });
    });

    // ── limiter ─────────────────────────────────────────────────────────────────────────────────
    group('limiter', (fx) => {
      const s = () => fx().stores.limiter;

      it('hits count up inside a fixed window that starts at the first hit', { timeout }, async () => {
        const k = uid('login');
        expect(await s().hit(k, 60_000, at(0))).toEqual({ count: 1, resetAt: at(60) });
        expect(await s().hit(k, 60_000, at(10))).toEqual({ count: 2, resetAt: at(60) });
        expect(await s().hit(k, 999_000, at(59))).toEqual({ count: 3, resetAt: at(60) });
        expect(await s().peek(k, at(59))).toEqual({ count: 3, resetAt: at(60) });
      });

      it('a hit at or after the window end starts a new window', { timeout }, async () => {
        const k = uid('login');
        await s().hit(k, 60_000, at(0));
        await s().hit(k, 60_000, at(1));
        expect(await s().peek(k, at(60))).toBeNull();
        expect(await s().hit(k, 30_000, at(60))).toEqual({ count: 1, resetAt: at(90) });
      });

      it('peek of unknown keys is null; reset forgets the window; keys are independent', { timeout }, async () => {
        const k = uid('login');
        const other = uid('login');
        expect(await s().peek(k, T0)).toBeNull();
        await s().hit(k, 60_000, T0);
        await s().hit(k, 60_000, T0);
        await s().hit(other, 60_000, T0);
        await s().reset(k);
        expect(await s().peek(k, at(1))).toBeNull();
        expect(await s().hit(k, 60_000, at(1))).toEqual({ count: 1, resetAt: at(61) });
        expect(await s().peek(other, at(1))).toEqual({ count: 1, resetAt: at(60) });
        await s().reset(uid('never-hit'));
        const long = `pw:${'x'.repeat(5_000)}`;
        expect(await s().hit(long, 1_000, T0)).toEqual({ count: 1, resetAt: at(1) });
      });

      it('release takes back one hit of the live window, never below zero, and nothing without a live window', { timeout }, async () => {
        const k = uid('login');
        for (let i = 0; i < 3; i++) await s().hit(k, 60_000, T0);
        await s().release(k, at(1));
        expect(await s().peek(k, at(1))).toEqual({ count: 2, resetAt: at(60) });
        for (let i = 0; i < 4; i++) await s().release(k, at(2));
        expect(await s().peek(k, at(2))).toEqual({ count: 0, resetAt: at(60) });
        expect(await s().hit(k, 60_000, at(3))).toEqual({ count: 1, resetAt: at(60) });
        await s().release(k, at(60));
        expect(await s().peek(k, at(59))).toEqual({ count: 1, resetAt: at(60) });
        const never = uid('never-hit');
        await s().release(never, T0);
        expect(await s().peek(never, T0)).toBeNull();
      });
    });

    // ── signing keys (a fresh store for every test: the store holds one key without a successor) ──
    group(
      'keys',
      (fx) => {
        const s = () => fx().stores.keys;
        const byKid = async () => new Map((await s().list()).map((k) => [k.kid, k]));

        it('the first key is added only while the store holds none, and round-trips', { timeout }, async () => {
          const a = key({ alg: 'EdDSA', createdAt: at(1), notBefore: at(1) });
          expect(await s().list()).toEqual([]);
          expect(await s().addSuccessor(a, { replaces: null })).toBe(true);
          expect(await s().list()).toEqual([a]);
          expect(await s().addSuccessor(key(), { replaces: null })).toBe(false);
          expect(await s().list()).toEqual([a]);
        });

        it('a successor retires the key it replaces in the same step: retiredAt = its notBefore', { timeout }, async () => {
          const a = key();
          const b = key({ createdAt: at(10), notBefore: at(610) });
          await s().addSuccessor(a, { replaces: null });
          expect(await s().addSuccessor(b, { replaces: a.kid, replacedNotAfter: at(4210) })).toBe(true);
          const keys = await byKid();
          expect(keys.get(a.kid)).toEqual({ ...a, retiredAt: at(610), notAfter: at(4210) });
          expect(keys.get(b.kid)).toEqual(b);
        });

        it('a successor of a replaced, unknown or absent key is refused and changes nothing', { timeout }, async () => {
          const a = key();
          const b = key({ createdAt: at(10), notBefore: at(20) });
          await s().addSuccessor(a, { replaces: null });
          await s().addSuccessor(b, { replaces: a.kid, replacedNotAfter: at(100) });
          const before = await s().list();
          for (const succession of [
            { replaces: a.kid, replacedNotAfter: at(999) },
            { replaces: uid('missing'), replacedNotAfter: at(999) },
            { replaces: null },
          ] as const) {
            expect(await s().addSuccessor(key({ createdAt: at(30), notBefore: at(40) }), succession)).toBe(false);
          }
          expect(await s().list()).toEqual(expect.arrayContaining(before));
          expect(await s().list()).toHaveLength(2);
        });

        it('a new key is stored without a successor, whatever retiredAt / notAfter the caller passed', { timeout }, async () => {
          const a = key({ retiredAt: at(5), notAfter: at(6) });
          await s().addSuccessor(a, { replaces: null });
          expect(await s().list()).toEqual([{ ...a, retiredAt: null, notAfter: null }]);
        });

        it('a chain of rotations leaves exactly one key without a successor, the newest', { timeout }, async () => {
          let previous = key();
          await s().addSuccessor(previous, { replaces: null });
          for (let i = 1; i <= 4; i++) {
            const next = key({ createdAt: at(i * 100), notBefore: at(i * 100 + 60) });
            expect(await s().addSuccessor(next, { replaces: previous.kid, replacedNotAfter: at(i * 100 + 3660) })).toBe(true);
            previous = next;
          }
          const open = (await s().list()).filter((k) => k.retiredAt === null);
          expect(open.map((k) => k.kid)).toEqual([previous.kid]);
        });
      },
      'test',
    );

    // ── purge (a fresh store for every test, so counts are exact) ───────────────────────────────
    group(
      'purgeExpired',
      (fx) => {
        it('tokens: removes expired sessions and refresh tokens, and counts them', { timeout }, async () => {
          const s = fx().stores.tokens;
          const gone = session({ expiresAt: at(10), maxExpiresAt: at(1000) });
          const atBoundary = session({ expiresAt: at(100), maxExpiresAt: at(1000) });
          const live = session({ expiresAt: at(500), maxExpiresAt: at(1000) });
          const goneRefresh = refresh({ expiresAt: at(30) });
          const liveRefresh = refresh({ expiresAt: at(1000) });
          for (const x of [gone, atBoundary, live]) await s.createSession(x);
          for (const r of [goneRefresh, liveRefresh]) await s.createRefreshToken(r);
          expect(await s.purgeExpired(at(100))).toBe(3);
          expect(await s.getSession(gone.jti)).toBeNull();
          expect(await s.getSession(atBoundary.jti)).toBeNull();
          expect(await s.getSession(live.jti)).toEqual(live);
          expect(await s.consumeRefreshToken(goneRefresh.hash, at(100))).toEqual({ status: 'unknown' });
          expect((await s.consumeRefreshToken(liveRefresh.hash, at(100))).status).toBe('ok');
          expect(await s.purgeExpired(at(100))).toBe(0);
        });

        it('replay: removes expired claims and temp tokens, and counts them', { timeout }, async () => {
          const s = fx().stores.replay;
          await s.claim('n', 'old-1', at(10), T0);
          await s.claim('n', 'old-2', at(100), T0);
          await s.claim('n', 'live', at(101), T0);
          await s.createTemp('t', 'old', {}, at(50), 3);
          await s.createTemp('t', 'live', { keep: true }, at(500), 3);
          expect(await s.purgeExpired(at(100))).toBe(3);
          expect(await s.claim('n', 'live', at(200), at(100))).toBe(false);
          expect(await s.claim('n', 'old-1', at(200), at(100))).toBe(true);
          expect(await s.peekTemp('t', 'live', at(100))).toEqual({ payload: { keep: true }, attempts: 0, expiresAt: at(500) });
          expect(await s.purgeExpired(at(100))).toBe(0);
        });

        it('limiter: removes ended windows, and counts them', { timeout }, async () => {
          const s = fx().stores.limiter;
          await s.hit('a', 10_000, T0);
          await s.hit('b', 100_000, T0);
          await s.hit('c', 100_001, T0);
          expect(await s.purgeExpired(at(100))).toBe(2);
          expect(await s.peek('c', at(100))).toEqual({ count: 1, resetAt: new Date(T0.getTime() + 100_001) });
          expect(await s.purgeExpired(at(100))).toBe(0);
        });

        it('keys: removes keys past notAfter only', { timeout }, async () => {
          const s = fx().stores.keys;
          const old = key();
          const overlapping = key({ notBefore: at(1) });
          const current = key({ notBefore: at(2) });
          await s.addSuccessor(old, { replaces: null });
          await s.addSuccessor(overlapping, { replaces: old.kid, replacedNotAfter: at(50) });
          await s.addSuccessor(current, { replaces: overlapping.kid, replacedNotAfter: at(500) });
          expect(await s.purgeExpired(at(100))).toBe(1);
          expect((await s.list()).map((k) => k.kid).sort()).toEqual([overlapping.kid, current.kid].sort());
          expect(await s.purgeExpired(at(100))).toBe(0);
        });

        it('stores.purgeExpired purges every store', { timeout }, async () => {
          const { stores } = fx();
          if (!stores.purgeExpired) return;
          await stores.tokens.createSession(session({ expiresAt: at(1), maxExpiresAt: at(1) }));
          await stores.replay.claim('n', 'k', at(1), T0);
          await stores.replay.createTemp('t', 'k', {}, at(1), 1);
          await stores.limiter.hit('k', 1_000, T0);
          const first = key();
          await stores.keys.addSuccessor(first, { replaces: null });
          await stores.keys.addSuccessor(key(), { replaces: first.kid, replacedNotAfter: at(1) });
          await stores.purgeExpired(at(10));
          expect(await stores.tokens.purgeExpired(at(10))).toBe(0);
          expect(await stores.replay.purgeExpired(at(10))).toBe(0);
          expect(await stores.limiter.purgeExpired(at(10))).toBe(0);
          expect(await stores.keys.purgeExpired(at(10))).toBe(0);
        });
      },
      'test',
    );

    // ── concurrency: exactly one winner, exactly N for a count of N ─────────────────────────────
    group('concurrency', (fx) => {
      let peer: StoreInstance | undefined;
      beforeAll(async () => {
        const f = fx();
        if (f.peer) peer = await f.peer();
        else if (options.requirePeer) throw new Error('requirePeer is set but the fixture has no peer()');
      }, timeout);
      afterAll(async () => {
        await peer?.cleanup();
      }, timeout);
      /** Alternates calls between the two instances when there is a peer. */
      const on = (i: number): Stores => (peer && i % 2 === 1 ? peer.stores : fx().stores);
      const times = <T>(n: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));

      it('100 concurrent claims of one nonce: exactly one succeeds', { timeout }, async () => {
        const k = uid('nonce');
        const results = await times(100, (i) => on(i).replay.claim('nonce', k, at(300), T0));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('50 concurrent re-claims of an expired nonce: exactly one succeeds', { timeout }, async () => {
        const k = uid('nonce');
        expect(await fx().stores.replay.claim('nonce', k, at(10), T0)).toBe(true);
        const results = await times(50, (i) => on(i).replay.claim('nonce', k, at(300), at(20)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await on(1).replay.claim('nonce', k, at(300), at(21))).toBe(false);
      });

      it('50 concurrent claims of 50 different nonces: all 50 succeed (no false conflicts)', { timeout }, async () => {
        const prefix = uid('distinct');
        const results = await times(50, (i) => on(i).replay.claim('nonce', `${prefix}-${i}`, at(300), T0));
        expect(results.filter(Boolean)).toHaveLength(50);
      });

      it('a session with 10 uses under 100 concurrent consuming uses: exactly 10 succeed', { timeout }, async () => {
        const sess = session({ numUsesLimit: 10 });
        await fx().stores.tokens.createSession(sess);
        const results = await times(100, (i) => on(i).tokens.useSession(sess.jti, { consume: true, now: at(1) }));
        const ok = results.filter((r) => r.status === 'ok');
        expect(ok).toHaveLength(10);
        expect(results.filter((r) => r.status === 'exhausted')).toHaveLength(90);
        expect(ok.map((r) => r.session!.numUses).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect((await on(1).tokens.getSession(sess.jti))!.numUses).toBe(10);
      });

      it('50 concurrent consumes of one recovery code: exactly one succeeds', { timeout }, async () => {
        const u = await fx().stores.users.create({ username: uid('rc'), displayName: 'RC' }, T0);
        await fx().stores.users.replaceRecoveryCodes(u.id, [sha256Hex(11), sha256Hex(12), sha256Hex(13)]);
        const results = await times(50, (i) => on(i).users.consumeRecoveryCode(u.id, sha256Hex(12)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await on(1).users.countRecoveryCodes(u.id)).toBe(2);
      });

      it('50 concurrent consumes of one temp token: exactly one gets it', { timeout }, async () => {
        const id = uid('temp');
        await fx().stores.replay.createTemp('mfa', id, { user: 'u' }, at(300), 5);
        const results = await times(50, (i) => on(i).replay.consumeTemp('mfa', id, at(1)));
        expect(results.filter((r) => r !== null)).toEqual([{ payload: { user: 'u' }, attempts: 0, expiresAt: at(300) }]);
      });

      it('20 concurrent failed attempts on a 5-attempt temp token: 4,3,2,1,0 once each, the rest -1', { timeout }, async () => {
        const id = uid('temp');
        await fx().stores.replay.createTemp('mfa', id, {}, at(300), 5);
        const results = await times(20, (i) => on(i).replay.failTemp('mfa', id, at(1)));
        expect(results.sort((a, b) => a - b)).toEqual([...Array(15).fill(-1), 0, 1, 2, 3, 4]);
        expect(await on(0).replay.consumeTemp('mfa', id, at(2))).toBeNull();
      });

      it('50 concurrent exchanges of one refresh token: one ok, the rest report reuse', { timeout }, async () => {
        const r = refresh();
        await fx().stores.tokens.createRefreshToken(r);
        const results = await times(50, (i) => on(i).tokens.consumeRefreshToken(r.hash, at(1)));
        expect(results.filter((x) => x.status === 'ok')).toHaveLength(1);
        expect(results.filter((x) => x.status === 'reused')).toHaveLength(49);
        for (const x of results) if (x.status === 'reused') expect(x.record.usedAt).toEqual(at(1));
      });

      it('50 concurrent limiter hits count 1..50 without losing one', { timeout }, async () => {
        const k = uid('limit');
        const results = await times(50, (i) => on(i).limiter.hit(k, 60_000, T0));
        expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect(new Set(results.map((r) => r.resetAt.getTime()))).toEqual(new Set([at(60).getTime()]));
      });

      it('50 hits then 60 concurrent releases: the count ends at zero, not below', { timeout }, async () => {
        const k = uid('limit');
        for (let i = 0; i < 50; i++) await on(i).limiter.hit(k, 60_000, T0);
        await times(60, (i) => on(i).limiter.release(k, at(1)));
        expect(await on(0).limiter.peek(k, at(1))).toEqual({ count: 0, resetAt: at(60) });
      });

      it('20 concurrent first keys: exactly one is added; then 20 concurrent successors of it: exactly one', { timeout }, async () => {
        const firsts = Array.from({ length: 20 }, () => key());
        const won = await times(20, (i) => on(i).keys.addSuccessor(firsts[i]!, { replaces: null }));
        expect(won.filter(Boolean)).toHaveLength(1);
        const first = firsts[won.indexOf(true)]!;
        expect((await on(1).keys.list()).map((k) => k.kid)).toEqual([first.kid]);
        const nexts = Array.from({ length: 20 }, (_, i) => key({ createdAt: at(10), notBefore: at(70 + i) }));
        const rotated = await times(20, (i) => on(i).keys.addSuccessor(nexts[i]!, { replaces: first.kid, replacedNotAfter: at(3600 + i) }));
        expect(rotated.filter(Boolean)).toHaveLength(1);
        const winner = rotated.indexOf(true);
        const keys = new Map((await on(0).keys.list()).map((k) => [k.kid, k]));
        expect(keys.size).toBe(2);
        expect(keys.get(first.kid)).toMatchObject({ retiredAt: at(70 + winner), notAfter: at(3600 + winner) });
        expect(keys.get(nexts[winner]!.kid)).toMatchObject({ retiredAt: null, notAfter: null });
      });

            it('50 concurrent creates of one username: one user, the rest user_exists', { timeout }, async () => {
        const username = uid('race');
        const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => on(i).users.create({ username, displayName: `n${i}` }, T0)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(storeErrorShape(r.reason)).toEqual({ kind: 'bad_request', reasonCode: 'user_exists' });
        }
      });

      it('20 concurrent adds of one method: exactly one is stored', { timeout }, async () => {
        const { id } = await fx().stores.identities.create({ name: 'race-add' }, T0);
        const results = await times(20, (i) => on(i).identities.addMethod({ identityId: id, method: 'm', config: { n: i }, token: tokenSettings() }, T0));
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect(await on(1).identities.getMethod(id, 'm')).toEqual(winners[0]);
      });

      it('20 concurrent replacements of one read: exactly one wins; the others write nothing', { timeout }, async () => {
        const { id } = await fx().stores.identities.create({ name: 'race-replace' }, T0);
        const read = await fx().stores.identities.putMethod({ identityId: id, method: 'm', config: { n: -1 }, token: tokenSettings() }, T0);
        const results = await times(20, (i) => on(i).identities.replaceMethod({ identityId: id, method: 'm', config: { n: i }, token: tokenSettings() }, at(1), read.updatedAt));
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect(await on(1).identities.getMethod(id, 'm')).toEqual(winners[0]);
      });

      it('50 concurrent revocations of one admin credential: exactly one reports it', { timeout }, async () => {
        const c = await fx().stores.adminCredentials.create({ name: 'race-revoke', tokenHash: uid('hash'), scopes: ['*:read'], expiresAt: null }, T0);
        const results = await times(50, (i) => on(i).adminCredentials.revoke(c.id, at(1)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('50 concurrent uses of one admin credential at different times: lastUsedAt ends at the latest, never earlier', { timeout }, async () => {
        const c = await fx().stores.adminCredentials.create({ name: 'race-use', tokenHash: uid('hash'), scopes: ['*:read'], expiresAt: null }, T0);
        const results = await times(50, (i) => on(i).adminCredentials.markUsed(c.id, at(((i * 37) % 50) + 1)));
        expect(results.every(Boolean)).toBe(true);
        expect((await on(1).adminCredentials.get(c.id))!.lastUsedAt).toEqual(at(50));
      });

      it('uses racing a revocation: once the revocation has returned, no use succeeds, on either instance', { timeout }, async () => {
        const c = await fx().stores.adminCredentials.create({ name: 'race-use-revoke', tokenHash: uid('hash'), scopes: ['*:write'], expiresAt: null }, T0);
        const racing = times(40, (i) => on(i).adminCredentials.markUsed(c.id, at(1)));
        expect(await on(1).adminCredentials.revoke(c.id, at(1))).toBe(true);
        await racing;
        expect(await times(10, (i) => on(i).adminCredentials.markUsed(c.id, at(2)))).toEqual(Array(10).fill(false));
        expect((await on(0).adminCredentials.get(c.id))!.revokedAt).toEqual(at(1));
      });

      it('50 concurrent creates with one token hash: one credential, the rest admin_credential_exists', { timeout }, async () => {
        const tokenHash = uid('hash');
        const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => on(i).adminCredentials.create({ name: `n${i}`, tokenHash, scopes: ['*:read'], expiresAt: null }, T0)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(storeErrorShape(r.reason)).toEqual({ kind: 'bad_request', reasonCode: 'admin_credential_exists' });
        }
      });

      it('50 concurrent revocations of one session: exactly one reports it', { timeout }, async () => {
        const sess = session();
        await fx().stores.tokens.createSession(sess);
        const results = await times(50, (i) => on(i).tokens.revokeSession(sess.jti, at(1)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('what one instance writes, the other sees at once', { timeout }, async () => {
        const other = on(1);
        const k = uid('nonce');
        expect(await fx().stores.replay.claim('x', k, at(60), T0)).toBe(true);
        expect(await other.replay.claim('x', k, at(60), T0)).toBe(false);
        const sess = session();
        await other.tokens.createSession(sess);
        await fx().stores.tokens.revokeSubject(sess.subjectKey, at(0));
        expect((await other.tokens.useSession(sess.jti, { consume: false, now: at(1) })).status).toBe('revoked');
      });
    });
  });
}

/** Token settings as the core stores them (the output of `tokenSettingsSchema`). */
function tokenSettings(overrides: Partial<{ accessTokenTTL: number; accessTokenMaxTTL: number; accessTokenNumUsesLimit: number; accessTokenTrustedIps: string[] }> = {}) {
  return { accessTokenTTL: 2_592_000, accessTokenMaxTTL: 2_592_000, accessTokenNumUsesLimit: 0, accessTokenTrustedIps: ['0.0.0.0/0', '::/0'], ...overrides };
}
