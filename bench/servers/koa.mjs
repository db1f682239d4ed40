import Koa from 'koa';
import Router from '@koa/router';
import { gatehouseKoa } from '@gatehouse-auth/koa';
import { bareLogin, gatehouseForMode, mode, ready } from './common.mjs';

const app = new Koa();
if (mode() === 'bare') {
  const login = await bareLogin();
  const router = new Router();
  router.post('/api/v1/auth/api-key/login', async (ctx) => {
    // The same body handling a careful handler needs without a body parser: bounded read, JSON parse.
    const chunks = [];
    let size = 0;
    for await (const c of ctx.req) {
      size += c.length;
      if (size > 65_536) ctx.throw(413);
      chunks.push(c);
    }
    let body;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { ctx.throw(400); }
    const r = await login(body);
    ctx.status = r.status;
    ctx.set('cache-control', 'no-store');
    ctx.body = r.body;
  });
  app.use(router.routes());
} else {
  app.use(gatehouseKoa({ gatehouse: await gatehouseForMode() }));
}
const server = app.listen(0, '127.0.0.1', () => ready(server.address().port));
