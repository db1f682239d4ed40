// The process whose memory memory.bench.mjs watches (run with --expose-gc): Fastify + @gatehouse-auth/fastify with
// two strategies, the api-key example (cheapest login) and alicloud against the STS emulator in another process
// (nonce replay store, token trusted-IP CIDR cache, pooled outbound client), and the per-IP rate limiter on
// (limiter store). In-memory stores.
//
// The in-memory stores keep every live session and every nonce until it expires, by design: their size is
// login rate × lifetime. So lifetimes are short (token TTL = max TTL = `ttlSeconds`, alicloud Timestamp skew
// `skewSeconds`, which is how long a nonce is kept) and `purgeExpired` runs every `purgeEveryMs`, as a
// deployment runs it on a timer. The live set then reaches its steady size within seconds, and anything that
// still grows is a leak.
import Fastify from 'fastify';
import { createGatehouse, createMemoryStores } from '@gatehouse-auth/core';
import { gatehouseFastify } from '@gatehouse-auth/fastify';
import { apiKeyStrategy, hashApiKey } from '@gatehouse-auth/example-custom-strategy';
import { alicloudStrategy } from '@gatehouse-auth/strategy-alicloud';
import { config, serve, ALICLOUD_KEY, API_KEY, IDENTITY_ID } from './upstream-common.mjs';

const { emulatorUrl, ttlSeconds, skewSeconds, purgeEveryMs } = config();
if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');

const stores = createMemoryStores();
// Count sessions in and out, to show the live set is steady (the memory token store has no size()).
let sessionsCreated = 0;
let sessionsPurged = 0;
const createSession = stores.tokens.createSession.bind(stores.tokens);
stores.tokens.createSession = (session) => {
  sessionsCreated++;
  return createSession(session);
};

const gatehouse = createGatehouse({
  strategies: [apiKeyStrategy(), alicloudStrategy({ stsEndpoints: { global: emulatorUrl }, timestampSkewSeconds: skewSeconds })],
  stores,
  rateLimit: { max: 1_000_000_000, windowMs: 60_000 },
  tokenRoutes: false,
});
const token = { accessTokenTTL: ttlSeconds, accessTokenMaxTTL: ttlSeconds };
await gatehouse.admin.createIdentity({ id: IDENTITY_ID, name: 'bench' });
await gatehouse.admin.attachMethod(IDENTITY_ID, 'api-key', { keyHash: hashApiKey(API_KEY) }, token);
await gatehouse.admin.attachMethod(IDENTITY_ID, 'alicloud', { allowedArns: [ALICLOUD_KEY.arn] }, token);

// What `gatehouse.stores.purgeExpired(now)` does, store by store, so the purged sessions can be counted.
const purge = setInterval(async () => {
  const now = new Date();
  sessionsPurged += await stores.tokens.purgeExpired(now);
  await Promise.all([stores.replay.purgeExpired(now), stores.limiter.purgeExpired(now), stores.keys.purgeExpired(now)]);
}, purgeEveryMs);
purge.unref();

const app = Fastify();
await app.register(gatehouseFastify, { gatehouse });
const port = new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port;

serve(Number(port), {
  async sample() {
    // Two full collections with a turn of the event loop between: weak references and finalizers settle.
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
    globalThis.gc();
    const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
    return { heapUsed, rss, external, arrayBuffers, replaySize: stores.replay.size, liveSessions: sessionsCreated - sessionsPurged, sessionsCreated };
  },
});
