/**
 * `verifySync`: the synchronous offline verifier decides exactly as `verify(token, { stateful: 'none' })` does —
 * same acceptances, same reason codes — for issued tokens and for every kind of forgery, and its memo of checked
 * headers never lets a token skip a check.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../errors/auth-error.js';
import { ManualClock } from '../runtime/clock.js';
import { createMemoryStores } from '../stores/memory.js';
import { TokenBinding } from '../binding/token-binding.js';
import { DEFAULT_ISSUER_OPTIONS, TokenIssuer, type IssuerOptions } from './issuer.js';
import { signCompactJws } from './jws-sign.js';

const subject = { type: 'identity' as const, id: 'id-1' };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function setup(options: Partial<IssuerOptions> = {}) {
  const clock = new ManualClock('2026-03-01T12:00:00Z');
  const stores = createMemoryStores();
  const binding = new TokenBinding(stores.replay, clock);
  const make = (o: Partial<IssuerOptions> = {}) =>
    new TokenIssuer(stores.tokens, stores.keys, clock, { ...DEFAULT_ISSUER_OPTIONS, issuer: 'https://auth.test', audience: 'api', ...options, ...o }, binding);
  return { clock, stores, issuer: make(), make };
}

/** The outcome of a verification as data: the principal's fields, or the refusal's kind and reason code. */
type Outcome = { ok: true; jti: string; subject: unknown; claims: unknown; expiresAt: number } | { ok: false; kind: string; reasonCode: string; headers?: unknown };

function outcomeOf(run: () => unknown): Outcome {
  try {
    const v = run() as { jti: string; subject: unknown; claims: unknown; expiresAt: Date };
    return { ok: true, jti: v.jti, subject: v.subject, claims: v.claims, expiresAt: v.expiresAt.getTime() };
  } catch (err) {
    expect(err).toBeInstanceOf(AuthError);
    const e = err as AuthError;
    return { ok: false, kind: e.kind, reasonCode: e.reasonCode, headers: e.headers };
  }
}

async function asyncOutcomeOf(p: Promise<unknown>): Promise<Outcome> {
  try {
    const v = (await p) as { jti: string; subject: unknown; claims: unknown; expiresAt: Date };
    return { ok: true, jti: v.jti, subject: v.subject, claims: v.claims, expiresAt: v.expiresAt.getTime() };
  } catch (err) {
    expect(err).toBeInstanceOf(AuthError);
    const e = err as AuthError;
    return { ok: false, kind: e.kind, reasonCode: e.reasonCode, headers: e.headers };
  }
}

/** verifySync and verify (offline) on the same token: the same decision. Twice for verifySync, so a memoised header is exercised. */
async function expectSameDecision(issuer: TokenIssuer, token: string, options: { clientIp?: string; presentation?: 'unchecked' } = {}): Promise<Outcome> {
  const expected = await asyncOutcomeOf(issuer.verify(token, { stateful: 'none', ...options }));
  expect(outcomeOf(() => issuer.verifySync(token, options))).toEqual(expected);
  expect(outcomeOf(() => issuer.verifySync(token, options))).toEqual(expected);
  return expected;
}

describe('verifySync', () => {
  for (const algorithm of ['EdDSA', 'ES256', 'RS256'] as const) {
    it(`accepts what verify accepts (${algorithm}), returning the same principal`, async () => {
      const { issuer } = setup({ algorithm });
      const issued = await issuer.issue({ subject: { ...subject, claims: { email: 'a@b.c' } }, authMethod: 'fake', clientIp: '10.0.0.1' });
      const sync = issuer.verifySync(issued.token);
      expect(sync).toEqual(await issuer.verify(issued.token, { stateful: 'none' }));
      expect(sync).toMatchObject({ jti: issued.jti, subject, subjectKey: 'identity:id-1', authMethod: 'fake', claims: { email: 'a@b.c' } });
    });
  }

  it('refuses every forgery with the reason code verify gives, also after the genuine header was memoised', async () => {
    const { issuer, stores, make } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const [h, p, s] = issued.token.split('.') as [string, string, string];
    issuer.verifySync(issued.token); // the genuine header is now memoised
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const [stored] = await stores.keys.list();
    const ourKey = await importJWK(stored!.privateJwk as JWK, stored!.alg);
    const ourNodeKey = createPrivateKey({ key: stored!.privateJwk as JWK & { kty: string }, format: 'jwk' });
    const foreign = (await generateKeyPair('EdDSA')).privateKey;
    const pem = createPublicKey({ key: stored!.publicJwk as JWK & { kty: string }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    const forgeries: Record<string, string> = {
      'tampered payload': `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`,
      'alg none': `${b64({ alg: 'none', typ: 'at+jwt', kid: issued.kid })}.${p}.`,
      'alg none with the signature kept': `${b64({ alg: 'none', typ: 'at+jwt', kid: issued.kid })}.${p}.${s}`,
      'HS256 with the public key': await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: issued.kid, typ: 'at+jwt' }).sign(Buffer.from(pem)),
      'foreign key claiming our kid': await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: issued.kid, typ: 'at+jwt' }).sign(foreign),
      'typ JWT from our key': await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: issued.kid, typ: 'JWT' }).sign(ourKey),
      'crit header from our key': signCompactJws('EdDSA', ourNodeKey, { kid: issued.kid, typ: 'at+jwt', crit: ['exp'], exp: 1 }, claims),
      'b64 header from our key': signCompactJws('EdDSA', ourNodeKey, { kid: issued.kid, typ: 'at+jwt', b64: true }, claims),
      'unknown kid': `${b64({ alg: 'EdDSA', kid: 'nope', typ: 'at+jwt' })}.${p}.${s}`,
      'non-base64url char in the signature': `${h}.${p}.${s.slice(0, -2)}+${s.slice(-1)}`,
      'non-base64url char in the payload': `${h}.${p.slice(0, 10)}/${p.slice(11)}.${s}`,
      'padding in the header': `${h}=.${p}.${s}`,
      'four parts': `${issued.token}.${s}`,
      'empty signature': `${h}.${p}.`,
      'payload that is not an object': `${h}.${b64([1])}.${s}`,
      'header that is not JSON': `${Buffer.from('{"alg":').toString('base64url')}.${p}.${s}`,
      'only the header': h,
      empty: '',
      oversized: `${h}.${'A'.repeat(9000)}.${s}`,
    };
    for (const [name, token] of Object.entries(forgeries)) {
      const outcome = await expectSameDecision(issuer, token);
      expect(outcome.ok, name).toBe(false);
    }
    // A token whose header is a memoised one is still refused for a wrong typ, every time.
    const typJwt = forgeries['typ JWT from our key']!;
    expect(outcomeOf(() => issuer.verifySync(typJwt))).toMatchObject({ ok: false, reasonCode: 'token_claim_typ' });
    // Other issuer/audience settings on the same keys.
    for (const other of [make({ issuer: 'https://evil.test' }), make({ audience: 'other-api' })]) {
      await other.keys.reload();
      expect((await expectSameDecision(other, issued.token)).ok).toBe(false);
    }
    // The genuine token still verifies after all that.
    expect(issuer.verifySync(issued.token).jti).toBe(issued.jti);
  });

  it('expiry, not-before and trusted IPs are checked against the injected clock, as verify checks them', async () => {
    const { issuer, clock } = setup({ leewaySeconds: 5 });
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: { accessTokenTTL: 60, accessTokenTrustedIps: ['10.0.0.0/8'] } });
    expect((await expectSameDecision(issuer, issued.token, { clientIp: '10.1.2.3' })).ok).toBe(true);
    expect(await expectSameDecision(issuer, issued.token, { clientIp: '192.0.2.1' })).toMatchObject({ ok: false, kind: 'forbidden', reasonCode: 'ip_not_trusted' });
    clock.advanceSeconds(64);
    expect((await expectSameDecision(issuer, issued.token)).ok).toBe(true);
    clock.advanceSeconds(2);
    expect(await expectSameDecision(issuer, issued.token)).toMatchObject({ ok: false, reasonCode: 'token_expired' });
    clock.advanceSeconds(-66 - 10);
    expect(await expectSameDecision(issuer, issued.token)).toMatchObject({ ok: false, reasonCode: 'token_claim_nbf' });
  });

  it('refuses a bound token without a presentation, with the challenge verify gives; `unchecked` leaves the binding to the caller', async () => {
    const { issuer } = setup();
    const dpop = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', cnf: { jkt: 'A'.repeat(43) } });
    const cert = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', cnf: { 'x5t#S256': 'B'.repeat(43) } });
    for (const token of [dpop.token, cert.token]) {
      const refused = await expectSameDecision(issuer, token);
      expect(refused).toMatchObject({ ok: false, reasonCode: 'token_binding_unverifiable' });
      expect((refused as { headers: Record<string, string> }).headers['www-authenticate']).toMatch(/error="invalid_token"/);
      expect((await expectSameDecision(issuer, token, { presentation: 'unchecked' })).ok).toBe(true);
    }
  });

  it('before the keys were ever loaded it answers keys_not_loaded (503), and loads them in the background', async () => {
    const { stores, clock, make } = setup({ keyReloadIntervalMs: 0 });
    const issued = await make().issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const resourceServer = make();
    expect(outcomeOf(() => resourceServer.verifySync(issued.token))).toMatchObject({ ok: false, kind: 'unavailable', reasonCode: 'keys_not_loaded' });
    await new Promise((r) => setImmediate(r));
    expect(resourceServer.verifySync(issued.token).jti).toBe(issued.jti);
    // A key another instance adds is picked up once the view is older than keyRefreshSeconds, before it signs.
    const rotated = await make().rotateKeys();
    clock.advanceSeconds(DEFAULT_ISSUER_OPTIONS.keyRefreshSeconds);
    resourceServer.verifySync(issued.token); // sees the stale view, starts a reload
    await new Promise((r) => setImmediate(r));
    clock.advanceSeconds(DEFAULT_ISSUER_OPTIONS.keyPropagationSeconds);
    const signer = make();
    const next = await signer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    expect(next.kid).toBe(rotated);
    expect(resourceServer.verifySync(next.token).jti).toBe(next.jti);
    expect((await stores.keys.list()).length).toBe(2);
  });

  it('a store outage during a background refresh keeps the last view and never rejects unhandled', async () => {
    const { stores, clock, make } = setup({ keyReloadIntervalMs: 0 });
    const issued = await make().issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const resourceServer = make();
    await resourceServer.keys.reload();
    const list = stores.keys.list.bind(stores.keys);
    stores.keys.list = () => Promise.reject(new Error('store down'));
    clock.advanceSeconds(DEFAULT_ISSUER_OPTIONS.keyRefreshSeconds + 1);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      expect(resourceServer.verifySync(issued.token).jti).toBe(issued.jti);
      await new Promise((r) => setTimeout(r, 10));
      expect(resourceServer.verifySync(issued.token).jti).toBe(issued.jti);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      stores.keys.list = list;
    }
  });

  it('any mutation of a genuine token gets the same decision from both verifiers (fast-check)', async () => {
    const { issuer } = setup({ algorithm: 'ES256' });
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    issuer.verifySync(issued.token);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+/= \u0000é';
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: issued.token.length - 1 }), fc.integer({ min: 0, max: alphabet.length - 1 }), fc.integer({ min: 0, max: 2 }), async (at, c, op) => {
        const ch = alphabet[c]!;
        const token = op === 0 ? issued.token.slice(0, at) + ch + issued.token.slice(at + 1) : op === 1 ? issued.token.slice(0, at) + ch + issued.token.slice(at) : issued.token.slice(0, at) + issued.token.slice(at + 1);
        await expectSameDecision(issuer, token);
      }),
      { numRuns: 300 },
    );
  });
});
