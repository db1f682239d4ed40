// Acceptance 4: the database goes away mid-request → the caller gets the dialect's 503 within the configured
// timeouts (not a 500, not a hang), and the stores recover when it returns. Real PostgreSQL behind a TCP
// proxy that the test stalls (a partition: only timeouts notice), cuts (connections reset) and restores.
import { randomUUID } from 'node:crypto';
import {
  createGatehouse,
  defineStrategy,
  ManualClock,
  StoreUnavailableError,
  tokenResponseSchema,
  type Gatehouse,
  type GatehouseResponse,
} from '@gatehouse-auth/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPostgresStores, type SqlStores } from '../src/index.js';
import { DATABASE_URL, dropSchema, freshSchema, NO_DATABASE_URL, TEST_KEY } from './support/fixtures.js';
import { TcpProxy } from './support/tcp-proxy.js';

const STATEMENT_TIMEOUT_MS = 1_000;
const CONNECTION_TIMEOUT_MS = 1_000;
/** Far beyond the configured budget (one connect + one query): reaching it means the request hung. */
const HANG_GUARD_MS = 20_000;

/** A login that reads the identity, lets the test pull the plug, then writes a nonce: a store call mid-request. */
let midRequest: (() => Promise<void>) | undefined;
function probeStrategy(dialect: 'infisical' | 'ece' | 'bytebase') {
  return defineStrategy({
    id: `probe-${dialect}`,
    route: { method: 'POST', path: `/api/v1/auth/probe-${dialect}/login` },
    dialect,
    requestSchema: z.strictObject({ identityId: z.string().min(1).max(64) }),
    responseSchema: tokenResponseSchema,
    async authenticate(input, ctx) {
      const { identity, method } = await ctx.identityMethod(input.identityId);
      await midRequest?.();
      await ctx.stores.replay.claim('probe', randomUUID(), new Date(ctx.clock.now().getTime() + 60_000), ctx.clock.now());
      return { kind: 'authenticated', subject: { type: 'identity', id: identity.id }, token: method.token };
    },
  });
}

const login = (g: Gatehouse, dialect: string, identityId: string) =>
  g.handle({
    method: 'POST',
    path: `/api/v1/auth/probe-${dialect}/login`,
    headers: { 'content-type': 'application/json' },
    query: {},
    body: { identityId },
    socketAddress: '127.0.0.1',
    protocol: 'http',
  } as Parameters<Gatehouse['handle']>[0]);

async function withinGuard(p: Promise<GatehouseResponse>): Promise<GatehouseResponse | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), HANG_GUARD_MS)));
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** After the database returns, the first requests may still meet a connection the pool has not yet seen die. */
async function recovers(g: Gatehouse, dialect: string, identityId: string): Promise<{ attempts: number; statuses: number[] }> {
  const statuses: number[] = [];
  for (let attempt = 1; attempt <= 10; attempt++) {
    const res = await login(g, dialect, identityId);
    statuses.push(res.status);
    if (res.status === 200) return { attempts: attempt, statuses };
  }
  return { attempts: Infinity, statuses };
}

describe.skipIf(!DATABASE_URL)('database outage (real PostgreSQL through a TCP proxy)', () => {
  const target = DATABASE_URL ? new URL(DATABASE_URL) : undefined;
  const schema = freshSchema();
  let proxy: TcpProxy;
  let stores: SqlStores;
  let gatehouse: Gatehouse;
  let identityId: string;

  beforeAll(async () => {
    proxy = await TcpProxy.start({ host: target!.hostname, port: Number(target!.port || 5432) });
    const proxied = new URL(DATABASE_URL!);
    proxied.host = `127.0.0.1:${proxy.port}`;
    stores = await createPostgresStores({
      connectionString: proxied.toString(),
      schema,
      encryptionKey: TEST_KEY,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
      poolConfig: { max: 4 },
    });
    gatehouse = createGatehouse({
      stores,
      clock: new ManualClock('2026-01-01T00:00:00Z'),
      strategies: [probeStrategy('infisical'), probeStrategy('ece'), probeStrategy('bytebase')],
    });
    identityId = (await gatehouse.admin.createIdentity({ name: 'probe' })).id;
    for (const d of ['infisical', 'ece', 'bytebase']) await gatehouse.admin.attachMethod(identityId, `probe-${d}`, {});
  });

  afterAll(async () => {
    midRequest = undefined;
    await gatehouse?.close();
    await proxy?.close();
    if (DATABASE_URL) await dropSchema(DATABASE_URL, schema);
  });

  it('logs in while the database is there', async () => {
    const res = await login(gatehouse, 'infisical', identityId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ accessToken: expect.any(String), tokenType: 'Bearer' }));
  });

  it('a partition mid-request gives a 503 in each dialect within the timeouts, never a 500', async () => {
    const expected = {
      infisical: (body: unknown) =>
        expect(body).toEqual({ reqId: expect.any(String), statusCode: 503, message: 'The service is temporarily unavailable', error: 'ServiceUnavailable' }),
      ece: (body: unknown) => expect(body).toEqual({ errors: [{ code: 'root.service_unavailable', message: 'The service is temporarily unavailable' }] }),
      bytebase: (body: unknown) => expect(body).toEqual(expect.objectContaining({ code: 'unavailable', message: 'The service is temporarily unavailable' })),
    };
    for (const dialect of ['infisical', 'ece', 'bytebase'] as const) {
      let pulled = false;
      midRequest = async () => {
        pulled = true;
        proxy.stall();
      };
      const res = await withinGuard(login(gatehouse, dialect, identityId));
      midRequest = undefined;
      expect(pulled).toBe(true);
      expect(res).not.toBe('hung');
      const r = res as GatehouseResponse;
      expect(r.status).toBe(503);
      expected[dialect](r.body);
      expect(JSON.stringify(r.body)).not.toMatch(/timeout|terminated|ECONN|postgres/i);
      await proxy.restore();
    }
  });

  it('while partitioned, store calls fail as StoreUnavailableError (a new connection times out too)', async () => {
    proxy.stall();
    await expect(stores.identities.get(identityId)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(stores.replay.claim('x', randomUUID(), new Date('2030-01-01'), new Date('2026-01-01'))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await proxy.restore();
  });

  it('recovers once the database is back', async () => {
    const { attempts, statuses } = await recovers(gatehouse, 'infisical', identityId);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(attempts).toBeLessThanOrEqual(10);
    expect(await stores.identities.get(identityId)).toEqual(expect.objectContaining({ id: identityId }));
  });

  it('a server that resets every connection gives 503 at once, then recovers', async () => {
    await proxy.cut();
    const res = await withinGuard(login(gatehouse, 'ece', identityId));
    expect(res).not.toBe('hung');
    expect((res as GatehouseResponse).status).toBe(503);
    expect((res as GatehouseResponse).headers['x-cloud-error-codes']).toBe('root.service_unavailable');
    await proxy.restore();
    const { attempts, statuses } = await recovers(gatehouse, 'ece', identityId);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(attempts).toBeLessThanOrEqual(10);
  });

  it('a statement stuck behind a lock is cancelled by statement_timeout and reported as unavailable', async () => {
    const jti = `jti-${randomUUID()}`;
    const now = new Date('2026-01-01T00:00:00Z');
    await stores.tokens.createSession({
      jti,
      subjectKey: `identity:${identityId}`,
      authMethod: 'probe',
      createdAt: now,
      ttl: 60,
      maxExpiresAt: new Date(now.getTime() + 60_000),
      expiresAt: new Date(now.getTime() + 60_000),
      numUsesLimit: 5,
      numUses: 0,
      trustedIps: [],
      revokedAt: null,
    });
    const blocker = new pg.Client({ connectionString: DATABASE_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "${schema}".gatehouse_token_sessions WHERE jti = $1 FOR UPDATE`, [jti]);
      const err = await stores.tokens.useSession(jti, { consume: true, now }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as StoreUnavailableError).reasonCode).toBe('store_unavailable');
      expect(((err as Error).cause as { code?: string }).code).toBe('57014');
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect(await stores.tokens.useSession(jti, { consume: true, now })).toEqual(
      expect.objectContaining({ status: 'ok', session: expect.objectContaining({ numUses: 1 }) }),
    );
  });

  it('refuses to start when the database is unreachable, with StoreUnavailableError', async () => {
    await proxy.cut();
    const proxied = new URL(DATABASE_URL!);
    proxied.host = `127.0.0.1:${proxy.port}`;
    await expect(
      createPostgresStores({ connectionString: proxied.toString(), schema, encryptionKey: TEST_KEY, connectionTimeoutMs: CONNECTION_TIMEOUT_MS }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    await proxy.restore();
  });
});

describe.skipIf(DATABASE_URL)('database outage', () => {
  it.skip(`needs a real PostgreSQL server: ${NO_DATABASE_URL}`, () => undefined);
});
