/**
 * Acceptance over real HTTP: Fastify + @gatehouse-auth/fastify, the OCI Identity emulator verifying signatures,
 * and @gatehouse-auth/client signing with oci-common and posting. Every refusal keeps the seed's error shape.
 */
import { buildOciLoginBody, createRemoteVerifier, loginWithOci, OciLoginError } from '@gatehouse-auth/client';
import { createGatehouse, type Gatehouse } from '@gatehouse-auth/core';
import { gatehouseFastify, gatehouseGuard } from '@gatehouse-auth/fastify';
import { createOciIdentityEmulator, type OciIdentityEmulator, type OciTestUser } from '@gatehouse-auth/testing/oci';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OCI_LOGIN_PATH, ociStrategy } from '../src/index.js';
import { HOST, credentialsOf, ociUsers, signPath, signingSeconds } from './fixtures.js';

const { tenancy, ciBot, deployer, admin, outsider } = ociUsers();
const nextSecond = signingSeconds();

let emu: OciIdentityEmulator;
let gh: Gatehouse;
let app: FastifyInstance;
let baseUrl: string;
let identityId: string;

beforeAll(async () => {
  emu = await createOciIdentityEmulator({ users: [ciBot, deployer, { ...admin, canReadTenancyUsers: true }, outsider], slowMs: 60_000 });
  gh = createGatehouse({ strategies: [ociStrategy({ relayOverride: { origins: { [HOST]: emu.url } }, timeoutMs: 1_000 })] });
  const identity = await gh.admin.createIdentity({ name: 'oci-ci' });
  identityId = identity.id;
  await gh.admin.attachMethod(identityId, 'oci', { tenancyOcid: tenancy, allowedUsernames: 'ci-bot, deployer' }, { accessTokenTTL: 600, accessTokenMaxTTL: 3600 });
  app = Fastify();
  await app.register(gatehouseFastify, { gatehouse: gh });
  app.get('/me', { preHandler: gatehouseGuard({ gatehouse: gh }) }, async (req) => ({ subject: req.gatehousePrincipal?.subject }));
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await gh.close();
  await emu.close();
});
beforeEach(() => emu.setFault(null));

const bodyFor = (user: OciTestUser, extra: { now?: Date } = {}) => buildOciLoginBody({ identityId, ...credentialsOf(user), now: nextSecond(), ...extra });

async function post(body: unknown, raw?: string) {
  const res = await request(`${baseUrl}${OCI_LOGIN_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, unknown> };
}

/** The seed's error response: exactly its keys (details only on 400/403), reqId = x-request-id. */
function expectSeedShape(res: Awaited<ReturnType<typeof post>>, status: number, error: string) {
  expect(res.status).toBe(status);
  const keys = Object.keys(res.body).sort();
  const base = ['error', 'message', 'reqId', 'statusCode'];
  expect(keys.filter((k) => k !== 'details')).toEqual(base);
  if (status !== 400 && status !== 403) expect(keys).toEqual(base);
  expect(res.body.statusCode).toBe(status);
  expect(res.body.error).toBe(error);
  expect(res.body.reqId).toBe(res.headers['x-request-id']);
}

describe('oci over Fastify', () => {
  it('@gatehouse-auth/client logs in; the token verifies locally, via the JWKS, and opens a guarded route', async () => {
    const before = emu.requestCount;
    const token = await loginWithOci({ baseUrl, identityId, ...credentialsOf(ciBot), now: nextSecond() });
    expect(Object.keys(token).sort()).toEqual(['accessToken', 'accessTokenMaxTTL', 'expiresIn', 'tokenType']);
    expect(token).toMatchObject({ expiresIn: 600, accessTokenMaxTTL: 3600, tokenType: 'Bearer' });
    expect(emu.requestCount).toBe(before + 1);
    expect((await gh.issuer.verify(token.accessToken, { stateful: 'none' })).subject).toEqual({ type: 'identity', id: identityId });
    const remote = createRemoteVerifier({ jwksUrl: `${baseUrl}/.well-known/jwks.json`, issuer: 'gatehouse', audience: 'gatehouse' });
    const principal = await remote.verify(token.accessToken);
    expect(principal.subject).toEqual({ type: 'identity', id: identityId });
    expect(principal.authMethod).toBe('oci');
    const me = await request(`${baseUrl}/me`, { headers: { authorization: `Bearer ${token.accessToken}` } });
    expect(me.statusCode).toBe(200);
    expect(await me.body.json()).toEqual({ subject: { type: 'identity', id: identityId } });
  });

  it('a refusal reaches the client as OciLoginError with the seed body', async () => {
    const err = await loginWithOci({ baseUrl, identityId, ...credentialsOf(outsider), now: nextSecond() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OciLoginError);
    expect((err as OciLoginError).status).toBe(401);
    expect((err as OciLoginError).body).toMatchObject({ statusCode: 401, error: 'UnauthorizedError' });
  });

  it('non-OCI hosts → 400 naming headers.host, and the relay is never called', async () => {
    const body = await bodyFor(ciBot);
    const before = emu.requestCount;
    for (const host of [
      '127.0.0.1',
      new URL(emu.url).host,
      'evil.com',
      'identity.us-ashburn-1.oraclecloud.com.evil.com',
      'identity.us-ashburn-1.oraclecloud.com:443',
      'user@identity.us-ashburn-1.oraclecloud.com',
      'IDENTITY.US-ASHBURN-1.ORACLECLOUD.COM',
      'identity.us-ashburn-1.oracIecloud.com',
    ]) {
      const res = await post({ ...body, headers: { ...body.headers, host } });
      expectSeedShape(res, 400, 'BadRequest');
      expect(res.body.details).toEqual({ fields: ['headers.host'] });
    }
    expect(emu.requestCount).toBe(before);
  });

  it('keyId user ≠ userOcid → 401 without a relay', async () => {
    const before = emu.requestCount;
    const headers = await signPath(admin, `/20160918/users/${ciBot.id}`, nextSecond());
    expectSeedShape(await post({ identityId, userOcid: ciBot.id, headers }), 401, 'UnauthorizedError');
    expect(emu.requestCount).toBe(before);
  });

  it("another tenancy's user with an allowed name → 401", async () => {
    expectSeedShape(await post(await bodyFor(outsider)), 401, 'UnauthorizedError');
    expectSeedShape(await post(await bodyFor({ ...outsider, tenancyId: tenancy })), 401, 'UnauthorizedError');
  });

  it('a tenancy user outside allowedUsernames → 401', async () => {
    const headers = await signPath(admin, `/20160918/users/${admin.id}`, nextSecond());
    expectSeedShape(await post({ identityId, userOcid: admin.id, headers }), 401, 'UnauthorizedError');
  });

  it('date outside ±5 min → 401 without a relay', async () => {
    const before = emu.requestCount;
    expectSeedShape(await post(await bodyFor(ciBot, { now: new Date(Date.now() - 6 * 60_000) })), 401, 'UnauthorizedError');
    expectSeedShape(await post(await bodyFor(ciBot, { now: new Date(Date.now() + 6 * 60_000) })), 401, 'UnauthorizedError');
    expect(emu.requestCount).toBe(before);
  });

  it('signature over a different path → 401', async () => {
    const headers = await signPath(ciBot, `/20160918/users/${deployer.id}`, nextSecond());
    expectSeedShape(await post({ identityId, userOcid: ciBot.id, headers }), 401, 'UnauthorizedError');
  });

  it('a replayed body → 401', async () => {
    const body = await bodyFor(deployer);
    expect((await post(body)).status).toBe(200);
    expectSeedShape(await post(body), 401, 'UnauthorizedError');
  });

  it.each(['500', 'garbage', 'reset', 'slow'] as const)('OCI fault %s → 502', async (fault) => {
    emu.setFault(fault);
    expectSeedShape(await post(await bodyFor(ciBot)), 502, 'BadGateway');
  });

  it('malformed fields → 422 with the issue list; broken JSON → 400; never 500', async () => {
    const body = await bodyFor(ciBot);
    for (const bad of [{}, { ...body, extra: true }, { ...body, userOcid: 'ocid1.user.oc1..x/../y' }, { ...body, headers: { ...body.headers, cookie: 'a' } }, { ...body, headers: null }]) {
      const res = await post(bad);
      expect(res.status).toBe(422);
      expect(Object.keys(res.body).sort()).toEqual(['error', 'message', 'reqId', 'statusCode']);
      expect(res.body.error).toBe('ValidationFailure');
      expect(Array.isArray(res.body.message)).toBe(true);
    }
    const broken = await post(undefined, '{"identityId":');
    expectSeedShape(broken, 400, 'BadRequest');
  });
});
