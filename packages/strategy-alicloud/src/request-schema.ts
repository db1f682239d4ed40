/**
 * The login body, exactly as seed 000 (Infisical's `loginWithAlicloudAuth`): the same names, enums and
 * required fields, no unknown keys; plus bounds and formats the seed leaves open, and one addition:
 * an optional `SecurityToken`, without which STS temporary credentials (`STS.` key ids) cannot log in.
 */
import { z } from 'zod';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** `YYYY-MM-DDTHH:mm:ssZ` and a real calendar instant (no 2026-02-30, no 25:00). */
export function parseAlibabaTimestamp(value: string): Date | null {
  if (!TIMESTAMP.test(value)) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  const date = new Date(ms);
  return date.toISOString().replace('.000Z', 'Z') === value ? date : null;
}

export const ACCESS_KEY_ID = /^(?:STS\.)?[A-Za-z0-9]{8,128}$/;
export const SIGNATURE_NONCE = /^[A-Za-z0-9._~-]{8,128}$/;
/** Base64 of a 20-byte HMAC-SHA1. */
export const SIGNATURE = /^[A-Za-z0-9+/]{27}=$/;
export const SECURITY_TOKEN = /^[A-Za-z0-9+/=._-]{1,8192}$/;

export const alicloudLoginSchema = z
  .strictObject({
    identityId: z.string().min(1).max(128).describe('The ID of the machine identity to login.'),
    Action: z.enum(['GetCallerIdentity']).describe("The Alibaba Cloud API action: 'GetCallerIdentity'."),
    Format: z.enum(['JSON']).describe("The response format: 'JSON'."),
    Version: z
      .string()
      .max(10)
      .regex(/^\d{4}-\d{2}-\d{2}$/, "must be in 'YYYY-MM-DD' format")
      .describe("The API version in 'YYYY-MM-DD' format (STS: '2015-04-01')."),
    AccessKeyId: z
      .string()
      .max(132)
      .regex(ACCESS_KEY_ID, 'must be an AccessKey ID (letters and digits, STS. prefix for temporary credentials)')
      .describe('The AccessKey ID of the RAM user or STS token.'),
    organizationSlug: z.string().min(1).max(64).optional().describe('Scopes the session to this organization.'),
    SignatureMethod: z.enum(['HMAC-SHA1']).describe("The signature algorithm: 'HMAC-SHA1'."),
    Timestamp: z
      .string()
      .max(20)
      .refine((v) => parseAlibabaTimestamp(v) !== null, "must be a UTC time formatted as 'YYYY-MM-DDTHH:mm:ssZ'")
      .describe("The timestamp of the request in UTC, formatted as 'YYYY-MM-DDTHH:mm:ssZ'."),
    SignatureVersion: z.enum(['1.0']).describe("The signature version: '1.0'."),
    SignatureNonce: z
      .string()
      .max(128)
      .regex(SIGNATURE_NONCE, 'must be 8 to 128 letters, digits, ".", "_", "~" or "-"')
      .describe('A unique random string to prevent replay attacks.'),
    Signature: z
      .string()
      .max(28)
      .regex(SIGNATURE, 'must be a base64 HMAC-SHA1 signature')
      .describe('The signature calculated over the request parameters with the AccessKey Secret.'),
    SecurityToken: z
      .string()
      .max(8192)
      .regex(SECURITY_TOKEN, 'must be an STS security token')
      .optional()
      .describe('Gatehouse extension: the STS SecurityToken, required with STS.-prefixed AccessKey IDs.'),
  })
  .superRefine((body, ctx) => {
    const temporary = body.AccessKeyId.startsWith('STS.');
    if (temporary && body.SecurityToken === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SecurityToken'], message: 'is required with STS temporary credentials (STS. AccessKey IDs)' });
    }
    if (!temporary && body.SecurityToken !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['SecurityToken'], message: 'is only valid with STS temporary credentials (STS. AccessKey IDs)' });
    }
  });

export type AlicloudLoginInput = z.output<typeof alicloudLoginSchema>;
