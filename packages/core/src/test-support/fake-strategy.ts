/** A tiny strategy used only by the core's own tests to exercise the pipeline. Not exported. */
import { z } from 'zod';
import { AuthError } from '../errors/auth-error.js';
import { defineStrategy } from '../contract/strategy.js';
import { tokenResponseSchema } from '../tokens/endpoints.js';

export const fakeConfigSchema = z.strictObject({
  secret: z.string().min(8),
  allowedNames: z.array(z.string().regex(/^[a-z]+$/, 'lowercase letters only')).default([]),
});

export function fakeStrategy(dialect: 'infisical' | 'ece' | 'bytebase' = 'infisical', id = 'fake') {
  return defineStrategy({
    id,
    route: { method: 'POST', path: `/api/v1/auth/${id}/login` },
    dialect,
    requestSchema: z.strictObject({
      identityId: z.string().min(1).max(64),
      name: z.string().min(1).max(64),
      secret: z.string().min(1).max(256),
      mode: z.enum(['normal', 'explode', 'challenge', 'redirect', 'upstream']).default('normal'),
    }),
    responseSchema: tokenResponseSchema,
    configSchema: fakeConfigSchema,
    openapi: { summary: 'Fake login', operationId: `loginWith${id}` },
    // Infisical-style admin fields: `allowedNames` travels as a comma-separated string, as Infisical's lists do.
    admin: {
      segment: `${id}-auth`,
      envelope: `identity${id.replace(/-/g, '')}Auth`,
      title: `Fake Auth (${id})`,
      fields: { secret: z.string().max(256), allowedNames: z.string().max(1024).nullable() },
      required: ['secret'],
      toConfig: (fields, current) => {
        const prev = current as z.output<typeof fakeConfigSchema> | undefined;
        const names = fields.allowedNames === undefined ? prev?.allowedNames : String(fields.allowedNames ?? '').split(',').map((n) => n.trim()).filter(Boolean);
        return { secret: fields.secret ?? prev?.secret, ...(names ? { allowedNames: names } : {}) };
      },
      toFields: (config) => {
        const c = config as z.output<typeof fakeConfigSchema>;
        return { allowedNames: c.allowedNames.length ? c.allowedNames.join(', ') : null, secretLength: c.secret.length };
      },
      fieldOf: (path) => (path[0] === 'allowedNames' ? 'allowedNames' : 'secret'),
    },
    async authenticate(input, ctx) {
      if (input.mode === 'explode') throw new Error(`database password hunter2 leaked in ${input.secret}`);
      if (input.mode === 'upstream') throw new AuthError({ kind: 'upstream_failed', reasonCode: 'fake_upstream' });
      const { identity, method } = await ctx.identityMethod(input.identityId);
      const config = method.config as z.output<typeof fakeConfigSchema>;
      if (config.secret !== input.secret) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'bad_secret', message: 'Invalid credentials' });
      if (config.allowedNames.length && !config.allowedNames.includes(input.name)) {
        throw new AuthError({ kind: 'unauthenticated', reasonCode: 'name_not_allowed', message: 'Invalid credentials' });
      }
      if (input.mode === 'challenge') return { kind: 'challenge', body: { mfaTempToken: 'temp' } };
      if (input.mode === 'redirect') return { kind: 'redirect', location: '/next' };
      return { kind: 'authenticated', subject: { type: 'identity', id: identity.id }, token: method.token, audit: { name: input.name } };
    },
  });
}
