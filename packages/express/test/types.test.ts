// A user's typed usage, compiled by `tsc -p tsconfig.json` under strict mode: it must type-check with no
// `any` coming out of the public API. It also runs, so the README example is known to work.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Router } from 'express';
import { expect, expectTypeOf, it } from 'vitest';
import { createGatehouse, type Principal } from '@gatehouse-auth/core';
import { gatehouseErrorHandler, gatehouseExpress, gatehouseGuard, gatehouseRouter, type GatehouseExpressOptions } from '../src/index.js';

it('the README example type-checks and serves', async () => {
  const gatehouse = createGatehouse({ strategies: [], trustProxy: false });
  const app = express();
  app.use(gatehouseExpress({ gatehouse, bodyLimit: 64 * 1024 }));

  app.get('/me', gatehouseGuard({ gatehouse }), (req, res) => {
    expectTypeOf(req.gatehouse).toEqualTypeOf<Principal | undefined>();
    expectTypeOf(req.gatehouse).not.toBeAny();
    res.json({ subject: req.gatehouse?.subject });
  });

  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/me`);
  expect(res.status).toBe(401);
  server.close();
  await gatehouse.close();
});

it('public API types', () => {
  expectTypeOf(gatehouseRouter).returns.toEqualTypeOf<Router>();
  expectTypeOf(gatehouseErrorHandler).returns.toEqualTypeOf<ErrorRequestHandler>();
  expectTypeOf(gatehouseExpress).returns.toEqualTypeOf<[Router, ErrorRequestHandler]>();
  expectTypeOf<GatehouseExpressOptions['bodyLimit']>().toEqualTypeOf<number | undefined>();
  expectTypeOf<Principal['claims']>().toEqualTypeOf<Record<string, unknown>>();
  expectTypeOf<Principal['subject']['id']>().toEqualTypeOf<string>();
  const gatehouse = createGatehouse();
  // @ts-expect-error unknown options are a compile error
  gatehouseRouter({ gatehouse, bodylimit: 1 });
  // @ts-expect-error a guard needs a gatehouse or a verifier
  gatehouseGuard({});
  // the guard also takes an explicit verifier
  gatehouseGuard({ verifier: { verify: async () => ({ subject: { type: 'user', id: 'u' }, tokenId: 't', authMethod: 'm', expiresAt: new Date(), claims: {} }) }, trustProxy: ['10.0.0.0/8'] });
});
