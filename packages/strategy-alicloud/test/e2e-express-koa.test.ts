/** The same login over Express and Koa: the client's body logs in, a replay is refused, a 1 MB body is 413. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildAlicloudLoginBody, loginWithAlicloud } from '@gatehouse-auth/client';
import { gatehouseExpress } from '@gatehouse-auth/express';
import { gatehouseKoa } from '@gatehouse-auth/koa';
import express from 'express';
import Koa from 'koa';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, createHarness, PATH, type Harness } from './harness.js';

const adapters: [string, (h: Harness) => Parameters<typeof createServer>[1]][] = [
  ['express', (h) => express().use(gatehouseExpress({ gatehouse: h.gh }))],
  ['koa', (h) => new Koa().use(gatehouseKoa({ gatehouse: h.gh })).callback()],
];

describe.each(adapters)('alicloud over %s', (_name, mount) => {
  let h: Harness;
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    h = await createHarness();
    server = createServer(mount(h));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await h.close();
  });

  const post = async (body: string) => {
    const res = await request(`${baseUrl}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };

  it('logs in with a client-built body; the token verifies', async () => {
    const token = await loginWithAlicloud({ baseUrl, identityId: h.identityId, accessKeyId: ALICE.id, accessKeySecret: ALICE.secret, now: h.clock.now() });
    expect((await h.gh.issuer.verify(token.accessToken)).subject.id).toBe(h.identityId);
  });

  it('refuses a replay with 401 without calling STS', async () => {
    const body = JSON.stringify(buildAlicloudLoginBody({ identityId: h.identityId, accessKeyId: ALICE.id, accessKeySecret: ALICE.secret, now: h.clock.now() }));
    expect((await post(body)).status).toBe(200);
    const calls = h.sts.calls;
    const again = await post(body);
    expect(again.status).toBe(401);
    expect(Object.keys(again.body).sort()).toEqual(['error', 'message', 'reqId', 'statusCode']);
    expect(h.sts.calls).toBe(calls);
  });

  it('answers a 1 MB body with 413 in the seed shape', async () => {
    const res = await post(JSON.stringify({ identityId: h.identityId, Signature: 'A'.repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'PayloadTooLarge' });
  });
});
