// An ESM app, as `npm init` + "type": "module" would make, using the Fastify adapter and the memory store.
import { createGatehouse } from '@gatehouse-auth/core';
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { gatehouseFastify, gatehouseGuard } from '@gatehouse-auth/fastify';
import { ecePasswordStrategy } from '@gatehouse-auth/strategy-ece-password';
import Fastify from 'fastify';

const gatehouse = createGatehouse({ strategies: [ecePasswordStrategy()] });
await createPasswordUser(gatehouse.stores, { username: 'esm-user', password: 'esm passphrase 123' }, { now: new Date() });
const app = Fastify();
await app.register(gatehouseFastify, { gatehouse });
app.get('/me', { preHandler: gatehouseGuard({ gatehouse }) }, async (request) => ({ subject: request.gatehousePrincipal?.subject }));
const url = await app.listen({ port: 0, host: '127.0.0.1' });

const login = await fetch(`${url}/api/v1/users/auth/_login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'esm-user', password: 'esm passphrase 123' }) });
const { token } = await login.json();
const me = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
const refused = await fetch(`${url}/me`);
console.log(JSON.stringify({ login: login.status, me: me.status, subject: (await me.json()).subject, refused: refused.status }));
await app.close();
await gatehouse.close();
