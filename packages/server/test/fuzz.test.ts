/**
 * The hostile-input fuzz suite (docs/security.md): fast-check, seeded, over the real HTTP stack — the
 * production server's Fastify app with all five strategies, the STS and OCI emulators behind the upstream
 * ones. For every login route, FUZZ_RUNS (default 10,000) requests derived from its request schema: every
 * field (optional ones too) with right and wrong types, NUL and lone surrogates, strings at and past their
 * limits, huge strings, deep nesting, prototype and duplicate keys, broken JSON, wrong content types.
 * A mutated valid body may still be valid (200); every other answer must be a 4xx (or, on the upstream routes,
 * the dialect's documented 502/503). No answer carries a stack trace or a planted secret; the server still
 * answers afterwards, and no log line holds a secret.
 * Seeded: a failure is reproducible (the seed and path are in the message); FUZZ_SEED picks another.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createGatehouse, createMemoryStores, type Gatehouse, type Strategy } from '@gatehouse-auth/core';
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { alicloudStrategy } from '@gatehouse-auth/strategy-alicloud';
import { ecePasswordStrategy } from '@gatehouse-auth/strategy-ece-password';
import { idpMfaStrategy } from '@gatehouse-auth/strategy-idp-mfa';
import { ociStrategy } from '@gatehouse-auth/strategy-oci';
import { tlsCertStrategy } from '@gatehouse-auth/strategy-tls-cert';
import { buildAlicloudLoginBody, buildOciLoginBody } from '@gatehouse-auth/client';
import { createCa } from '@gatehouse-auth/testing/certs';
import { hostileRequest, inputJsonSchema, NASTY_STRINGS, type HostileRequest, type KnownValues } from '@gatehouse-auth/testing/fuzz';
import { createOciIdentityEmulator, createOciTestUser, type OciIdentityEmulator } from '@gatehouse-auth/testing/oci';
import { createStsEmulator, type StsEmulator } from '@gatehouse-auth/testing/sts';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_129);
const CHEAP_ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const OCI_HOST = 'identity.us-ashburn-1.oraclecloud.com';
/** Stack frames as Node prints them (also JSON-escaped), file positions, internal module paths. */
const STACK = /(?:\\n|\n)\s*at \S|\((?:\/|file:|node:)[^)]*:\d+:\d+\)|node:internal|\/node_modules\//;

/** Where a 5xx is part of the contract: the upstream routes' 502 (bad upstream) and 503 (unreachable). */
const DOCUMENTED_5XX: Record<string, number[]> = { alicloud: [502, 503], oci: [502, 503] };

let sts: StsEmulator;
let oci: OciIdentityEmulator;
let gatehouse: Gatehouse;
let app: FastifyInstance;
let base: string;
let logs = '';
const client = new Agent({ keepAliveTimeout: 10_000, connections: 4 });
const secrets: string[] = [];
const known: KnownValues = {};
/** Working bodies per route: the fuzzer mutates them to reach the strategies' deeper checks. */
const validBodies: Record<string, Record<string, unknown>[]> = {};
const adminValidBodies: Record<string, Record<string, unknown>[]> = {};
let adminToken = '';
const adminTargets = { configured: '', user: '' };
/** The admin routes take fewer cases each: they are many, and share one schema machinery and one authorizer. */
const ADMIN_RUNS = Math.max(50, Math.ceil(RUNS / 10));

beforeAll(async () => {
  const stsSecret = randomBytes(20).toString('base64url');
  sts = await createStsEmulator({ accessKeys: [{ id: 'LTAIfuzz0000000000000000', secret: stsSecret, arn: 'acs:ram::1234567890123456:user/fuzz', accountId: '1234567890123456', principalId: '1', identityType: 'RAMUser' }] });
  const ociUser = createOciTestUser({ name: 'fuzz' });
  oci = await createOciIdentityEmulator({ users: [ociUser] });
  const ca = await createCa({ commonName: 'Fuzz CA' });
  const password = `fuzz-${randomBytes(12).toString('hex')}`;
  const introspectionSecret = randomBytes(24).toString('base64url');
  secrets.push(stsSecret, password, introspectionSecret, ociUser.privateKeyPem.split('\n')[1]!);

  const strategies: Strategy<never, never>[] = [
    alicloudStrategy({ stsEndpoints: { global: sts.url } }),
    ociStrategy({ relayOverride: { origins: { [OCI_HOST]: oci.url } } }),
    tlsCertStrategy({ certificateHeader: 'x-client-cert', trustedProxies: ['127.0.0.1/32'] }),
    // Cheap hashing and a lockout that never closes: fuzzing is about the input surface, not brute force.
    ecePasswordStrategy({ argon2: CHEAP_ARGON2, lockout: { maxFailures: 1e6, windowMs: 60_000, accountCeiling: 1e7, addressCeiling: 1e7 } }),
    idpMfaStrategy({ password: { params: CHEAP_ARGON2, lockout: { maxFailures: 1000, windowMs: 1000, accountCeiling: 1e7, addressCeiling: 1e7 } } }),
  ] as never;
  gatehouse = createGatehouse({ strategies, stores: createMemoryStores(), introspectionSecret, adminApi: { passwordHashing: CHEAP_ARGON2 }, logger: createLogger({ log: { level: 'info' }, mode: 'production' }, new Writable({ write: (c, _e, cb) => ((logs += String(c)), cb()) })) });

  const machines = [
    ['alicloud', { allowedArns: ['acs:ram::1234567890123456:user/fuzz'] }],
    ['oci', { tenancyOcid: ociUser.tenancyId }],
    ['tls-cert', { caCertificates: [ca.certPem], allowedCommonNames: ['fuzz'] }],
  ] as const;
  const identityIds: string[] = [];
  for (const [method, config] of machines) {
    const identity = await gatehouse.admin.createIdentity({ name: `fuzz-${method}` });
    await gatehouse.admin.attachMethod(identity.id, method, config);
    identityIds.push(identity.id);
  }
  await createPasswordUser(gatehouse.stores, { username: 'fuzz-user', email: 'fuzz@example.com', password }, { now: new Date(), params: CHEAP_ARGON2 });
  Object.assign(known, { identityId: identityIds, username: ['fuzz-user', 'FUZZ-USER '], email: ['fuzz@example.com'], 'headers.host': [OCI_HOST], userOcid: [ociUser.id] });
  const [aliId, ociId, tlsId] = identityIds as [string, string, string];
  Object.assign(validBodies, {
    alicloud: [{ ...buildAlicloudLoginBody({ identityId: aliId, accessKeyId: 'LTAIfuzz0000000000000000', accessKeySecret: stsSecret }) }],
    oci: [{ ...(await buildOciLoginBody({ identityId: ociId, userOcid: ociUser.id, tenancyOcid: ociUser.tenancyId, fingerprint: ociUser.fingerprint, privateKeyPem: ociUser.privateKeyPem, region: 'us-ashburn-1' })) }],
    'tls-cert': [{ identityId: tlsId }],
    'ece-password': [{ username: 'fuzz-user', password }, { username: 'fuzz-user', password, login_state: { path: '/deployments', theme: 'dark' } }],
    'idp-mfa': [{ email: 'fuzz@example.com', password }, { email: 'fuzz@example.com', password, web: true }, { mfaTempToken: 'x'.repeat(43), otpCode: '123456' }],
  });

  // The admin routes: a token with every scope (so cases reach the schemas and the strategies' config checks),
  // the identity with all three methods (update), a user.
  adminToken = (await gatehouse.admin.createAdminCredential({ name: 'fuzz', scopes: ['*:write'] })).token;
  secrets.push(adminToken);
  adminTargets.configured = aliId;
  for (const [method, config] of machines) if (method !== 'alicloud') await gatehouse.admin.attachMethod(aliId, method, config);
  adminTargets.user = (await gatehouse.stores.users.getByUsername('fuzz-user'))!.id;
  Object.assign(adminValidBodies, {
    'admin.identities.create': [{ name: 'fuzz-made' }, { name: 'fuzz-made', organizationSlug: 'acme' }],
    'admin.alicloud.attach': [{ allowedArns: 'acs:ram::1234567890123456:user/fuzz', accessTokenTTL: 60 }],
    'admin.alicloud.update': [{ allowedArns: 'acs:ram::1234567890123456:user/fuzz' }, { accessTokenTrustedIps: [{ ipAddress: '10.0.0.0/8' }] }],
    'admin.oci.attach': [{ tenancyOcid: ociUser.tenancyId, allowedUsernames: 'fuzz' }],
    'admin.oci.update': [{ allowedUsernames: 'fuzz, other' }],
    'admin.tls-cert.attach': [{ caCertificate: ca.certPem, allowedCommonNames: 'fuzz' }],
    'admin.tls-cert.update': [{ allowedCommonNames: 'fuzz,*.svc' }, { ocspEnabled: false }],
    'admin.users.create': [{ username: 'fuzz-admin-user', password: 'a-fuzzing-passphrase' }],
    'admin.users.password': [{ password: 'another-fuzzing-passphrase', revokeTokens: false }],
  });

  app = await buildServer({ gatehouse, logger: createLogger({ log: { level: 'silent' }, mode: 'production' }), mode: 'production', storeDriver: 'memory', readiness: [], bodyLimit: 64 * 1024, publicUrls: [], version: 'fuzz' });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await gatehouse?.close();
  await client.close();
  await sts?.close();
  await oci?.close();
});

async function send(path: string, req: HostileRequest, method: 'POST' | 'PATCH' = 'POST', headers: Record<string, string> = {}) {
  const res = await request(`${base}${path}`, {
    method,
    dispatcher: client,
    headers: { ...headers, ...(req.contentType === null ? {} : { 'content-type': req.contentType }) },
    body: req.body,
  });
  return { status: res.statusCode, text: await res.body.text(), headers: res.headers };
}

function problem(route: string, res: { status: number; text: string; headers: Record<string, unknown> }): string | null {
  if (res.status >= 500 && !(DOCUMENTED_5XX[route] ?? []).includes(res.status)) return `status ${res.status}`;
  const all = res.text + JSON.stringify(res.headers);
  if (STACK.test(all)) return 'a stack trace in the response';
  const leaked = secrets.find((s) => all.includes(s));
  if (leaked) return 'a planted secret in the response';
  return null;
}

describe(`fuzz: ${RUNS} hostile requests per login route (seed ${SEED})`, () => {
  const routes = () => gatehouse.routes().filter((r) => r.login);

  it('covers every login route of the five strategies', () => {
    expect(routes().map((r) => r.endpoint.id).sort()).toEqual(['alicloud', 'ece-password', 'idp-mfa', 'oci', 'tls-cert']);
  });

  for (const id of ['alicloud', 'oci', 'tls-cert', 'ece-password', 'idp-mfa']) {
    it(`${id}: no 5xx outside the contract, no stack trace, no secret, and the server keeps answering`, { timeout: 30 * 60_000 }, async () => {
      const route = routes().find((r) => r.endpoint.id === id)!;
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(hostileRequest(inputJsonSchema(route.endpoint.requestSchema), known, validBodies[id]), async (req) => {
          const res = await send(route.path, req);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const found = problem(id, res);
          if (found) throw new Error(`${found} (${req.kind}): ${res.text.slice(0, 300)}`);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: false, verbose: 0 },
      );
      // Not all refused at the door: some cases got through the schema to the strategy's own refusals (401/403/404).
      expect([...statuses.keys()].some((status) => [401, 403, 404].includes(status)), JSON.stringify([...statuses])).toBe(true);
      const health = await request(`${base}/healthz`, { dispatcher: client });
      expect(health.statusCode).toBe(200);
      await health.body.dump();
    });
  }

  it('no log line carries a planted secret', () => {
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});

describe(`fuzz: ${ADMIN_RUNS} hostile requests per admin route with a body (seed ${SEED})`, () => {
  const adminRoutes = () => gatehouse.routes().filter((r) => r.endpoint.id.startsWith('admin.') && (r.method === 'POST' || r.method === 'PATCH'));
  // An attach goes to an identity without methods (a new one per case, so each reaches the config checks);
  // an update to the identity that has all three.
  const concrete = async (path: string, id: string) => {
    const identityId = id.endsWith('.attach') ? (await gatehouse.admin.createIdentity({ name: 'fuzz-attach' })).id : adminTargets.configured;
    return path.replace('{identityId}', encodeURIComponent(identityId)).replace('{userId}', encodeURIComponent(adminTargets.user));
  };

  // First: the body cases below may create identities whose ids are these very strings (`id` is a field).
  it('hostile path parameters are a 4xx, never a 5xx or a stack trace', async () => {
    // A lone surrogate has no UTF-8 form: sent as the bytes a careless client would send (invalid UTF-8).
    const encode = (v: string) => {
      try {
        return encodeURIComponent(v);
      } catch {
        return `%ED%A0%80${encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, ''))}`;
      }
    };
    for (const nasty of [...NASTY_STRINGS, '..', '%', '%00', 'x'.repeat(300)]) {
      for (const path of [`/api/v1/identities/${encode(nasty)}`, `/api/v1/auth/oci-auth/identities/${encode(nasty)}`, `/api/v1/admin/users/${encode(nasty)}/mfa`]) {
        const res = await request(`${base}${path}`, { method: path.endsWith('/mfa') ? 'DELETE' : 'GET', dispatcher: client, headers: { authorization: `Bearer ${adminToken}` } });
        const text = await res.body.text();
        const what = `${path.slice(0, 80)} → ${res.statusCode} ${text.slice(0, 200)}`;
        expect(res.statusCode >= 400 && res.statusCode < 500, what).toBe(true);
        expect(STACK.test(text)).toBe(false);
      }
    }
  });

  it('covers every admin route that takes a body', () => {
    expect(adminRoutes().map((r) => r.endpoint.id).sort()).toEqual(Object.keys(adminValidBodies).sort());
  });

  for (const id of ['admin.identities.create', 'admin.alicloud.attach', 'admin.alicloud.update', 'admin.oci.attach', 'admin.oci.update', 'admin.tls-cert.attach', 'admin.tls-cert.update', 'admin.users.create', 'admin.users.password']) {
    it(`${id}: no 5xx, no stack trace, no secret, and the server keeps answering`, { timeout: 30 * 60_000 }, async () => {
      const route = adminRoutes().find((r) => r.endpoint.id === id)!;
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(hostileRequest(inputJsonSchema(route.endpoint.requestSchema), known, adminValidBodies[id]), async (req) => {
          const res = await send(await concrete(route.path, id), req, route.method as 'POST' | 'PATCH', { authorization: `Bearer ${adminToken}` });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const found = problem(id, res);
          if (found) throw new Error(`${found} (${req.kind}): ${res.text.slice(0, 300)}`);
        }),
        { numRuns: ADMIN_RUNS, seed: SEED, endOnFailure: false, verbose: 0 },
      );
      // Both sides were reached: refusals at the door (422/400/413/415) and cases the handler took (200, or its 400/404).
      expect([...statuses.keys()].some((status) => status === 422), JSON.stringify([...statuses])).toBe(true);
      expect([...statuses.keys()].some((status) => status === 200 || status === 400 || status === 404), JSON.stringify([...statuses])).toBe(true);
      const health = await request(`${base}/healthz`, { dispatcher: client });
      expect(health.statusCode).toBe(200);
      await health.body.dump();
    });
  }

  it('no log line carries a planted secret (the admin token included)', () => {
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
