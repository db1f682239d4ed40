/** The core's own routes: renew, revoke, introspect (RFC 7662) and JWKS. Infisical dialect, as the seeds. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { defineEndpoint, type EndpointDefinition } from '../contract/strategy.js';
import { AuthError } from '../errors/auth-error.js';

const tokenBody = z.strictObject({ accessToken: z.string().min(1).max(8192) });

/**
 * The seeds' login response (000–002), as documented (OpenAPI): `tokenType: "Bearer"`. A client that sent a DPoP
 * proof gets `"DPoP"` there instead (docs/decisions/0009), which `boundTokenResponseSchema` describes.
 */
export const tokenResponseSchema = z.strictObject({
  accessToken: z.string(),
  expiresIn: z.number(),
  accessTokenMaxTTL: z.number(),
  tokenType: z.literal('Bearer'),
});

/** A token response as it may be: `Bearer`, or `DPoP` for a DPoP-bound token (renew of a bound token, DPoP logins). */
export const boundTokenResponseSchema = tokenResponseSchema.extend({ tokenType: z.enum(['Bearer', 'DPoP']) });

export const TOKEN_ROUTES = {
  renew: '/api/v1/auth/token/renew',
  revoke: '/api/v1/auth/token/revoke',
  introspect: '/api/v1/auth/token/introspect',
  jwks: '/.well-known/jwks.json',
} as const;

export interface IntrospectionAuth {
  /** Secrets a resource server presents as `Authorization: Bearer <secret>` (several: rotation, one per service). */
  secrets: string[];
  /** No caller authentication at all (RFC 7662 §2.1 requires some): only behind a boundary that provides it. */
  open: boolean;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * RFC 7662 §2.1: the caller must authenticate. Compared in constant time against every configured secret
 * (all of them, no early exit); with none configured and `open` off, every call is refused.
 */
function authenticateIntrospection(auth: IntrospectionAuth, header: unknown): void {
  if (auth.open) return;
  const given = typeof header === 'string' && /^bearer /i.test(header) ? sha256(header.slice(7).trim()) : null;
  let ok = false;
  for (const secret of auth.secrets) if (given && timingSafeEqual(given, sha256(secret))) ok = true;
  if (!ok) {
    throw new AuthError({
      kind: 'unauthenticated',
      reasonCode: auth.secrets.length ? 'introspection_client_unauthenticated' : 'introspection_not_configured',
      message: 'Introspection requires client authentication',
      headers: { 'www-authenticate': 'Bearer realm="introspection"' },
    });
  }
}

export function coreEndpoints(options: { introspection?: IntrospectionAuth } = {}): EndpointDefinition<never>[] {
  const introspectionAuth: IntrospectionAuth = options.introspection ?? { secrets: [], open: false };
  const renew = defineEndpoint({
    id: 'token.renew',
    method: 'POST',
    path: TOKEN_ROUTES.renew,
    dialect: 'infisical',
    requestSchema: tokenBody,
    responseSchema: boundTokenResponseSchema,
    openapi: {
      summary: 'Renew an access token within its max TTL (a periodic token: by its period)',
      description: 'A DPoP-bound token needs a DPoP proof of its key for this request (`ath` = the hash of `accessToken`); a certificate-bound one, the same client certificate.',
      tags: ['Tokens'],
      operationId: 'renewAccessToken',
    },
    async handle(input, ctx) {
      const issued = await ctx.issuer.renew(input.accessToken, { clientIp: ctx.request.clientIp, presentation: ctx.presentation('body') });
      return {
        kind: 'reply',
        subject: issued.subject,
        reply: { body: { accessToken: issued.token, expiresIn: issued.expiresIn, accessTokenMaxTTL: issued.accessTokenMaxTTL, tokenType: issued.tokenType } },
      };
    },
  });
  const revoke = defineEndpoint({
    id: 'token.revoke',
    method: 'POST',
    path: TOKEN_ROUTES.revoke,
    dialect: 'infisical',
    requestSchema: tokenBody,
    responseSchema: z.strictObject({ message: z.string() }),
    openapi: { summary: 'Revoke an access token (and its renewals)', tags: ['Tokens'], operationId: 'revokeAccessToken' },
    async handle(input, ctx) {
      await ctx.issuer.revoke(input.accessToken, { presentation: ctx.presentation('body') });
      return { kind: 'reply', reply: { body: { message: 'Successfully revoked access token' } } };
    },
  });
  const introspect = defineEndpoint({
    id: 'token.introspect',
    method: 'POST',
    path: TOKEN_ROUTES.introspect,
    dialect: 'infisical',
    requestSchema: z.strictObject({ token: z.string().min(1).max(8192), token_type_hint: z.string().max(64).optional() }),
    responseSchema: z.looseObject({ active: z.boolean() }),
    openapi: {
      summary: 'RFC 7662 token introspection (counts one use)',
      description: 'Requires `Authorization: Bearer <introspection secret>` unless the server is configured to serve it openly.',
      tags: ['Tokens'],
      operationId: 'introspectAccessToken',
    },
    async handle(input, ctx) {
      authenticateIntrospection(introspectionAuth, ctx.request.headers.authorization);
      const body = await ctx.issuer.introspect(input.token, {});
      return { kind: 'reply', reply: { body } };
    },
  });
  const jwks = defineEndpoint({
    id: 'token.jwks',
    method: 'GET',
    path: TOKEN_ROUTES.jwks,
    dialect: 'infisical',
    requestSchema: z.object({}).loose(),
    responseSchema: z.object({ keys: z.array(z.looseObject({ kid: z.string(), kty: z.string() })) }),
    openapi: { summary: 'Public keys that verify access tokens', tags: ['Tokens'], operationId: 'getJwks' },
    async handle(_input, ctx) {
      // Cached no longer than a new key takes to start signing after it is published (see jwksMaxAgeSeconds).
      const maxAge = ctx.issuer.keys.jwksMaxAgeSeconds;
      return { kind: 'reply', reply: { body: await ctx.issuer.jwks(), headers: { 'cache-control': maxAge > 0 ? `public, max-age=${maxAge}` : 'no-cache' } } };
    },
  });
  return [renew, revoke, introspect, jwks] as EndpointDefinition<never>[];
}
