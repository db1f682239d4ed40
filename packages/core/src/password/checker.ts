/** Password verification with a real dummy hash for unknown users, with or without lockout. */
import { randomBytes } from 'node:crypto';
import type { LimiterStore } from '../stores/ports.js';
import { DEFAULT_ARGON2, MAX_PASSWORD_BYTES, hashPassword, needsRehash, verifyPassword, type Argon2Params } from './argon2.js';
import { PasswordLockout, type LockoutPolicy } from './lockout.js';

export interface PasswordCheckInput {
  /** Normalised username (the lockout key). */
  username: string;
  /** The client address (`ctx.request.clientIp`): lockout is counted per account and address. */
  clientIp: string;
  /** The stored hash, or null when the user is unknown (a dummy hash is checked instead). */
  passwordHash: string | null;
  password: string;
  now: Date;
}

export type PasswordCheckResult = { ok: true; rehash: string | null } | { ok: false };

/**
 * Verification without lockout: a null hash (unknown user) costs the same argon2 work as a real one and
 * never matches; so does an over-long password. For callers that count attempts themselves (and for
 * `PasswordChecker`, which adds lockout).
 */
export class PasswordVerifier {
  #dummy: Promise<string> | null = null;

  constructor(readonly params: Argon2Params = DEFAULT_ARGON2) {}

  /** `rehash` is a fresh hash with `params` when the stored one was made with other parameters. */
  async verify(passwordHash: string | null, password: string): Promise<PasswordCheckResult> {
    const tooLong = Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES;
    const phc = passwordHash ?? (await this.#dummyHash());
    // Always run argon2, even for an over-long password or unknown user, so timing is uniform.
    const matched = (await verifyPassword(phc, tooLong ? password.slice(0, 64) : password)) && !tooLong;
    if (!matched || passwordHash === null) return { ok: false };
    const rehash = needsRehash(passwordHash, this.params) ? await hashPassword(password, this.params) : null;
    return { ok: true, rehash };
  }

  /** Computes the dummy hash now, so the first unknown-user login is not slower than the others. */
  async prepare(): Promise<void> {
    await this.#dummyHash();
  }

  /** A real hash of a random password with the current parameters, computed once. */
  #dummyHash(): Promise<string> {
    this.#dummy ??= hashPassword(randomBytes(24).toString('base64url'), this.params).catch((err: unknown) => {
      this.#dummy = null; // a failed computation is retried next time, not cached
      throw err;
    });
    return this.#dummy;
  }
}

/** `PasswordVerifier` plus lockout: neither timing nor lockout behaviour reveals which usernames exist. */
export class PasswordChecker {
  readonly #lockout: PasswordLockout;
  readonly #verifier: PasswordVerifier;

  constructor(
    limiter: LimiterStore,
    options: { namespace: string; params?: Argon2Params; lockout?: LockoutPolicy } = { namespace: 'password' },
  ) {
    this.#lockout = new PasswordLockout(limiter, { namespace: options.namespace, policy: options.lockout });
    this.#verifier = new PasswordVerifier(options.params ?? DEFAULT_ARGON2);
  }

  get params(): Argon2Params {
    return this.#verifier.params;
  }

  get lockout(): Required<LockoutPolicy> {
    return this.#lockout.policy;
  }

  /**
   * Counts the attempt (see `PasswordLockout.guard`), throws rate_limited when locked out, otherwise verifies;
   * a success clears this address's counter for the account (bookkeeping: a store failure there does not fail
   * it), a failure counts towards the ceilings.
   */
  async check(input: PasswordCheckInput): Promise<PasswordCheckResult> {
    const result = await this.#lockout.guard(input.username, input.clientIp, input.now, () => this.#verifier.verify(input.passwordHash, input.password));
    if (result.ok) await this.#lockout.settle(input.username, input.clientIp);
    else await this.#lockout.failed(input.username, input.clientIp, input.now);
    return result;
  }

  /** Verifies without counting towards lockout (see `PasswordVerifier.verify`). */
  verify(passwordHash: string | null, password: string): Promise<PasswordCheckResult> {
    return this.#verifier.verify(passwordHash, password);
  }

  /** Computes the dummy hash now, so the first unknown-user login is not slower than the others. */
  prepare(): Promise<void> {
    return this.#verifier.prepare();
  }
}
