/**
 * A Gatehouse with the idp-mfa strategy, mounted on Fastify through `@gatehouse-auth/fastify` and listening on
 * 127.0.0.1:0. Tests talk to it over real HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import Koa from 'koa';
import { gatehouseExpress } from '@gatehouse-auth/express';
import { gatehouseKoa } from '@gatehouse-auth/koa';
import { createGatehouse, ManualClock, type Gatehouse, type GatehouseOptions } from '@gatehouse-auth/core';
import { gatehouseFastify } from '@gatehouse-auth/fastify';
import { idpMfaStrategy, type IdpMfaOptionsInput, type IdpMfaStrategy } from '../../src/index.js';

/** Cheaper argon2id for tests (the defaults are exercised by the core's own tests). */
export const TEST_ARGON2 = { memoryCost: 4096, timeCost: 1, parallelism: 1 };

export interface ParsedCookie {
  value: string;
  attributes: Record<string, string | true>;
}

export interface HttpResult {
  status: number;
  body: any;
  headers: Headers;
  cookies: Map<string, ParsedCookie>;
}

export interface TestApp {
  gatehouse: Gatehouse;
  strategy: IdpMfaStrategy;
  clock: ManualClock;
  url: string;
  post(path: string, body: unknown, opts?: { cookies?: Record<string, string>; headers?: Record<string, string> }): Promise<HttpResult>;
  login(body: unknown, opts?: { cookies?: Record<string, string> }): Promise<HttpResult>;
  /**
   * The same login handed straight to `gatehouse.handle`, skipping HTTP: calls started in one tick then
   * interleave at every await, which is how races on the stores are forced in tests.
   */
  loginInProcess(body: unknown): Promise<{ status: number; body?: any }>;
  close(): Promise<void>;
}

export function parseSetCookie(lines: string[]): Map<string, ParsedCookie> {
  const cookies = new Map<string, ParsedCookie>();
  for (const line of lines) {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair!.indexOf('=');
    const attributes: Record<string, string | true> = {};
    for (const a of attrs) {
      const i = a.indexOf('=');
      if (i === -1) attributes[a.toLowerCase()] = true;
      else attributes[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
    }
    cookies.set(pair!.slice(0, eq), { value: decodeURIComponent(pair!.slice(eq + 1)), attributes });
  }
  return cookies;
}

export type Adapter = 'fastify' | 'express' | 'koa';

async function mount(adapter: Adapter, gatehouse: Gatehouse, https?: { key: string; cert: string }): Promise<{ url: string; close(): Promise<void> }> {
  if (adapter === 'fastify') {
    // An https server when asked (real TLS on loopback); the adapter reports the protocol to the core.
    const app = (https ? Fastify({ https }) : Fastify()) as unknown as FastifyInstance;
    await app.register(gatehouseFastify, { gatehouse });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url, close: () => app.close() };
  }
  let handler: Parameters<typeof createServer>[1];
  if (adapter === 'express') {
    const app = express();
    app.use(gatehouseExpress({ gatehouse }));
    handler = app;
  } else {
    const app = new Koa();
    app.use(gatehouseKoa({ gatehouse }));
    handler = app.callback();
  }
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startApp(
  options: IdpMfaOptionsInput = {},
  extra: {
    clock?: ManualClock;
    gatehouse?: Partial<GatehouseOptions>;
    /** Fastify (default) over http or https, or Express / Koa over http. */
    adapter?: Adapter;
    https?: { key: string; cert: string };
  } = {},
): Promise<TestApp> {
  const clock = extra.clock ?? new ManualClock(Date.now());
  const strategy = idpMfaStrategy({ password: { params: TEST_ARGON2 }, ...options });
  const gatehouse = createGatehouse({ strategies: [strategy], clock, ...extra.gatehouse });
  const { url, close: closeServer } = await mount(extra.adapter ?? 'fastify', gatehouse, extra.https);

  const post: TestApp['post'] = async (path, body, opts = {}) => {
    const cookie = Object.entries(opts.cookies ?? {})
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('; ');
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...opts.headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers, cookies: parseSetCookie(res.headers.getSetCookie()) };
  };

  return {
    gatehouse,
    strategy,
    clock,
    url,
    post,
    login: (body, opts) => post('/v1/auth/login', body, opts),
    loginInProcess: (body) =>
      gatehouse.handle({ method: 'POST', path: '/v1/auth/login', headers: { 'content-type': 'application/json' }, body, socketAddress: '127.0.0.1', protocol: 'http' }),
    async close() {
      await closeServer();
      await gatehouse.close();
    },
  };
}
