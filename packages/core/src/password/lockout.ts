/**
 * Lockout counted atomically in the limiter store. Every attempt takes a slot *before* the credentials
 * are checked, so however many attempts run concurrently at most `maxFailures` are ever checked per
 * window; a success clears the counter, and an attempt that ended in an infrastructure failure (the store
 * or an upstream did not answer) gives its slot back.
 */
import { AuthError, isInfrastructureFailure } from '../errors/auth-error.js';
import { throttleKeyOf } from '../pipeline/client-address.js';
import type { LimiterState, LimiterStore } from '../stores/ports.js';

export interface LockoutPolicy {
  /** Attempts per account from one client address per window (Vault's default: 5 per 15 minutes). */
  maxFailures: number;
  windowMs: number;
  /** Failures per account from every address together per window: caps distributed guessing. Default 100. */
  accountCeiling?: number;
  /** Failures from one client address across every account per window: caps password spraying. Default 50. */
  addressCeiling?: number;
}

/**
 * Vault's per-account default (5 failures in 15 minutes), counted per account and client address so that no
 * one can lock a user out from everywhere, plus two ceilings per window: 100 failures per account from all
 * addresses (distributed guessing) and 50 failures per address across accounts (spraying).
 */
export const DEFAULT_LOCKOUT: Required<LockoutPolicy> = { maxFailures: 5, windowMs: 15 * 60_000, accountCeiling: 100, addressCeiling: 50 };

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
    return giveBackOnOutage(this.limiter, this.key(username), now, check);
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

/**
 * The password throttle (docs/security.md has the model and its numbers). Three counters per window in the
 * limiter store:
 * - account × client address: every attempt takes a slot *before* the password is checked (one atomic hit),
 *   so however many run at once at most `maxFailures` passwords are checked per account and address; a
 *   success clears it. One client locks the account for itself only.
 * - account, from all addresses: failures only; at `accountCeiling` the account is refused everywhere.
 * - client address (IPv6: its /64), across accounts: failures only; at `addressCeiling` that address is refused
 *   for every account.
 * The two ceilings are read before and counted after a failure: concurrent attempts can pass one by at most
 * the number in flight, each of which is still held by the atomic per-address slot.
 * Unknown accounts count exactly like known ones, and every refusal says the same thing.
 */
export class PasswordLockout {
  readonly policy: Required<LockoutPolicy>;

  constructor(
    private readonly limiter: LimiterStore,
    private readonly options: { namespace: string; policy?: LockoutPolicy },
  ) {
    this.policy = { ...DEFAULT_LOCKOUT, ...options.policy };
  }

  keys(account: string, address: string): { pair: string; account: string; address: string } {
    const ns = this.options.namespace;
    const bucket = throttleKeyOf(address);
    return { pair: `lockout:${ns}:${account}@${bucket}`, account: `lockout-account:${ns}:${account}`, address: `lockout-address:${ns}:${bucket}` };
  }

  /** Throws rate_limited (`account_locked`) when any counter is full; otherwise takes this attempt's slot. */
  async attempt(account: string, address: string, now: Date): Promise<void> {
    const keys = this.keys(account, address);
    const [accountState, addressState] = await Promise.all([this.limiter.peek(keys.account, now), this.limiter.peek(keys.address, now)]);
    if (accountState && accountState.count >= this.policy.accountCeiling) throw lockedError(accountState, now);
    if (addressState && addressState.count >= this.policy.addressCeiling) throw lockedError(addressState, now);
    const pair = await this.limiter.hit(keys.pair, this.policy.windowMs, now);
    if (pair.count > this.policy.maxFailures) throw lockedError(pair, now);
  }

  /** A wrong password (or unknown account): counts towards both ceilings. */
  async failed(account: string, address: string, now: Date): Promise<void> {
    const keys = this.keys(account, address);
    await Promise.all([this.limiter.hit(keys.account, this.policy.windowMs, now), this.limiter.hit(keys.address, this.policy.windowMs, now)]);
  }

  /**
   * Takes this attempt's slot (see `attempt`), then runs `check`. When `check` throws an infrastructure failure
   * (`isInfrastructureFailure`: the store or an upstream did not answer) the slot is given back: an outage never
   * moves an account towards lockout. An answered check keeps it (and a wrong password then calls `failed`).
   */
  async guard<T>(account: string, address: string, now: Date, check: () => Promise<T>): Promise<T> {
    await this.attempt(account, address, now);
    return giveBackOnOutage(this.limiter, this.keys(account, address).pair, now, check);
  }

  /** The right password: this address's attempts on this account are forgotten (the ceilings expire with their window). */
  succeeded(account: string, address: string): Promise<void> {
    return this.limiter.reset(this.keys(account, address).pair);
  }

  /** `succeeded` as bookkeeping after accepted credentials: a store failure here never fails the login. */
  async settle(account: string, address: string): Promise<void> {
    await this.succeeded(account, address).catch(() => undefined);
  }
}

/** Runs `check`; when it ends in an infrastructure failure, the slot taken for it under `key` is given back. */
async function giveBackOnOutage<T>(limiter: LimiterStore, key: string, now: Date, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (isInfrastructureFailure(err)) {
      const released = limiter.release(key, now).catch(() => undefined);
      // When the store itself failed, giving back would wait out the same timeout: the answer does not wait for
      // it (and if the store is still gone, that one attempt stays counted: nothing can be written).
      if (err.kind !== 'unavailable') await released;
    }
    throw err;
  }
}

function lockedError(state: LimiterState, now: Date): AuthError {
  const retryAfter = Math.max(1, Math.ceil((state.resetAt.getTime() - now.getTime()) / 1000));
  return new AuthError({ kind: 'rate_limited', reasonCode: 'account_locked', message: 'Too many failed login attempts, try again later', retryAfter });
}
