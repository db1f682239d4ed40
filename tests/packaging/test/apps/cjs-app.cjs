// A CommonJS app (what `npm init -y` makes) using require(), with the Koa adapter: Node >= 20.19 loads the
// ES modules.
const { createGatehouse } = require('@gatehouse-auth/core');
const { createPasswordUser } = require('@gatehouse-auth/core/password');
const { gatehouseGuard, gatehouseKoa } = require('@gatehouse-auth/koa');
const { ecePasswordStrategy } = require('@gatehouse-auth/strategy-ece-password');
const Router = require('@koa/router');
const Koa = require('koa');

async function main() {
  const gatehouse = createGatehouse({ strategies: [ecePasswordStrategy()] });
  await createPasswordUser(gatehouse.stores, { username: 'cjs-user', password: 'cjs passphrase 123' }, { now: new Date() });
  const app = new Koa();
  app.use(gatehouseKoa({ gatehouse }));
  const router = new Router();
  router.get('/me', gatehouseGuard({ gatehouse }), (ctx) => {
    ctx.body = { subject: ctx.state.gatehouse.subject };
  });
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const login = await fetch(`${url}/api/v1/users/auth/_login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cjs-user', password: 'cjs passphrase 123' }) });
  const { token } = await login.json();
  const me = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
  const refused = await fetch(`${url}/me`);
  console.log(JSON.stringify({ login: login.status, me: me.status, subject: (await me.json()).subject, refused: refused.status }));
  server.close();
  await gatehouse.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
