/**
 * The OCI login through the core pipeline, relaying over real HTTP to the OCI Identity emulator, which
 * verifies the oci-common signatures for real. Every refusal is checked in the seed's error shape.
 */
import { createServer } from 'node:net';
import { buildOciLoginBody, type OciLoginBody } from '@gatehouse-auth/client';
import { ManualClock, createGatehouse, type AuditEvent, type Gatehouse, type GatehouseResponse, type Logger } from '@gatehouse-auth/core';
import { createOciIdentityEmulator, type OciIdentityEmulator, type OciTestUser } from '@gatehouse-auth/testing/oci';
import { DefaultRequestSigner, SimpleAuthenticationDetailsProvider } from 'oci-common';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OCI_LOGIN_PATH, ociStrategy, type OciStrategyOptions } from '../src/index.js';
import { HOST, credentialsOf, ociUsers, signPath, signingSeconds } from './fixtures.js';

const { tenancy, ciBot, deployer, admin, retired, outsider } = ociUsers();
const nextSecond = signingSeconds();

let emu: OciIdentityEmulator;
const open: Gatehouse[] = [];

interface Harness {
  gh: Gatehouse;
  clock: ManualClock;
  events: AuditEvent[];
  logs: unknown[];
  identityId: string;
  login(body: unknown): Promise<GatehouseResponse>;
  lastReason(): string | undefined;
}

async function harness(options: Partial<OciStrategyOptions> = {}, config: Record<string, unknown> = {}): Promise<Harness> {
  const clock = new ManualClock(Date.now());
  const events: AuditEvent[] = [];
  const logs: unknown[] = [];
  const record = (obj: unknown, msg?: unknown) => logs.push([obj, msg]);
  const logger: Logger = { debug: record, info: record, warn: record, error: record };
  const gh = createGatehouse({
    clock,
    logger,
    audit: (e) => void events.push(e),
    strategies: [ociStrategy({ relayOverride: { origins: { [HOST]: emu.url } }, timeoutMs: 1_000, ...options })],
  });
  open.push(gh);
  const identity = await gh.admin.createIdentity({ name: 'oci-ci', organizationSlug: 'acme' });
  await gh.admin.attachMethod(identity.id, 'oci', { tenancyOcid: tenancy, allowedUsernames: ['ci-bot', 'deployer', 'admin', 'retired'], ...config }, { accessTokenTTL: 600, accessTokenMaxTTL: 3600 });
  return {
    gh,
    clock,
    events,
    logs,
    identityId: identity.id,
    login: (body) => gh.handle({ method: 'POST', path: OCI_LOGIN_PATH, headers: { 'content-type': 'application/json' }, body, socketAddress: '127.0.0.1', protocol: 'http' }),
    lastReason: () => events.at(-1)?.reasonCode,
  };
}

const bodyFor = (user: OciTestUser, identityId: string, extra: { now?: Date; organizationSlug?: string } = {}) =>
  buildOciLoginBody({ identityId, ...credentialsOf(user), now: nextSecond(), ...extra });

/** The seed's error body for a status: exactly these keys, nothing else. */
function expectSeedError(res: GatehouseResponse, status: number, error: string) {
  expect(res.status).toBe(status);
  const body = res.body as Record<string, unknown>;
  expect(body.reqId).toMatch(/^req-/);
  expect(body.statusCode).toBe(status);
  expect(body.error).toBe(error);
  const allowed = status === 400 || status === 403 ? ['reqId', 'statusCode', 'message', 'error', 'details'] : ['reqId', 'statusCode', 'message', 'error'];
  for (const key of Object.keys(body)) expect(allowed).toContain(key);
  if (status !== 422) expect(typeof body.message).toBe('string');
}

beforeAll(async () => {
  emu = await createOciIdentityEmulator({
    users: [ciBot, deployer, { ...admin, canReadTenancyUsers: true }, { ...retired, lifecycleState: 'INACTIVE' }, outsider],
    slowMs: 60_000,
  });
});
afterAll(async () => {
  await Promise.all(open.map((gh) => gh.close()));
  await emu.close();
});

describe('OCI login', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  beforeEach(() => emu.setFault(null));

  it('logs in with an oci-common signed request; the token verifies', async () => {
    const before = emu.requestCount;
    const res = await h.login(await bodyFor(ciBot, h.identityId));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body as object).sort()).toEqual(['accessToken', 'accessTokenMaxTTL', 'expiresIn', 'tokenType']);
    expect(res.body).toMatchObject({ expiresIn: 600, accessTokenMaxTTL: 3600, tokenType: 'Bearer' });
    const verified = await h.gh.issuer.verify((res.body as { accessToken: string }).accessToken);
    expect(verified.subject).toEqual({ type: 'identity', id: h.identityId });
    expect(verified.authMethod).toBe('oci');
    // The relay went to the emulator with the signed host header unchanged, for the encoded user path.
    expect(emu.requestCount).toBe(before + 1);
    expect(emu.requests.at(-1)).toMatchObject({ method: 'GET', target: `/20160918/users/${ciBot.id}`, status: 200 });
    expect(emu.requests.at(-1)!.headers.host).toBe(HOST);
    expect(h.events.at(-1)).toMatchObject({ type: 'login.succeeded', detail: { userOcid: ciBot.id, username: 'ci-bot', tenancyOcid: tenancy, region: 'us-ashburn-1' } });
  });

  it('honours organizationSlug: the identity organization logs in, another is 403', async () => {
    expect((await h.login(await bodyFor(ciBot, h.identityId, { organizationSlug: 'acme' }))).status).toBe(200);
    const res = await h.login(await bodyFor(ciBot, h.identityId, { organizationSlug: 'other' }));
    expectSeedError(res, 403, 'PermissionDenied');
  });

  it('accepts each signed request once: a replayed body is 401, even for another identity', async () => {
    const body = await bodyFor(deployer, h.identityId);
    expect((await h.login(body)).status).toBe(200);
    const replay = await h.login(body);
    expectSeedError(replay, 401, 'UnauthorizedError');
    expect(h.lastReason()).toBe('signature_replayed');
    const other = await h.gh.admin.createIdentity({ name: 'other' });
    await h.gh.admin.attachMethod(other.id, 'oci', { tenancyOcid: tenancy });
    expectSeedError(await h.login({ ...body, identityId: other.id }), 401, 'UnauthorizedError');
    expect(h.lastReason()).toBe('signature_replayed');
  });

  it('with replayProtection off, the same body logs in twice (the peers\' behaviour)', async () => {
    const lax = await harness({ replayProtection: false });
    const body = await bodyFor(deployer, lax.identityId);
    expect((await lax.login(body)).status).toBe(200);
    expect((await lax.login(body)).status).toBe(200);
  });

  it('lets exactly one of many concurrent logins with the same body through', async () => {
    const body = await bodyFor(ciBot, h.identityId);
    const results = await Promise.all(Array.from({ length: 8 }, () => h.login(body)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(7);
  });

  describe('host is not an OCI identity endpoint → 400 and the relay is never called', () => {
    const hosts = () => [
      '127.0.0.1',
      `127.0.0.1:${emu.port}`,
      'localhost',
      'evil.com',
      'identity.us-ashburn-1.oraclecloud.com.evil.com',
      'identity.us-ashburn-1.oraclecloud.com:443',
      `identity.us-ashburn-1.oraclecloud.com:${emu.port}`,
      'user@identity.us-ashburn-1.oraclecloud.com',
      'evil.com@identity.us-ashburn-1.oraclecloud.com',
      'identity.us-ashburn-1.oraclecloud.com.',
      'IDENTITY.US-ASHBURN-1.ORACLECLOUD.COM',
      'іdentity.us-ashburn-1.oraclecloud.com',
      'identity.us-ashburn-1.oraclecloud.com/20160918/users',
      'identity.us-langley-1.oraclegovcloud.com',
    ];

    it('for each hostile host, even though an override for the real host points at the emulator', async () => {
      const body = await bodyFor(ciBot, h.identityId);
      const before = emu.requestCount;
      for (const host of hosts()) {
        const res = await h.login({ ...body, headers: { ...body.headers, host } });
        expectSeedError(res, 400, 'BadRequest');
        expect((res.body as { details: unknown }).details).toEqual({ fields: ['headers.host'] });
        expect(h.lastReason()).toBe('host_not_oci_identity');
      }
      expect(emu.requestCount).toBe(before);
    });

    it('when signed for the emulator address itself (a valid signature does not make a host acceptable)', async () => {
      const signed = await buildOciLoginBody({ identityId: h.identityId, userOcid: ciBot.id, tenancyOcid: tenancy, fingerprint: ciBot.fingerprint, privateKeyPem: ciBot.privateKeyPem, region: 'us-ashburn-1' });
      const headers = new Headers({ 'x-date': signed.headers['x-date']! });
      const provider = new SimpleAuthenticationDetailsProvider(tenancy, ciBot.id, ciBot.fingerprint, ciBot.privateKeyPem, null);
      await new DefaultRequestSigner(provider).signHttpRequest({ method: 'GET', headers, uri: `${emu.url}/20160918/users/${ciBot.id}` });
      const before = emu.requestCount;
      const res = await h.login({ ...signed, headers: { authorization: headers.get('authorization')!, host: headers.get('host')!, 'x-date': headers.get('x-date')! } });
      expectSeedError(res, 400, 'BadRequest');
      expect(emu.requestCount).toBe(before);
    });

    it('when the identity narrows realms and the host is of another allowed realm', async () => {
      const gov = await harness({ realmDomains: ['oraclecloud.com', 'oraclegovcloud.com'] }, { realmDomains: ['oraclegovcloud.com'] });
      const before = emu.requestCount;
      const res = await gov.login(await bodyFor(ciBot, gov.identityId));
      expectSeedError(res, 400, 'BadRequest');
      expect(gov.lastReason()).toBe('realm_not_allowed_for_identity');
      expect(emu.requestCount).toBe(before);
    });
  });

  it("keyId user ≠ userOcid → 401 before the relay, though OCI would answer the admin's request", async () => {
    // An admin's signature for another user's path is good at OCI (it may read users of its tenancy)…
    const headers = await signPath(admin, `/20160918/users/${ciBot.id}`, nextSecond());
    const direct = await request(`${emu.url}/20160918/users/${ciBot.id}`, { headers });
    expect(direct.statusCode).toBe(200);
    await direct.body.dump();
    // …so only the keyId check stops the admin from logging in as ci-bot.
    const before = emu.requestCount;
    const res = await h.login({ identityId: h.identityId, userOcid: ciBot.id, headers });
    expectSeedError(res, 401, 'UnauthorizedError');
    expect(h.lastReason()).toBe('key_id_user_mismatch');
    expect(emu.requestCount).toBe(before);
  });

  it("another tenancy's user with an allowed name → 401 before the relay", async () => {
    const before = emu.requestCount;
    const res = await h.login(await bodyFor(outsider, h.identityId));
    expectSeedError(res, 401, 'UnauthorizedError');
    expect(h.lastReason()).toBe('key_id_tenancy_mismatch');
    expect(emu.requestCount).toBe(before);
  });

  it("another tenancy's user claiming this tenancy in its keyId → OCI refuses → 401", async () => {
    const res = await h.login(await bodyFor({ ...outsider, tenancyId: tenancy }, h.identityId));
    expectSeedError(res, 401, 'UnauthorizedError');
    expect(h.lastReason()).toBe('oci_not_authenticated');
  });

  it('date outside ±5 min of the injected clock → 401 before the relay', async () => {
    const body = await bodyFor(ciBot, h.identityId);
    const before = emu.requestCount;
    h.clock.advance(5 * 60_000 + 1_000);
    try {
      const res = await h.login(body);
      expectSeedError(res, 401, 'UnauthorizedError');
      expect(h.lastReason()).toBe('signed_date_out_of_window');
    } finally {
      h.clock.advance(-(5 * 60_000 + 1_000));
    }
    const stale = await h.login(await bodyFor(ciBot, h.identityId, { now: new Date(Date.now() - 6 * 60_000) }));
    expectSeedError(stale, 401, 'UnauthorizedError');
    expect(emu.requestCount).toBe(before);
  });

  it('signature over a different path → OCI refuses → 401', async () => {
    for (const path of [`/20160918/users/${deployer.id}`, `/20160918/users/${ciBot.id}?x=1`, '/20160918/users']) {
      const res = await h.login({ identityId: h.identityId, userOcid: ciBot.id, headers: await signPath(ciBot, path, nextSecond()) });
      expectSeedError(res, 401, 'UnauthorizedError');
      expect(h.lastReason()).toBe('oci_not_authenticated');
    }
  });

  it('a changed signed header or a foreign key → 401', async () => {
    const body = await bodyFor(ciBot, h.identityId);
    const later = new Date(Date.parse(body.headers['x-date']!) + 1000).toUTCString();
    expectSeedError(await h.login({ ...body, headers: { ...body.headers, 'x-date': later } }), 401, 'UnauthorizedError');
    const forged = await bodyFor({ ...ciBot, privateKeyPem: outsider.privateKeyPem }, h.identityId);
    expectSeedError(await h.login(forged), 401, 'UnauthorizedError');
    expect(h.lastReason()).toBe('oci_not_authenticated');
  });

  it('an inactive user → 401', async () => {
    const res = await h.login(await bodyFor(retired, h.identityId));
    expectSeedError(res, 401, 'UnauthorizedError');
    expect(h.lastReason()).toBe('user_not_active');
  });

  it('a name outside allowedUsernames → 401 after OCI answered', async () => {
    const narrow = await harness({}, { allowedUsernames: 'ci-bot' });
    expectSeedError(await narrow.login(await bodyFor(deployer, narrow.identityId)), 401, 'UnauthorizedError');
    expect(narrow.lastReason()).toBe('username_not_allowed');
    expect((await narrow.login(await bodyFor(ciBot, narrow.identityId))).status).toBe(200);
  });

  it('an unknown identity → 404 without a relay', async () => {
    const before = emu.requestCount;
    expectSeedError(await h.login(await bodyFor(ciBot, 'no-such-identity')), 404, 'NotFound');
    expect(emu.requestCount).toBe(before);
  });

  describe('OCI failing → 502', () => {
    it.each(['500', 'garbage', 'reset', 'slow'] as const)('fault %s', async (fault) => {
      emu.setFault(fault);
      const res = await h.login(await bodyFor(ciBot, h.identityId));
      expectSeedError(res, 502, 'BadGateway');
      expect((res.body as { message: string }).message).not.toMatch(/Internal error|html/i);
    });

    it('unreachable', async () => {
      const port = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => resolve(p));
        });
      });
      const down = await harness({ relayOverride: { origins: { [HOST]: `http://127.0.0.1:${port}` } } });
      expectSeedError(await down.login(await bodyFor(ciBot, down.identityId)), 502, 'BadGateway');
      expect(down.lastReason()).toBe('upstream_network');
    });

    it('answering more than the size cap', async () => {
      const small = await harness({ maxResponseBytes: 200 });
      expectSeedError(await small.login(await bodyFor(ciBot, small.identityId)), 502, 'BadGateway');
      expect(small.lastReason()).toBe('upstream_too_large');
    });

    it('a failed relay does not burn the signature: the same body logs in once OCI is back', async () => {
      const body = await bodyFor(admin, h.identityId);
      emu.setFault('500');
      expect((await h.login(body)).status).toBe(502);
      emu.setFault(null);
      expect((await h.login(body)).status).toBe(200);
    });
  });

  it('never logs signatures or OCI error messages', async () => {
    const body = await bodyFor({ ...ciBot, privateKeyPem: outsider.privateKeyPem }, h.identityId);
    h.logs.length = 0;
    expect((await h.login(body)).status).toBe(401);
    emu.setFault('500');
    expect((await h.login(await bodyFor(ciBot, h.identityId))).status).toBe(502);
    emu.setFault(null);
    const text = JSON.stringify(h.logs);
    expect(text).toContain('"upstreamStatus":401');
    expect(text).not.toContain(/signature="([^"]+)"/.exec(body.headers.authorization)![1]!);
    expect(text).not.toContain('The required information');
    expect(text).not.toContain('Internal error occurred');
  });

  describe('malformed fields → 422 (never 500)', () => {
    const cases = (b: OciLoginBody): [string, unknown][] => [
      ['an empty body', {}],
      ['an array', [b]],
      ['a string', 'hello'],
      ['an extra field', { ...b, tenancyOcid: tenancy }],
      ['an extra header', { ...b, headers: { ...b.headers, 'opc-obo-token': 'x' } }],
      ['no headers', { identityId: b.identityId, userOcid: b.userOcid }],
      ['no authorization', { ...b, headers: { host: b.headers.host } }],
      ['a userOcid that is not a user OCID', { ...b, userOcid: '../../20160918/tenancies/x' }],
      ['a numeric host', { ...b, headers: { ...b.headers, host: 1 } }],
      ['an oversized authorization', { ...b, headers: { ...b.headers, authorization: 'Signature '.padEnd(5000, 'x') } }],
      ['a null identityId', { ...b, identityId: null }],
      ['a __proto__ key', JSON.parse(`{"identityId":"x","userOcid":"${b.userOcid}","headers":{"authorization":"a","host":"b","__proto__":{"x":1}}}`)],
    ];

    it('for each malformed body, with the seed 422 shape and the relay never called', async () => {
      const body = await bodyFor(ciBot, h.identityId);
      const before = emu.requestCount;
      for (const [label, bad] of cases(body)) {
        const res = await h.login(bad);
        expect(res.status, label).toBe(422);
        expectSeedError(res, 422, 'ValidationFailure');
        expect(Array.isArray((res.body as { message: unknown }).message), label).toBe(true);
      }
      expect(emu.requestCount).toBe(before);
    });

    it('an authorization header that is not an OCI signature → 401 without a relay', async () => {
      const body = await bodyFor(ciBot, h.identityId);
      const before = emu.requestCount;
      for (const authorization of ['Bearer abc', 'Signature keyId="x"', body.headers.authorization.replace('rsa-sha256', 'hs2019')]) {
        expectSeedError(await h.login({ ...body, headers: { ...body.headers, authorization } }), 401, 'UnauthorizedError');
      }
      expect(emu.requestCount).toBe(before);
    });
  });
});

describe('configuration', () => {
  it('refuses a malformed per-identity config at write time, naming the field', async () => {
    const gh = createGatehouse({ strategies: [ociStrategy()] });
    open.push(gh);
    const identity = await gh.admin.createIdentity({ name: 'x' });
    const err = await gh.admin.attachMethod(identity.id, 'oci', { tenancyOcid: 'my-tenancy' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'validation', fields: ['config.tenancyOcid'] });
    const missing = await gh.admin.attachMethod(identity.id, 'oci', { allowedUsernames: ['a'] }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ kind: 'validation', fields: ['config.tenancyOcid'] });
    const realm = await gh.admin.attachMethod(identity.id, 'oci', { tenancyOcid: tenancy, realmDomains: ['oraclegovcloud.com'] }).catch((e: unknown) => e);
    expect(realm).toMatchObject({ kind: 'validation', fields: ['config.realmDomains.0'] });
  });

  it('refuses bad server options at construction', () => {
    expect(() => ociStrategy({ realmDomains: ['*.oraclecloud.com'] })).toThrow(TypeError);
    expect(() => ociStrategy({ clockSkewSeconds: 3600 })).toThrow(/clockSkewSeconds/);
    expect(() => ociStrategy({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => ociStrategy({ relayOverride: { origins: { 'evil.com': 'http://127.0.0.1:1' } } })).toThrow(/not an OCI Identity host/);
    expect(() => ociStrategy({ relayOverride: { origins: { [HOST]: 'http://127.0.0.1:1' } }, environment: 'production' })).toThrow(/production/);
  });

  it('publishes the seed contract in OpenAPI', () => {
    const gh = createGatehouse({ strategies: [ociStrategy()] });
    open.push(gh);
    const doc = gh.openapi() as { paths: Record<string, { post: { operationId: string; responses: Record<string, unknown> } }> };
    const op = doc.paths[OCI_LOGIN_PATH]!.post;
    expect(op.operationId).toBe('loginWithOciAuth');
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '422']));
  });
});
