/** The login route end to end through `gatehouse.handle`, with the STS emulator verifying signatures. */
import { createGatehouse } from '@gatehouse-auth/core';
import { createStsEmulator } from '@gatehouse-auth/testing/sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alicloudStrategy } from '../src/index.js';
import { ALICE, BOB, createHarness, DEPLOYER_SESSION, expectSeedError, FOREIGN_DEPLOYER, lastAudit, PATH, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('alicloud login: success', () => {
  it('logs a RAM user in with exactly the seed success body, and the token verifies', async () => {
    const res = await h.login(h.body(ALICE));
    expect(res.status).toBe(200);
    const body = res.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'accessTokenMaxTTL', 'expiresIn', 'tokenType']);
    expect(body).toMatchObject({ expiresIn: 600, accessTokenMaxTTL: 3600, tokenType: 'Bearer' });
    const verified = await h.gh.issuer.verify(body.accessToken as string);
    expect(verified.subject).toMatchObject({ type: 'identity', id: h.identityId });
    expect(verified.authMethod).toBe('alicloud');
    expect(lastAudit(h)).toMatchObject({ type: 'login.succeeded', detail: { arn: ALICE.arn, matchedArn: ALICE.arn, accountId: ALICE.accountId, identityType: 'RAMUser' } });
  });

  it('forwards exactly the signed parameters, as a GET, minus identityId and organizationSlug', async () => {
    const body = h.body(ALICE, { organizationSlug: 'acme' });
    const res = await h.login(body);
    expect(res.status).toBe(200);
    const { identityId: _i, organizationSlug: _o, ...signed } = body;
    const seen = h.sts.received.at(-1)!;
    expect(seen.method).toBe('GET');
    expect(seen.path).toBe('/');
    expect(seen.params).toEqual(signed);
  });

  it('logs STS temporary credentials in: an assumed-role session of an allowed role', async () => {
    const res = await h.login(h.body(DEPLOYER_SESSION));
    expect(res.status).toBe(200);
    expect(h.sts.received.at(-1)!.params.SecurityToken).toBe(DEPLOYER_SESSION.securityToken);
    expect(lastAudit(h).detail).toMatchObject({ arn: DEPLOYER_SESSION.arn, matchedArn: `acs:ram::1234567890123456:role/deployer`, temporaryCredentials: true });
  });

  it('accepts a Timestamp exactly 15 minutes old or ahead', async () => {
    expect((await h.login(h.body(ALICE, { now: new Date(h.clock.now().getTime() - 900_000) }))).status).toBe(200);
    expect((await h.login(h.body(ALICE, { now: new Date(h.clock.now().getTime() + 900_000) }))).status).toBe(200);
  });
});

describe('alicloud login: refusals', () => {
  it('unknown identity → 404, and STS is not called', async () => {
    const calls = h.sts.calls;
    const res = await h.login(h.body(ALICE, { identityId: '00000000-0000-4000-8000-000000000000' }));
    expectSeedError(res, 404);
    expect(h.sts.calls).toBe(calls);
  });

  it('identity of another organization → 403', async () => {
    const res = await h.login(h.body(ALICE, { organizationSlug: 'other-org' }));
    expectSeedError(res, 403);
    expect(lastAudit(h).reasonCode).toBe('organization_mismatch');
  });

  it('ARN not allowed → 401 arn_not_allowed', async () => {
    const res = await h.login(h.body(BOB));
    const body = expectSeedError(res, 401);
    expect(body.error).toBe('UnauthorizedError');
    expect(lastAudit(h).reasonCode).toBe('arn_not_allowed');
  });

  it('assumed role of the same name in another account → 401 arn_not_allowed', async () => {
    const res = await h.login(h.body(FOREIGN_DEPLOYER));
    expectSeedError(res, 401);
    expect(lastAudit(h).reasonCode).toBe('arn_not_allowed');
  });

  it('replayed nonce → 401, and the emulator is not even called', async () => {
    const body = h.body(ALICE);
    expect((await h.login(body)).status).toBe(200);
    const calls = h.sts.calls;
    const res = await h.login(body);
    expectSeedError(res, 401);
    expect(lastAudit(h).reasonCode).toBe('nonce_replayed');
    expect(h.sts.calls).toBe(calls);
  });

  it('of many concurrent submissions of one signed body, exactly one reaches STS and logs in', async () => {
    const body = h.body(ALICE);
    const calls = h.sts.calls;
    const results = await Promise.all(Array.from({ length: 12 }, () => h.login(body)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(11);
    expect(h.sts.calls - calls).toBe(1);
  });

  it('stale Timestamp (15 min + 1 s) → 401 timestamp_stale, STS not called', async () => {
    const calls = h.sts.calls;
    const res = await h.login(h.body(ALICE, { now: new Date(h.clock.now().getTime() - 901_000) }));
    expectSeedError(res, 401);
    expect(lastAudit(h).reasonCode).toBe('timestamp_stale');
    expect(h.sts.calls).toBe(calls);
  });

  it('future Timestamp (15 min + 1 s) → 401 timestamp_in_future, STS not called', async () => {
    const calls = h.sts.calls;
    const res = await h.login(h.body(ALICE, { now: new Date(h.clock.now().getTime() + 901_000) }));
    expectSeedError(res, 401);
    expect(lastAudit(h).reasonCode).toBe('timestamp_in_future');
    expect(h.sts.calls).toBe(calls);
  });

  it('a body that ages out while waiting is refused once the clock passes the window', async () => {
    const body = h.body(ALICE);
    h.clock.advance(901_000);
    try {
      expectSeedError(await h.login(body), 401);
      expect(lastAudit(h).reasonCode).toBe('timestamp_stale');
    } finally {
      h.clock.advance(-901_000);
    }
  });

  it('bad signature → 401 from STS (sts_signature_mismatch), and STS’s Message is never logged or returned', async () => {
    const body = h.body(ALICE);
    const tampered = { ...body, Signature: `${body.Signature[0] === 'A' ? 'B' : 'A'}${body.Signature.slice(1)}` };
    const calls = h.sts.calls;
    const logsBefore = h.logs.length;
    const res = await h.login(tampered);
    const err = expectSeedError(res, 401);
    expect(err.message).toBe('Alibaba Cloud STS rejected the signed request (SignatureDoesNotMatch)');
    expect(h.sts.calls).toBe(calls + 1);
    expect(lastAudit(h).reasonCode).toBe('sts_signature_mismatch');
    const written = h.logs.slice(logsBefore).join('\n') + JSON.stringify(h.audit.at(-1)) + JSON.stringify(res.body);
    expect(written).toContain('SignatureDoesNotMatch');
    expect(written).not.toContain('string to sign');
    expect(written).not.toContain('GET&%2F');
    expect(written).not.toContain(tampered.Signature);
    expect(written).not.toContain(body.Signature);
  });

  it('wrong secret → 401 from STS', async () => {
    const res = await h.login(h.body({ ...ALICE, secret: `${ALICE.secret}x` }));
    expectSeedError(res, 401);
    expect(lastAudit(h).reasonCode).toBe('sts_signature_mismatch');
  });

  it('unknown access key → 401 from STS (sts_access_key_not_found)', async () => {
    const res = await h.login(h.body({ ...ALICE, id: 'LTAI5tNoSuchKey00000001' }));
    expectSeedError(res, 401);
    expect(lastAudit(h).reasonCode).toBe('sts_access_key_not_found');
  });

  it('temporary credentials with another SecurityToken → 401 from STS', async () => {
    const res = await h.login(h.body({ ...DEPLOYER_SESSION, securityToken: 'CAISdifferentToken0000==' }));
    expectSeedError(res, 401);
    expect(lastAudit(h).reasonCode).toBe('sts_security_token_invalid');
  });
});

describe('alicloud login: STS failures → 502 within the timeout', () => {
  const cases: [string, () => void, string][] = [
    ['STS answering 500', () => h.sts.setFault('500'), 'sts_server_error'],
    ['STS answering garbage', () => h.sts.setFault('garbage'), 'sts_garbage'],
    ['STS answering JSON without an Arn', () => h.sts.setFault('garbage', { body: '{"RequestId":"X","AccountId":"1234567890123456"}' }), 'sts_response_invalid'],
    ['STS answering an Arn of another account than AccountId', () => h.sts.setFault('garbage', { body: `{"Arn":"${ALICE.arn}","AccountId":"6543210987654321","IdentityType":"RAMUser"}` }), 'sts_response_invalid'],
    ['STS answering an oversized body', () => h.sts.setFault('huge', { bytes: 1024 * 1024 }), 'sts_response_too_large'],
    ['STS dropping the connection', () => h.sts.setFault('reset'), 'sts_unreachable'],
  ];
  it.each(cases)('%s', async (_name, arrange, reason) => {
    arrange();
    try {
      const res = await h.login(h.body(ALICE));
      const body = expectSeedError(res, 502);
      expect(body.error).toBe('BadGateway');
      expect(lastAudit(h).reasonCode).toBe(reason);
    } finally {
      h.sts.setFault(null);
    }
  });

  it('STS hanging past the timeout → 502 sts_timeout (the emulator never answers; only the timeout ends the wait)', async () => {
    const short = await createHarness({ timeoutMs: 300 });
    short.sts.setFault('slow');
    try {
      const res = await short.login(short.body(ALICE));
      expect(expectSeedError(res, 502).error).toBe('BadGateway');
      expect(lastAudit(short).reasonCode).toBe('sts_timeout');
    } finally {
      await short.close();
    }
  });

  it('STS down (nothing listening) → 502 sts_unreachable', async () => {
    const dead = await createStsEmulator({ accessKeys: [] });
    const url = dead.url;
    await dead.close();
    const gh = createGatehouse({ strategies: [alicloudStrategy({ stsEndpoints: { global: url } })], clock: h.clock });
    const audit: string[] = [];
    try {
      const id = await gh.admin.createIdentity({ name: 'x' });
      await gh.admin.attachMethod(id.id, 'alicloud', { allowedArns: [ALICE.arn] });
      const res = await gh.handle({ method: 'POST', path: PATH, headers: {}, body: h.body(ALICE, { identityId: id.id }), socketAddress: '127.0.0.1', protocol: 'http' });
      expectSeedError(res, 502);
      audit.push(String((res.body as { error: string }).error));
    } finally {
      await gh.close();
    }
    expect(audit).toEqual(['BadGateway']);
  });
});

describe('alicloud login: STS endpoint selection', () => {
  it('sends an identity with stsRegion to that regional endpoint, and others to the default', async () => {
    const regional = await createStsEmulator({ accessKeys: [ALICE], clock: h.clock });
    const global = await createStsEmulator({ accessKeys: [ALICE], clock: h.clock });
    const gh = createGatehouse({ strategies: [alicloudStrategy({ stsEndpoints: { global: global.url, 'cn-hangzhou': regional.url } })], clock: h.clock });
    try {
      const a = await gh.admin.createIdentity({ name: 'regional' });
      await gh.admin.attachMethod(a.id, 'alicloud', { allowedArns: [ALICE.arn], stsRegion: 'cn-hangzhou' });
      const b = await gh.admin.createIdentity({ name: 'global' });
      await gh.admin.attachMethod(b.id, 'alicloud', { allowedArns: [ALICE.arn] });
      const send = (identityId: string) =>
        gh.handle({ method: 'POST', path: PATH, headers: {}, body: h.body(ALICE, { identityId }), socketAddress: '127.0.0.1', protocol: 'http' });
      expect((await send(a.id)).status).toBe(200);
      expect([regional.calls, global.calls]).toEqual([1, 0]);
      expect((await send(b.id)).status).toBe(200);
      expect([regional.calls, global.calls]).toEqual([1, 1]);
      await expect(gh.admin.attachMethod(a.id, 'alicloud', { allowedArns: [ALICE.arn], stsRegion: 'cn-shanghai' })).rejects.toMatchObject({
        kind: 'validation',
        fields: ['config.stsRegion'],
      });
    } finally {
      await gh.close();
      await regional.close();
      await global.close();
    }
  });

  it('refuses a caller-supplied host: there is no field for it, and unknown fields are 422', async () => {
    const calls = h.sts.calls;
    const res = await h.login({ ...h.body(ALICE), Endpoint: 'https://evil.example' });
    expectSeedError(res, 422);
    expect(h.sts.calls).toBe(calls);
  });
});
