import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createGatehouse, type Gatehouse } from '@gatehouse/core';
import { apiKeyStrategy, generateApiKey } from '@gatehouse/example-custom-strategy';
import { gatehouseFastify } from '@gatehouse/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResourceApp } from '../src/app.js';

let auth: FastifyInstance;
let gatehouse: Gatehouse;
let api: Server;
let authUrl: string;
let apiUrl: string;
const { apiKey, config } = generateApiKey('ci');
let identityId: string;

beforeAll(async () => {
  gatehouse = createGatehouse({ strategies: [apiKeyStrategy()], issuer: { issuer: 'http://auth.test', audience: 'demo' } });
  identityId = (await gatehouse.admin.createIdentity({ name: 'ci' })).id;
  await gatehouse.admin.attachMethod(identityId, 'api-key', config, { accessTokenNumUsesLimit: 0 });
  auth = Fastify();
  await auth.register(gatehouseFastify, { gatehouse });
  authUrl = await auth.listen({ port: 0, host: '127.0.0.1' });
  api = createResourceApp({ authServerUrl: authUrl, issuer: 'http://auth.test', audience: 'demo' }).listen(0, '127.0.0.1');
  await new Promise((r) => api.once('listening', r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => api.close(r));
  await auth.close();
  await gatehouse.close();
});

async function login(): Promise<string> {
  const res = await fetch(`${authUrl}/api/v1/auth/api-key/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identityId, apiKey }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

const whoami = (token?: string) => fetch(`${apiUrl}/api/whoami`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('koa resource app', () => {
  it('accepts a token from the auth server', async () => {
    const res = await whoami(await login());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ subject: { type: 'identity', id: identityId }, authMethod: 'api-key' });
  });

  it('refuses a revoked token with 401 and a Bearer challenge', async () => {
    const token = await login();
    expect((await whoami(token)).status).toBe(200);
    const revoked = await fetch(`${authUrl}/api/v1/auth/token/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessToken: token }) });
    expect(revoked.status).toBe(200);
    const res = await whoami(token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('refuses a missing or garbled token, and keeps /healthz public', async () => {
    expect((await whoami()).status).toBe(401);
    expect((await whoami('not.a.token')).status).toBe(401);
    expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);
  });
});
