// Fastify + Gatehouse on a given store: `memory`, or `postgres` (the real PostgreSQL stores through a `pg.Pool`
// whose queries are counted, so the bench can state statements per login). Two strategies: the api-key example
// (no single-use check) and the signed-request example (a nonce claimed once, and the lockout's counters).
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { createGatehouse } from '@gatehouse-auth/core';
import { gatehouseFastify } from '@gatehouse-auth/fastify';
import { createPostgresStores } from '@gatehouse-auth/store-postgres';
import { apiKeyStrategy, hashApiKey, signedRequestStrategy } from '@gatehouse-auth/example-custom-strategy';
import { config, processMonitor, serve } from './upstream-common.mjs';
import { API_KEY, IDENTITY_ID } from './common.mjs';

const { store, databaseUrl, schema, secret } = config();
let queries = 0;
let stores;
if (store === 'postgres') {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  pool.on('error', () => {});
  // Every statement the stores send goes through pool.query (each one round trip, extended protocol).
  const query = pool.query.bind(pool);
  pool.query = (...args) => {
    queries++;
    return query(...args);
  };
  stores = await createPostgresStores({ pool, schema, encryptionKey: randomBytes(32) });
}

const gatehouse = createGatehouse({ strategies: [apiKeyStrategy(), signedRequestStrategy()], tokenRoutes: false, ...(stores ? { stores } : {}) });
await gatehouse.admin.createIdentity({ id: IDENTITY_ID, name: 'bench' });
await gatehouse.admin.attachMethod(IDENTITY_ID, 'api-key', { keyHash: hashApiKey(API_KEY) });
// Signed-request logins rotate over 64 identities: the lockout rightly refuses many concurrent attempts on one.
for (let i = 0; i < 64; i++) {
  const id = `00000000-0000-4000-8000-${String(i + 100).padStart(12, '0')}`;
  await gatehouse.admin.createIdentity({ id, name: `bench-${i}` });
  await gatehouse.admin.attachMethod(id, 'signed-request', { secret });
}
// The first key is created now, not inside the timed run.
await gatehouse.issuer.keys.signingKey();

const app = Fastify();
await app.register(gatehouseFastify, { gatehouse });
const port = new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port;
const monitor = processMonitor();
serve(Number(port), {
  stats: () => ({ queries, ...monitor.read() }),
  close: async () => {
    await app.close();
    await gatehouse.close();
    return { ok: true };
  },
});
