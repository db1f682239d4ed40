/** The seed's login contract (request and response exactly as Infisical's `POST /api/v1/auth/oci-auth/login`) and the per-identity config. */
import { tokenResponseSchema } from '@gatehouse-auth/core';
import { z } from 'zod';
import { ocidSchema } from './ocid.js';

export const OCI_LOGIN_PATH = '/api/v1/auth/oci-auth/login';

export const ociLoginRequestSchema = z.strictObject({
  identityId: z.string().min(1).max(256).describe('The ID of the machine identity to login.'),
  userOcid: ocidSchema('user').describe('The OCID of the user attempting login.'),
  headers: z
    .strictObject({
      authorization: z.string().min(1).max(4096),
      host: z.string().min(1).max(253),
      'x-date': z.string().max(64).optional(),
      date: z.string().max(64).optional(),
    })
    .describe('The headers of the signed request.'),
  organizationSlug: z.string().min(1).max(64).optional(),
});

export type OciLoginRequest = z.output<typeof ociLoginRequestSchema>;

export const ociLoginResponseSchema = tokenResponseSchema;

const username = z.string().trim().min(1).max(512);

/**
 * `allowedUsernames` takes a list, or Infisical's comma-separated string. Omitted, null or an empty string:
 * any user of the tenancy. An explicit empty list is refused (it would read as "nobody", which is no login).
 */
const allowedUsernamesSchema = z
  .union([
    z.array(username).min(1).max(256),
    z
      .string()
      .max(64 * 1024)
      .transform((s) => s.split(',').map((n) => n.trim()).filter(Boolean))
      .pipe(z.array(username).max(256)),
    z.null(),
  ])
  .optional()
  .transform((v) => (v && v.length ? [...new Set(v)] : null));

/** Per-identity config. `realmDomains` may narrow, never widen, the server's allowed realms. */
export function ociConfigSchema(serverRealmDomains: readonly string[]) {
  return z.strictObject({
    tenancyOcid: ocidSchema('tenancy'),
    allowedUsernames: allowedUsernamesSchema,
    realmDomains: z
      .array(z.string().transform((d) => d.toLowerCase()).refine((d) => serverRealmDomains.includes(d), { message: `must be one of the server's realm domains: ${serverRealmDomains.join(', ')}` }))
      .min(1)
      .max(16)
      .optional(),
  });
}

export type OciIdentityConfig = z.output<ReturnType<typeof ociConfigSchema>>;
export type OciIdentityConfigInput = z.input<ReturnType<typeof ociConfigSchema>>;
