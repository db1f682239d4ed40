/**
 * A complete third-party strategy: machines log in with a static API key. Only a SHA-256 of the key is stored
 * (the key is 32+ random bytes, so a fast hash is enough — no password stretching needed), and the comparison
 * is constant-time. Everything else — validation, limiting, issuing, rendering, audit — is the core's.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthError, defineStrategy, tokenResponseSchema } from '@gatehouse-auth/core';
import { z } from 'zod';

/** Keys look like `ghk_<43 base64url chars>`: a prefix makes leaked keys greppable by secret scanners. */
const API_KEY = /^ghk_[A-Za-z0-9_-]{43}$/;

export const apiKeyConfigSchema = z.strictObject({
  /** hex SHA-256 of the key. */
  keyHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256'),
  /** Optional label shown in audit events (never the key). */
  label: z.string().max(64).optional(),
});

export type ApiKeyConfig = z.output<typeof apiKeyConfigSchema>;

export const apiKeyLoginSchema = z.strictObject({
  identityId: z.string().min(1).max(64),
  apiKey: z.string().max(64),
});

/** Makes a new key and the config to attach; show the key once, store only the config. */
export function generateApiKey(label?: string): { apiKey: string; config: ApiKeyConfig } {
  const apiKey = `ghk_${randomBytes(32).toString('base64url')}`;
  return { apiKey, config: { keyHash: hashApiKey(apiKey), ...(label ? { label } : {}) } };
}

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

export function apiKeyStrategy() {
  return defineStrategy({
    id: 'api-key',
    route: { method: 'POST', path: '/api/v1/auth/api-key/login' },
    dialect: 'infisical',
    requestSchema: apiKeyLoginSchema,
    responseSchema: tokenResponseSchema,
    configSchema: apiKeyConfigSchema,
    openapi: { summary: 'Login with a static API key', tags: ['API Key Auth'], operationId: 'loginWithApiKey' },
    async authenticate(input, ctx) {
      const { identity, method } = await ctx.identityMethod(input.identityId);
      const config = method.config as ApiKeyConfig;
      // Hash first, compare the fixed-length digests: the time taken says nothing about the stored key.
      const given = createHash('sha256').update(input.apiKey).digest();
      const matches = timingSafeEqual(given, Buffer.from(config.keyHash, 'hex'));
      if (!matches || !API_KEY.test(input.apiKey)) {
        throw new AuthError({ kind: 'unauthenticated', reasonCode: 'api_key_mismatch', message: 'Invalid API key' });
      }
      return {
        kind: 'authenticated',
        subject: { type: 'identity', id: identity.id },
        token: method.token,
        audit: config.label ? { label: config.label } : undefined,
      };
    },
  });
}
