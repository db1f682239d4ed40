// The login contract, exactly as seed 002 (Infisical's `loginWithTlsCertAuth`): only `identityId` and an
// optional `organizationSlug`; the proof is the certificate, not the body.
import { tokenResponseSchema } from '@gatehouse-auth/core';
import { z } from 'zod';

export const tlsCertLoginSchema = z.strictObject({
  identityId: z.string().min(1).max(128).describe('The ID of the machine identity to login.'),
  organizationSlug: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('When set, scopes the login session to this organization the machine identity has access to.'),
});

export type TlsCertLoginInput = z.output<typeof tlsCertLoginSchema>;

export const tlsCertResponseSchema = tokenResponseSchema;
