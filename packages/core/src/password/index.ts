/**
 * Password handling shared by every password strategy (ece-password, idp-mfa): argon2id PHC hashes via
 * `@node-rs/argon2` (prebuilt binaries, no install scripts), rehash-on-login, a real dummy hash for unknown
 * users, username normalisation, and lockout counted atomically in the limiter store.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// `Algorithm` is an ambient const enum (not importable as a value under verbatimModuleSyntax); 2 = Argon2id.
const ARGON2ID = 2 as Algorithm;
import { AuthError } from '../errors/auth-error.js';
import type { LimiterStore } from '../stores/ports.js';

export interface Argon2Params {
  /** KiB. OWASP's argon2id minimum: 19 MiB, t=2, p=1. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_ARGON2: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Longest password accepted (bytes): argon2 handles more, but hashing megabytes is a DoS lever. */
export const MAX_PASSWORD_BYTES = 1024;

export function hashPassword(password: string, params: Argon2Params = DEFAULT_ARGON2): Promise<string> {
  return hash(password, { algorithm: ARGON2ID, ...params });
}

/** Constant-time inside argon2; false (not a throw) for malformed hashes. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/** True when the PHC string was made with other parameters (or another algorithm) than `params`. */
export function needsRehash(phc: string, params: Argon2Params = DEFAULT_ARGON2): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
  if (!m) return true;
  return Number(m[1]) !== params.memoryCost || Number(m[2]) !== params.timeCost || Number(m[3]) !== params.parallelism;
}

/**
 * One canonical form for lookup and lockout: Unicode NFKC (so `ＡＤＭＩＮ` is `ADMIN`), trimmed, then
 * case-folded. `Admin`, `admin ` and `ＡＤＭＩＮ` are one user and one lockout counter.
 */
export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

export interface LockoutPolicy {
  maxFailures: number;
  windowMs: number;
}

/** Vault's default: 5 failures in 15 minutes. */
export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000 };

export interface PasswordCheckInput {
  /** Normalised username (the lockout key). */
  username: string;
  /** The stored hash, or null when the user is unknown (a dummy hash is checked instead). */
  passwordHash: string | null;
  password: string;
  now: Date;
}

export type PasswordCheckResult = { ok: true; rehash: string | null } | { ok: false };

/**
 * Checks a password with lockout. Unknown users cost the same argon2 work as known ones and count
 * towards lockout the same way, so neither timing nor lockout behaviour reveals which usernames exist.
 */
export class PasswordChecker {
  #dummy: Promise<string> | null = null;

  constructor(
    private readonly limiter: LimiterStore,
    private readonly options: { namespace: string; params?: Argon2Params; lockout?: LockoutPolicy } = { namespace: 'password' },
  ) {}

  get params(): Argon2Params {
    return this.options.params ?? DEFAULT_ARGON2;
  }

  get lockout(): LockoutPolicy {
    return this.options.lockout ?? DEFAULT_LOCKOUT;
  }

  /** Throws rate_limited when locked out; otherwise verifies and counts a failure or clears the counter. */
  async check(input: PasswordCheckInput): Promise<PasswordCheckResult> {
    const key = `lockout:${this.options.namespace}:${input.username}`;
    const state = await this.limiter.peek(key, input.now);
    if (state && state.count >= this.lockout.maxFailures) {
      const retryAfter = Math.max(1, Math.ceil((state.resetAt.getTime() - input.now.getTime()) / 1000));
      throw new AuthError({ kind: 'rate_limited', reasonCode: 'account_locked', message: 'Too many failed login attempts, try again later', retryAfter });
    }
    const tooLong = Buffer.byteLength(input.password, 'utf8') > MAX_PASSWORD_BYTES;
    const phc = input.passwordHash ?? (await this.#dummyHash());
    // Always run argon2, even for an over-long password or unknown user, so timing is uniform.
    const matched = (await verifyPassword(phc, tooLong ? input.password.slice(0, 64) : input.password)) && !tooLong;
    const ok = matched && input.passwordHash !== null;
    if (!ok) {
      await this.limiter.hit(key, this.lockout.windowMs, input.now);
      return { ok: false };
    }
    await this.limiter.reset(key);
    const rehash = needsRehash(input.passwordHash!, this.params) ? await hashPassword(input.password, this.params) : null;
    return { ok: true, rehash };
  }

  /** A real hash of a random password with the current parameters, computed once. */
  #dummyHash(): Promise<string> {
    this.#dummy ??= hashPassword(randomBytes(24).toString('base64url'), this.params);
    return this.#dummy;
  }
}
