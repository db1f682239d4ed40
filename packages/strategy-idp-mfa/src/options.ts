/**
 * Strategy options (server-wide, not per identity): the IdPs, password policy, MFA policy and token
 * lifetimes. Validated once when the strategy is built, so a bad IdP URL fails at startup, not at login.
 */
import { z } from 'zod';
import { tokenSettingsSchema } from '@gatehouse-auth/core';

/** Bytebase resource ids: lower-case letters, digits and dashes. Also the `<id>` of `idps/<id>`. */
export const IDP_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;

/** Asymmetric JWS algorithms an ID token may be signed with (RFC 7518, RFC 8037). */
export const ID_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const urlText = z.url({ protocol: /^https?$/ }).max(2048);

/** A redirect URI as registered at the IdP: absolute, no query or fragment (openid-client derives it by stripping them). */
const redirectUri = urlText.refine((v) => {
  const u = new URL(v);
  return u.search === '' && u.hash === '';
}, 'must be an absolute URL without query or fragment');

const common = {
  clientId: z.string().min(1).max(512),
  clientSecret: z.string().min(1).max(1024),
  redirectUri,
  /** Scopes the authorization URL asks for (see `authorizationUrl`). */
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).min(1).max(32).optional(),
  /** Create a user on first login when no user has the IdP's email. Off: unknown emails are refused. */
  jit: z.boolean().default(false),
  /** How the client authenticates at the token endpoint (RFC 6749 makes `client_secret_basic` mandatory to support). */
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  /** Claim holding the email (userinfo or ID token). */
  emailClaim: z.string().min(1).max(128).default('email'),
  /** Claim holding the display name. */
  nameClaim: z.string().min(1).max(128).default('name'),
  /** Per outbound request to the IdP. */
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  /**
   * Treat an email as verified when the IdP does not say (`email_verified` absent): only for IdPs that hand out
   * verified addresses only. Off by default: an email decides which account an IdP login opens (or creates), so
   * an address nobody proved to own never does. An explicit `email_verified: false` is refused regardless.
   */
  assumeEmailVerified: z.boolean().default(false),
  /**
   * TEST ONLY. Lets openid-client talk to `http:` IdPs (a loopback test provider). Never set it in production:
   * it removes TLS from the code exchange and from the JWKS download.
   */
  allowInsecureHttpForTesting: z.boolean().default(false),
};

export const oidcIdpSchema = z.strictObject({
  type: z.literal('oidc'),
  /** Issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: urlText.refine((v) => !v.includes('/.well-known/'), {
    // openid-client skips the issuer check when handed a discovery URL instead of an issuer.
    message: 'must be the issuer identifier, not its discovery document URL',
  }),
  ...common,
  /**
   * ID token signature algorithms accepted, whatever the IdP advertises (the effective list is the
   * intersection). Asymmetric only: `none` and HMAC (keyed with the client secret the IdP also knows) never.
   */
  idTokenAlgorithms: z
    .array(z.enum(ID_TOKEN_ALGORITHMS))
    .min(1)
    .default([...ID_TOKEN_ALGORITHMS]),
  /** Seconds the discovered metadata is reused before it is fetched again. */
  discoveryTtlSeconds: z.number().int().min(60).max(7 * 24 * 3600).default(3600),
});

export const oauth2IdpSchema = z.strictObject({
  type: z.literal('oauth2'),
  /** Only used to build the authorization URL for your frontend. */
  authorizationEndpoint: urlText.optional(),
  tokenEndpoint: urlText,
  userinfoEndpoint: urlText,
  /** Claim holding a stable subject id in the userinfo response; falls back to `id` (GitHub style). */
  subjectClaim: z.string().min(1).max(128).default('sub'),
  ...common,
});

export const idpSchema = z
  .discriminatedUnion('type', [oidcIdpSchema, oauth2IdpSchema])
  .superRefine((idp, ctx) => {
    if (idp.allowInsecureHttpForTesting) return;
    const urls: [string, string | undefined][] =
      idp.type === 'oidc'
        ? [['issuer', idp.issuer]]
        : [
            ['authorizationEndpoint', idp.authorizationEndpoint],
            ['tokenEndpoint', idp.tokenEndpoint],
            ['userinfoEndpoint', idp.userinfoEndpoint],
          ];
    for (const [field, value] of urls) {
      if (value && new URL(value).protocol !== 'https:') {
        ctx.addIssue({ code: 'custom', path: [field], message: 'must be https (allowInsecureHttpForTesting is for tests only)' });
      }
    }
  });

export const strategyOptionsSchema = z.strictObject({
  /** Identity providers by id; a login names one as `idps/<id>`. */
  idps: z
    .record(z.string().regex(IDP_ID_PATTERN, 'IdP ids are lower-case letters, digits and dashes'), idpSchema)
    .default({}),
  /** Report `requireResetPassword` when the password is older than this many days. Off when omitted. */
  passwordRotationDays: z.number().int().positive().max(3650).optional(),
  password: z
    .strictObject({
      params: z.strictObject({ memoryCost: z.number().int().min(1024), timeCost: z.number().int().min(1), parallelism: z.number().int().min(1) }).optional(),
      lockout: z
        .strictObject({
          maxFailures: z.number().int().min(1).max(1000),
          windowMs: z.number().int().min(1000),
          accountCeiling: z.number().int().min(1).max(10_000_000).optional(),
          addressCeiling: z.number().int().min(1).max(10_000_000).optional(),
        })
        .optional(),
    })
    .prefault({}),
  mfa: z
    .strictObject({
      /** Shown by authenticator apps next to the account. */
      issuer: z.string().min(1).max(64).default('Gatehouse'),
      /** Lifetime of the MFA temp token; at most 5 minutes. */
      tempTokenTtlSeconds: z.number().int().min(30).max(300).default(300),
      /** Wrong codes per temp token before it is dead. */
      maxAttemptsPerTempToken: z.number().int().min(1).max(10).default(5),
      /** Code attempts per user (across temp tokens and enrolment calls) per window before 429; a success clears them. */
      maxFailuresPerUser: z.number().int().min(1).max(1000).default(10),
      failureWindowMs: z.number().int().min(1000).default(15 * 60_000),
      /** How long a started enrolment may be confirmed. */
      enrolmentTtlSeconds: z.number().int().min(60).max(3600).default(600),
      recoveryCodeCount: z.number().int().min(4).max(20).default(10),
    })
    .prefault({}),
  /** Access token settings for users logging in here. */
  token: tokenSettingsSchema.optional(),
  /**
   * Web-login cookies. `secure: 'auto'` (default) marks them `Secure` when the client used https (behind a
   * TLS-terminating proxy: when the proxy is trusted and says `X-Forwarded-Proto: https`); `'always'` marks
   * them `Secure` whatever the request says (what a production server behind https should use).
   */
  cookies: z.strictObject({ secure: z.enum(['auto', 'always']).default('auto') }).prefault({}),
  /** Lifetime of a web refresh token; every rotation starts a new one. */
  refreshTokenTtlSeconds: z.number().int().min(60).max(90 * 24 * 3600).default(7 * 24 * 3600),
});

export type IdpMfaOptionsInput = z.input<typeof strategyOptionsSchema>;
export type IdpMfaOptions = z.output<typeof strategyOptionsSchema>;
export type IdpConfig = z.output<typeof idpSchema>;
export type OidcIdpConfig = z.output<typeof oidcIdpSchema>;
export type OAuth2IdpConfig = z.output<typeof oauth2IdpSchema>;
export type MfaOptions = IdpMfaOptions['mfa'];
