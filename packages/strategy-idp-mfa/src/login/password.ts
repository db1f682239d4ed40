/**
 * First factor: email + password, through the shared `PasswordChecker` (argon2id, a real dummy hash for
 * unknown emails, lockout keyed by the normalised email and the client address, see `PasswordLockout`).
 */
import { AuthError, type LimiterStore, type StrategyContext, type User } from '@gatehouse-auth/core';
import { PasswordChecker, normaliseEmail, type Argon2Params, type LockoutPolicy } from '@gatehouse-auth/core/password';
import { assertUserMayLogIn } from './user-checks.js';

export interface PasswordPolicy {
  params?: Argon2Params;
  lockout?: LockoutPolicy;
}

/** One checker per limiter store (the checker memoises its dummy hash). */
export class PasswordLogin {
  readonly #checkers = new WeakMap<LimiterStore, PasswordChecker>();

  constructor(private readonly policy: PasswordPolicy) {}

  #checker(limiter: LimiterStore): PasswordChecker {
    let checker = this.#checkers.get(limiter);
    if (!checker) {
      checker = new PasswordChecker(limiter, { namespace: 'idp-mfa', params: this.policy.params, lockout: this.policy.lockout });
      this.#checkers.set(limiter, checker);
    }
    return checker;
  }

  /** The user, or 401 (unknown email and wrong password alike) / 429 (locked out). */
  async verify(ctx: StrategyContext, email: string, password: string): Promise<User> {
    const normalised = normaliseEmail(email);
    const user = await ctx.stores.users.getByEmail(normalised);
    const result = await this.#checker(ctx.stores.limiter).check({
      username: normalised,
      clientIp: ctx.request.clientIp,
      passwordHash: user?.passwordHash ?? null,
      password,
      now: ctx.clock.now(),
    });
    if (!result.ok || !user) {
      throw new AuthError({ kind: 'unauthenticated', reasonCode: user ? 'password_mismatch' : 'user_not_found', message: 'The email or password is not valid' });
    }
    assertUserMayLogIn(user);
    // Bookkeeping after the password was accepted: the next login retries a rehash that could not be stored.
    if (result.rehash) {
      await ctx.stores.users.update(user.id, { passwordHash: result.rehash }).catch((err: unknown) => {
        ctx.logger.warn({ userId: user.id, err: { type: err instanceof Error ? err.name : typeof err } }, 'password accepted; storing its rehash failed');
      });
    }
    return user;
  }
}
