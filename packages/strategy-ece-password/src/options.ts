/** Strategy options, validated once when the strategy is built (a bad option fails at startup, not at login). */
import { z } from 'zod';
import { DEFAULT_ARGON2, DEFAULT_LOCKOUT, type Argon2Params, type LockoutPolicy } from '@gatehouse-auth/core/password';
import type { AuthenticationBackend } from './backend.js';

/** Eight hours: a working day at the console, after which the operator logs in again. */
export const DEFAULT_SESSION_LIFETIME_SECONDS = 8 * 3600;
/** How long the backend may take before the login fails with 502. */
export const DEFAULT_BACKEND_TIMEOUT_MS = 10_000;

export interface EcePasswordOptions {
  /** Strategy id (audit events, `auth_method` claim). Default `ece-password`. */
  id?: string;
  /**
   * Who checks credentials. Omitted: the user store (`userStoreBackend`). `null`: none configured, every
   * login answers 501 `authc.no_authentication_cluster`.
   */
  backend?: AuthenticationBackend | null;
  /** argon2id parameters of the default backend (dummy hash, rehash target). Default 19 MiB, t=2, p=1. */
  argon2?: Argon2Params;
  /**
   * Lockout for every backend: 5 attempts per 15 minutes per normalised username and client address, at most
   * 100 failures per username and 50 per address (across usernames) per window. See docs/security.md.
   */
  lockout?: LockoutPolicy;
  /** Token lifetime = `session_expiration_time` - now. Default 8 hours. */
  sessionLifetimeSeconds?: number;
  /** Renewal budget through `/api/v1/auth/token/renew`; default = `sessionLifetimeSeconds` (no renewal past it). */
  sessionMaxLifetimeSeconds?: number;
  /** Backend timeout; a slower backend gives 502. Default 10 s. */
  backendTimeoutMs?: number;
}

const positiveInt = (max: number) => z.number().int().positive().max(max);

const backendSchema = z.custom<AuthenticationBackend>(
  (v) => typeof v === 'object' && v !== null && typeof (v as AuthenticationBackend).authenticate === 'function' && typeof (v as AuthenticationBackend).name === 'string',
  { message: 'must be an AuthenticationBackend ({ name, authenticate })' },
);

export const optionsSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/).default('ece-password'),
    backend: backendSchema.nullable().optional(),
    argon2: z
      .strictObject({ memoryCost: positiveInt(4 * 1024 * 1024).min(8), timeCost: positiveInt(100), parallelism: positiveInt(16) })
      .default(DEFAULT_ARGON2),
    lockout: z
      .strictObject({
        maxFailures: positiveInt(1_000_000),
        windowMs: positiveInt(365 * 24 * 3600 * 1000),
        accountCeiling: positiveInt(10_000_000).default(DEFAULT_LOCKOUT.accountCeiling),
        addressCeiling: positiveInt(10_000_000).default(DEFAULT_LOCKOUT.addressCeiling),
      })
      .default(DEFAULT_LOCKOUT),
    sessionLifetimeSeconds: positiveInt(315_360_000).default(DEFAULT_SESSION_LIFETIME_SECONDS),
    sessionMaxLifetimeSeconds: positiveInt(315_360_000).optional(),
    backendTimeoutMs: positiveInt(600_000).default(DEFAULT_BACKEND_TIMEOUT_MS),
  })
  .refine((o) => o.sessionMaxLifetimeSeconds === undefined || o.sessionMaxLifetimeSeconds >= o.sessionLifetimeSeconds, {
    message: 'must be at least sessionLifetimeSeconds',
    path: ['sessionMaxLifetimeSeconds'],
  });

export type ResolvedOptions = z.output<typeof optionsSchema>;

export function resolveOptions(options: EcePasswordOptions): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new TypeError(`ecePasswordStrategy: invalid options: ${detail}`);
  }
  return parsed.data;
}
