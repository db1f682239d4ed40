// Acceptance 5: bad config is refused when it is written (not at login time), with the offending field
// named, and nothing reaches the database. (CA PEM and ARN checks live in the tls-cert / alicloud
// strategies' config schemas; here a strategy of our own stands in for them.)
import { randomBytes } from 'node:crypto';
import { createGatehouse, ManualClock, type Gatehouse } from '@gatehouse-auth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteStores, type SqlStores } from '../src/index.js';
import { apiKeyStrategy, sha256 } from './support/api-key-strategy.js';

const VALID_CONFIG = { apiKeySha256: sha256('key'), label: 'ok' };

describe('config validation when written (PGlite stores)', () => {
  let stores: SqlStores;
  let gatehouse: Gatehouse;
  let identityId: string;

  beforeAll(async () => {
    stores = await createPgliteStores({ encryptionKey: randomBytes(32).toString('hex') });
    gatehouse = createGatehouse({ stores, clock: new ManualClock('2026-01-01T00:00:00Z'), strategies: [apiKeyStrategy] });
    identityId = (await gatehouse.admin.createIdentity({ name: 'validated' })).id;
  }, 120_000);
  afterAll(async () => {
    await gatehouse?.close();
  });

  const refusal = async (config: unknown, token: unknown) => {
    const err = await gatehouse.admin.attachMethod(identityId, 'api-key', config, token as never).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AuthError', kind: 'validation' });
    return err as { fields: string[]; issues: { path: string; message: string }[]; message: string };
  };

  it.each([
    [['10.0.0.0/33'], 'token.accessTokenTrustedIps.0'],
    [['10.0.0.0/8', '300.1.1.1'], 'token.accessTokenTrustedIps.1'],
    [['10.0.0.0/8', '::/0', 'not-an-ip'], 'token.accessTokenTrustedIps.2'],
    [['2001:db8::/129'], 'token.accessTokenTrustedIps.0'],
    [['10.0.0.0/8/8'], 'token.accessTokenTrustedIps.0'],
    [[''], 'token.accessTokenTrustedIps.0'],
  ])('a malformed CIDR %j is refused naming %s, and nothing is stored', async (cidrs, field) => {
    const err = await refusal(VALID_CONFIG, { accessTokenTrustedIps: cidrs });
    expect(err.fields).toContain(field);
    expect(err.message).toContain(field);
    expect(err.issues.find((i) => i.path === field)?.message).toMatch(/IPv4 or IPv6 address or CIDR/);
    expect(await stores.identities.getMethod(identityId, 'api-key')).toBeNull();
  });

  it('wrong types and unknown keys in token settings are named too', async () => {
    expect((await refusal(VALID_CONFIG, { accessTokenTTL: '60' })).fields).toEqual(['token.accessTokenTTL']);
    expect((await refusal(VALID_CONFIG, { accessTokenNumUsesLimit: -1 })).fields).toEqual(['token.accessTokenNumUsesLimit']);
    expect((await refusal(VALID_CONFIG, { accessTokenTrustedIps: 'not-a-list' })).fields).toEqual(['token.accessTokenTrustedIps']);
    expect((await refusal(VALID_CONFIG, { accessTokenTTL: 60, sneaky: true })).fields).toEqual(['token.sneaky']);
  });

  it('bad strategy config is refused naming config fields', async () => {
    expect((await refusal({ apiKeySha256: 'xyz' }, {})).fields).toEqual(['config.apiKeySha256']);
    expect((await refusal({ ...VALID_CONFIG, extra: 1 }, {})).fields).toEqual(['config.extra']);
    expect((await refusal(null, {})).fields).toEqual(['config']);
  });

  it('a refused write leaves the previous valid config in place', async () => {
    await gatehouse.admin.attachMethod(identityId, 'api-key', VALID_CONFIG, { accessTokenTrustedIps: ['192.0.2.0/24'] });
    await refusal({ ...VALID_CONFIG, label: 'changed' }, { accessTokenTrustedIps: ['192.0.2.0/24', '192.0.2.0/99'] });
    const stored = await stores.identities.getMethod(identityId, 'api-key');
    expect(stored?.config).toEqual(VALID_CONFIG);
    expect(stored?.token.accessTokenTrustedIps).toEqual(['192.0.2.0/24']);
  });
});
