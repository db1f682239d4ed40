import Fastify, { type FastifyInstance } from 'fastify';
import { runAdapterConformance, type AdapterStartOptions } from '@gatehouse-auth/testing/conformance';
import type { Gatehouse } from '@gatehouse-auth/core';
import { gatehouseFastify, gatehouseGuard } from '../src/index.js';

async function app(gatehouse: Gatehouse, options: AdapterStartOptions, https?: AdapterStartOptions['tls']): Promise<FastifyInstance> {
  // The HTTPS instance differs only in its server type; the routes are the same.
  const fastify = (https ? Fastify({ https: { ...https, requestCert: true, rejectUnauthorized: false } }) : Fastify()) as unknown as FastifyInstance;
  await fastify.register(gatehouseFastify, { gatehouse, bodyLimit: options.bodyLimit });
  fastify.get(options.guard.path, { preHandler: gatehouseGuard(options.guard.source) }, async (request, reply) =>
    reply.type('application/json').send(JSON.stringify(request.gatehousePrincipal)),
  );
  return fastify;
}

runAdapterConformance('fastify', {
  async start(gatehouse, options) {
    const http = await app(gatehouse, options);
    const baseUrl = await http.listen({ host: '127.0.0.1', port: 0 });
    const https = options.tls ? await app(gatehouse, options, options.tls) : undefined;
    const httpsUrl = https ? await https.listen({ host: '127.0.0.1', port: 0 }) : undefined;
    return {
      baseUrl,
      httpsUrl,
      async close() {
        await http.close();
        await https?.close();
      },
    };
  },
});
