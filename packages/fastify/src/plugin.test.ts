import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createGatehouse, defineStrategy, type Gatehouse } from '@gatehouse-auth/core';
import { gatehouseFastify, gatehouseGuard } from './index.js';

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

describe('fastify adapter (smoke)', () => {
  let gatehouse: Gatehouse;
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    gatehouse = createGatehouse({ strategies: [echo] });
    app = Fastify();
    await app.register(gatehouseFastify, { gatehouse });
    app.get('/me', { preHandler: gatehouseGuard({ gatehouse }) }, async (request) => ({ sub: request.gatehousePrincipal?.subject.id }));
    app.post('/app/echo', async (request) => ({ got: request.body }));
    app.get('/api/v1/auth/app-owned', async () => ({ app: true }));
    app.get('/app/fail', async () => {
      throw Object.assign(new Error('app failure'), { statusCode: 418 });
    });
    app.setErrorHandler(async (error: Error & { statusCode?: number }, _request, reply) => reply.code(error.statusCode ?? 500).send({ handledByApp: error.message }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
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
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('renders schema, JSON and media-type failures in the dialect and leaves the app parser alone', async () => {
    const bad = await fetch(`${base}/api/v1/auth/echo/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 1 }) });
    expect(bad.status).toBe(422);
    const malformed = await fetch(`${base}/api/v1/auth/echo/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toBe('BadRequest');
    const text = await fetch(`${base}/api/v1/auth/echo/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(text.status).toBe(415);
    const none = await fetch(`${base}/api/v1/auth/nope`, { method: 'POST' });
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: string }).error).toBe('NotFound');
    const app = await fetch(`${base}/app/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await app.json()).toEqual({ got: { a: 1 } });
    const appBad = await fetch(`${base}/app/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(appBad.status).toBe(400);
    expect(await appBad.json()).toEqual({ handledByApp: expect.stringContaining('JSON') });
  });

  it('leaves the app its own routes under Gatehouse prefixes and its own error handler', async () => {
    expect(await (await fetch(`${base}/api/v1/auth/app-owned`)).json()).toEqual({ app: true });
    const fail = await fetch(`${base}/app/fail`);
    expect(fail.status).toBe(418);
    expect(await fail.json()).toEqual({ handledByApp: 'app failure' });
  });
});
