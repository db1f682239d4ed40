// A user's typed usage, compiled by `tsc -p tsconfig.json` under strict mode: it must type-check with no
// `any` coming out of the public API. It also runs, so the README example is known to work.
import Fastify, { type preHandlerAsyncHookHandler } from 'fastify';
import { expect, expectTypeOf, it } from 'vitest';
import { createGatehouse, type Gatehouse, type Principal } from '@gatehouse-auth/core';
import { gatehouseFastify, gatehouseGuard, type GatehouseFastifyOptions } from '../src/index.js';

it('the README example type-checks and serves', async () => {
  const gatehouse = createGatehouse({ strategies: [], trustProxy: false });
  const app = Fastify();
  await app.register(gatehouseFastify, { gatehouse, bodyLimit: 64 * 1024 });

  app.get('/me', { preHandler: gatehouseGuard({ gatehouse }) }, async (request) => {
    expectTypeOf(request.gatehousePrincipal).toEqualTypeOf<Principal | null>();
    expectTypeOf(request.gatehousePrincipal).not.toBeAny();
    return { subject: request.gatehousePrincipal?.subject };
  });
  // the instance decorators: this Gatehouse and a guard bound to it
  app.get('/me2', { preHandler: app.gatehouseGuard }, async (request) => request.gatehousePrincipal?.subject.id);
  expectTypeOf(app.gatehouse).toEqualTypeOf<Gatehouse>();

  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  expect((await fetch(`${base}/me`)).status).toBe(401);
  expect((await fetch(`${base}/me2`, { headers: { authorization: 'Bearer x' } })).status).toBe(401);
  await app.close();
  await gatehouse.close();
});

it('public API types', async () => {
  expectTypeOf(gatehouseGuard).returns.toEqualTypeOf<preHandlerAsyncHookHandler>();
  expectTypeOf<GatehouseFastifyOptions['gatehouse']>().toEqualTypeOf<Gatehouse>();
  expectTypeOf<GatehouseFastifyOptions['bodyLimit']>().toEqualTypeOf<number | undefined>();
  const app = Fastify();
  // Compile-time only (never called):
  // @ts-expect-error the plugin needs a gatehouse
  const missing = () => app.register(gatehouseFastify, {});
  // @ts-expect-error a guard needs a gatehouse or a verifier
  const noSource = () => gatehouseGuard({});
  expect([missing, noSource]).toHaveLength(2);
  await app.close();
});
