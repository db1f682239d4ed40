// A tiny login strategy for these tests: an identity holds the SHA-256 of an API key in its method config.
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError, defineStrategy, tokenResponseSchema } from '@gatehouse-auth/core';
import { z } from 'zod';

export const apiKeyConfigSchema = z.strictObject({
  apiKeySha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters'),
  label: z.string().max(64).default(''),
});

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export const apiKeyStrategy = defineStrategy({
  id: 'api-key',
  route: { method: 'POST', path: '/api/v1/auth/api-key/login' },
  dialect: 'infisical',
  requestSchema: z.strictObject({ identityId: z.string().min(1).max(64), apiKey: z.string().min(1).max(256) }),
  responseSchema: tokenResponseSchema,
  configSchema: apiKeyConfigSchema,
  async authenticate(input, ctx) {
    const { identity, method } = await ctx.identityMethod(input.identityId);
    const config = method.config as z.output<typeof apiKeyConfigSchema>;
    const given = Buffer.from(sha256(input.apiKey));
    if (!timingSafeEqual(given, Buffer.from(config.apiKeySha256))) {
      throw new AuthError({ kind: 'unauthenticated', reasonCode: 'bad_api_key', message: 'Invalid credentials' });
    }
    return { kind: 'authenticated', subject: { type: 'identity', id: identity.id }, token: method.token };
  },
});

export function loginRequest(identityId: string, apiKey: string) {
  return {
    method: 'POST',
    path: '/api/v1/auth/api-key/login',
    headers: { 'content-type': 'application/json' },
    query: {},
    body: { identityId, apiKey },
    socketAddress: '10.1.2.3',
    protocol: 'http' as const,
  };
}
