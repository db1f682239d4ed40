import { AuthError, createMemoryStores, ManualClock, type StrategyContext } from '@gatehouse-auth/core';
import { describe, expect, it } from 'vitest';
import { checkTimestampWindow, claimNonce } from './local-checks.js';

const now = new Date('2026-01-01T12:00:00Z');
const at = (deltaS: number) => new Date(now.getTime() + deltaS * 1000);

function reason(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof AuthError ? err.reasonCode : 'not-an-auth-error';
  }
}

describe('Timestamp window', () => {
  it.each([
    [0, null],
    [-900, null],
    [900, null],
    [-901, 'timestamp_stale'],
    [901, 'timestamp_in_future'],
    [-86_400 * 365, 'timestamp_stale'],
  ])('offset %ss → %s', (delta, expected) => {
    expect(reason(() => checkTimestampWindow(at(delta), now, 900))).toBe(expected);
  });
});

describe('nonce claim', () => {
  function ctx(clock: ManualClock) {
    return { stores: createMemoryStores(), clock } as unknown as StrategyContext;
  }

  it('is single use per access key while the Timestamp can be accepted, then forgotten', async () => {
    const clock = new ManualClock(now);
    const c = ctx(clock);
    await expect(claimNonce(c, 'LTAIkey1', 'nonce-1', now, 900)).resolves.toBeUndefined();
    await expect(claimNonce(c, 'LTAIkey1', 'nonce-1', now, 900)).rejects.toMatchObject({ reasonCode: 'nonce_replayed', kind: 'unauthenticated' });
    await expect(claimNonce(c, 'LTAIkey2', 'nonce-1', now, 900)).resolves.toBeUndefined();
    clock.advance(900_000);
    await expect(claimNonce(c, 'LTAIkey1', 'nonce-1', now, 900)).rejects.toMatchObject({ reasonCode: 'nonce_replayed' });
    // Once the Timestamp is out of the window the Timestamp check refuses; the claim may lapse.
    clock.advance(2_000);
    await expect(claimNonce(c, 'LTAIkey1', 'nonce-1', now, 900)).resolves.toBeUndefined();
  });

  it('of concurrent claims exactly one wins', async () => {
    const c = ctx(new ManualClock(now));
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => claimNonce(c, 'LTAIkey1', 'nonce-c', now, 900)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});
