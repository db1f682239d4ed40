/** The oci method through the admin API: Infisical's field shapes in and out, refusals named in its terms. */
import { createGatehouse, type Gatehouse } from '@gatehouse-auth/core';
import { createOciTestUser } from '@gatehouse-auth/testing/oci';
import { beforeEach, describe, expect, it } from 'vitest';
import { ociStrategy } from './strategy.js';

const TENANCY = createOciTestUser().tenancyId;

let gh: Gatehouse;
let token: string;
let identityId: string;
const call = (method: string, body?: unknown) =>
  gh.handle({ method, path: `/api/v1/auth/oci-auth/identities/${identityId}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, socketAddress: '127.0.0.1', protocol: 'http', ...(body !== undefined ? { body } : {}) });
const view = (res: { body?: unknown }) => (res.body as { identityOciAuth: Record<string, unknown> }).identityOciAuth;
const issues = (res: { body?: unknown }) => (res.body as { message: { path: string; message: string }[] }).message;

beforeEach(async () => {
  gh = createGatehouse({ strategies: [ociStrategy({ realmDomains: ['oraclecloud.com', 'oraclegovcloud.com'] })], adminApi: true });
  token = (await gh.admin.createAdminCredential({ name: 'test', scopes: ['oci-auth:write'] })).token;
  identityId = (await gh.admin.createIdentity({ name: 'oci' })).id;
});

describe('oci admin API', () => {
  it('takes tenancyOcid and allowedUsernames (comma-separated) and answers them under identityOciAuth', async () => {
    const res = await call('POST', { tenancyOcid: TENANCY, allowedUsernames: 'alice, bob@example.com,alice' });
    expect(res.status).toBe(200);
    expect(view(res)).toMatchObject({ identityId, type: 'iam', tenancyOcid: TENANCY, allowedUsernames: 'alice, bob@example.com', realmDomains: null });
    expect((await gh.stores.identities.getMethod(identityId, 'oci'))!.config).toEqual({ tenancyOcid: TENANCY, allowedUsernames: ['alice', 'bob@example.com'] });
  });

  it('null or an empty string: any user of the tenancy; a PATCH without it keeps the list', async () => {
    await call('POST', { tenancyOcid: TENANCY, allowedUsernames: ['carol'], realmDomains: ['oraclegovcloud.com'] });
    expect(view(await call('PATCH', { accessTokenTTL: 60 }))).toMatchObject({ allowedUsernames: 'carol', realmDomains: ['oraclegovcloud.com'], accessTokenTTL: 60 });
    expect(view(await call('PATCH', { allowedUsernames: '' }))).toMatchObject({ allowedUsernames: null });
    expect(view(await call('PATCH', { allowedUsernames: 'dave', realmDomains: null }))).toMatchObject({ allowedUsernames: 'dave', realmDomains: null });
    expect(view(await call('PATCH', { allowedUsernames: null }))).toMatchObject({ allowedUsernames: null });
  });

  it('a malformed tenancy OCID names tenancyOcid; a realm the server does not allow names realmDomains; nothing is stored', async () => {
    const bad = await call('POST', { tenancyOcid: 'ocid1.user.oc1..aaaa' });
    expect(bad.status).toBe(422);
    expect(issues(bad)).toEqual([expect.objectContaining({ path: 'tenancyOcid' })]);
    const missing = await call('POST', { allowedUsernames: 'alice' });
    expect(missing.status).toBe(422);
    expect(issues(missing)[0]!.path).toBe('tenancyOcid');
    const realm = await call('POST', { tenancyOcid: TENANCY, realmDomains: ['example.com'] });
    expect(realm.status).toBe(422);
    expect(issues(realm)[0]).toMatchObject({ path: 'realmDomains', message: expect.stringMatching(/^entry 1: must be one of the server's realm domains/) });
    expect(await gh.stores.identities.getMethod(identityId, 'oci')).toBeNull();
  });

  it('what a GET answers goes back through PATCH unchanged (read-only fields left out)', async () => {
    expect((await call('POST', { tenancyOcid: TENANCY, allowedUsernames: 'alice, bob', realmDomains: ['oraclegovcloud.com'] })).status).toBe(200);
    const stored = await gh.stores.identities.getMethod(identityId, 'oci');
    const got = (await call('GET')).body as { identityOciAuth: Record<string, unknown> };
    const { id: _id, identityId: _identity, type: _type, createdAt: _c, updatedAt: _u, ...writable } = got.identityOciAuth;
    const patched = await call('PATCH', writable);
    expect(patched.status).toBe(200);
    const after = await gh.stores.identities.getMethod(identityId, 'oci');
    expect({ config: after!.config, token: after!.token }).toEqual({ config: stored!.config, token: stored!.token });
    expect((await call('GET')).body).toEqual({ identityOciAuth: { ...got.identityOciAuth, updatedAt: expect.any(String) } });
  });
});
