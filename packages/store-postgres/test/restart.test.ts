// Acceptance 3: data written through PGlite with a data directory survives close + reopen, including the
// signing keys, so a token issued before the restart verifies after it with a new Gatehouse.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatehouse, ManualClock, type GatehouseRequest } from '@gatehouse-auth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteStores, SCHEMA_VERSION, SecretDecryptionError, type SqlStores } from '../src/index.js';
import { apiKeyStrategy, loginRequest, sha256 } from './support/api-key-strategy.js';

const KEY = randomBytes(32).toString('base64');
const API_KEY = `ak_${randomBytes(16).toString('hex')}`;
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DP';
const T0 = new Date('2026-01-01T00:00:00Z');

describe('PGlite with a data directory: restart', () => {
  let dataDir: string;
  const clock = new ManualClock(T0.toISOString());
  // Written before the restart, checked after it.
  let identityId: string;
  let token: string;
  let kid: string;
  let userId: string;
  let jwksBefore: unknown;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-pglite-'));
    const stores = await createPgliteStores({ dataDir, encryptionKey: KEY });
    expect(stores.migration.applied.length).toBeGreaterThan(0);
    const gatehouse = createGatehouse({ stores, clock, strategies: [apiKeyStrategy] });
    identityId = (await gatehouse.admin.createIdentity({ name: 'deploy-bot', organizationSlug: 'acme' })).id;
    await gatehouse.admin.attachMethod(identityId, 'api-key', { apiKeySha256: sha256(API_KEY), label: 'ci' }, {
      accessTokenTTL: 3600,
      accessTokenMaxTTL: 7200,
      accessTokenNumUsesLimit: 5,
      accessTokenTrustedIps: ['10.0.0.0/8'],
    });
    const res = await gatehouse.handle(loginRequest(identityId, API_KEY) as GatehouseRequest);
    expect(res.status).toBe(200);
    token = (res.body as { accessToken: string }).accessToken;
    const verified = await gatehouse.issuer.verify(token, { clientIp: '10.9.9.9' });
    expect(verified.session?.numUses).toBe(1);
    kid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;
    jwksBefore = await gatehouse.issuer.jwks();

    const user = await stores.users.create({ username: 'alice', displayName: 'Alice', email: 'alice@example.test', passwordHash: '$argon2id$v=19$x' }, T0);
    userId = user.id;
    await stores.users.setMfa(userId, { totpSecret: TOTP_SECRET, pendingTotpSecret: null, pendingCreatedAt: null, enabled: true });
    await stores.users.replaceRecoveryCodes(userId, [sha256('code-1'), sha256('code-2')]);
    await stores.users.linkIdp(userId, 'corp', 'sub-123');
    await stores.replay.claim('totp', `${userId}:123456`, new Date(T0.getTime() + 90_000), T0);
    await stores.limiter.hit(`pw:alice`, 600_000, T0);
    await stores.replay.createTemp('mfa', 'temp-1', { userId }, new Date(T0.getTime() + 300_000), 5);
    await gatehouse.close();
    clock.advance(60_000);
  }, 120_000);

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('after reopening the same directory', () => {
    let stores: SqlStores;
    beforeAll(async () => {
      stores = await createPgliteStores({ dataDir, encryptionKey: KEY });
    }, 120_000);
    afterAll(async () => {
      await stores?.close();
    });

    it('finds the schema current and applies nothing', () => {
      expect(stores.migration).toEqual({ schema: 'public', from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    });

    it('a token issued before the restart verifies with a new Gatehouse, and its use count carried over', async () => {
      const gatehouse = createGatehouse({ stores, clock, strategies: [apiKeyStrategy] });
      const verified = await gatehouse.issuer.verify(token, { clientIp: '10.9.9.9' });
      expect(verified.subject).toEqual({ type: 'identity', id: identityId });
      expect(verified.session?.numUses).toBe(2);
      expect(await gatehouse.issuer.jwks()).toEqual(jwksBefore);
      // The same signing key keeps signing: no new key was created.
      const res = await gatehouse.handle(loginRequest(identityId, API_KEY) as GatehouseRequest);
      expect(res.status).toBe(200);
      const newToken = (res.body as { accessToken: string }).accessToken;
      expect(JSON.parse(Buffer.from(newToken.split('.')[0]!, 'base64url').toString()).kid).toBe(kid);
      expect((await stores.keys.list()).map((k) => k.kid)).toEqual([kid]);
      // The renew route works on the old token too.
      const renewed = await gatehouse.handle({
        method: 'POST',
        path: '/api/v1/auth/token/renew',
        headers: { 'content-type': 'application/json' },
        query: {},
        body: { accessToken: token },
        socketAddress: '10.1.2.3',
        protocol: 'http',
      } as GatehouseRequest);
      expect(renewed.status).toBe(200);
    });

    it('identities, method config and token settings survived', async () => {
      expect(await stores.identities.get(identityId)).toEqual({ id: identityId, name: 'deploy-bot', organizationSlug: 'acme', createdAt: T0 });
      expect(await stores.identities.getMethod(identityId, 'api-key')).toEqual({
        identityId,
        method: 'api-key',
        config: { apiKeySha256: sha256(API_KEY), label: 'ci' },
        token: {
          accessTokenTTL: 3600, accessTokenMaxTTL: 7200, accessTokenNumUsesLimit: 5, accessTokenTrustedIps: ['10.0.0.0/8'],
          // written with their defaults since token binding and periodic tokens exist
          accessTokenPeriod: 0, accessTokenRequireDpop: false, accessTokenCertificateBound: false,
        },
        createdAt: T0,
        updatedAt: T0,
      });
    });

    it('users with their MFA secret, recovery codes and IdP links survived', async () => {
      const user = await stores.users.getByUsername('alice');
      expect(user?.mfa).toEqual({ totpSecret: TOTP_SECRET, pendingTotpSecret: null, pendingCreatedAt: null, enabled: true });
      expect((await stores.users.findByIdpLink('corp', 'sub-123'))?.id).toBe(userId);
      expect(await stores.users.countRecoveryCodes(userId)).toBe(2);
      expect(await stores.users.consumeRecoveryCode(userId, sha256('code-2'))).toBe(true);
    });

    it('nonces, limiter windows and temp tokens survived', async () => {
      expect(await stores.replay.claim('totp', `${userId}:123456`, new Date(T0.getTime() + 90_000), clock.now())).toBe(false);
      expect(await stores.limiter.peek('pw:alice', clock.now())).toEqual({ count: 1, resetAt: new Date(T0.getTime() + 600_000) });
      expect(await stores.replay.peekTemp('mfa', 'temp-1', clock.now())).toEqual({ payload: { userId }, attempts: 0, expiresAt: new Date(T0.getTime() + 300_000) });
    });
  });

  describe('reopened with another encryption key', () => {
    it('refuses to decrypt secrets, naming the cause; with the old key as a previous key it works', async () => {
      const otherKey = randomBytes(32).toString('base64');
      const wrong = await createPgliteStores({ dataDir, encryptionKey: otherKey });
      try {
        const err = await wrong.keys.list().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SecretDecryptionError);
        expect((err as Error).message).toMatch(/not configured/);
        expect((err as Error).message).not.toContain(KEY);
      } finally {
        await wrong.close();
      }
      const rotated = await createPgliteStores({ dataDir, encryptionKey: otherKey, previousEncryptionKeys: [KEY] });
      try {
        const gatehouse = createGatehouse({ stores: rotated, clock, strategies: [apiKeyStrategy] });
        expect((await gatehouse.issuer.verify(token, { stateful: 'check' })).subject.id).toBe(identityId);
        expect((await rotated.users.getById(userId))?.mfa.totpSecret).toBe(TOTP_SECRET);
      } finally {
        await rotated.close();
      }
    }, 120_000);
  });
});
