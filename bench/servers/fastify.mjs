import Fastify from 'fastify';
import { gatehouseFastify } from '@gatehouse-auth/fastify';
import { bareLogin, gatehouseForMode, mode, ready } from './common.mjs';

const app = Fastify();
if (mode() === 'bare') {
  const login = await bareLogin();
  app.post('/api/v1/auth/api-key/login', async (req, reply) => {
    const r = await login(req.body);
    return reply.code(r.status).header('cache-control', 'no-store').send(r.body);
  });
} else {
  await app.register(gatehouseFastify, { gatehouse: await gatehouseForMode() });
}
ready(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
