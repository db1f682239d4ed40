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

/** Counts one attempt for the user; 429 once the window's budget is spent. */
export async function takeMfaAttempt(ctx: StrategyContext, userId: string, policy: UserAttemptPolicy): Promise<void> {
  try {
    await lockout(ctx, policy).attempt(userId, ctx.clock.now());
  } catch (err) {
    if (err instanceof AuthError && err.kind === 'rate_limited') {
      throw new AuthError({ kind: 'rate_limited', reasonCode: 'mfa_user_locked', message: 'Too many failed MFA attempts, try again later', retryAfter: err.retryAfter });
    }
    throw err;
  }
}

export function clearMfaAttempts(ctx: StrategyContext, userId: string, policy: UserAttemptPolicy): Promise<void> {
  return lockout(ctx, policy).clear(userId);
}
