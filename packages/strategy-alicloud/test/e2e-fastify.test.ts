/**
 * Acceptance over real HTTP: Fastify + @gatehouse-auth/fastify + the STS emulator, with @gatehouse-auth/client signing
 * (Alibaba's own signing code) and posting. Every refusal keeps the seed's error shape.
 */
import { AlicloudLoginError, buildAlicloudLoginBody, loginWithAlicloud } from '@gatehouse-auth/client';
import { gatehouseFastify, gatehouseGuard } from '@gatehouse-auth/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, createHarness, DEPLOYER_SESSION, PATH, type Harness } from './harness.js';

let h: Harness;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  h = await createHarness();
  app = Fastify();
  await app.register(gatehouseFastify, { gatehouse: h.gh });
  app.get('/me', { preHandler: gatehouseGuard({ gatehouse: h.gh }) }, async (req) => ({ subject: req.gatehousePrincipal?.subject }));
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await h.close();
});

const creds = (key: typeof ALICE) => ({ accessKeyId: key.id, accessKeySecret: key.secret, securityToken: key.securityToken });

async function post(body: unknown, raw?: string) {
  const res = await request(`${baseUrl}${PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, unknown> };
}

function expectSeedShape(res: { status: number; headers: Record<string, unknown>; body: Record<string, unknown> }, status: number) {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'message', 'reqId', 'statusCode']);
  expect(res.body.statusCode).toBe(status);
  expect(res.body.reqId).toBe(res.headers['x-request-id']);
}

describe('alicloud over Fastify', () => {
  it('a body produced by @gatehouse-auth/client logs in; the token verifies and opens a guarded route', async () => {
    const token = await loginWithAlicloud({ baseUrl, identityId: h.identityId, ...creds(ALICE), now: h.clock.now() });
    expect(Object.keys(token).sort()).toEqual(['accessToken', 'accessTokenMaxTTL', 'expiresIn', 'tokenType']);
    expect(token).toMatchObject({ expiresIn: 600, accessTokenMaxTTL: 3600, tokenType: 'Bearer' });
    const verified = await h.gh.issuer.verify(token.accessToken);
    expect(verified.subject).toEqual({ type: 'identity', id: h.identityId });
    const me = await request(`${baseUrl}/me`, { headers: { authorization: `Bearer ${token.accessToken}` } });
    expect(me.statusCode).toBe(200);
    expect(await me.body.json()).toEqual({ subject: { type: 'identity', id: h.identityId } });
  });

  it('STS temporary credentials log in too', async () => {
    const token = await loginWithAlicloud({ baseUrl, identityId: h.identityId, ...creds(DEPLOYER_SESSION), now: h.clock.now() });
    expect((await h.gh.issuer.verify(token.accessToken)).subject.id).toBe(h.identityId);
  });

  it('unknown identity → 404 (client raises AlicloudLoginError with the server body)', async () => {
    const err = await loginWithAlicloud({ baseUrl, identityId: 'no-such-identity', ...creds(ALICE), now: h.clock.now() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlicloudLoginError);
    expect((err as AlicloudLoginError).status).toBe(404);
    expect((err as AlicloudLoginError).body).toMatchObject({ statusCode: 404, error: 'NotFound' });
  });

  it('ARN not allowed → 401', async () => {
    expectSeedShape(await post(buildAlicloudLoginBody({ identityId: h.identityId, ...creds(BOB), now: h.clock.now() })), 401);
  });

  it('replayed nonce → 401 and the emulator is not called', async () => {
    const body = buildAlicloudLoginBody({ identityId: h.identityId, ...creds(ALICE), now: h.clock.now() });
    expect((await post(body)).status).toBe(200);
    const calls = h.sts.calls;
    expectSeedShape(await post(body), 401);
    expect(h.sts.calls).toBe(calls);
  });

  it('stale and future timestamps → 401', async () => {
    const t = h.clock.now().getTime();
    expectSeedShape(await post(buildAlicloudLoginBody({ identityId: h.identityId, ...creds(ALICE), now: new Date(t - 16 * 60_000) })), 401);
    expectSeedShape(await post(buildAlicloudLoginBody({ identityId: h.identityId, ...creds(ALICE), now: new Date(t + 16 * 60_000) })), 401);
  });

  it('bad signature → 401 from STS', async () => {
    const calls = h.sts.calls;
    expectSeedShape(await post(buildAlicloudLoginBody({ identityId: h.identityId, ...creds({ ...ALICE, secret: 'not-the-secret' }), now: h.clock.now() })), 401);
    expect(h.sts.calls).toBe(calls + 1);
  });

  it('STS slow → 502 (the emulator never answers; only the timeout can end the wait)', async () => {
    const short = await createHarness({ timeoutMs: 300 });
    const shortApp = Fastify();
    await shortApp.register(gatehouseFastify, { gatehouse: short.gh });
    const shortUrl = await shortApp.listen({ port: 0, host: '127.0.0.1' });
    short.sts.setFault('slow');
    try {
      const res = await request(`${shortUrl}${PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(buildAlicloudLoginBody({ identityId: short.identityId, ...creds(ALICE), now: short.clock.now() })),
      });
      expectSeedShape({ status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, unknown> }, 502);
    } finally {
      await shortApp.close();
      await short.close();
    }
  });

  it('STS garbage → 502', async () => {
    h.sts.setFault('garbage');
    try {
      expectSeedShape(await post(buildAlicloudLoginBody({ identityId: h.identityId, ...creds(ALICE), now: h.clock.now() })), 502);
    } finally {
      h.sts.setFault(null);
    }
  });

  it('malformed field → 422, extra field → 422', async () => {
    const body = buildAlicloudLoginBody({ identityId: h.identityId, ...creds(ALICE), now: h.clock.now() });
    const malformed = await post({ ...body, Timestamp: '2026-01-01 00:00:00' });
    expect(malformed.status).toBe(422);
    expect(malformed.body).toMatchObject({ statusCode: 422, error: 'ValidationFailure' });
    const extra = await post({ ...body, RegionId: 'cn-hangzhou' });
    expect(extra.status).toBe(422);
  });

  it('a 1 MB body → 413 (or 422), never 500', async () => {
    const body = buildAlicloudLoginBody({ identityId: h.identityId, ...creds(ALICE), now: h.clock.now() });
    const res = await post({ ...body, Signature: 'A'.repeat(1024 * 1024) });
    expect([413, 422]).toContain(res.status);
    expect(res.body.statusCode).toBe(res.status);
  });

  it('invalid JSON → 400, not 500', async () => {
    const res = await post(undefined, '{"identityId": ');
    expectSeedShape(res, 400);
  });
});
