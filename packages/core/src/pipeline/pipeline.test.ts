import { describe, expect, it } from 'vitest';
import { AuthError } from '../errors/auth-error.js';
import { harness } from '../test-support/harness.js';

describe('routing', () => {
  it('unknown route → 404 in the default dialect, wrong method → 405 with Allow', async () => {
    const { gh, request } = await harness();
    const nf = await gh.handle(request({ path: '/api/v1/nope' }));
    expect(nf.status).toBe(404);
    expect(nf.body).toMatchObject({ statusCode: 404, error: 'NotFound' });
    const eceDefault = await harness({ defaultDialect: 'ece' });
    const nf2 = await eceDefault.gh.handle(eceDefault.request({ path: '/x' }));
    expect(nf2.headers['x-cloud-error-codes']).toBe('root.resource_not_found');
    const wrong = await gh.handle(request({ method: 'GET' }));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
  });

  it('a hostile path is not echoed in full', async () => {
    const { gh, request } = await harness();
    const res = await gh.handle(request({ path: `/${'a'.repeat(5000)}` }));
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body).length).toBeLessThan(600);
  });

  it('refuses to register two routes at one method+path', async () => {
    const { fakeStrategy } = await import('../test-support/fake-strategy.js');
    const { createGatehouse } = await import('../runtime/container.js');
    expect(() => createGatehouse({ strategies: [fakeStrategy(), fakeStrategy()] })).toThrow(/Two routes/);
  });
});

describe('bodies the adapter could not parse', () => {
  it.each([
    ['too_large', 413, 'PayloadTooLarge'],
    ['malformed_json', 400, 'BadRequest'],
    ['unsupported_media_type', 415, 'UnsupportedMediaType'],
    ['aborted', 400, 'BadRequest'],
  ] as const)('%s → %i', async (bodyError, status, error) => {
    const { gh, request } = await harness();
    const res = await gh.handle(request({ bodyError, body: undefined }));
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, error });
  });

  it('non-object JSON bodies are validation failures, not crashes', async () => {
    const { gh, request } = await harness();
    for (const body of [null, 42, 'str', [], [1, 2], true]) {
      const res = await gh.handle(request({ body }));
      expect(res.status).toBe(422);
    }
  });

  it('prototype-pollution keys are refused by strict schemas and pollute nothing', async () => {
    const { login } = await harness();
    const res = await login(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'));
    expect(res.status).toBe(422);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('characters no store can hold', () => {
  const NUL = '\u0000';
  const LONE_HIGH = '\uD800';
  const LONE_LOW = '\uDFFF';

  it.each([
    ['NUL in a declared field', { identityId: `id${NUL}` }, 'identityId'],
    ['a lone high surrogate', { name: `x${LONE_HIGH}` }, 'name'],
    ['a lone low surrogate', { secret: `${LONE_LOW}x` }, 'secret'],
    ['NUL in a field the schema does not declare', { extra: { deep: [`a${NUL}`] } }, 'extra.deep.0'],
  ])('%s → the dialect\'s validation error naming the field, before the strategy runs', async (_name, body, field) => {
    const { login, audit } = await harness();
    const res = await login(body);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ statusCode: 422, message: [{ path: field, code: 'invalid_characters', message: 'must not contain NUL or unpaired surrogate characters' }] });
    expect(JSON.stringify(res.body)).not.toMatch(/\\u0000|\\ud8|\\udf/i);
    expect(audit.at(-1)).toMatchObject({ type: 'login.failed', reasonCode: 'unstorable_characters' });
  });

  it('a key carrying NUL is named by a stand-in, never echoed', async () => {
    const { login } = await harness();
    const res = await login({ [`ev${NUL}il`]: 1 });
    expect(res.status).toBe(422);
    const text = JSON.stringify(res.body);
    expect(text).toContain('ev\uFFFDil'.normalize());
    expect(text).not.toContain('\\u0000');
  });

  it('every dialect answers with its own 4xx', async () => {
    const { gh, request, identity } = await harness();
    const ece = await gh.handle(request({ path: '/api/v1/auth/fake-ece/login', body: { identityId: identity.id, name: `a${NUL}`, secret: 'x' } }));
    expect(ece.status).toBe(400);
    expect(ece.headers['x-cloud-error-codes']).toBe('root.invalid_json_request');
    const bb = await gh.handle(request({ path: '/api/v1/auth/fake-bb/login', body: { identityId: identity.id, name: `a${LONE_HIGH}`, secret: 'x' } }));
    expect([bb.status, (bb.body as { code: string }).code]).toEqual([400, 'invalid_argument']);
  });

  it('well-formed text passes: surrogate pairs (emoji), other control characters, non-Latin scripts', async () => {
    const { login } = await harness();
    for (const name of ['build 🚀', 'tab\tand\u0001', 'ビルド']) {
      const res = await login({ name });
      expect(res.status, name).toBe(200);
    }
  });

  it('nesting deeper than any schema is not walked recursively (no stack overflow)', async () => {
    const { login } = await harness();
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const res = await login({ extra: deep });
    expect(res.status).toBe(422);
  });
});

describe('outcomes', () => {
  it('challenge and redirect pass through without issuing a token', async () => {
    const { login, gh } = await harness();
    const ch = await login({ mode: 'challenge' });
    expect([ch.status, ch.body]).toEqual([200, { mfaTempToken: 'temp' }]);
    const rd = await login({ mode: 'redirect' });
    expect([rd.status, rd.headers.location, rd.body]).toEqual([302, '/next', undefined]);
    expect(await gh.stores.keys.list()).toHaveLength(0); // nothing was signed
  });

  it('every response carries a request id and no-store caching', async () => {
    const { login } = await harness();
    for (const res of [await login({}), await login({ secret: 'bad' }), await login({ secret: 1 })]) {
      expect(res.headers['x-request-id']).toMatch(/^req-/);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('unknown identity → 404; identity without this method → 404', async () => {
    const { login, gh } = await harness();
    expect((await login({ identityId: 'nope' })).status).toBe(404);
    const bare = await gh.admin.createIdentity({ name: 'bare' });
    expect((await login({ identityId: bare.id })).status).toBe(404);
  });
});

describe('audit events', () => {
  it('records success and failure with reasonCode, never the secret', async () => {
    const { login, audit, identity } = await harness();
    await login({});
    await login({ secret: 'wrong-secret-value' });
    expect(audit[0]).toMatchObject({ type: 'login.succeeded', endpoint: 'fake', subject: `identity:${identity.id}`, status: 200, detail: { name: 'build' } });
    expect(audit[1]).toMatchObject({ type: 'login.failed', reasonCode: 'bad_secret', status: 401 });
    expect(JSON.stringify(audit)).not.toContain('wrong-secret-value');
    expect(JSON.stringify(audit)).not.toContain('correct-horse');
  });

  it('a failing audit sink does not fail the login', async () => {
    const { login } = await harness({ audit: () => { throw new Error('sink down'); } });
    expect((await login({})).status).toBe(200);
  });
});

describe('limiter', () => {
  it('per-IP rate limit answers 429 with retry-after, per client address', async () => {
    const { login, clock } = await harness({ rateLimit: { max: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await login({})).status).toBe(200);
    const limited = await login({});
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect((await login({}, { socketAddress: '127.0.0.2' })).status).toBe(200);
    clock.advance(60_000);
    expect((await login({})).status).toBe(200);
  });

  it('an IPv6 client is counted per /64: rotating addresses inside one network is no way around the limit', async () => {
    const { login } = await harness({ rateLimit: { max: 2, windowMs: 60_000 } });
    expect((await login({}, { socketAddress: '2001:db8:1:2::1' })).status).toBe(200);
    expect((await login({}, { socketAddress: '2001:db8:1:2::ffff:9' })).status).toBe(200);
    expect((await login({}, { socketAddress: '2001:db8:1:2:abcd::7' })).status).toBe(429);
    expect((await login({}, { socketAddress: '2001:db8:1:3::1' })).status).toBe(200);
  });

  it('routes: login limits the login routes only (token routes and JWKS stay free for resource servers)', async () => {
    const { login, gh, request } = await harness({ rateLimit: { max: 1, windowMs: 60_000, routes: 'login' } });
    expect((await login({})).status).toBe(200);
    expect((await login({})).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await gh.handle(request({ method: 'GET', path: '/.well-known/jwks.json', body: undefined }))).status).toBe(200);
  });

  it('a custom limiter hook can refuse', async () => {
    const { login } = await harness({
      limiter: async (endpoint) => {
        if (endpoint === 'fake') throw new AuthError({ kind: 'rate_limited', reasonCode: 'custom', retryAfter: 7 });
      },
    });
    const res = await login({});
    expect([res.status, res.headers['retry-after']]).toEqual([429, '7']);
  });
});

describe('trustProxy', () => {
  it('client IP comes from X-Forwarded-For only through trusted proxies', async () => {
    const seen: string[] = [];
    const { login } = await harness({ trustProxy: ['127.0.0.1/32'], audit: (e) => void seen.push(e.clientIp) });
    await login({}, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    await login({}, { socketAddress: '198.51.100.7', headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(seen).toEqual(['203.0.113.9', '198.51.100.7']);
  });
});

describe('admin validates config when it is written', () => {
  it('names the offending config and token fields', async () => {
    const { gh, identity } = await harness();
    const bad = await gh.admin.attachMethod(identity.id, 'fake', { secret: 'short', allowedNames: ['OK', 'fine'] }).catch((e: AuthError) => e);
    expect(bad).toBeInstanceOf(AuthError);
    expect((bad as AuthError).fields).toEqual(expect.arrayContaining(['config.secret', 'config.allowedNames.0']));
    const cidr = await gh.admin.attachMethod(identity.id, 'fake', { secret: 'long-enough' }, { accessTokenTrustedIps: ['10.0.0.0/33'] }).catch((e: AuthError) => e);
    expect((cidr as AuthError).fields).toEqual(['token.accessTokenTrustedIps.0']);
    const ttl = await gh.admin.attachMethod(identity.id, 'fake', { secret: 'long-enough' }, { accessTokenTTL: 100, accessTokenMaxTTL: 10 }).catch((e: AuthError) => e);
    expect((ttl as AuthError).fields).toEqual(['token.accessTokenMaxTTL']);
    await expect(gh.admin.attachMethod(identity.id, 'nope', {})).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('toAuthError', () => {
  it('maps a foreign verifier error by name and kind, and nothing else', async () => {
    const { toAuthError } = await import('./pipeline.js');
    const foreign = Object.assign(new Error('x'), { name: 'TokenVerificationError', kind: 'forbidden', reasonCode: 'ip_not_trusted' });
    expect(toAuthError(foreign)).toMatchObject({ kind: 'forbidden', reasonCode: 'ip_not_trusted' });
    const sneaky = Object.assign(new Error('x'), { name: 'TokenVerificationError', kind: 'not_configured' });
    expect(toAuthError(sneaky).kind).toBe('internal');
    expect(toAuthError(Object.assign(new Error('x'), { kind: 'unauthenticated' })).kind).toBe('internal');
    expect(toAuthError('str').kind).toBe('internal');
  });
});
