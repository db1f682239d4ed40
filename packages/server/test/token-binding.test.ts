/**
 * Token binding across the five login routes, as the production server composes them (Fastify app, all five
 * strategies, the STS and OCI emulators): a DPoP login on each route is bound to the proof key, the same proof
 * is refused the second time, and a plain login is exactly the seed's. On PostgreSQL (DATABASE_URL), two
 * Gatehouse instances with their own pools agree: a proof used at one is refused at the other. Over real mTLS,
 * a tls-cert identity that asks for certificate-bound tokens gets one, and another certificate cannot use it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createGatehouse, createMemoryStores, NO_RENEWAL_LIMIT, type Gatehouse, type Stores, type Strategy } from '@gatehouse-auth/core';
import { readJsonBody, respond, toGatehouseRequest, writeNodeResponse } from '@gatehouse-auth/core/node';
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { alicloudStrategy } from '@gatehouse-auth/strategy-alicloud';
import { ecePasswordStrategy } from '@gatehouse-auth/strategy-ece-password';
import { idpMfaStrategy } from '@gatehouse-auth/strategy-idp-mfa';
import { ociStrategy } from '@gatehouse-auth/strategy-oci';
import { tlsCertStrategy } from '@gatehouse-auth/strategy-tls-cert';
import { createPostgresStores } from '@gatehouse-auth/store-postgres';
import {
  buildAlicloudLoginBody, buildOciLoginBody, createDpopProof, createMtlsAgent, generateDpopKey, loginWithTlsCert, renewAccessToken, type DpopKey,
} from '@gatehouse-auth/client';
import { createCa, type CertificateAuthority } from '@gatehouse-auth/testing/certs';
import { createOciIdentityEmulator, createOciTestUser, type OciIdentityEmulator, type OciTestUser } from '@gatehouse-auth/testing/oci';
import { createStsEmulator, type StsEmulator } from '@gatehouse-auth/testing/sts';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { resolveConfig } from '../src/config/load.js';
import { startServer } from '../src/start-server.js';

const CHEAP_ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const OCI_HOST = 'identity.us-ashburn-1.oraclecloud.com';
const ARN = 'acs:ram::1234567890123456:user/binding';
const ACCESS_KEY = 'LTAIbinding0000000000000';
const PASSWORD = `binding-${randomBytes(12).toString('hex')}`;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: true }));
const seedSchema = (name: string) => ajv.compile(JSON.parse(readFileSync(new URL(`./fixtures/${name}.schema.json`, import.meta.url), 'utf8')) as object);
const SEED_SCHEMAS = { infisical: seedSchema('infisical-login-response'), ece: seedSchema('ece-login-response'), bytebase: seedSchema('bytebase-login-response') };

let sts: StsEmulator;
let oci: OciIdentityEmulator;
let ociUser: OciTestUser;
let ca: CertificateAuthority;
const stsSecret = randomBytes(20).toString('base64url');

beforeAll(async () => {
  sts = await createStsEmulator({ accessKeys: [{ id: ACCESS_KEY, secret: stsSecret, arn: ARN, accountId: '1234567890123456', principalId: '1', identityType: 'RAMUser' }] });
  ociUser = createOciTestUser({ name: 'binding' });
  oci = await createOciIdentityEmulator({ users: [ociUser] });
  ca = await createCa({ commonName: 'Binding CA' });
}, 60_000);
afterAll(async () => {
  await sts?.close();
  await oci?.close();
});

function strategies(): Strategy<never, never>[] {
  return [
    alicloudStrategy({ stsEndpoints: { global: sts.url } }),
    ociStrategy({ relayOverride: { origins: { [OCI_HOST]: oci.url } } }),
    tlsCertStrategy({ certificateHeader: 'x-client-cert', trustedProxies: ['127.0.0.1/32'] }),
    ecePasswordStrategy({ argon2: CHEAP_ARGON2 }),
    idpMfaStrategy({ password: { params: CHEAP_ARGON2 } }),
  ] as never;
}

interface Instance {
  gatehouse: Gatehouse;
  app: FastifyInstance;
  base: string;
}

async function instance(stores: Stores): Promise<Instance> {
  const gatehouse = createGatehouse({ strategies: strategies(), stores, tokenBinding: { clientCertificateHeader: 'x-client-cert', clientCertificateProxies: ['127.0.0.1/32'] } });
  const app = await buildServer({ gatehouse, logger: createLogger({ log: { level: 'silent' }, mode: 'production' }), mode: 'production', storeDriver: 'memory', readiness: [], bodyLimit: 64 * 1024, publicUrls: [], version: 'binding' });
  return { gatehouse, app, base: await app.listen({ port: 0, host: '127.0.0.1' }) };
}

interface Route {
  id: string;
  path: string;
  dialect: keyof typeof SEED_SCHEMAS;
  /** A fresh, valid login: body and headers (each call signs anew where the strategy needs it). */
  login(): Promise<{ body: unknown; headers?: Record<string, string> }>;
  token(body: Record<string, unknown>): string;
}

/** Identities and users for the five routes on `gatehouse`; each route's plain login request. */
async function provision(gatehouse: Gatehouse): Promise<Route[]> {
  const identity = async (method: string, config: unknown) => {
    const created = await gatehouse.admin.createIdentity({ name: `binding-${method}` });
    await gatehouse.admin.attachMethod(created.id, method, config);
    return created.id;
  };
  const aliId = await identity('alicloud', { allowedArns: [ARN] });
  const ociId = await identity('oci', { tenancyOcid: ociUser.tenancyId });
  const tlsId = await identity('tls-cert', { caCertificates: [ca.certPem], allowedCommonNames: ['binding-client'] });
  const leaf = await ca.issue({ commonName: 'binding-client', extKeyUsage: ['clientAuth'] });
  const suffix = randomBytes(4).toString('hex');
  await createPasswordUser(gatehouse.stores, { username: `operator-${suffix}`, email: `user-${suffix}@example.com`, password: PASSWORD }, { now: new Date(), params: CHEAP_ARGON2 });
  const accessToken = (b: Record<string, unknown>) => b.accessToken as string;
  // A signature is one login (the strategy refuses it again): each login signs at another second, counted back
  // from one fixed time (counting back from each call's own Date.now() can land on the previous call's second).
  const ociBase = Date.now();
  let ociSeconds = 0;
  return [
    { id: 'alicloud', path: '/api/v1/auth/alicloud-auth/login', dialect: 'infisical', token: accessToken, login: async () => ({ body: buildAlicloudLoginBody({ identityId: aliId, accessKeyId: ACCESS_KEY, accessKeySecret: stsSecret }) }) },
    {
      id: 'oci',
      path: '/api/v1/auth/oci-auth/login',
      dialect: 'infisical',
      token: accessToken,
      login: async () => ({ body: await buildOciLoginBody({ identityId: ociId, userOcid: ociUser.id, tenancyOcid: ociUser.tenancyId, fingerprint: ociUser.fingerprint, privateKeyPem: ociUser.privateKeyPem, region: 'us-ashburn-1', now: new Date(ociBase - 1000 * ociSeconds++) }) }),
    },
    { id: 'tls-cert', path: '/api/v1/auth/tls-cert-auth/login', dialect: 'infisical', token: accessToken, login: async () => ({ body: { identityId: tlsId }, headers: { 'x-client-cert': encodeURIComponent(leaf.chainPem) } }) },
    { id: 'ece-password', path: '/api/v1/users/auth/_login', dialect: 'ece', token: (b) => b.token as string, login: async () => ({ body: { username: `operator-${suffix}`, password: PASSWORD } }) },
    { id: 'idp-mfa', path: '/v1/auth/login', dialect: 'bytebase', token: (b) => b.token as string, login: async () => ({ body: { email: `user-${suffix}@example.com`, password: PASSWORD } }) },
  ];
}

const client = new Agent({ keepAliveTimeout: 1_000 });
afterAll(() => client.close());

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${base}${path}`, { method: 'POST', dispatcher: client, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: JSON.parse(text) as Record<string, unknown> };
}

describe('DPoP on the five login routes (memory stores)', () => {
  let one: Instance;
  let routes: Route[];
  let key: DpopKey;
  beforeAll(async () => {
    one = await instance(createMemoryStores());
    routes = await provision(one.gatehouse);
    key = await generateDpopKey();
  }, 60_000);
  afterAll(async () => {
    await one?.app.close();
    await one?.gatehouse.close();
  });

  it('covers every login route of the server', () => {
    expect(one.gatehouse.routes().filter((r) => r.login).map((r) => r.path).sort()).toEqual(routes.map((r) => r.path).sort());
  });

  for (const id of ['alicloud', 'oci', 'tls-cert', 'ece-password', 'idp-mfa']) {
    it(`${id}: a plain login is exactly the seed's; with a proof the token is bound to the key (cnf.jkt); the proof replayed is refused`, async () => {
      const route = routes.find((r) => r.id === id)!;
      const validate = SEED_SCHEMAS[route.dialect];

      const plainLogin = await route.login();
      const plain = await post(one.base, route.path, plainLogin.body, plainLogin.headers);
      expect(plain.status, plain.text).toBe(200);
      expect(validate(plain.json), ajv.errorsText(validate.errors)).toBe(true);
      if (route.dialect === 'infisical') expect(plain.text).toMatch(/^\{"accessToken":"[\w-]+\.[\w-]+\.[\w-]+","expiresIn":\d+,"accessTokenMaxTTL":\d+,"tokenType":"Bearer"\}$/);
      expect(decodeJwt(route.token(plain.json)).cnf).toBeUndefined();
      expect(plain.headers['dpop-nonce']).toBeUndefined();
      expect(plain.headers['www-authenticate']).toBeUndefined();

      const url = `${one.base}${route.path}`;
      const dpop = await createDpopProof(key, { method: 'POST', url });
      const boundLogin = await route.login();
      const bound = await post(one.base, route.path, boundLogin.body, { ...boundLogin.headers, dpop });
      expect(bound.status, bound.text).toBe(200);
      expect(decodeJwt(route.token(bound.json)).cnf).toEqual({ jkt: key.thumbprint });
      if (route.dialect === 'infisical') {
        // The one deviation from the seed (docs/decisions/0009): tokenType DPoP, only for a client that sent a proof.
        expect(bound.json.tokenType).toBe('DPoP');
        expect(validate({ ...bound.json, tokenType: 'Bearer' })).toBe(true);
      } else {
        expect(validate(bound.json), ajv.errorsText(validate.errors)).toBe(true);
      }

      const replayLogin = await route.login();
      const replay = await post(one.base, route.path, replayLogin.body, { ...replayLogin.headers, dpop });
      expect(replay.status, replay.text).toBe(400);
      expect(String(replay.headers['www-authenticate'])).toMatch(/^DPoP error="invalid_dpop_proof", algs="/);
    });
  }

  it('a stolen DPoP-bound token cannot be renewed: no proof, another key, a replayed proof, another URL or method', async () => {
    const route = routes.find((r) => r.id === 'alicloud')!;
    const { body } = await route.login();
    const token = route.token((await post(one.base, route.path, body, { dpop: await createDpopProof(key, { method: 'POST', url: `${one.base}${route.path}` }) })).json);
    const renewUrl = `${one.base}/api/v1/auth/token/renew`;
    const thief = await generateDpopKey();
    const attempts: [string, Record<string, string>][] = [
      ['no proof', {}],
      ['another key', { dpop: await createDpopProof(thief, { method: 'POST', url: renewUrl, accessToken: token }) }],
      ['another URL', { dpop: await createDpopProof(key, { method: 'POST', url: `${one.base}/api/v1/auth/token/revoke`, accessToken: token }) }],
      ['another method', { dpop: await createDpopProof(key, { method: 'PUT', url: renewUrl, accessToken: token }) }],
    ];
    for (const [label, headers] of attempts) {
      const res = await post(one.base, '/api/v1/auth/token/renew', { accessToken: token }, headers);
      expect({ label, status: res.status }).toEqual({ label, status: 401 });
    }
    const proof = await createDpopProof(key, { method: 'POST', url: renewUrl, accessToken: token });
    const ok = await post(one.base, '/api/v1/auth/token/renew', { accessToken: token }, { dpop: proof });
    expect([ok.status, ok.json.tokenType]).toEqual([200, 'DPoP']);
    expect((await post(one.base, '/api/v1/auth/token/renew', { accessToken: token }, { dpop: proof })).status).toBe(401);
  });
});

const DATABASE_URL = process.env.DATABASE_URL || undefined;

describe.runIf(DATABASE_URL)('two instances on one PostgreSQL, each with its own pool', () => {
  const schema = `gh_binding_${process.pid}_${randomBytes(3).toString('hex')}`;
  const encryptionKey = randomBytes(32).toString('base64');
  let a: Instance;
  let b: Instance;
  let routes: Route[];
  beforeAll(async () => {
    a = await instance(await createPostgresStores({ connectionString: DATABASE_URL!, schema, encryptionKey }));
    b = await instance(await createPostgresStores({ connectionString: DATABASE_URL!, schema, encryptionKey }));
    routes = await provision(a.gatehouse);
  }, 60_000);
  afterAll(async () => {
    for (const x of [a, b]) {
      await x?.app.close();
      await x?.gatehouse.close();
    }
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });

  it('a login proof used at instance A is refused at instance B, on each of the five routes', async () => {
    const key = await generateDpopKey();
    for (const route of routes) {
      // Both instances answer for the same public URL, as behind a load balancer.
      const url = `http://gatehouse.test${route.path}`;
      const dpop = await createDpopProof(key, { method: 'POST', url });
      const first = await route.login();
      const atA = await post(a.base, route.path, first.body, { ...first.headers, dpop, host: 'gatehouse.test' });
      expect({ route: route.id, status: atA.status }).toEqual({ route: route.id, status: 200 });
      const second = await route.login();
      const atB = await post(b.base, route.path, second.body, { ...second.headers, dpop, host: 'gatehouse.test' });
      expect({ route: route.id, status: atB.status }).toEqual({ route: route.id, status: 400 });
    }
  });

  it('the same proof sent to both at once: exactly one login succeeds', async () => {
    const key = await generateDpopKey();
    const route = routes.find((r) => r.id === 'ece-password')!;
    const dpop = await createDpopProof(key, { method: 'POST', url: `http://gatehouse.test${route.path}` });
    const sends = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const { body } = await route.login();
        return post((i % 2 ? a : b).base, route.path, body, { dpop, host: 'gatehouse.test' });
      }),
    );
    expect(sends.map((s) => s.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
  });

  it('a periodic token issued at A renews at B by its period; its session (no renewal limit) round-trips through PostgreSQL', async () => {
    const issued = await a.gatehouse.issuer.issue({ subject: { type: 'identity', id: 'periodic-machine' }, authMethod: 'tls-cert', clientIp: '127.0.0.1', settings: { accessTokenPeriod: 600 } });
    const session = await b.gatehouse.stores.tokens.getSession(issued.jti);
    expect(session?.maxExpiresAt.toISOString()).toBe(NO_RENEWAL_LIMIT.toISOString());
    const renewed = await b.gatehouse.issuer.renew(issued.token);
    expect([renewed.expiresIn, renewed.accessTokenMaxTTL, renewed.settings.accessTokenPeriod]).toEqual([600, 0, 600]);
  });

  it('a renewal proof used at A is refused at B', async () => {
    const key = await generateDpopKey();
    const route = routes.find((r) => r.id === 'ece-password')!;
    const { body } = await route.login();
    const token = route.token((await post(a.base, route.path, body, { dpop: await createDpopProof(key, { method: 'POST', url: `http://gatehouse.test${route.path}` }), host: 'gatehouse.test' })).json);
    const proof = await createDpopProof(key, { method: 'POST', url: 'http://gatehouse.test/api/v1/auth/token/renew', accessToken: token });
    expect((await post(a.base, '/api/v1/auth/token/renew', { accessToken: token }, { dpop: proof, host: 'gatehouse.test' })).status).toBe(200);
    expect((await post(b.base, '/api/v1/auth/token/renew', { accessToken: token }, { dpop: proof, host: 'gatehouse.test' })).status).toBe(401);
  });
});

describe('certificate-bound tls-cert tokens over real mTLS (RFC 8705)', () => {
  let gatehouse: Gatehouse;
  let server: HttpsServer;
  let base: string;
  let identityId: string;
  beforeAll(async () => {
    gatehouse = createGatehouse({ strategies: [tlsCertStrategy()] });
    const identity = await gatehouse.admin.createIdentity({ name: 'bound-machine' });
    identityId = identity.id;
    await gatehouse.admin.attachMethod(identity.id, 'tls-cert', { caCertificates: [ca.certPem], allowedCommonNames: ['machine-*'] }, { accessTokenCertificateBound: true });
    const serverCert = await ca.issue({ commonName: '127.0.0.1', extKeyUsage: ['serverAuth'], subjectAltNames: [{ type: 'ip', value: '127.0.0.1' }] });
    server = createHttpsServer({ key: serverCert.keyPem, cert: serverCert.certPem, requestCert: true, rejectUnauthorized: false }, async (req, res) => {
      writeNodeResponse(res, await respond(gatehouse, toGatehouseRequest(req, await readJsonBody(req))));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 30_000);
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await gatehouse?.close();
  });

  it('the token carries the login certificate’s x5t#S256; renewal works with it and is refused with another certificate of the same CA', async () => {
    const mine = await ca.issue({ commonName: 'machine-a', extKeyUsage: ['clientAuth'] });
    const theirs = await ca.issue({ commonName: 'machine-b', extKeyUsage: ['clientAuth'] });
    const login = await loginWithTlsCert({ baseUrl: base, identityId, certPem: mine.chainPem, keyPem: mine.keyPem, caPem: ca.certPem });
    expect(login.tokenType).toBe('Bearer');
    const { createHash } = await import('node:crypto');
    expect(decodeJwt(login.accessToken).cnf).toEqual({ 'x5t#S256': createHash('sha256').update(mine.certDer).digest('base64url') });
    // The thief holds a valid certificate of the same CA, and the stolen token.
    const thief = createMtlsAgent({ certPem: theirs.chainPem, keyPem: theirs.keyPem, caPem: ca.certPem });
    const owner = createMtlsAgent({ certPem: mine.chainPem, keyPem: mine.keyPem, caPem: ca.certPem });
    try {
      await expect(renewAccessToken({ baseUrl: base, accessToken: login.accessToken, dispatcher: thief })).rejects.toMatchObject({ status: 401 });
      await expect(renewAccessToken({ baseUrl: base, accessToken: login.accessToken, dispatcher: new Agent({ connect: { ca: ca.certPem } }) })).rejects.toMatchObject({ status: 401 });
      const renewed = await renewAccessToken({ baseUrl: base, accessToken: login.accessToken, dispatcher: owner });
      expect(decodeJwt(renewed.accessToken).cnf).toEqual(decodeJwt(login.accessToken).cnf);
    } finally {
      await thief.close();
      await owner.close();
    }
  });
});

describe('the server wires binding from its config', () => {
  it('server.publicUrl is what proofs name (not the listener), and tls-cert’s proxy header carries the certificate of a bound token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-binding-'));
    const { config } = resolveConfig(
      { store: { driver: 'memory' }, server: { port: 0, publicUrl: 'https://auth.example.com' }, strategies: { tlsCert: { certificateHeader: 'x-client-cert', trustedProxies: ['127.0.0.1/32'] } } },
      dataDir,
    );
    const server = await startServer({ config, path: join(dataDir, 'c.json'), dataDir }, { env: {}, logDestination: new Writable({ write: (_c, _e, cb) => cb() }), out: new Writable({ write: (_c, _e, cb) => cb() }) });
    try {
      const base = server.urls.http;
      const key = await generateDpopKey();
      const subject = { type: 'identity' as const, id: 'wired' };
      const dpopBound = await server.gatehouse.issuer.issue({ subject, authMethod: 'alicloud', clientIp: '127.0.0.1', cnf: { jkt: key.thumbprint } });
      const renew = (body: unknown, headers: Record<string, string>) => post(base, '/api/v1/auth/token/renew', body, headers);
      const atListener = await createDpopProof(key, { method: 'POST', url: `${base}/api/v1/auth/token/renew`, accessToken: dpopBound.token });
      expect((await renew({ accessToken: dpopBound.token }, { dpop: atListener })).status).toBe(401);
      const atPublicUrl = await createDpopProof(key, { method: 'POST', url: 'https://auth.example.com/api/v1/auth/token/renew', accessToken: dpopBound.token });
      expect((await renew({ accessToken: dpopBound.token }, { dpop: atPublicUrl })).status).toBe(200);

      const [mine, theirs] = await Promise.all([ca.issue({ commonName: 'wired-a', extKeyUsage: ['clientAuth'] }), ca.issue({ commonName: 'wired-b', extKeyUsage: ['clientAuth'] })]);
      const { createHash } = await import('node:crypto');
      const certBound = await server.gatehouse.issuer.issue({ subject, authMethod: 'tls-cert', clientIp: '127.0.0.1', cnf: { 'x5t#S256': createHash('sha256').update(mine.certDer).digest('base64url') } });
      expect((await renew({ accessToken: certBound.token }, { 'x-client-cert': encodeURIComponent(theirs.chainPem) })).status).toBe(401);
      expect((await renew({ accessToken: certBound.token }, { 'x-client-cert': encodeURIComponent(mine.chainPem) })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
