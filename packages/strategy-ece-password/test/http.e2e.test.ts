/**
 * Acceptance 1 over real HTTP on loopback, through the adapters: the body form and the redirect form
 * (fragment token verifies, state round-trips), plus the refusals as a browser or client sees them.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse } from '@gatehouse-auth/core';
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { gatehouseExpress } from '@gatehouse-auth/express';
import { gatehouseFastify } from '@gatehouse-auth/fastify';
import { gatehouseKoa } from '@gatehouse-auth/koa';
import { ECE_LOGIN_PATH, ecePasswordStrategy, parseSsoRedirectLocation } from '../src/index.js';
import { CHEAP_ARGON2 } from '../src/test-support/harness.js';

const PASSWORD = 'e2e correct horse';

interface Mounted {
  baseUrl: string;
  close(): Promise<void>;
}

const adapters: Record<string, (gatehouse: Gatehouse) => Promise<Mounted>> = {
  async fastify(gatehouse) {
    const app: FastifyInstance = Fastify();
    await app.register(gatehouseFastify, { gatehouse });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return { baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
  async express(gatehouse) {
    const app = express();
    app.use(gatehouseExpress({ gatehouse }));
    return listen(app);
  },
  async koa(gatehouse) {
    const app = new Koa();
    app.use(gatehouseKoa({ gatehouse }));
    return listen(app.callback());
  },
};

async function listen(handler: Parameters<typeof createServer>[1]): Promise<Mounted> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

describe.each(Object.keys(adapters))('ece-password over HTTP through @gatehouse-auth/%s', (adapter) => {
  let gatehouse: Gatehouse;
  let mounted: Mounted;
  let userId: string;

  beforeAll(async () => {
    gatehouse = createGatehouse({ strategies: [ecePasswordStrategy({ argon2: CHEAP_ARGON2 })] });
    userId = (await createPasswordUser(gatehouse.stores, { username: 'Operator', password: PASSWORD }, { now: gatehouse.clock.now(), params: CHEAP_ARGON2 })).id;
    mounted = await adapters[adapter]!(gatehouse);
  });
  afterAll(async () => {
    await mounted?.close();
    await gatehouse?.close();
  });

  const post = (body: unknown, init: RequestInit = {}) =>
    fetch(`${mounted.baseUrl}${ECE_LOGIN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
      ...init,
    });

  it('body form: 200 {token, session_expiration_time}; the token verifies and agrees with the expiry', async () => {
    const res = await post({ username: 'operator', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { token: string; session_expiration_time: string };
    expect(body.session_expiration_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    const verified = await gatehouse.issuer.verify(body.token);
    expect(verified.subject).toEqual({ type: 'user', id: userId });
    expect(verified.claims.exp! * 1000).toBe(Date.parse(body.session_expiration_time));
  });

  it('redirect form: 302 to /sso/token#<token>?state=…, empty body; the fragment token verifies and the state round-trips', async () => {
    const loginState = { path: '/deployments/42?tab=activity', return_to: 'console', ts: 1714815720, nested: { a: ['x', 'y & z'] } };
    const res = await post({ username: 'OPERATOR', password: PASSWORD, login_state: loginState });
    expect(res.status).toBe(302);
    expect(await res.text()).toBe('');
    const location = res.headers.get('location')!;
    expect(location.startsWith('/sso/token#')).toBe(true);
    const parsed = parseSsoRedirectLocation(location)!;
    expect(parsed.state).toEqual(loginState);
    const verified = await gatehouse.issuer.verify(parsed.token);
    expect(verified.subject.id).toBe(userId);
    // What a browser would do with it: same origin, token only in the fragment (never sent to a server).
    const resolved = new URL(location, mounted.baseUrl);
    expect(resolved.origin).toBe(mounted.baseUrl);
    expect(resolved.pathname).toBe('/sso/token');
    expect(resolved.search).toBe('');
    expect(resolved.hash.startsWith(`#${parsed.token}?state=`)).toBe(true);
  });

  it('refuses an open redirect with 400 naming login_state.path, and no Location', async () => {
    for (const path of ['//evil.com', '/\\evil.com', 'https://evil.com', '/%2F%2Fevil.com']) {
      const res = await post({ username: 'operator', password: PASSWORD, login_state: { path } });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('x-cloud-error-codes')).toBe('root.invalid_json_request');
      const body = (await res.json()) as { errors: { fields?: string[] }[] };
      expect(body.errors[0]!.fields).toEqual(['login_state.path']);
    }
  });

  it('unknown user and wrong password look the same on the wire (but the request id and date)', async () => {
    const strip = (res: Response) => {
      const headers = Object.fromEntries([...res.headers].filter(([k]) => k !== 'x-request-id' && k !== 'date'));
      return { status: res.status, headers };
    };
    const unknown = await post({ username: 'nobody-here', password: 'guess' });
    const wrong = await post({ username: 'operator', password: 'guess' });
    expect(unknown.status).toBe(401);
    expect(strip(unknown)).toEqual(strip(wrong));
    expect(await unknown.text()).toBe(await wrong.text());
    expect(unknown.headers.get('x-cloud-error-codes')).toBe('root.unauthenticated');
  });

  it('malformed JSON and a wrong content type get ece-dialect 4xx answers', async () => {
    const malformed = await post('{"username": ');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('x-cloud-error-codes')).toBeTruthy();
    const form = await post('username=a&password=b', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(((await form.json()) as { errors: unknown[] }).errors).toHaveLength(1);
  });
});
