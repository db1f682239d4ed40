import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { runAdapterConformance, type AdapterHarness } from '@gatehouse-auth/testing/conformance';
import { gatehouseExpress, gatehouseGuard } from '../src/index.js';

async function listen(server: Server, scheme: 'http' | 'https'): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

function harness(appParser: boolean): AdapterHarness {
  return {
    async start(gatehouse, options) {
      const app = express();
      if (appParser) app.use(express.json({ limit: options.bodyLimit ?? '64kb' }));
      app.use(gatehouseExpress({ gatehouse, bodyLimit: options.bodyLimit }));
      app.get(options.guard.path, gatehouseGuard(options.guard.source), (req, res) => {
        res.type('application/json').send(JSON.stringify(req.gatehouse));
      });
      const http = createServer(app);
      const https = options.tls ? createHttpsServer({ ...options.tls, requestCert: true, rejectUnauthorized: false }, app) : undefined;
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
  };
}

runAdapterConformance('express', harness(false));
runAdapterConformance('express after the app’s express.json()', harness(true), { appParsesJson: true });
