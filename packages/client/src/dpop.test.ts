/**
 * The client kit's DPoP against a real Gatehouse over HTTP: logins and renewals bound to a key, resource calls
 * through a guard whose verifier is `createRemoteVerifier` (JWKS over HTTP), server nonces, and keys from PEM.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, decodeJwt } from 'jose';
import { createGatehouse, createGuard, defineStrategy, type Gatehouse } from '@gatehouse-auth/core';
import { guardRequestOf, readJsonBody, respond, toGatehouseRequest, toNodeResponse, writeNodeResponse } from '@gatehouse-auth/core/node';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDpopProof, dpopFetch, generateDpopKey, loadDpopKey, type DpopKey } from './dpop.js';
import { GatehouseLoginError, postTokenLogin, renewAccessToken } from './token-login.js';
import { createRemoteVerifier, MemoryProofReplay } from './verify.js';

const machine = defineStrategy({
  id: 'machine',
  route: { method: 'POST', path: '/api/v1/auth/machine/login' },
  dialect: 'infisical',
  requestSchema: z.strictObject({ name: z.string().max(32) }),
  responseSchema: z.looseObject({}),
  async authenticate(input) {
    return { kind: 'authenticated', subject: { type: 'identity', id: input.name }, token: { accessTokenTTL: 600, accessTokenMaxTTL: 3600 } };
  },
});

interface Running {
  gh: Gatehouse;
  server: Server;
  base: string;
}

/** A Gatehouse and, on the same server, `/resource` behind a guard verifying with createRemoteVerifier. */
async function start(options: { nonceSecret?: string } = {}): Promise<Running> {
  const nonce = options.nonceSecret ? { secret: options.nonceSecret } : undefined;
  const gh = createGatehouse({ strategies: [machine], issuer: { issuer: 'https://auth.test', audience: 'api' }, tokenBinding: { nonce } });
  const remote: { verifier?: ReturnType<typeof createRemoteVerifier> } = {};
  const guard = createGuard({ verifier: { verify: (token, context) => remote.verifier!.verify(token, context) } });
  const server = createServer(async (req: IncomingMessage, res) => {
    if (req.url?.startsWith('/resource')) {
      const result = await guard.check(req.headers, req.socket.remoteAddress ?? '', guardRequestOf(req));
      if (!result.ok) return writeNodeResponse(res, toNodeResponse(result.response));
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ sub: result.principal.subject.id }));
    }
    const body = await readJsonBody(req);
    writeNodeResponse(res, await respond(gh, toGatehouseRequest(req, body)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  remote.verifier = createRemoteVerifier({ jwksUrl: `${base}/.well-known/jwks.json`, issuer: 'https://auth.test', audience: 'api', dpop: { nonce } });
  return { gh, server, base };
}

const stop = async (r: Running | undefined) => {
  if (!r) return;
  await new Promise((done) => r.server.close(done));
  await r.gh.close();
};

describe('DPoP with the client kit', () => {
  let running: Running;
  let key: DpopKey;
  const login = (dpop?: DpopKey) => postTokenLogin(new URL('/api/v1/auth/machine/login', running.base), { name: 'm-1' }, { dpop }, (s, b) => new GatehouseLoginError(s, b));

  beforeAll(async () => {
    running = await start();
    key = await generateDpopKey();
  });
  afterAll(() => stop(running));

  it('a login with a key gets a DPoP token bound to its thumbprint; without one, the seed’s Bearer', async () => {
    const bound = await login(key);
    expect(bound.tokenType).toBe('DPoP');
    expect(decodeJwt(bound.accessToken).cnf).toEqual({ jkt: key.thumbprint });
    const plain = await login();
    expect(plain.tokenType).toBe('Bearer');
    expect(decodeJwt(plain.accessToken).cnf).toBeUndefined();
  });

  it('dpopFetch reaches the resource; the stolen token is refused by the remote verifier every other way', async () => {
    const { accessToken } = await login(key);
    const resource = `${running.base}/resource/items?page=2`;
    const ok = await dpopFetch(key, accessToken, resource);
    expect([ok.status, await ok.json()]).toEqual([200, { sub: 'm-1' }]);

    const call = (headers: Record<string, string>, method = 'GET') => fetch(resource, { method, headers });
    const challenge = async (res: Awaited<ReturnType<typeof call>>) => [res.status, res.headers.get('www-authenticate')?.split(',')[0]];
    expect(await challenge(await call({ authorization: `Bearer ${accessToken}` }))).toEqual([401, 'DPoP error="invalid_token"']);
    expect(await challenge(await call({ authorization: `DPoP ${accessToken}` }))).toEqual([401, 'DPoP error="invalid_dpop_proof"']);
    const thief = await generateDpopKey();
    expect(await challenge(await call({ authorization: `DPoP ${accessToken}`, dpop: await createDpopProof(thief, { method: 'GET', url: resource, accessToken }) }))).toEqual([401, 'DPoP error="invalid_token"']);
    const proof = await createDpopProof(key, { method: 'GET', url: resource, accessToken });
    expect((await call({ authorization: `DPoP ${accessToken}`, dpop: proof })).status).toBe(200);
    expect(await challenge(await call({ authorization: `DPoP ${accessToken}`, dpop: proof }))).toEqual([401, 'DPoP error="invalid_dpop_proof"']);
    const otherUrl = await createDpopProof(key, { method: 'GET', url: `${running.base}/resource/admin`, accessToken });
    expect(await challenge(await call({ authorization: `DPoP ${accessToken}`, dpop: otherUrl }))).toEqual([401, 'DPoP error="invalid_dpop_proof"']);
    const otherMethod = await createDpopProof(key, { method: 'DELETE', url: resource, accessToken });
    expect(await challenge(await call({ authorization: `DPoP ${accessToken}`, dpop: otherMethod }))).toEqual([401, 'DPoP error="invalid_dpop_proof"']);
  });

  it('renewAccessToken keeps the binding with the key, and is refused without it', async () => {
    const { accessToken } = await login(key);
    const renewed = await renewAccessToken({ baseUrl: running.base, accessToken, dpop: key });
    expect(renewed.tokenType).toBe('DPoP');
    expect(decodeJwt(renewed.accessToken).cnf).toEqual({ jkt: key.thumbprint });
    await expect(renewAccessToken({ baseUrl: running.base, accessToken })).rejects.toMatchObject({ status: 401 });
    await expect(renewAccessToken({ baseUrl: running.base, accessToken, dpop: await generateDpopKey() })).rejects.toMatchObject({ status: 401 });
  });
});

describe('server nonces', () => {
  let running: Running | undefined;
  afterAll(() => stop(running));

  it('the login and the resource call each retry once with the nonce the server sends, and succeed', async () => {
    running = await start({ nonceSecret: 'shared-by-every-instance-0123456789' });
    const key = await generateDpopKey('Ed25519');
    const { accessToken, tokenType } = await postTokenLogin(new URL('/api/v1/auth/machine/login', running.base), { name: 'n' }, { dpop: key }, (s, b) => new GatehouseLoginError(s, b));
    expect(tokenType).toBe('DPoP');
    expect(key.nonces.get(running.base)).toBeDefined();
    key.nonces.clear();
    const res = await dpopFetch(key, accessToken, `${running.base}/resource`);
    expect(res.status).toBe(200);
  });
});

describe('loadDpopKey', () => {
  it.each([
    ['P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'ES256'],
    ['Ed25519', () => generateKeyPairSync('ed25519'), 'Ed25519'],
    ['RSA', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), 'PS256'],
  ] as const)('reads a %s PEM key; its thumbprint is the public JWK’s', async (_label, make, alg) => {
    const { privateKey, publicKey } = make();
    const key = await loadDpopKey(privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(key.alg).toBe(alg);
    expect(key.thumbprint).toBe(await calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as never, 'sha256'));
  });

  it('refuses other curves, wrong algorithms and garbage without quoting the key', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    await expect(loadDpopKey(p384)).rejects.toThrow('DPoP key: EC curve secp384r1 is not supported');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    await expect(loadDpopKey(ec, { alg: 'RS256' })).rejects.toThrow('cannot sign RS256');
    const err = (await loadDpopKey('-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----').catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('DPoP key: not a readable PEM private key');
  });
});

describe('MemoryProofReplay (the remote verifier’s default)', () => {
  it('refuses a key it holds, forgets it once expired, and when full of live entries refuses new ones (503) rather than forget one', async () => {
    const replay = new MemoryProofReplay(2);
    const t0 = new Date('2026-03-01T12:00:00Z');
    const until = new Date(t0.getTime() + 60_000);
    expect(await replay.claim('a', until, t0)).toBe(true);
    expect(await replay.claim('a', until, t0)).toBe(false);
    expect(await replay.claim('b', until, t0)).toBe(true);
    await expect(replay.claim('c', until, t0)).rejects.toMatchObject({ name: 'TokenVerificationError', kind: 'unavailable', reasonCode: 'dpop_replay_cache_full' });
    const later = new Date(t0.getTime() + 61_000);
    expect(await replay.claim('c', new Date(later.getTime() + 60_000), later)).toBe(true);
    expect(await replay.claim('a', new Date(later.getTime() + 60_000), later)).toBe(true);
  });
});
