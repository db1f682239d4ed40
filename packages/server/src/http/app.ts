/**
 * `buildServer`: the Fastify app of a Gatehouse auth server. Every strategy's login route, the token
 * routes and the JWKS come from `@gatehouse-auth/fastify`; this adds `/openapi.json`, the API reference page
 * (`/docs`), `/healthz` and `/readyz`, the Prometheus scrape endpoint when it shares the main listener, request
 * logs with request ids, and the demo-mode label.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Gatehouse } from '@gatehouse-auth/core';
import { gatehouseFastify } from '@gatehouse-auth/fastify';
import { registerApiReference } from './api-reference.js';
import { registerHealth, type ReadinessCheck } from './health.js';
import type { RequestHandler } from './listeners.js';
import type { ServerLogger } from '../logger.js';

export interface BuildServerOptions {
  gatehouse: Gatehouse;
  logger: ServerLogger;
  mode: 'production' | 'demo';
  /** Store driver name, reported by `/readyz`. */
  storeDriver: string;
  /** What `/readyz` checks (store, signing key, schema version). */
  readiness: ReadinessCheck[];
  /** The Prometheus scrape endpoint, when it is served on this app. */
  metrics?: { path: string; handler: RequestHandler };
  bodyLimit: number;
  /** `servers` of the OpenAPI document. */
  publicUrls: string[];
  version: string;
  /** True once shutdown started: responses then carry `connection: close`. */
  draining?: () => boolean;
}

export const OPENAPI_PATH = '/openapi.json';

export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const { gatehouse, logger, mode } = options;
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    // One line per request, written below with Gatehouse's request id; Fastify's own pair is noise.
    logController: new LogController({ disableRequestLogging: true }),
    // Never taken from a client header: an id a caller picks could be used to confuse log correlation.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    bodyLimit: options.bodyLimit,
  });

  const draining = options.draining ?? (() => false);
  app.addHook('onSend', async (_request, reply) => {
    if (mode === 'demo') reply.header('x-gatehouse-mode', 'demo');
    // While shutting down, finish this request but tell the client not to reuse the connection.
    if (draining()) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    const gatehouseId = reply.getHeader('x-request-id');
    // `request.log` already binds `reqId` (Fastify's request id): naming it again would write the key twice.
    request.log.info(
      {
        ...(typeof gatehouseId === 'string' ? { gatehouseReqId: gatehouseId } : {}),
        method: request.method,
        // Path only: a query string may carry codes or state.
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        remote: request.raw.socket?.remoteAddress,
        tls: Boolean((request.raw.socket as { encrypted?: boolean } | undefined)?.encrypted),
      },
      'request',
    );
  });

  await app.register(gatehouseFastify, { gatehouse, bodyLimit: options.bodyLimit });

  const description =
    mode === 'demo'
      ? 'DEMO MODE: upstreams are local emulators and the seeded credentials are public. Not for production.'
      : 'Gatehouse auth server.';
  let openapi: Record<string, unknown> | null = null;
  app.get(OPENAPI_PATH, async (_request, reply) => {
    openapi ??= gatehouse.openapi({
      title: mode === 'demo' ? 'Gatehouse (demo mode)' : 'Gatehouse',
      version: options.version,
      description,
      servers: options.publicUrls.map((url) => ({ url })),
    });
    return reply.header('cache-control', 'no-cache').send(openapi);
  });
  registerApiReference(app, { openapiPath: OPENAPI_PATH });
  registerHealth(app, { mode, storeDriver: options.storeDriver, checks: options.readiness, version: options.version, draining });
  if (options.metrics) {
    const { handler } = options.metrics;
    // The exporter writes the Prometheus text format itself (content type, status).
    app.get(options.metrics.path, (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    });
  }
  return app;
}
