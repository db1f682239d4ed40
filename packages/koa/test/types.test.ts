// A user's typed usage, compiled by `tsc -p tsconfig.json` under strict mode: it must type-check with no
// `any` coming out of the public API. It also runs, so the README example is known to work.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { expect, expectTypeOf, it } from 'vitest';
import { createGatehouse, type Principal } from '@gatehouse-auth/core';
import { gatehouseGuard, gatehouseKoa, gatehouseKoaErrors, type GatehouseKoaOptions, type GatehouseState } from '../src/index.js';

it('the README example type-checks and serves', async () => {
  const gatehouse = createGatehouse({ strategies: [], trustProxy: false });
  const app = new Koa();
  app.use(gatehouseKoa({ gatehouse, bodyLimit: 64 * 1024 }));

  const router = new Router<GatehouseState>();
  router.get('/me', gatehouseGuard({ gatehouse }), (ctx) => {
    expectTypeOf(ctx.state.gatehouse).toEqualTypeOf<Principal>();
    expectTypeOf(ctx.state.gatehouse).not.toBeAny();
    ctx.body = { subject: ctx.state.gatehouse.subject };
  });
  app.use(router.routes());

  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/me`);
  expect(res.status).toBe(401);
  server.close();
  await gatehouse.close();
});

it('public API types', () => {
  expectTypeOf(gatehouseKoa).returns.toEqualTypeOf<Middleware>();
  expectTypeOf(gatehouseKoaErrors).returns.toEqualTypeOf<Middleware>();
  expectTypeOf(gatehouseGuard({ gatehouse: createGatehouse() })).toExtend<Middleware<GatehouseState>>();
  expectTypeOf<GatehouseKoaOptions['bodyLimit']>().toEqualTypeOf<number | undefined>();
  // State the app declares itself is kept alongside the principal.
  interface AppState { tenant: string }
  const typed = gatehouseGuard<AppState>({ gatehouse: createGatehouse() });
  expectTypeOf(typed).toEqualTypeOf<Middleware<AppState & GatehouseState>>();
  // @ts-expect-error a guard needs a gatehouse or a verifier
  const noSource = () => gatehouseGuard({});
  expect(noSource).toBeTypeOf('function');
});
