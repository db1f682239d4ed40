/**
 * Lockout counted atomically in the limiter store. Every attempt takes a slot *before* the credentials
 * are checked, so however many attempts run concurrently at most `maxFailures` are ever checked per
 * window; a success clears the counter, and an attempt that ended in an infrastructure failure (the store
 * or an upstream did not answer) gives its slot back.
 */
import { AuthError, isInfrastructureFailure } from '../errors/auth-error.js';
import type { LimiterState, LimiterStore } from '../stores/ports.js';

export interface LockoutPolicy {
  maxFailures: number;
  windowMs: number;
}

/** Vault's default: 5 failures in 15 minutes. */
export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000 };

export class LoginLockout {
  readonly policy: LockoutPolicy;

  constructor(
    private readonly limiter: LimiterStore,
    private readonly options: { namespace: string; policy?: LockoutPolicy },
  ) {
    this.policy = options.policy ?? DEFAULT_LOCKOUT;
  }

  /** Limiter key of a (normalised) username. */
  key(username: string): string {
    return `lockout:${this.options.namespace}:${username}`;
  }

  /**
   * Counts one attempt (a single atomic `hit`) and throws rate_limited (`account_locked`) when the window
   * already held `maxFailures` attempts: the (maxFailures+1)th attempt is refused, right password or not.
   */
  async attempt(username: string, now: Date): Promise<void> {
    const state = await this.limiter.hit(this.key(username), this.policy.windowMs, now);
    if (state.count > this.policy.maxFailures) throw lockedError(state, now);
  }

  /**
   * Counts one attempt (see `attempt`), then runs `check`. When `check` throws an infrastructure failure
   * (`isInfrastructureFailure`: the store or an upstream did not answer) the slot is given back, so an outage
   * never moves an account towards lockout; every other outcome stays counted until `clear`.
   */
  async guard<T>(username: string, now: Date, check: () => Promise<T>): Promise<T> {
    await this.attempt(username, now);
    try {
      return await check();
    } catch (err) {
      if (isInfrastructureFailure(err)) {
        const released = this.limiter.release(this.key(username), now).catch(() => undefined);
        // When the store itself failed, giving back would wait out the same timeout: the answer does not wait
        // for it (and if the store is still gone, that one attempt stays counted: nothing can be written).
        if (err.kind !== 'unavailable') await released;
      }
      throw err;
    }
  }

  /** Forgets the attempts after a success. Bookkeeping: a store failure here never fails the login. */
  async settle(username: string): Promise<void> {
    await this.clear(username).catch(() => undefined);
  }

  /** Throws rate_limited when locked, without counting (a read-only gate). */
  async assertNotLocked(username: string, now: Date): Promise<void> {
    const state = await this.limiter.peek(this.key(username), now);
    if (state && state.count >= this.policy.maxFailures) throw lockedError(state, now);
  }

  /** Counts a failure after the fact (for callers that gate with `assertNotLocked`). */
  recordFailure(username: string, now: Date): Promise<LimiterState> {
    return this.limiter.hit(this.key(username), this.policy.windowMs, now);
  }

  /** Forgets the attempts (after a success). */
  clear(username: string): Promise<void> {
    return this.limiter.reset(this.key(username));
  }
}

function lockedError(state: LimiterState, now: Date): AuthError {
  const retryAfter = Math.max(1, Math.ceil((state.resetAt.getTime() - now.getTime()) / 1000));
  return new AuthError({ kind: 'rate_limited', reasonCode: 'account_locked', message: 'Too many failed login attempts, try again later', retryAfter });
}
