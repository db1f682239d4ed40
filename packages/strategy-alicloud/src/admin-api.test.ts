/** The alicloud method through the admin API: Infisical's field shapes in and out, refusals named in its terms. */
import { createGatehouse, type Gatehouse } from '@gatehouse-auth/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { alicloudStrategy } from './strategy.js';

const ROLE = 'acs:ram::1234567890123456:role/ci';
const USER = 'acs:ram::1234567890123456:user/bob';

let gh: Gatehouse;
let token: string;
let identityId: string;
const call = (method: string, body?: unknown) =>
  gh.handle({ method, path: `/api/v1/auth/alicloud-auth/identities/${identityId}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, socketAddress: '127.0.0.1', protocol: 'http', ...(body !== undefined ? { body } : {}) });
const issues = (res: { body?: unknown }) => (res.body as { message: { path: string; message: string }[] }).message;

beforeEach(async () => {
  gh = createGatehouse({ strategies: [alicloudStrategy({ stsEndpoints: { global: 'https://sts.aliyuncs.com', 'cn-shanghai': 'https://sts.cn-shanghai.aliyuncs.com' } })], adminApi: true });
  token = (await gh.admin.createAdminCredential({ name: 'test', scopes: ['alicloud-auth:write'] })).token;
  identityId = (await gh.admin.createIdentity({ name: 'ci' })).id;
});

describe('alicloud admin API', () => {
  it('takes allowedArns as Infisical\'s comma-separated string and answers it the same way, under identityAliCloudAuth', async () => {
    const res = await call('POST', { allowedArns: ` ${ROLE},${USER} `, accessTokenTTL: 900, accessTokenMaxTTL: 3600 });
    expect(res.status).toBe(200);
    expect((res.body as { identityAliCloudAuth: unknown }).identityAliCloudAuth).toMatchObject({
      identityId,
      type: 'iam',
      allowedArns: `${ROLE}, ${USER}`,
      stsRegion: null,
      accessTokenTTL: 900,
      accessTokenMaxTTL: 3600,
      accessTokenNumUsesLimit: 0,
    });
    expect((await gh.stores.identities.getMethod(identityId, 'alicloud'))!.config).toEqual({ allowedArns: [ROLE, USER] });
  });

  it('a JSON list works too; stsRegion is kept by a PATCH that leaves it out and cleared by null', async () => {
    expect((await call('POST', { allowedArns: [ROLE], stsRegion: 'cn-shanghai' })).status).toBe(200);
    const patched = await call('PATCH', { allowedArns: `${ROLE}, ${USER}` });
    expect((patched.body as { identityAliCloudAuth: unknown }).identityAliCloudAuth).toMatchObject({ allowedArns: `${ROLE}, ${USER}`, stsRegion: 'cn-shanghai' });
    const cleared = await call('PATCH', { stsRegion: null });
    expect((cleared.body as { identityAliCloudAuth: unknown }).identityAliCloudAuth).toMatchObject({ allowedArns: `${ROLE}, ${USER}`, stsRegion: null });
    expect((await gh.stores.identities.getMethod(identityId, 'alicloud'))!.config).toEqual({ allowedArns: [ROLE, USER] });
  });

  it('a bad ARN is refused naming allowedArns and which entry; an unknown region names stsRegion; nothing is stored', async () => {
    const bad = await call('POST', { allowedArns: `${ROLE}, arn:aws:iam::1:role/x` });
    expect(bad.status).toBe(422);
    expect(issues(bad)).toEqual([expect.objectContaining({ path: 'allowedArns', message: expect.stringMatching(/^entry 2: /) })]);
    const empty = await call('POST', { allowedArns: ' , ' });
    expect(empty.status).toBe(422);
    expect(issues(empty)[0]!.path).toBe('allowedArns');
    const region = await call('POST', { allowedArns: ROLE, stsRegion: 'mars-1' });
    expect(region.status).toBe(422);
    expect(issues(region)[0]!.path).toBe('stsRegion');
    expect(await gh.stores.identities.getMethod(identityId, 'alicloud')).toBeNull();
  });

  it('what a GET answers goes back through PATCH unchanged (read-only fields left out)', async () => {
    expect((await call('POST', { allowedArns: `${ROLE}, ${USER}`, stsRegion: 'cn-shanghai', accessTokenTrustedIps: [{ ipAddress: '10.0.0.0/8' }, { ipAddress: '2001:db8::1' }] })).status).toBe(200);
    const stored = await gh.stores.identities.getMethod(identityId, 'alicloud');
    const got = (await call('GET')).body as { identityAliCloudAuth: Record<string, unknown> };
    const { id: _id, identityId: _identity, type: _type, createdAt: _c, updatedAt: _u, ...writable } = got.identityAliCloudAuth;
    const patched = await call('PATCH', writable);
    expect(patched.status).toBe(200);
    const after = await gh.stores.identities.getMethod(identityId, 'alicloud');
    expect({ config: after!.config, token: after!.token }).toEqual({ config: stored!.config, token: stored!.token });
    expect((await call('GET')).body).toEqual({ identityAliCloudAuth: { ...got.identityAliCloudAuth, updatedAt: expect.any(String) } });
  });
});
