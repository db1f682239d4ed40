/**
 * Token binding through the pipeline, the token routes and the guard: DPoP at login (any strategy), the
 * per-identity requirement, enforcement at renew, revoke, requirePrincipal and the guard, certificate-bound
 * tokens, server nonces, and a plain login left exactly as it was.
 */
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEndpoint, defineStrategy } from '../contract/strategy.js';
import type { GatehouseRequest, GatehouseResponse } from '../contract/http.js';
import { localGuard } from '../guard/guard.js';
import { makeProof, proofKey, type ProofKey } from '../test-support/dpop.js';
import { harness } from '../test-support/harness.js';
import { fakeStrategy } from '../test-support/fake-strategy.js';
import { TOKEN_ROUTES } from '../tokens/endpoints.js';

const HOST = 'auth.test:8080';
const LOGIN_URL = `http://${HOST}/api/v1/auth/fake/login`;
const RENEW_URL = `http://${HOST}${TOKEN_ROUTES.renew}`;
const REVOKE_URL = `http://${HOST}${TOKEN_ROUTES.revoke}`;
const ALGS = 'algs="ES256 ES384 EdDSA Ed25519 PS256 RS256"';

type Harness = Awaited<ReturnType<typeof harness>>;
const json = (res: GatehouseResponse) => res.body as Record<string, unknown>;

describe('DPoP at login and on every use', () => {
  let h: Harness;
  let key: ProofKey;
  let now: () => number;
  const proof = (over: { htu?: string; htm?: string; accessToken?: string; nonce?: string; key?: ProofKey } = {}) =>
    makeProof(over.key ?? key, { htu: over.htu ?? LOGIN_URL, htm: over.htm, iat: now(), accessToken: over.accessToken, nonce: over.nonce });
  const login = (headers: Record<string, string> = {}, body: Record<string, unknown> = {}) => h.login(body, { headers: { 'content-type': 'application/json', host: HOST, ...headers } });
  const tokenRoute = (path: string, accessToken: string, headers: Record<string, string> = {}) =>
    h.gh.handle(h.request({ path, body: { accessToken }, headers: { 'content-type': 'application/json', host: HOST, ...headers } }));
  const boundToken = async () => {
    const res = await login({ dpop: await proof() });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return json(res).accessToken as string;
  };

  beforeEach(async () => {
    h = await harness();
    key = await proofKey('ES256');
    now = () => h.clock.now().getTime() / 1000;
  });

  it('a login with a valid proof gets cnf.jkt = the key’s thumbprint and tokenType DPoP; the seed’s fields otherwise', async () => {
    const res = await login({ dpop: await proof() });
    expect(res.status).toBe(200);
    expect(Object.keys(json(res)).sort()).toEqual(['accessToken', 'accessTokenMaxTTL', 'expiresIn', 'tokenType']);
    expect(json(res).tokenType).toBe('DPoP');
    expect(decodeJwt(json(res).accessToken as string).cnf).toEqual({ jkt: key.jkt });
  });

  it('a plain login is exactly as before: Bearer, no cnf, no DPoP header in the answer', async () => {
    const res = await login();
    expect(res.status).toBe(200);
    expect(json(res)).toEqual({ accessToken: expect.any(String), expiresIn: 2_592_000, accessTokenMaxTTL: 2_592_000, tokenType: 'Bearer' });
    expect(decodeJwt(json(res).accessToken as string).cnf).toBeUndefined();
    expect(Object.keys(res.headers).sort()).toEqual(['cache-control', 'pragma', 'x-request-id']);
  });

  it('the same proof twice: the second login is refused (400, invalid_dpop_proof) before the strategy runs', async () => {
    const dpop = await proof();
    expect((await login({ dpop })).status).toBe(200);
    const again = await login({ dpop });
    expect(again.status).toBe(400);
    expect(again.headers['www-authenticate']).toBe(`DPoP error="invalid_dpop_proof", ${ALGS}`);
    expect(json(again)).toEqual({ reqId: expect.any(String), statusCode: 400, message: 'Invalid DPoP proof', error: 'BadRequest', details: { fields: ['DPoP'] } });
    expect(h.audit.at(-1)).toMatchObject({ type: 'login.failed', reasonCode: 'dpop_proof_replayed' });
  });

  it.each([
    ['another URL', { htu: `http://${HOST}/api/v1/auth/other/login` }, 'dpop_htu_mismatch'],
    ['another host', { htu: 'http://elsewhere.test:8080/api/v1/auth/fake/login' }, 'dpop_htu_mismatch'],
    ['another method', { htm: 'PUT' }, 'dpop_htm_mismatch'],
  ])('a proof for %s is refused at login, and the credentials are not even checked', async (_label, over, reason) => {
    const res = await login({ dpop: await proof(over) }, { secret: 'wrong-secret' });
    expect(res.status).toBe(400);
    expect(h.audit.at(-1)).toMatchObject({ reasonCode: reason });
  });

  it('an identity that requires DPoP: a login without a proof is refused, with one it passes', async () => {
    await h.gh.admin.attachMethod(h.identity.id, 'fake', { secret: 'correct-horse' }, { accessTokenRequireDpop: true });
    const plain = await login();
    expect(plain.status).toBe(400);
    expect(json(plain).message).toBe('This identity requires a DPoP proof (DPoP header)');
    expect(plain.headers['www-authenticate']).toBe(`DPoP error="invalid_dpop_proof", ${ALGS}`);
    expect(h.audit.at(-1)).toMatchObject({ reasonCode: 'dpop_required' });
    expect((await login({ dpop: await proof() })).status).toBe(200);
  });

  describe('renew', () => {
    it('with a proof of the key over the token: a new bound token, same cnf, tokenType DPoP', async () => {
      const token = await boundToken();
      h.clock.advanceSeconds(10);
      const res = await tokenRoute(TOKEN_ROUTES.renew, token, { dpop: await proof({ htu: RENEW_URL, accessToken: token }) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(json(res).tokenType).toBe('DPoP');
      expect(decodeJwt(json(res).accessToken as string).cnf).toEqual({ jkt: key.jkt });
    });

    it.each([
      ['without a proof', async (_token: string) => ({}), 'DPoP error="invalid_dpop_proof"', 'dpop_proof_missing'],
      ['with a proof from another key', async (token: string) => ({ dpop: await proof({ htu: RENEW_URL, accessToken: token, key: await proofKey() }) }), 'DPoP error="invalid_token"', 'dpop_key_mismatch'],
      ['with a proof for another URL', async (token: string) => ({ dpop: await proof({ htu: REVOKE_URL, accessToken: token }) }), 'DPoP error="invalid_dpop_proof"', 'dpop_htu_mismatch'],
      ['with a proof for another method', async (token: string) => ({ dpop: await proof({ htu: RENEW_URL, htm: 'GET', accessToken: token }) }), 'DPoP error="invalid_dpop_proof"', 'dpop_htm_mismatch'],
      ['with a proof for another token', async () => ({ dpop: await proof({ htu: RENEW_URL, accessToken: 'another.token.value' }) }), 'DPoP error="invalid_dpop_proof"', 'dpop_ath_mismatch'],
    ])('a stolen bound token is refused %s (401)', async (_label, headers, challenge, reason) => {
      const token = await boundToken();
      const res = await tokenRoute(TOKEN_ROUTES.renew, token, await headers(token));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(`${challenge}, ${ALGS}`);
      expect(h.audit.at(-1)).toMatchObject({ type: 'endpoint.failed', reasonCode: reason });
    });

    it('a replayed proof is refused', async () => {
      const token = await boundToken();
      const dpop = await proof({ htu: RENEW_URL, accessToken: token });
      expect((await tokenRoute(TOKEN_ROUTES.renew, token, { dpop })).status).toBe(200);
      const again = await tokenRoute(TOKEN_ROUTES.renew, token, { dpop });
      expect(again.status).toBe(401);
      expect(h.audit.at(-1)).toMatchObject({ reasonCode: 'dpop_proof_replayed' });
    });
  });

  it('a thief’s attempts never spend the token’s uses: the binding is checked before the session counts one', async () => {
    await h.gh.admin.attachMethod(h.identity.id, 'fake', { secret: 'correct-horse' }, { accessTokenNumUsesLimit: 2 });
    const token = await boundToken();
    const guard = localGuard(h.gh, { stateful: 'consume' });
    const GUARDED = `http://${HOST}/api/things`;
    const thief = await proofKey();
    for (let i = 0; i < 5; i++) {
      const attempt = await guard.check({ host: HOST, authorization: `DPoP ${token}`, dpop: await proof({ htu: GUARDED, htm: 'GET', accessToken: token, key: thief }) }, '127.0.0.1', { method: 'GET', url: '/api/things', protocol: 'http' });
      expect(attempt.ok).toBe(false);
    }
    const use = async () => (await guard.check({ host: HOST, authorization: `DPoP ${token}`, dpop: await proof({ htu: GUARDED, htm: 'GET', accessToken: token }) }, '127.0.0.1', { method: 'GET', url: '/api/things', protocol: 'http' })).ok;
    expect([await use(), await use(), await use()]).toEqual([true, true, false]);
  });

  it('revoke needs the holder’s proof too; introspection answers cnf and token_type DPoP', async () => {
    const token = await boundToken();
    const introspect = await h.gh.issuer.introspect(token);
    expect(introspect).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
    expect((await tokenRoute(TOKEN_ROUTES.revoke, token)).status).toBe(401);
    expect((await h.gh.issuer.introspect(token)).active).toBe(true);
    const res = await tokenRoute(TOKEN_ROUTES.revoke, token, { dpop: await proof({ htu: REVOKE_URL, accessToken: token }) });
    expect(res.status).toBe(200);
    expect((await h.gh.issuer.introspect(token)).active).toBe(false);
  });

  it('an unbound token is introspected as Bearer without cnf, and renews as before', async () => {
    const token = json(await login()).accessToken as string;
    const introspected = await h.gh.issuer.introspect(token);
    expect(introspected.token_type).toBe('Bearer');
    expect(introspected.cnf).toBeUndefined();
    expect(json(await tokenRoute(TOKEN_ROUTES.renew, token)).tokenType).toBe('Bearer');
  });

  describe('the guard', () => {
    const GUARDED = `http://${HOST}/api/things`;
    const guardCheck = (headers: Record<string, string>, request: { method?: string; url?: string } | null = {}) =>
      localGuard(h.gh).check({ host: HOST, ...headers }, '127.0.0.1', request === null ? undefined : { method: request.method ?? 'GET', url: request.url ?? '/api/things?x=1', protocol: 'http' });

    it('accepts Authorization: DPoP with a proof of the key; refuses it as Bearer, without request facts, and replayed', async () => {
      const token = await boundToken();
      const dpop = await proof({ htu: GUARDED, htm: 'GET', accessToken: token });
      const ok = await guardCheck({ authorization: `DPoP ${token}`, dpop });
      expect(ok.ok).toBe(true);
      const replayed = await guardCheck({ authorization: `DPoP ${token}`, dpop });
      expect(replayed.ok).toBe(false);
      const asBearer = await guardCheck({ authorization: `Bearer ${token}`, dpop: await proof({ htu: GUARDED, htm: 'GET', accessToken: token }) });
      expect(asBearer.ok || asBearer.response.headers['www-authenticate']).toBe(`DPoP error="invalid_token", ${ALGS}`);
      const blind = await guardCheck({ authorization: `DPoP ${token}`, dpop: await proof({ htu: GUARDED, htm: 'GET', accessToken: token }) }, null);
      expect(blind.ok || blind.response.status).toBe(401);
    });

    it('refuses an unbound token presented with the DPoP scheme', async () => {
      const token = json(await login()).accessToken as string;
      const res = await guardCheck({ authorization: `DPoP ${token}`, dpop: await proof({ htu: GUARDED, htm: 'GET', accessToken: token }) });
      expect(res.ok || res.response.headers['www-authenticate']).toBe(`DPoP error="invalid_token", ${ALGS}`);
      expect((await guardCheck({ authorization: `Bearer ${token}` })).ok).toBe(true);
    });
  });

  it('requirePrincipal (endpoints that read the caller’s token) enforces the binding', async () => {
    const h2 = await harness({
      endpoints: [
        defineEndpoint({
          id: 'me',
          method: 'GET',
          path: '/api/v1/auth/me',
          dialect: 'infisical',
          requestSchema: z.object({}).loose(),
          async handle(_input, ctx) {
            const p = await ctx.requirePrincipal({ consume: false });
            return { kind: 'reply', reply: { body: { sub: p.subject.id } } };
          },
        }),
      ],
    });
    const dpop = await makeProof(key, { htu: `http://${HOST}/api/v1/auth/fake/login`, iat: h2.clock.now().getTime() / 1000 });
    const token = (await h2.login({}, { headers: { 'content-type': 'application/json', host: HOST, dpop } })).body as { accessToken: string };
    const me = (headers: Record<string, string>) => h2.gh.handle({ method: 'GET', path: '/api/v1/auth/me', headers: { host: HOST, ...headers }, socketAddress: '127.0.0.1', protocol: 'http' });
    expect((await me({ authorization: `Bearer ${token.accessToken}` })).status).toBe(401);
    const proofForMe = await makeProof(key, { htm: 'GET', htu: `http://${HOST}/api/v1/auth/me`, iat: h2.clock.now().getTime() / 1000, accessToken: token.accessToken });
    expect((await me({ authorization: `DPoP ${token.accessToken}`, dpop: proofForMe })).status).toBe(200);
  });
});

describe('server nonces (RFC 9449 §8)', () => {
  it('a proof without the nonce gets use_dpop_nonce and a DPoP-Nonce; with it, the login passes and gets the next one', async () => {
    const h = await harness({ tokenBinding: { nonce: { secret: 'a-nonce-secret-shared-by-every-instance' } } });
    const key = await proofKey();
    const iat = () => h.clock.now().getTime() / 1000;
    const headers = (dpop: string) => ({ 'content-type': 'application/json', host: HOST, dpop });
    const first = await h.login({}, { headers: headers(await makeProof(key, { htu: LOGIN_URL, iat: iat() })) });
    expect(first.status).toBe(400);
    expect(first.headers['www-authenticate']).toBe(`DPoP error="use_dpop_nonce", ${ALGS}`);
    const nonce = first.headers['dpop-nonce']!;
    expect(nonce).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    const second = await h.login({}, { headers: headers(await makeProof(key, { htu: LOGIN_URL, iat: iat(), nonce })) });
    expect(second.status).toBe(200);
    expect(second.headers['dpop-nonce']).toBeDefined();
    // A plain login is not asked for anything.
    const plain = await h.login({}, { headers: { 'content-type': 'application/json', host: HOST } });
    expect([plain.status, plain.headers['dpop-nonce']]).toEqual([200, undefined]);
  });
});

describe('certificate-bound tokens (RFC 8705)', () => {
  const certStrategy = defineStrategy({
    id: 'cert',
    route: { method: 'POST', path: '/api/v1/auth/cert/login' },
    dialect: 'infisical',
    requestSchema: z.strictObject({ identityId: z.string() }),
    responseSchema: z.looseObject({}),
    configSchema: z.strictObject({}),
    clientCertificates: true,
    async authenticate(input, ctx) {
      const { identity, method } = await ctx.identityMethod(input.identityId);
      return { kind: 'authenticated', subject: { type: 'identity', id: identity.id }, token: method.token, clientCertificate: ctx.request.peerCertificates[0] };
    },
  });

  it('binds to the login’s certificate; renew and the guard refuse another certificate or none (invalid_token)', async () => {
    // The binding is a thumbprint of the DER bytes the connection presented (real handshakes: the adapter suite).
    const [mine, theirs] = [new Uint8Array(randomBytes(400)), new Uint8Array(randomBytes(400))];
    const h = await harness({ strategies: [fakeStrategy('infisical', 'fake'), fakeStrategy('ece', 'fake-ece'), fakeStrategy('bytebase', 'fake-bb'), certStrategy] });
    const identity = await h.gh.admin.createIdentity({ name: 'cert-bound' });
    await h.gh.admin.attachMethod(identity.id, 'cert', {}, { accessTokenCertificateBound: true });
    const over = (cert: Uint8Array | undefined): Partial<GatehouseRequest> => ({ protocol: 'https', peerCertificates: cert ? [cert] : [], headers: { 'content-type': 'application/json', host: HOST } });
    const res = await h.gh.handle(h.request({ path: '/api/v1/auth/cert/login', body: { identityId: identity.id }, ...over(mine) }));
    expect(res.status).toBe(200);
    expect(json(res).tokenType).toBe('Bearer');
    const token = json(res).accessToken as string;
    expect(decodeJwt(token).cnf).toEqual({ 'x5t#S256': createHash('sha256').update(mine).digest('base64url') });

    const renew = (cert: Uint8Array | undefined) => h.gh.handle(h.request({ path: TOKEN_ROUTES.renew, body: { accessToken: token }, ...over(cert) }));
    const other = await renew(theirs);
    expect([other.status, other.headers['www-authenticate']]).toEqual([401, 'Bearer error="invalid_token"']);
    expect((await renew(undefined)).status).toBe(401);
    expect((await renew(mine)).status).toBe(200);

    const guard = localGuard(h.gh);
    const check = (cert: Uint8Array) => guard.check({ authorization: `Bearer ${token}`, host: HOST }, '127.0.0.1', { method: 'GET', url: '/x', protocol: 'https', peerCertificates: [cert] });
    expect((await check(mine)).ok).toBe(true);
    expect((await check(theirs)).ok).toBe(false);
  });

  it('a plain login of the same identity without binding is Bearer without cnf', async () => {
    const h = await harness({ strategies: [fakeStrategy('infisical', 'fake'), fakeStrategy('ece', 'fake-ece'), fakeStrategy('bytebase', 'fake-bb'), certStrategy] });
    const identity = await h.gh.admin.createIdentity({ name: 'not-bound' });
    await h.gh.admin.attachMethod(identity.id, 'cert', {});
    const res = await h.gh.handle(h.request({ path: '/api/v1/auth/cert/login', body: { identityId: identity.id }, protocol: 'https', peerCertificates: [new Uint8Array(randomBytes(400))] }));
    expect(decodeJwt(json(res).accessToken as string).cnf).toBeUndefined();
  });

  it('an identity of a strategy without certificates cannot ask for certificate binding (named field)', async () => {
    const h = await harness();
    const err = await h.gh.admin.attachMethod(h.identity.id, 'fake', { secret: 'correct-horse' }, { accessTokenCertificateBound: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'validation', fields: ['token.accessTokenCertificateBound'] });
  });
});
