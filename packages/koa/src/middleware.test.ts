import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createGatehouse, defineStrategy, type Gatehouse } from '@gatehouse-auth/core';
import { gatehouseGuard, gatehouseKoa, type GatehouseState } from './index.js';

const echo = defineStrategy({
  id: 'echo',
  route: { method: 'POST', path: '/api/v1/auth/echo/login' },
  dialect: 'infisical',
  requestSchema: z.strictObject({ name: z.string().min(1).max(32) }),
  responseSchema: z.object({ accessToken: z.string() }).loose(),
  async authenticate(input) {
    return { kind: 'authenticated', subject: { type: 'user', id: input.name } };
  },
});

describe.each([
  ['without a body parser', false],
  ['after @koa/bodyparser', true],
])('koa adapter (smoke) %s', (_name, appParser) => {
  let gatehouse: Gatehouse;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    gatehouse = createGatehouse({ strategies: [echo] });
    const app = new Koa();
    if (appParser) app.use(bodyParser());
    app.use(gatehouseKoa({ gatehouse }));
    const router = new Router<GatehouseState>();
    router.get('/me', gatehouseGuard({ gatehouse }), (ctx) => {
      ctx.body = { sub: ctx.state.gatehouse.subject.id };
    });
    router.get('/api/v1/auth/app-owned', (ctx) => {
      ctx.body = { app: true };
    });
    app.use(router.routes());
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await gatehouse.close();
  });

  it('logs in over real HTTP and the guard accepts the token', async () => {
    const res = await fetch(`${base}/api/v1/auth/echo/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ada' }) });
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(await me.json()).toEqual({ sub: 'ada' });
    const refused = await fetch(`${base}/me`);
    expect(refused.status).toBe(401);
  });

  it('answers unknown Gatehouse paths in the dialect, leaving the app its own routes there', async () => {
    const none = await fetch(`${base}/api/v1/auth/nope`, { method: 'POST' });
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: string }).error).toBe('NotFound');
    const owned = await fetch(`${base}/api/v1/auth/app-owned`);
    expect(await owned.json()).toEqual({ app: true });
    const text = await fetch(`${base}/api/v1/auth/echo/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'name=ada' });
    expect(text.status).toBe(415);
  });
});
