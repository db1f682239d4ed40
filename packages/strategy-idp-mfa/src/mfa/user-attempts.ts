/**
 * Per-user cap on second-factor attempts, across temp tokens and enrolment calls. The shared
 * `LoginLockout` takes a slot atomically *before* a code is checked, so however many attempts run at once,
 * at most `maxFailuresPerUser` are checked per window; a success clears the count.
 */
import { AuthError, type StrategyContext } from '@gatehouse-auth/core';
import { LoginLockout } from '@gatehouse-auth/core/password';

export interface UserAttemptPolicy {
  maxFailuresPerUser: number;
  failureWindowMs: number;
}

function lockout(ctx: StrategyContext, policy: UserAttemptPolicy): LoginLockout {
  return new LoginLockout(ctx.stores.limiter, {
    namespace: 'idp-mfa-code',
    policy: { maxFailures: policy.maxFailuresPerUser, windowMs: policy.failureWindowMs },
  });
}

/**
 * Runs one second-factor `check` under the user's attempt budget: counted before the check, 429 once the
 * window's budget is spent, given back when the check ends in an infrastructure failure (`LoginLockout.guard`).
 */
export async function withMfaAttempt<T>(ctx: StrategyContext, userId: string, policy: UserAttemptPolicy, check: () => Promise<T>): Promise<T> {
  try {
    return await lockout(ctx, policy).guard(userId, ctx.clock.now(), check);
  } catch (err) {
    if (err instanceof AuthError && err.kind === 'rate_limited' && err.reasonCode === 'account_locked') {
      throw new AuthError({ kind: 'rate_limited', reasonCode: 'mfa_user_locked', message: 'Too many failed MFA attempts, try again later', retryAfter: err.retryAfter });
    }
    throw err;
  }
}

/** After a success: forgets the user's attempts. Bookkeeping, so a store failure here does not fail the request. */
export function clearMfaAttempts(ctx: StrategyContext, userId: string, policy: UserAttemptPolicy): Promise<void> {
  return lockout(ctx, policy).settle(userId);
}
