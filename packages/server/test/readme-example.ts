// The "Composing a server in code" example of README.md, kept here so the typecheck proves it compiles.
import type { FastifyInstance } from 'fastify';
import { runServer, type ServerContext } from '../src/index.js';

async function addRoutes(app: FastifyInstance, context: ServerContext): Promise<string[]> {
  app.get('/whoami', { preHandler: app.gatehouseGuard }, async (request) => ({ subject: request.gatehousePrincipal?.subject }));
  return [`Who am I            ${context.urls.http}/whoami`]; // extra lines for the start banner
}

export async function readmeExample(): Promise<never> {
  const served = await runServer('gatehouse.config.yaml', { register: addRoutes });
  process.exit(await served.finished); // resolves after SIGINT/SIGTERM and a graceful shutdown
}
