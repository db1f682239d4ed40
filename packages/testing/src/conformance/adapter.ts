/**
 * Adapter conformance suite: what every framework adapter (ours, or a third party's, e.g. a future Hono
 * adapter) must show. It starts the adapter under test on loopback, drives it with real HTTP (undici, no
 * inject), and checks the translation in both directions: body handling, client address, TLS peer chain,
 * abort signal in; status, headers, cookies, redirects and every dialect's error bodies out; plus the guard,
 * including token binding: a DPoP-bound token needs a proof of its key for the guarded URL and method, a
 * certificate-bound one the same client certificate on the connection (real TLS handshakes).
 *
 *   runAdapterConformance('express', { start: async (gatehouse, options) => ({ baseUrl, httpsUrl, close }) });
 */
import { calculateThumbprint, generateKeyPair, generateProof, type KeyPair } from 'dpop';
import fc from 'fast-check';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createGatehouse,
  localVerifier,
  ManualClock,
  type DialectName,
  type Gatehouse,
  type GuardSource,
} from '@gatehouse-auth/core';
import { errorBody, expectedError, ERROR_CASES, type ErrorCase } from './adapter-expectations.js';
import { chunkedBody, createClient, paddedBody, type Exchange, type SendOptions } from './adapter-http.js';
import { hostileRequest, inputJsonSchema, nestedJson } from '../fuzz/index.js';
import {
  CONFORMANCE_MODES,
  CONFORMANCE_ROUTES,
  conformanceRequestSchema,
  conformanceStrategy,
  LEAKED_SECRET,
  REDIRECT_LOCATION,
  type ConformanceMode,
  type HangProbe,
  type WhoAmI,
} from './adapter-strategies.js';
import { createConformanceTls, type ConformanceTls } from './adapter-tls.js';

export interface AdapterStartOptions {
  /** Pass to the adapter as its body limit; undefined: the adapter's default (must be 64 KiB). */
  bodyLimit?: number;
  /**
   * Mount `GET guard.path` behind the adapter's guard built from `guard.source`; on success it answers
   * 200 with the principal as JSON (`JSON.stringify(principal)`).
   */
  guard: { path: string; source: GuardSource };
  /** When set, also serve HTTPS with this key/cert and `requestCert: true, rejectUnauthorized: false`. */
  tls?: { key: string; cert: string };
}

export interface AdapterServer {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** `https://127.0.0.1:<port>`, when `tls` was given. */
  httpsUrl?: string;
  close(): Promise<void>;
}

export interface AdapterHarness {
  /** Mounts the given Gatehouse on a fresh app and listens on 127.0.0.1:0. */
  start(gatehouse: Gatehouse, options: AdapterStartOptions): Promise<AdapterServer>;
}

const DIALECTS: DialectName[] = ['infisical', 'ece', 'bytebase'];
const DEFAULT_LIMIT = 64 * 1024;
const GUARD_PATH = '/conformance/guarded';
const REQUEST_ID = /^req-[A-Za-z0-9_-]{16}$/;
const INTROSPECTION_SECRET = 'conformance-introspection-secret';
/** Modes whose answer is not a 5xx by design (and that do not wait for the client to leave). */
const FUZZ_MODES = CONFORMANCE_MODES.filter((m) => !['internal', 'upstream', 'unavailable', 'hang'].includes(m));
const FUZZ_SCHEMA = inputJsonSchema(conformanceRequestSchema.extend({ mode: z.enum(FUZZ_MODES as [string, ...string[]]).default('ok') }));
const FUZZ_RUNS = 100;

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export interface AdapterConformanceOptions {
  /**
   * The app's own JSON parser (express.json(), @koa/bodyparser) runs before the adapter. Invalid UTF-8 is
   * then that parser's to judge (body-parser substitutes U+FFFD), so that one check asks only for a clear
   * 4xx instead of the core's 400. Everything else must be identical.
   */
  appParsesJson?: boolean;
}

export function runAdapterConformance(name: string, harness: AdapterHarness, suiteOptions: AdapterConformanceOptions = {}): void {
  describe(`adapter conformance: ${name}`, () => {
    const client = createClient();
    const clock = new ManualClock(Date.now());
    let hang = { started: deferred(), aborted: deferred() };
    const probe: HangProbe = {
      started: () => hang.started.resolve(),
      aborted: () => hang.aborted.resolve(),
      missingSignal: () => hang.started.reject(new Error('ctx.request.signal was undefined: the adapter passed no AbortSignal')),
    };
    const strategies = () => DIALECTS.map((d) => conformanceStrategy(d, probe));

    let tls: ConformanceTls;
    let main: { gatehouse: Gatehouse; server: AdapterServer };
    let plain: { gatehouse: Gatehouse; server: AdapterServer };
    let small: { gatehouse: Gatehouse; server: AdapterServer };
    let admin: { gatehouse: Gatehouse; server: AdapterServer };
    let tlsClient: Agent;
    let otherTlsClient: Agent;
    let anonymousTlsClient: Agent;

    beforeAll(async () => {
      tls = await createConformanceTls();
      // main: behind a trusted proxy on loopback, with HTTPS; the guard counts uses (introspection-like).
      const mainGatehouse = createGatehouse({ strategies: strategies(), clock, trustProxy: ['127.0.0.1/32'], introspectionSecret: INTROSPECTION_SECRET });
      main = {
        gatehouse: mainGatehouse,
        server: await harness.start(mainGatehouse, { guard: { path: GUARD_PATH, source: { gatehouse: mainGatehouse, stateful: 'consume' } }, tls: tls.server }),
      };
      // plain: no proxy trusted; the guard verifies offline through an explicit verifier.
      const plainGatehouse = createGatehouse({ strategies: strategies(), clock, trustProxy: false });
      plain = {
        gatehouse: plainGatehouse,
        server: await harness.start(plainGatehouse, { guard: { path: GUARD_PATH, source: { verifier: localVerifier(plainGatehouse, { stateful: 'none' }), trustProxy: false } } }),
      };
      const smallGatehouse = createGatehouse({ strategies: strategies(), clock });
      small = { gatehouse: smallGatehouse, server: await harness.start(smallGatehouse, { bodyLimit: 256, guard: { path: GUARD_PATH, source: { gatehouse: smallGatehouse } } }) };
      // admin: the admin API on (path-template routes, every verb, authorization before the body).
      const adminGatehouse = createGatehouse({ strategies: strategies(), clock, adminApi: true });
      admin = { gatehouse: adminGatehouse, server: await harness.start(adminGatehouse, { guard: { path: GUARD_PATH, source: { gatehouse: adminGatehouse } } }) };
      tlsClient = new Agent({ connect: { ca: tls.client.ca, cert: tls.client.cert, key: tls.client.key } });
      otherTlsClient = new Agent({ connect: { ca: tls.otherClient.ca, cert: tls.otherClient.cert, key: tls.otherClient.key } });
      anonymousTlsClient = new Agent({ connect: { ca: tls.client.ca } });
    });

    afterAll(async () => {
      for (const s of [main, plain, small, admin]) {
        if (!s) continue;
        await s.server.close();
        await s.gatehouse.close();
      }
      await tlsClient?.close();
      await otherTlsClient?.close();
      await anonymousTlsClient?.close();
      await client.close();
    });

    /** Every Gatehouse answer carries a request id and is not cacheable (JWKS excepted). */
    const gatehouseSend = async (url: string, options: SendOptions = {}): Promise<Exchange> => {
      const res = await client.send(url, options);
      expect(res.requestId, `x-request-id on ${options.method ?? 'GET'} ${url}`).toMatch(REQUEST_ID);
      return res;
    };
    const login = (dialect: DialectName, body: unknown = {}, options: SendOptions & { base?: string } = {}) =>
      gatehouseSend(`${options.base ?? main.server.baseUrl}${CONFORMANCE_ROUTES[dialect]}`, { ...options, body });
    const expectDialectError = (res: Exchange, dialect: DialectName, errorCase: ErrorCase) => {
      const expected = expectedError(errorCase, dialect);
      expect(res.status, res.text).toBe(expected.status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.json).toEqual(errorBody(dialect, expected, res.requestId!));
      if (dialect === 'ece') expect(res.headers.get('x-cloud-error-codes')).toBe(expected.code);
    };
    const tokenOf = async (body: Record<string, unknown> = {}, options: SendOptions & { base?: string } = {}) => {
      const res = await login('infisical', body, options);
      expect(res.status, res.text).toBe(200);
      return (res.json as { accessToken: string }).accessToken;
    };
    const guarded = (token: string | undefined, options: SendOptions & { base?: string; authorization?: string } = {}) =>
      gatehouseSendGuard(`${options.base ?? main.server.baseUrl}${GUARD_PATH}`, {
        ...options,
        headers: { ...options.headers, ...(options.authorization ? { authorization: options.authorization } : token ? { authorization: `Bearer ${token}` } : {}) },
      });
    /** Guard refusals carry a request id; its successes are the app's answer. */
    const gatehouseSendGuard = async (url: string, options: SendOptions) => {
      const res = await client.send(url, options);
      if (res.status !== 200) expect(res.requestId).toMatch(REQUEST_ID);
      return res;
    };

    describe('success', () => {
      it.each([
        ['infisical', (b: Record<string, unknown>) => expect(b).toEqual({ accessToken: expect.any(String), expiresIn: 600, accessTokenMaxTTL: 3600, tokenType: 'Bearer' })],
        ['ece', (b: Record<string, unknown>) => expect(b).toEqual({ token: expect.any(String), session_expiration_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/) })],
        ['bytebase', (b: Record<string, unknown>) => expect(b).toEqual({ token: expect.any(String) })],
      ] as const)('%s: a login answers 200 with the dialect token body, no-store, JSON', async (dialect, check) => {
        const res = await login(dialect, { mode: 'ok' });
        expect(res.status, res.text).toBe(200);
        check(res.json as Record<string, unknown>);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(res.text));
      });

      it('an empty body without a content type is the empty object (schema defaults apply)', async () => {
        const res = await gatehouseSend(`${main.server.baseUrl}${CONFORMANCE_ROUTES.infisical}`, { method: 'POST' });
        expect(res.status, res.text).toBe(200);
      });
    });

    describe('each error class in each dialect', () => {
      const trigger = (errorCase: ErrorCase): SendOptions => {
        switch (errorCase) {
          case 'malformed_json':
            return { body: '{"mode":', headers: { 'content-type': 'application/json' } };
          case 'too_large':
            return { body: paddedBody(DEFAULT_LIMIT + 1), headers: { 'content-type': 'application/json' } };
          case 'unsupported_media_type':
            return { body: 'mode=ok', headers: { 'content-type': 'text/plain' } };
          default:
            return { body: { mode: errorCase as ConformanceMode } };
        }
      };
      const cases = DIALECTS.flatMap((d) => ERROR_CASES.map((c) => [d, c] as const));
      it.each(cases)('%s: %s', async (dialect, errorCase) => {
        const { body, ...rest } = trigger(errorCase);
        const res = await login(dialect, body, rest);
        expectDialectError(res, dialect, errorCase);
        if (errorCase === 'rate_limited') expect(res.headers.get('retry-after')).toBe('30');
      });

      it.each(DIALECTS)('%s: a 500 has a request id and no trace of the exception', async (dialect) => {
        const res = await login(dialect, { mode: 'internal' });
        expect(res.status).toBe(500);
        expect(res.text).not.toContain(LEAKED_SECRET);
        expect(res.text).not.toMatch(/\bat .+:\d+:\d+|Error:|stack/);
        if (dialect === 'infisical') expect((res.json as { reqId: string }).reqId).toBe(res.requestId);
      });

      it('infisical: schema failures are 422 with the issue list, naming wrong and unknown fields', async () => {
        const res = await login('infisical', { user: 5, extra: true });
        expect(res.status).toBe(422);
        const body = res.json as { reqId: string; statusCode: number; message: { path: string; code: string }[]; error: string };
        expect(body).toEqual({ reqId: res.requestId, statusCode: 422, message: expect.any(Array), error: 'ValidationFailure' });
        expect(body.message).toEqual(expect.arrayContaining([
          expect.objectContaining({ path: 'user', code: 'invalid_type' }),
          expect.objectContaining({ path: 'extra', code: 'unrecognized_keys' }),
        ]));
      });

      it('ece: schema failures are 400 root.invalid_json_request with the fields', async () => {
        const res = await login('ece', { user: 5, extra: true });
        expect(res.status).toBe(400);
        expect(res.headers.get('x-cloud-error-codes')).toBe('root.invalid_json_request');
        const body = res.json as { errors: [{ code: string; message: string; fields: string[] }] };
        expect(body).toEqual({ errors: [{ code: 'root.invalid_json_request', message: expect.any(String), fields: expect.arrayContaining(['user', 'extra']) }] });
      });

      it('bytebase: schema failures are 400 invalid_argument with field violations', async () => {
        const res = await login('bytebase', { user: 5, extra: true });
        expect(res.status).toBe(400);
        expect(res.json).toEqual({
          code: 'invalid_argument',
          message: expect.any(String),
          details: [{ type: 'google.rpc.BadRequest', debug: { fieldViolations: expect.arrayContaining([{ field: 'user' }, { field: 'extra' }]) } }],
        });
      });
    });

    describe('request bodies', () => {
      it('a body of exactly the default limit (64 KiB) is accepted', async () => {
        const res = await login('infisical', paddedBody(DEFAULT_LIMIT), { headers: { 'content-type': 'application/json' } });
        expect(res.status, res.text.slice(0, 200)).toBe(200);
      });

      it('a chunked body over the limit (no Content-Length) is refused while streaming', async () => {
        const res = await login('infisical', chunkedBody(paddedBody(DEFAULT_LIMIT + 8192)), { headers: { 'content-type': 'application/json' } });
        expectDialectError(res, 'infisical', 'too_large');
      });

      it.each([
        ['with Content-Length', (text: string) => text],
        ['chunked', (text: string) => chunkedBody(text)],
      ])('a far larger body (1 MiB, %s) still gets its answer, and the connection its next request', async (_label, wrap) => {
        // One connection, so the next request must go over the same socket (or a fresh one if the server
        // closed it): a server that left the rest of the body unread would never answer it.
        const single = new Agent({ connections: 1 });
        try {
          const res = await login('ece', wrap(paddedBody(1024 * 1024)), { headers: { 'content-type': 'application/json' }, dispatcher: single });
          expectDialectError(res, 'ece', 'too_large');
          expect((await login('ece', { mode: 'ok' }, { dispatcher: single })).status).toBe(200);
        } finally {
          await single.close();
        }
      });

      it('the adapter passes its configured body limit', async () => {
        const over = await login('ece', paddedBody(257), { base: small.server.baseUrl, headers: { 'content-type': 'application/json' } });
        expectDialectError(over, 'ece', 'too_large');
        const under = await login('ece', paddedBody(256), { base: small.server.baseUrl, headers: { 'content-type': 'application/json' } });
        expect(under.status, under.text).toBe(200);
      });

      it.each([
        ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
        ['a top-level string', '"ok"'],
        ['a top-level null', 'null'],
        ['a __proto__ key', '{"__proto__":{"admin":true}}'],
        ['a __proto__ key spelled with unicode escapes', '{"\\u005f\\u005fproto__":{"admin":true}}'],
        ['a nested __proto__ key', '{"user":"u","trustedIps":[{"__proto__":{"admin":true}}]}'],
        ['a constructor.prototype key', '{"constructor":{"prototype":{"admin":true}}}'],
        ['a constructor.prototype key spelled with unicode escapes', '{"constructor":{"\\u0070rototype":{"admin":true}}}'],
        ['trailing garbage', '{"mode":"ok"} x'],
      ])('%s is malformed JSON (400)', async (label, body) => {
        const res = await login('bytebase', body, { headers: { 'content-type': 'application/json' } });
        if (suiteOptions.appParsesJson && label === 'invalid UTF-8') {
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          return;
        }
        expectDialectError(res, 'bytebase', 'malformed_json');
      });

      it('JSON nested 5,000 levels deep (40 KB, under the limit) is a 4xx in the dialect, never a 500', async () => {
        const res = await login('infisical', `{"user":${nestedJson(5_000)}}`, { headers: { 'content-type': 'application/json' } });
        expect(res.status, res.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.json).toMatchObject({ reqId: res.requestId, statusCode: res.status });
      });

      it(`${FUZZ_RUNS} hostile requests derived from the route's schema (fast-check: broken JSON, wrong types, duplicate and prototype keys, deep nesting, wrong content types, 1 MiB bodies) are never a 5xx`, { timeout: 120_000 }, async () => {
        await fc.assert(
          fc.asyncProperty(hostileRequest(FUZZ_SCHEMA, {}, [{ mode: 'ok' }, { mode: 'whoami', user: 'fuzz' }]), fc.constantFrom(...DIALECTS), async (req, dialect) => {
            const res = await login(dialect, req.body, { headers: req.contentType ? { 'content-type': req.contentType } : {} });
            expect(res.status, `${req.kind}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
            if (res.status !== 302) expect(res.headers.get('content-type'), req.kind).toMatch(/^application\/json/);
          }),
          { numRuns: FUZZ_RUNS, seed: 0x16 },
        );
      });

      it('a top-level array reaches the schema, which refuses it', async () => {
        const res = await login('infisical', '[]', { headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(422);
      });

      it.each([
        ['a form', { 'content-type': 'application/x-www-form-urlencoded' }, 'mode=ok'],
        ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\n\r\n--x--'],
        ['JSON in latin1', { 'content-type': 'application/json; charset=latin1' }, '{"mode":"ok"}'],
        ['gzip-encoded JSON', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, '{"mode":"ok"}'],
        ['a body without a content type', {}, '{"mode":"ok"}'],
      ])('%s is an unsupported media type', async (_label, headers, body) => {
        const res = await login('infisical', body, { headers });
        expectDialectError(res, 'infisical', 'unsupported_media_type');
      });

      it.each([
        ['JSON in latin1', { 'content-type': 'application/json; charset=latin1' }],
        ['gzip-encoded JSON', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
        ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
      ])('%s over the body limit is still an unsupported media type: the headers are judged before the size, on every adapter', async (_label, headers) => {
        const res = await login('infisical', paddedBody(DEFAULT_LIMIT + 8192), { headers });
        expectDialectError(res, 'infisical', 'unsupported_media_type');
      });

      it('JSON with parameters is fine', async () => {
        const res = await login('infisical', '{"mode":"ok"}', { headers: { 'content-type': 'Application/JSON; charset=UTF-8' } });
        expect(res.status, res.text).toBe(200);
      });
    });

    describe('routes', () => {
      it('an unknown route under a Gatehouse prefix is a 404 in the default dialect', async () => {
        const res = await gatehouseSend(`${main.server.baseUrl}/api/v1/auth/conformance-unknown/login?x=1`, { body: {} });
        expect(res.status).toBe(404);
        expect(res.json).toEqual({ reqId: res.requestId, statusCode: 404, message: 'Route POST /api/v1/auth/conformance-unknown/login not found', error: 'NotFound' });
      });

      it('the wrong method on a Gatehouse route is the core’s 405 with Allow', async () => {
        const res = await gatehouseSend(`${main.server.baseUrl}${CONFORMANCE_ROUTES.infisical}`, { method: 'GET' });
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
        expect(res.json).toEqual({ reqId: res.requestId, statusCode: 405, message: 'Method not allowed', error: 'MethodNotAllowed' });
      });

      it('path-template routes (the admin API) answer every verb with the path parameter decoded once; authorization comes first', async () => {
        const base = admin.server.baseUrl;
        const { token } = await admin.gatehouse.admin.createAdminCredential({ name: 'conformance', scopes: ['*:write'] });
        const auth = { authorization: `Bearer ${token}` };
        const anonymous = await gatehouseSend(`${base}/api/v1/identities`, { body: { name: 'conformance' } });
        expect(anonymous.status, anonymous.text).toBe(401);
        expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse-admin"');
        // An id with characters that travel percent-encoded (space, %, ü, and an encoded slash inside one segment).
        const id = `conformance id % ü ${clock.now().getTime()}`;
        const created = await gatehouseSend(`${base}/api/v1/identities`, { body: { name: 'conformance', id }, headers: auth });
        expect(created.status, created.text).toBe(200);
        const item = `${base}/api/v1/identities/${encodeURIComponent(id)}`;
        const read = await gatehouseSend(item, { headers: auth });
        expect(read.status, read.text).toBe(200);
        expect((read.json as { identity: { id: string } }).identity.id).toBe(id);
        const wrongVerb = await gatehouseSend(item, { method: 'PATCH', body: {}, headers: auth });
        expect(wrongVerb.status).toBe(405);
        expect(wrongVerb.headers.get('allow')).toBe('GET, DELETE');
        expect((await gatehouseSend(item, { method: 'DELETE', headers: auth })).status).toBe(200);
        const gone = await gatehouseSend(item, { headers: auth });
        expect(gone.status).toBe(404);
        expect(gone.json).toEqual({ reqId: gone.requestId, statusCode: 404, message: 'Identity not found', error: 'NotFound' });
        expect((await gatehouseSend(`${base}/api/v1/identities/a%2Fb`, { headers: auth })).status).toBe(404);
        const unknown = await gatehouseSend(`${base}/api/v1/admin/nothing-here`, { headers: auth });
        expect(unknown.json).toEqual({ reqId: unknown.requestId, statusCode: 404, message: 'Route GET /api/v1/admin/nothing-here not found', error: 'NotFound' });
      });

      it('serves the JWKS', async () => {
        const res = await gatehouseSend(`${main.server.baseUrl}/.well-known/jwks.json`);
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('public, max-age=300');
        const { keys } = res.json as { keys: { kid: string; kty: string }[] };
        expect(keys.length).toBeGreaterThan(0);
        expect(JSON.stringify(keys)).not.toMatch(/"d"\s*:/); // public parts only
      });

      it('serves renew, introspect and revoke', async () => {
        const token = await tokenOf();
        const renewed = await gatehouseSend(`${main.server.baseUrl}/api/v1/auth/token/renew`, { body: { accessToken: token } });
        expect(renewed.status, renewed.text).toBe(200);
        expect(renewed.json).toEqual({ accessToken: expect.any(String), expiresIn: 600, accessTokenMaxTTL: 3600, tokenType: 'Bearer' });
        const anonymous = await gatehouseSend(`${main.server.baseUrl}/api/v1/auth/token/introspect`, { body: { token } });
        expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="introspection"']);
        const rs = { authorization: `Bearer ${INTROSPECTION_SECRET}` };
        const introspected = await gatehouseSend(`${main.server.baseUrl}/api/v1/auth/token/introspect`, { body: { token }, headers: rs });
        expect(introspected.json).toMatchObject({ active: true, sub: 'conformance-user', auth_method: 'conformance-infisical' });
        const revoked = await gatehouseSend(`${main.server.baseUrl}/api/v1/auth/token/revoke`, { body: { accessToken: token } });
        expect(revoked.status).toBe(200);
        const after = await gatehouseSend(`${main.server.baseUrl}/api/v1/auth/token/introspect`, { body: { token }, headers: rs });
        expect(after.json).toEqual({ active: false });
      });
    });

    describe('responses', () => {
      it.each(DIALECTS)('%s: two cookies are two Set-Cookie headers', async (dialect) => {
        const res = await login(dialect, { mode: 'cookies' });
        expect(res.status).toBe(200);
        expect(res.json).toEqual({ mfaTempToken: 'conformance-temp' });
        expect(res.setCookies).toEqual(['a=1; Path=/; HttpOnly; Secure; SameSite=Strict', 'b=two%20words; Max-Age=60; Path=/api']);
      });

      it.each(DIALECTS)('%s: a redirect is a 302 with Location and an empty body', async (dialect) => {
        const res = await login(dialect, { mode: 'redirect' });
        expect(res.status).toBe(302);
        expect(res.headers.get('location')).toBe(REDIRECT_LOCATION);
        expect(res.text).toBe('');
        expect(res.headers.get('content-type')).toBeNull();
      });
    });

    describe('client address and trustProxy', () => {
      const whoami = async (base: string, headers: Record<string, string> = {}) => {
        const res = await login('infisical', { mode: 'whoami' }, { base, headers });
        expect(res.status, res.text).toBe(200);
        return res.json as WhoAmI;
      };

      it('the socket address is the raw TCP peer; without trust, X-Forwarded-For is ignored', async () => {
        const me = await whoami(plain.server.baseUrl, { 'x-forwarded-for': '203.0.113.7' });
        expect(me).toMatchObject({ clientIp: '127.0.0.1', socketAddress: '127.0.0.1', protocol: 'http', peerCertificates: 0, method: 'POST', path: CONFORMANCE_ROUTES.infisical });
      });

      it('from a trusted proxy address, X-Forwarded-For gives the client, walking only trusted hops', async () => {
        expect((await whoami(main.server.baseUrl, { 'x-forwarded-for': '203.0.113.7' })).clientIp).toBe('203.0.113.7');
        expect((await whoami(main.server.baseUrl, { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' })).clientIp).toBe('203.0.113.7');
        expect((await whoami(main.server.baseUrl, { 'x-forwarded-for': 'not-an-ip' })).clientIp).toBe('127.0.0.1');
        expect((await whoami(main.server.baseUrl)).clientIp).toBe('127.0.0.1');
      });
    });

    describe('TLS', () => {
      const httpsWhoami = async (dispatcher: Agent) => {
        expect(main.server.httpsUrl, 'the harness must serve HTTPS when given tls').toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const res = await gatehouseSend(`${main.server.httpsUrl}${CONFORMANCE_ROUTES.infisical}`, { body: { mode: 'whoami' }, dispatcher });
        expect(res.status, res.text).toBe(200);
        return res.json as WhoAmI;
      };

      it('a client certificate from a real handshake reaches ctx.request.peerCertificates, leaf first', async () => {
        const me = await httpsWhoami(tlsClient);
        expect(me.protocol).toBe('https');
        expect(me.fingerprints.slice(0, 2)).toEqual(tls.clientChainFingerprints);
        expect(me.peerCertificates).toBe(me.fingerprints.length);
        expect(me.leafSubject).toContain(`CN=${tls.clientCommonName}`);
      });

      it('without a client certificate the chain is empty', async () => {
        const me = await httpsWhoami(anonymousTlsClient);
        expect(me).toMatchObject({ protocol: 'https', peerCertificates: 0, leafSubject: null });
      });
    });

    describe('abort signal', () => {
      it('a client going away aborts ctx.request.signal', async () => {
        hang = { started: deferred(), aborted: deferred() };
        const controller = new AbortController();
        const pending = client.send(`${main.server.baseUrl}${CONFORMANCE_ROUTES.infisical}`, { body: { mode: 'hang' }, signal: controller.signal }).catch((err: unknown) => err);
        await hang.started.promise;
        controller.abort();
        await hang.aborted.promise; // resolves only when the strategy saw the abort
        expect(await pending).toBeInstanceOf(Error);
      });
    });

    describe('guard', () => {
      it('accepts a valid token and exposes the principal', async () => {
        const token = await tokenOf({ user: 'guard-user' });
        const res = await guarded(token);
        expect(res.status, res.text).toBe(200);
        expect(res.json).toMatchObject({
          subject: { type: 'user', id: 'guard-user', claims: { email: 'guard-user@example.test' } },
          authMethod: 'conformance-infisical',
          tokenId: expect.any(String),
          claims: expect.objectContaining({ sub: 'guard-user' }),
        });
      });

      it('refuses a missing token with 401 and a bare Bearer challenge', async () => {
        const res = await guarded(undefined);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        expect(res.json).toEqual({ reqId: res.requestId, statusCode: 401, message: 'Authentication required', error: 'UnauthorizedError' });
      });

      it.each([
        ['garbled', 'Bearer abc.def.ghi'],
        ['not a JWT', 'Bearer not-a-token'],
        ['another scheme', 'Basic dXNlcjpwYXNz'],
        ['an empty bearer', 'Bearer '],
      ])('refuses a %s token with 401 invalid_token', async (_label, authorization) => {
        const res = await guarded(undefined, { authorization });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
        expect(res.json).toEqual({ reqId: res.requestId, statusCode: 401, message: 'Invalid or expired token', error: 'UnauthorizedError' });
      });

      it('refuses a revoked token (stateful guard), while an offline guard still accepts it', async () => {
        const token = await tokenOf();
        await gatehouseSend(`${main.server.baseUrl}/api/v1/auth/token/revoke`, { body: { accessToken: token } });
        expect((await guarded(token)).status).toBe(401);
        const offline = await tokenOf({}, { base: plain.server.baseUrl });
        await gatehouseSend(`${plain.server.baseUrl}/api/v1/auth/token/revoke`, { body: { accessToken: offline } });
        expect((await guarded(offline, { base: plain.server.baseUrl })).status).toBe(200);
      });

      it('counts uses when the guard consumes them', async () => {
        const token = await tokenOf({ uses: 2 });
        expect((await guarded(token)).status).toBe(200);
        expect((await guarded(token)).status).toBe(200);
        const third = await guarded(token);
        expect(third.status).toBe(401);
        expect(third.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      });

      it('checks trusted IPs against the client address behind a trusted proxy', async () => {
        const xff = { 'x-forwarded-for': '203.0.113.7' };
        const token = await tokenOf({ trustedIps: ['203.0.113.0/24'] }, { headers: xff });
        expect((await guarded(token, { headers: xff })).status).toBe(200);
        const elsewhere = await guarded(token);
        expect(elsewhere.status).toBe(403);
        expect(elsewhere.json).toMatchObject({ statusCode: 403, error: 'PermissionDenied' });
      });

      it('refuses an expired token', async () => {
        const token = await tokenOf({ ttl: 60 });
        expect((await guarded(token)).status).toBe(200);
        clock.advance(120_000);
        const res = await guarded(token);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      });
    });

    describe('token binding: the guard enforces cnf (RFC 9449, RFC 8705)', () => {
      const guardUrl = (base = main.server.baseUrl) => `${base}${GUARD_PATH}`;
      const loginUrl = (base = main.server.baseUrl) => `${base}${CONFORMANCE_ROUTES.infisical}`;
      const dpopLogin = async (key: KeyPair, base = main.server.baseUrl) => {
        const res = await login('infisical', { mode: 'ok' }, { base, headers: { dpop: await generateProof(key, loginUrl(base), 'POST') } });
        expect(res.status, res.text).toBe(200);
        expect((res.json as { tokenType: string }).tokenType).toBe('DPoP');
        return (res.json as { accessToken: string }).accessToken;
      };
      const challengeOf = (res: Exchange) => res.headers.get('www-authenticate')?.split(',')[0];
      const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { cnf?: Record<string, string> };
      let key: KeyPair;
      let thief: KeyPair;
      beforeAll(async () => {
        [key, thief] = await Promise.all([generateKeyPair('ES256', { extractable: true }), generateKeyPair('ES256', { extractable: true })]);
      });
      // Proofs carry the real time (the client's clock); earlier tests moved the server's.
      beforeEach(() => clock.set(Date.now()));

      it('a DPoP login is bound to the proof key (cnf.jkt); the guard accepts Authorization: DPoP with a proof of it', async () => {
        const token = await dpopLogin(key);
        expect(claimsOf(token).cnf).toEqual({ jkt: await calculateThumbprint(key.publicKey) });
        const res = await guarded(undefined, { authorization: `DPoP ${token}`, headers: { dpop: await generateProof(key, guardUrl(), 'GET', undefined, token) } });
        expect(res.status, res.text).toBe(200);
        expect(res.json).toMatchObject({ claims: { cnf: { jkt: await calculateThumbprint(key.publicKey) } } });
      });

      it.each([
        ['as a Bearer token', async (token: string) => ({ authorization: `Bearer ${token}` }), 'DPoP error="invalid_token"'],
        ['without a proof', async (token: string) => ({ authorization: `DPoP ${token}` }), 'DPoP error="invalid_dpop_proof"'],
        ['with a proof from another key', async (token: string) => ({ authorization: `DPoP ${token}`, headers: { dpop: await generateProof(thief, guardUrl(), 'GET', undefined, token) } }), 'DPoP error="invalid_token"'],
        ['with a proof for another URL', async (token: string) => ({ authorization: `DPoP ${token}`, headers: { dpop: await generateProof(key, `${guardUrl()}/other`, 'GET', undefined, token) } }), 'DPoP error="invalid_dpop_proof"'],
        ['with a proof for another method', async (token: string) => ({ authorization: `DPoP ${token}`, headers: { dpop: await generateProof(key, guardUrl(), 'POST', undefined, token) } }), 'DPoP error="invalid_dpop_proof"'],
        ['with a proof without the token hash', async (token: string) => ({ authorization: `DPoP ${token}`, headers: { dpop: await generateProof(key, guardUrl(), 'GET') } }), 'DPoP error="invalid_dpop_proof"'],
      ])('a stolen DPoP-bound token is refused %s: 401 with the DPoP challenge', async (_label, presentation, challenge) => {
        const token = await dpopLogin(key);
        const res = await guarded(undefined, await presentation(token));
        expect(res.status).toBe(401);
        expect(challengeOf(res)).toBe(challenge);
        expect(res.headers.get('www-authenticate')).toMatch(/ algs="[A-Za-z0-9 ]+"$/);
        expect(res.json).toMatchObject({ reqId: res.requestId, statusCode: 401, error: 'UnauthorizedError' });
      });

      it('a replayed proof is refused', async () => {
        const token = await dpopLogin(key);
        const dpop = await generateProof(key, guardUrl(), 'GET', undefined, token);
        expect((await guarded(undefined, { authorization: `DPoP ${token}`, headers: { dpop } })).status).toBe(200);
        const again = await guarded(undefined, { authorization: `DPoP ${token}`, headers: { dpop } });
        expect([again.status, challengeOf(again)]).toEqual([401, 'DPoP error="invalid_dpop_proof"']);
      });

      it('an offline guard (explicit verifier, no session check) enforces the binding too', async () => {
        const base = plain.server.baseUrl;
        const token = await dpopLogin(key, base);
        expect((await guarded(undefined, { base, authorization: `Bearer ${token}` })).status).toBe(401);
        const ok = await guarded(undefined, { base, authorization: `DPoP ${token}`, headers: { dpop: await generateProof(key, guardUrl(base), 'GET', undefined, token) } });
        expect(ok.status, ok.text).toBe(200);
      });

      it('a plain login and its Bearer token are unchanged', async () => {
        const res = await login('infisical', { mode: 'ok' });
        expect(res.json).toEqual({ accessToken: expect.any(String), expiresIn: 600, accessTokenMaxTTL: 3600, tokenType: 'Bearer' });
        const token = (res.json as { accessToken: string }).accessToken;
        expect(claimsOf(token).cnf).toBeUndefined();
        expect((await guarded(token)).status).toBe(200);
      });

      it('a certificate-bound token is accepted over a connection with its certificate, refused with another or none', async () => {
        const https = main.server.httpsUrl!;
        const res = await gatehouseSend(`${https}${CONFORMANCE_ROUTES.infisical}`, { body: { mode: 'ok', certificateBound: true }, dispatcher: tlsClient });
        expect(res.status, res.text).toBe(200);
        expect((res.json as { tokenType: string }).tokenType).toBe('Bearer');
        const token = (res.json as { accessToken: string }).accessToken;
        expect(claimsOf(token).cnf).toEqual({ 'x5t#S256': Buffer.from(tls.clientChainFingerprints[0], 'hex').toString('base64url') });
        const over = (dispatcher: Agent | undefined, base = https) => guarded(token, { base, ...(dispatcher ? { dispatcher } : {}) });
        expect((await over(tlsClient)).status).toBe(200);
        for (const [label, attempt] of [
          ['another certificate', () => over(otherTlsClient)],
          ['no certificate', () => over(anonymousTlsClient)],
          ['plain HTTP', () => over(undefined, main.server.baseUrl)],
        ] as const) {
          const refused = await attempt();
          expect({ label, status: refused.status, challenge: refused.headers.get('www-authenticate') }).toEqual({ label, status: 401, challenge: 'Bearer error="invalid_token"' });
        }
      });
    });
  });
}
