// What an attacker with a copy of the database sees: no MFA secret, no private signing key, no method
// config or temp-token payload in clear, no raw bearer ids or attacker-chosen keys; recovery codes and
// refresh tokens only as the hashes the caller handed in. Encrypted values are bound to their row.
import { randomBytes } from 'node:crypto';
import { createGatehouse, ManualClock, type Stores } from '@gatehouse-auth/core';
import type { StoreFixture } from '@gatehouse-auth/testing/conformance';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretDecryptionError } from '../src/index.js';
import { apiKeyStrategy, sha256 } from './support/api-key-strategy.js';
import { closeSharedPglite, DATABASE_URL, pgliteFixture, postgresFixture, sharedPglite } from './support/fixtures.js';

const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PENDING = 'KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF';
const CONFIG_SECRET = `client-secret-${randomBytes(8).toString('hex')}`;
const TEMP_SECRET = `pkce-verifier-${randomBytes(8).toString('hex')}`;
const TEMP_ID = `temp-${randomBytes(8).toString('hex')}`;
const NONCE = `nonce-${randomBytes(8).toString('hex')}`;
const LIMIT_KEY = `pw:${randomBytes(8).toString('hex')}`;
const T0 = new Date('2026-01-01T00:00:00Z');

type RawQuery = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

const backends: { name: string; open: () => Promise<{ fixture: StoreFixture; raw: RawQuery; close(): Promise<void> }> }[] = [
  {
    name: 'PGlite',
    open: async () => {
      const fixture = await pgliteFixture();
      const db = await sharedPglite();
      return { fixture, raw: async (sql, params) => (await db.query<Record<string, unknown>>(sql, params)).rows, close: async () => undefined };
    },
  },
];
if (DATABASE_URL) {
  backends.push({
    name: 'PostgreSQL',
    open: async () => {
      const fixture = await postgresFixture(DATABASE_URL!);
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      return { fixture, raw: async (sql, params) => (await client.query(sql, params)).rows, close: () => client.end() };
    },
  });
}

afterAll(closeSharedPglite);

describe.each(backends)('secrets at rest ($name)', ({ open }) => {
  let fixture: StoreFixture;
  let raw: RawQuery;
  let closeRaw: () => Promise<void>;
  let stores: Stores;
  let schema: string;
  let dump: string;
  let privateD: string;
  let publicX: string;
  let userA: string;
  let userB: string;

  beforeAll(async () => {
    ({ fixture, raw, close: closeRaw } = await open());
    stores = fixture.stores;
    schema = (stores as unknown as { schema: string }).schema;
    const gatehouse = createGatehouse({ stores, clock: new ManualClock(T0.toISOString()), strategies: [apiKeyStrategy] });
    const identity = await gatehouse.admin.createIdentity({ name: 'svc' });
    await gatehouse.admin.attachMethod(identity.id, 'api-key', { apiKeySha256: sha256('k'), label: CONFIG_SECRET });
    await gatehouse.issuer.issue({ subject: { type: 'identity', id: identity.id }, authMethod: 'api-key', clientIp: '127.0.0.1' });
    const keys = await stores.keys.list();
    expect(keys).toHaveLength(1);
    privateD = keys[0]!.privateJwk.d as string;
    publicX = keys[0]!.publicJwk.x as string;
    userA = (await stores.users.create({ username: 'a', displayName: 'A' }, T0)).id;
    userB = (await stores.users.create({ username: 'b', displayName: 'B' }, T0)).id;
    await stores.users.setMfa(userA, { totpSecret: TOTP, pendingTotpSecret: PENDING, pendingCreatedAt: T0, enabled: true });
    await stores.users.replaceRecoveryCodes(userA, [sha256('recovery-code-1')]);
    await stores.tokens.createRefreshToken({ hash: sha256('refresh-token-1'), family: 'f', userId: userA, createdAt: T0, expiresAt: new Date(T0.getTime() + 60_000) });
    await stores.replay.createTemp('oidc', TEMP_ID, { verifier: TEMP_SECRET }, new Date(T0.getTime() + 60_000), 3);
    await stores.replay.claim('nonce', NONCE, new Date(T0.getTime() + 60_000), T0);
    await stores.limiter.hit(LIMIT_KEY, 60_000, T0);
    const tables = await raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema]);
    const rows: string[] = [];
    for (const { table_name } of tables) {
      for (const r of await raw(`SELECT row_to_json(t)::text AS j FROM "${schema}"."${table_name as string}" t`)) rows.push(r.j as string);
    }
    dump = rows.join('\n');
  }, 120_000);

  afterAll(async () => {
    await fixture?.cleanup();
    await closeRaw?.();
  });

  it('holds no secret in clear', () => {
    expect(dump.length).toBeGreaterThan(1000);
    for (const secret of [TOTP, PENDING, privateD, CONFIG_SECRET, TEMP_SECRET, TEMP_ID, NONCE, LIMIT_KEY, 'recovery-code-1', 'refresh-token-1']) {
      expect(dump).not.toContain(secret);
    }
  });

  it('keeps what is public or already a hash readable', () => {
    expect(dump).toContain(publicX);
    expect(dump).toContain(sha256('recovery-code-1'));
    expect(dump).toContain(sha256('refresh-token-1'));
    expect(dump).toContain(sha256(NONCE));
  });

  it('reads every secret back through the stores', async () => {
    expect((await stores.users.getById(userA))?.mfa).toEqual({ totpSecret: TOTP, pendingTotpSecret: PENDING, pendingCreatedAt: T0, enabled: true });
    expect((await stores.keys.list())[0]?.privateJwk.d).toBe(privateD);
    expect(await stores.replay.peekTemp('oidc', TEMP_ID, T0)).toEqual({ payload: { verifier: TEMP_SECRET }, attempts: 0, expiresAt: new Date(T0.getTime() + 60_000) });
  });

  it('an encrypted secret copied onto another user does not decrypt', async () => {
    await raw(
      `UPDATE "${schema}".gatehouse_users SET mfa_totp_secret_enc = (SELECT mfa_totp_secret_enc FROM "${schema}".gatehouse_users WHERE id = $1), mfa_enabled = true WHERE id = $2`,
      [userA, userB],
    );
    await expect(stores.users.getById(userB)).rejects.toBeInstanceOf(SecretDecryptionError);
    await raw(`UPDATE "${schema}".gatehouse_users SET mfa_totp_secret_enc = NULL, mfa_enabled = false WHERE id = $1`, [userB]);
    expect((await stores.users.getById(userB))?.mfa.totpSecret).toBeNull();
  });

  it('a tampered private key is detected, not used', async () => {
    // Flip one character of the authentication tag.
    await raw(
      `UPDATE "${schema}".gatehouse_signing_keys SET private_jwk_enc = overlay(private_jwk_enc
         placing CASE WHEN substr(private_jwk_enc, length(private_jwk_enc) - 2, 1) = 'A' THEN 'B' ELSE 'A' END
         from length(private_jwk_enc) - 2 for 1)`,
    );
    await expect(stores.keys.list()).rejects.toBeInstanceOf(SecretDecryptionError);
  });
});
