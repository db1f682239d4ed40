import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { runAdapterConformance, type AdapterHarness } from '@gatehouse-auth/testing/conformance';
import { gatehouseGuard, gatehouseKoa, gatehouseKoaErrors, type GatehouseState } from '../src/index.js';

async function listen(server: Server, scheme: 'http' | 'https'): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/**
 * Gatehouse first and the app's body parser after it (the recommended order: the parser never sees
 * Gatehouse's bodies), or the parser first with `gatehouseKoaErrors` above it.
 */
const harness = (parserFirst: boolean): AdapterHarness => ({
  async start(gatehouse, options) {
    const app = new Koa();
    if (parserFirst) {
      app.use(gatehouseKoaErrors({ gatehouse, bodyLimit: options.bodyLimit }));
      app.use(bodyParser({ jsonLimit: options.bodyLimit ?? 64 * 1024 }));
    }
    app.use(gatehouseKoa({ gatehouse, bodyLimit: options.bodyLimit }));
    if (!parserFirst) app.use(bodyParser());
    const router = new Router<GatehouseState>();
    router.get(options.guard.path, gatehouseGuard(options.guard.source), (ctx) => {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(ctx.state.gatehouse);
    });
    app.use(router.routes());
    const http = createServer(app.callback());
    const https = options.tls ? createHttpsServer({ ...options.tls, requestCert: true, rejectUnauthorized: false }, app.callback()) : undefined;
    const baseUrl = await listen(http, 'http');
    const httpsUrl = https ? await listen(https, 'https') : undefined;
    return {
      baseUrl,
      httpsUrl,
      async close() {
        http.closeAllConnections();
        https?.closeAllConnections();
        await closeServer(http);
        if (https) await closeServer(https);
      },
    };
  },
});

runAdapterConformance('koa', harness(false));
runAdapterConformance('koa after @koa/bodyparser', harness(true), { appParsesJson: true });
