import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createGatehouse, defineStrategy, type Gatehouse } from '@gatehouse-auth/core';
import { gatehouseExpress, gatehouseGuard } from './index.js';

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

async function listen(app: express.Express): Promise<{ server: Server; base: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.each([
  ['without the app parser', false],
  ['after the app’s express.json()', true],
])('express adapter (smoke) %s', (_name, appParser) => {
  let gatehouse: Gatehouse;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    gatehouse = createGatehouse({ strategies: [echo] });
    const app = express();
    if (appParser) app.use(express.json({ limit: '64kb' }));
    app.use(gatehouseExpress({ gatehouse }));
    app.get('/me', gatehouseGuard({ gatehouse }), (req, res) => {
      res.json({ sub: req.gatehouse?.subject.id });
    });
    ({ server, base } = await listen(app));
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
    const refused = await fetch(`${base}/me`, { headers: { authorization: 'Bearer nope' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('renders malformed JSON, oversized and unknown routes in the dialect', async () => {
    const malformed = await fetch(`${base}/api/v1/auth/echo/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toBe('BadRequest');
    const big = await fetch(`${base}/api/v1/auth/echo/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toBe('PayloadTooLarge');
    const none = await fetch(`${base}/api/v1/auth/nope`, { method: 'POST' });
    expect(none.status).toBe(404);
    expect(none.headers.get('content-type')).toMatch(/^application\/json/);
  });
});
