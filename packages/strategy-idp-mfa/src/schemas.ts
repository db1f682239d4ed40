/**
 * Request and response of `POST /v1/auth/login`, field for field as in Bytebase's API reference (seed 004).
 * Unknown fields are refused, as protojson does by default.
 */
import { z } from 'zod';

const code = z.string().min(1).max(4096);

export const loginRequestSchema = z.strictObject({
  /** User's email address. */
  email: z.string().min(1).max(320).optional(),
  /** User's password. */
  password: z.string().min(1).max(4096).optional(),
  /** Set the access token, refresh token and user cookies instead of returning the token. */
  web: z.boolean().optional(),
  /** `idps/<id>`. */
  idpName: z
    .string()
    .max(80)
    .regex(/^idps\/[a-z0-9][a-z0-9-]{0,62}$/, 'must be idps/<id>')
    .optional(),
  idpContext: z
    .strictObject({
      oauth2Context: z.strictObject({ code }).optional(),
      oidcContext: z.strictObject({ code }).optional(),
    })
    .optional(),
  /** TOTP code for the MFA step. */
  otpCode: z.string().min(1).max(64).optional(),
  /** Recovery code for the MFA step. */
  recoveryCode: z.string().min(1).max(64).optional(),
  /** The temp token the first step returned. */
  mfaTempToken: z.string().min(1).max(256).optional(),
});

export type LoginRequest = z.output<typeof loginRequestSchema>;

const timestamp = z.string().describe('RFC 3339 timestamp, e.g. 2023-11-07T05:31:56Z');

export const userStateSchema = z.enum(['STATE_UNSPECIFIED', 'ACTIVE', 'DELETED']);
export const userTypeSchema = z.enum(['USER_TYPE_UNSPECIFIED', 'USER', 'SYSTEM_BOT', 'SERVICE_ACCOUNT', 'WORKLOAD_IDENTITY']);

export const userViewSchema = z.object({
  /** `users/<email>` (Bytebase's current resource name); `users/<id>` for a user without email. */
  name: z.string(),
  state: userStateSchema,
  email: z.string(),
  title: z.string(),
  userType: userTypeSchema,
  mfaEnabled: z.boolean(),
  // Enrolment secrets exist in the seed's user message but are never part of a login response.
  tempOtpSecret: z.string().optional(),
  tempRecoveryCodes: z.array(z.string()).optional(),
  tempOtpSecretCreatedTime: timestamp.optional(),
  phone: z.string(),
  profile: z.object({
    lastLoginTime: timestamp.optional(),
    lastChangePasswordTime: timestamp.optional(),
    source: z.string(),
  }),
  groups: z.array(z.string()),
  workloadIdentityConfig: z
    .object({
      providerType: z.string(),
      issuerUrl: z.string(),
      allowedAudiences: z.array(z.string()),
      subjectPattern: z.string(),
    })
    .optional(),
});

export type UserView = z.output<typeof userViewSchema>;

export const loginResponseSchema = z.object({
  /** Access token (absent with `web: true`, where it travels in the `access-token` cookie). */
  token: z.string().optional(),
  /** Present alone when the user must prove a second factor. */
  mfaTempToken: z.string().optional(),
  requireResetPassword: z.boolean().optional(),
  user: userViewSchema.optional(),
});

export type LoginResponse = z.output<typeof loginResponseSchema>;
