/**
 * A signed-request strategy: a machine holds a shared secret and signs each login with HMAC-SHA256 over its
 * identity id, a timestamp and a nonce; the secret itself never travels. What it promises, and declares to
 * the conformance kit (src/signed-request-strategy.test.ts):
 * - a signed body logs in once (the nonce is claimed atomically in the replay store, shared by every instance);
 * - only within ±5 minutes of the server's clock (`ctx.clock`, so tests can move it);
 * - failed signatures are capped per identity and client address by the core's lockout;
 * - an unknown identity is answered exactly like a wrong signature, after the same work (a dummy key);
 * - signatures are compared in constant time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthError, defineStrategy, tokenResponseSchema } from '@gatehouse-auth/core';
import { PasswordLockout } from '@gatehouse-auth/core/password';
import { z } from 'zod';

export const SIGNED_REQUEST_METHOD = 'signed-request';
export const SIGNED_REQUEST_PATH = '/api/v1/auth/signed-request/login';
/** How far a signed timestamp may be from the server's clock, either way. */
export const SIGNED_REQUEST_WINDOW_SECONDS = 300;

export const signedRequestConfigSchema = z.strictObject({
  /** The shared signing secret: 32 random bytes, base64url. Stored encrypted by the PostgreSQL stores. */
  secret: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes, base64url'),
});

export type SignedRequestConfig = z.output<typeof signedRequestConfigSchema>;

export const signedRequestLoginSchema = z.strictObject({
  identityId: z.string().min(1).max(64),
  /** When the body was signed (ISO 8601, UTC). */
  timestamp: z.iso.datetime().max(32),
  /** Random, single use. */
  nonce: z.string().min(16).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be base64url'),
  /** hex HMAC-SHA256 of `canonicalString(...)` with the identity's secret. */
  signature: z.string().length(64).regex(/^[0-9a-f]+$/, 'must be 64 lower-case hex digits'),
  /** Free text for the audit log (the CI job, say). Not signed: it never decides anything. */
  label: z.string().max(64).optional(),
});

export type SignedRequestLogin = z.output<typeof signedRequestLoginSchema>;

/** What the signature covers: method name, identity, time and nonce, one per line. */
export function canonicalString(body: Pick<SignedRequestLogin, 'identityId' | 'timestamp' | 'nonce'>): string {
  return [SIGNED_REQUEST_METHOD, body.identityId, body.timestamp, body.nonce].join('\n');
}

export function signWith(secret: string, body: Pick<SignedRequestLogin, 'identityId' | 'timestamp' | 'nonce'>): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'base64url')).update(canonicalString(body)).digest();
}

/** Checked for unknown identities, so they cost what a known one costs. */
const DUMMY_SECRET = randomBytes(32).toString('base64url');
const NONCE_NAMESPACE = 'signed-request-nonce';

const refused = (reasonCode: string, message: string) => new AuthError({ kind: 'unauthenticated', reasonCode, message });

export function signedRequestStrategy() {
  return defineStrategy({
    id: SIGNED_REQUEST_METHOD,
    route: { method: 'POST', path: SIGNED_REQUEST_PATH },
    dialect: 'infisical',
    requestSchema: signedRequestLoginSchema,
    responseSchema: tokenResponseSchema,
    configSchema: signedRequestConfigSchema,
    openapi: { summary: 'Login with an HMAC-signed request', tags: ['Signed Request Auth'], operationId: 'loginWithSignedRequest' },
    async authenticate(input, ctx) {
      const now = ctx.clock.now();
      const signedAt = Date.parse(input.timestamp);
      if (Math.abs(now.getTime() - signedAt) > SIGNED_REQUEST_WINDOW_SECONDS * 1000) {
        throw refused('timestamp_outside_window', 'The timestamp is outside the allowed window; sign a fresh request');
      }

      // One slot per attempt before the signature is checked (see PasswordLockout): concurrent guesses cannot overrun it.
      const lockout = new PasswordLockout(ctx.stores.limiter, { namespace: SIGNED_REQUEST_METHOD });
      await lockout.attempt(input.identityId, ctx.request.clientIp, now);

      // Unknown identity or not: the same lookup, the same HMAC, the same comparison, the same answer.
      const method = await ctx.stores.identities.getMethod(input.identityId, SIGNED_REQUEST_METHOD);
      const secret = method ? (method.config as SignedRequestConfig).secret : DUMMY_SECRET;
      const matches = timingSafeEqual(signWith(secret, input), Buffer.from(input.signature, 'hex'));
      if (!matches || !method) {
        await lockout.failed(input.identityId, ctx.request.clientIp, now);
        throw refused(method ? 'signature_mismatch' : 'identity_unknown', 'Invalid signature');
      }

      // Claimed only once the signature is good (nobody can burn another's nonces), kept as long as the window.
      const fresh = await ctx.stores.replay.claim(NONCE_NAMESPACE, `${input.identityId}:${input.nonce}`, new Date(signedAt + (SIGNED_REQUEST_WINDOW_SECONDS + 1) * 1000), now);
      if (!fresh) throw refused('nonce_replayed', 'This nonce was already used; sign a fresh request');
      await lockout.succeeded(input.identityId, ctx.request.clientIp);

      return {
        kind: 'authenticated',
        subject: { type: 'identity', id: method.identityId },
        token: method.token,
        audit: input.label !== undefined ? { label: input.label.trim() } : undefined,
      };
    },
  });
}
