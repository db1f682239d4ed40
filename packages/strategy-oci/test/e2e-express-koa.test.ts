/** The same login over Express and Koa: the client logs in, a non-OCI host is 400 without a relay, a 1 MB body is 413. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildOciLoginBody, loginWithOci } from '@gatehouse-auth/client';
import { createGatehouse, type Gatehouse } from '@gatehouse-auth/core';
import { gatehouseExpress } from '@gatehouse-auth/express';
import { gatehouseKoa } from '@gatehouse-auth/koa';
import { createOciIdentityEmulator, type OciIdentityEmulator } from '@gatehouse-auth/testing/oci';
import express from 'express';
import Koa from 'koa';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCI_LOGIN_PATH, ociStrategy } from '../src/index.js';
import { HOST, credentialsOf, ociUsers, signingSeconds } from './fixtures.js';

const { tenancy, ciBot } = ociUsers();
const nextSecond = signingSeconds();

const adapters: [string, (gh: Gatehouse) => Parameters<typeof createServer>[1]][] = [
  ['express', (gh) => express().use(gatehouseExpress({ gatehouse: gh }))],
  ['koa', (gh) => new Koa().use(gatehouseKoa({ gatehouse: gh })).callback()],
];

describe.each(adapters)('oci over %s', (_name, mount) => {
  let emu: OciIdentityEmulator;
  let gh: Gatehouse;
  let server: Server;
  let baseUrl: string;
  let identityId: string;

  beforeAll(async () => {
    emu = await createOciIdentityEmulator({ users: [ciBot] });
    gh = createGatehouse({ strategies: [ociStrategy({ relayOverride: { origins: { [HOST]: emu.url } } })] });
    identityId = (await gh.admin.createIdentity({ name: 'oci' })).id;
    await gh.admin.attachMethod(identityId, 'oci', { tenancyOcid: tenancy });
    server = createServer(mount(gh));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await gh.close();
    await emu.close();
  });

  const post = async (body: string) => {
    const res = await request(`${baseUrl}${OCI_LOGIN_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };

  it('logs in with the client; the token verifies', async () => {
    const token = await loginWithOci({ baseUrl, identityId, ...credentialsOf(ciBot), now: nextSecond() });
    expect((await gh.issuer.verify(token.accessToken)).subject).toEqual({ type: 'identity', id: identityId });
  });

  it('refuses a non-OCI host with 400 in the seed shape, without calling the relay', async () => {
    const body = await buildOciLoginBody({ identityId, ...credentialsOf(ciBot), now: nextSecond() });
    const before = emu.requestCount;
    const res = await post(JSON.stringify({ ...body, headers: { ...body.headers, host: new URL(emu.url).host } }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'BadRequest', details: { fields: ['headers.host'] } });
    expect(Object.keys(res.body).sort()).toEqual(['details', 'error', 'message', 'reqId', 'statusCode']);
    expect(emu.requestCount).toBe(before);
  });

  it('answers a 1 MB body with 413 in the seed shape', async () => {
    const res = await post(JSON.stringify({ identityId, userOcid: ciBot.id, headers: { authorization: 'A'.repeat(1024 * 1024), host: HOST } }));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'PayloadTooLarge' });
  });
});
