import { randomUUID } from 'node:crypto';
import { generateKeyPair as panvaKeyPair, generateProof } from 'dpop';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStores } from '../stores/memory.js';
import { makeProof, proofKey, type ProofKey } from '../test-support/dpop.js';
import { DpopProofError } from './errors.js';
import { DpopNonces } from './nonce.js';
import { DEFAULT_DPOP_POLICY, verifyDpopProof, type ProofChecks } from './proof.js';
import { accessTokenHash } from './thumbprints.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const iat = NOW.getTime() / 1000;
const URL_ = 'https://auth.example.com/api/v1/auth/token/renew';
const expected = { method: 'POST', urls: [URL_] };

function checks(now = NOW): ProofChecks {
  const replay = createMemoryStores().replay;
  return { now, claim: (key, expiresAt) => replay.claim('dpop-jti', key, expiresAt, now) };
}

async function refusal(p: Promise<unknown>): Promise<DpopProofError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DpopProofError);
  return err as DpopProofError;
}

describe('verifyDpopProof', () => {
  let key: ProofKey;
  beforeAll(async () => {
    key = await proofKey('ES256');
  });

  it('accepts a proof from panva’s dpop client (each of its algorithms) and returns the RFC 7638 thumbprint', async () => {
    for (const alg of ['ES256', 'Ed25519', 'PS256', 'RS256'] as const) {
      const pair = await panvaKeyPair(alg, { extractable: true });
      const proof = await generateProof(pair, URL_, 'POST');
      // panva's client stamps iat with the real clock.
      const verified = await verifyDpopProof(proof, expected, DEFAULT_DPOP_POLICY, checks(new Date()));
      const { calculateThumbprint } = await import('dpop');
      expect(verified.jkt).toBe(await calculateThumbprint(pair.publicKey));
    }
  });

  it('accepts a proof for a resource with ath, and the token’s key', async () => {
    const proof = await makeProof(key, { htu: URL_, iat, accessToken: 'the.access.token' });
    const ok = await verifyDpopProof(proof, { ...expected, accessToken: 'the.access.token', jkt: key.jkt }, DEFAULT_DPOP_POLICY, checks());
    expect(ok.jkt).toBe(key.jkt);
  });

  it('refuses the same proof twice (same store), atomically: of concurrent uses exactly one wins', async () => {
    const c = checks();
    const proof = await makeProof(key, { htu: URL_, iat });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => verifyDpopProof(proof, expected, DEFAULT_DPOP_POLICY, c)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as DpopProofError).reasonCode).toBe('dpop_proof_replayed');
  });

  it.each([
    ['no header', undefined, 'dpop_proof_missing'],
    ['an empty header', '', 'dpop_proof_missing'],
    ['two headers', ['a.b.c', 'a.b.c'], 'dpop_proof_multiple'],
    ['two headers joined', 'a.b.c, a.b.c', 'dpop_proof_multiple'],
    ['not a JWS', 'not-a-jws', 'dpop_proof_malformed'],
    ['a huge header', `${'a'.repeat(9000)}.b.c`, 'dpop_proof_too_large'],
  ])('refuses %s', async (_label, header, reason) => {
    expect((await refusal(verifyDpopProof(header as never, expected, DEFAULT_DPOP_POLICY, checks()))).reasonCode).toBe(reason);
  });

  it.each([
    ['another typ', { header: { typ: 'JWT' } }, 'dpop_proof_typ'],
    ['no typ', { header: { typ: undefined } }, 'dpop_proof_typ'],
    ['another method', { htm: 'GET' }, 'dpop_htm_mismatch'],
    ['a lower-case method', { htm: 'post' }, 'dpop_htm_mismatch'],
    ['another URL', { htu: 'https://auth.example.com/api/v1/auth/token/revoke' }, 'dpop_htu_mismatch'],
    ['another host', { htu: 'https://evil.example.com/api/v1/auth/token/renew' }, 'dpop_htu_mismatch'],
    ['another scheme', { htu: 'http://auth.example.com/api/v1/auth/token/renew' }, 'dpop_htu_mismatch'],
    ['a stale iat', { iat: iat - 66 }, 'dpop_proof_stale'],
    ['an iat from the future', { iat: iat + 6 }, 'dpop_proof_future'],
    ['an iat that is not a number', { claims: { iat: '1' } }, 'dpop_proof_iat'],
    ['no jti', { claims: { jti: undefined } }, 'dpop_proof_jti'],
    ['a huge jti', { jti: 'j'.repeat(300) }, 'dpop_proof_jti'],
  ] as const)('refuses %s', async (_label, over, reason) => {
    const proof = await makeProof(key, { htu: URL_, iat, ...(over as object) });
    expect((await refusal(verifyDpopProof(proof, expected, DEFAULT_DPOP_POLICY, checks()))).reasonCode).toBe(reason);
  });

  it('accepts the edges of the window: max age plus skew in the past, skew in the future', async () => {
    for (const at of [iat - 65, iat + 5]) {
      const proof = await makeProof(key, { htu: URL_, iat: at });
      await expect(verifyDpopProof(proof, expected, DEFAULT_DPOP_POLICY, checks())).resolves.toBeTruthy();
    }
  });

  it('refuses a wrong ath, a missing ath for a token, and another key than the token’s (invalid_token)', async () => {
    const token = 'the.access.token';
    const wrongAth = await makeProof(key, { htu: URL_, iat, accessToken: 'another.token' });
    expect((await refusal(verifyDpopProof(wrongAth, { ...expected, accessToken: token }, DEFAULT_DPOP_POLICY, checks()))).reasonCode).toBe('dpop_ath_mismatch');
    const noAth = await makeProof(key, { htu: URL_, iat });
    expect((await refusal(verifyDpopProof(noAth, { ...expected, accessToken: token }, DEFAULT_DPOP_POLICY, checks()))).reasonCode).toBe('dpop_ath_mismatch');
    const other = await proofKey('ES256');
    const otherKey = await makeProof(other, { htu: URL_, iat, accessToken: token });
    const err = await refusal(verifyDpopProof(otherKey, { ...expected, accessToken: token, jkt: key.jkt }, DEFAULT_DPOP_POLICY, checks()));
    expect([err.reasonCode, err.error]).toEqual(['dpop_key_mismatch', 'invalid_token']);
  });

  it('refuses algorithms outside the allow-list, none, HMAC with an embedded secret, and a private key in jwk', async () => {
    const es512 = await proofKey('ES512');
    const policy = { ...DEFAULT_DPOP_POLICY, algorithms: ['ES256' as const] };
    expect((await refusal(verifyDpopProof(await makeProof(es512, { htu: URL_, iat }), expected, policy, checks()))).reasonCode).toBe('dpop_proof_alg');

    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ typ: 'dpop+jwt', alg: 'none', jwk: key.jwk })}.${b64({ htm: 'POST', htu: URL_, iat, jti: randomUUID() })}.`;
    expect((await refusal(verifyDpopProof(none, expected, DEFAULT_DPOP_POLICY, checks()))).reasonCode).toBe('dpop_proof_malformed');

    const secret = new Uint8Array(32).fill(7);
    const hs = await new SignJWT({ htm: 'POST', htu: URL_, iat, jti: randomUUID() })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: Buffer.from(secret).toString('base64url') } } as never)
      .sign(secret);
    expect((await refusal(verifyDpopProof(hs, expected, { ...DEFAULT_DPOP_POLICY, algorithms: ['HS256' as never] }, checks()))).reasonCode).toBe('dpop_proof_signature');

    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const leaky = await new SignJWT({ htm: 'POST', htu: URL_, iat, jti: randomUUID() }).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: privateJwk } as never).sign(privateKey);
    expect((await refusal(verifyDpopProof(leaky, expected, DEFAULT_DPOP_POLICY, checks()))).reasonCode).toBe('dpop_proof_signature');
  });

  it('refuses a proof signed by another key than its jwk, and a tampered payload', async () => {
    const other = await proofKey('ES256');
    const forged = await makeProof({ ...other, jwk: key.jwk }, { htu: URL_, iat });
    expect((await refusal(verifyDpopProof(forged, expected, DEFAULT_DPOP_POLICY, checks()))).reasonCode).toBe('dpop_proof_signature');
    const proof = await makeProof(key, { htu: URL_, iat });
    const [h, , s] = proof.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ htm: 'POST', htu: URL_, iat, jti: 'x' })).toString('base64url')}.${s}`;
    expect((await refusal(verifyDpopProof(tampered, expected, DEFAULT_DPOP_POLICY, checks()))).reasonCode).toBe('dpop_proof_signature');
  });

  it('a refused proof does not burn its jti', async () => {
    const c = checks();
    const proof = await makeProof(key, { htu: URL_, iat, jti: 'keep-me' });
    await refusal(verifyDpopProof(proof, { ...expected, method: 'GET' }, DEFAULT_DPOP_POLICY, c));
    await expect(verifyDpopProof(proof, expected, DEFAULT_DPOP_POLICY, c)).resolves.toBeTruthy();
  });

  it('with server nonces: no nonce or a stale one is use_dpop_nonce, a fresh one passes', async () => {
    const nonces = new DpopNonces({ secret: 's'.repeat(32), lifetimeSeconds: 60 });
    const c = { ...checks(), nonce: nonces };
    const without = await refusal(verifyDpopProof(await makeProof(key, { htu: URL_, iat }), expected, DEFAULT_DPOP_POLICY, c));
    expect([without.reasonCode, without.error]).toEqual(['dpop_nonce_missing', 'use_dpop_nonce']);
    const stale = nonces.issue(new Date(NOW.getTime() - 180_000));
    expect((await refusal(verifyDpopProof(await makeProof(key, { htu: URL_, iat, nonce: stale }), expected, DEFAULT_DPOP_POLICY, c))).reasonCode).toBe('dpop_nonce_stale');
    await expect(verifyDpopProof(await makeProof(key, { htu: URL_, iat, nonce: nonces.issue(NOW) }), expected, DEFAULT_DPOP_POLICY, c)).resolves.toBeTruthy();
  });

  it('compares htu after normalisation: case, default port, percent-encoding', async () => {
    const proof = await makeProof(key, { htu: 'HTTPS://AUTH.example.com:443/api/v1/auth/token/%72enew?x=1', iat });
    await expect(verifyDpopProof(proof, expected, DEFAULT_DPOP_POLICY, checks())).resolves.toBeTruthy();
  });

  it('the ath is the base64url SHA-256 of the token (RFC 9449 §4.2 example)', () => {
    // The RFC's example token and its ath.
    expect(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe('fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo');
  });
});
