import { createMemoryStores, ManualClock, type Stores } from '@gatehouse-auth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPurgeSchedule } from './purge-schedule.js';

describe('startPurgeSchedule', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('purges on every interval with the injected clock’s time, and stops', async () => {
    const stores = createMemoryStores();
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const seen: Date[] = [];
    const purge = stores.purgeExpired!.bind(stores);
    stores.purgeExpired = async (now) => {
      seen.push(now);
      await purge(now);
    };
    await stores.replay.claim('n', 'k', new Date('2026-01-01T00:00:30Z'), clock.now());
    const stop = startPurgeSchedule(stores, { intervalMs: 1_000, clock });
    clock.advance(60_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toEqual([new Date('2026-01-01T00:01:00Z')]);
    expect(await stores.replay.purgeExpired(clock.now())).toBe(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(seen).toHaveLength(3);
    await stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen).toHaveLength(3);
  });

  it('keeps going after a failure, reports it, and never overlaps runs', async () => {
    const errors: unknown[] = [];
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const stores = {
      ...createMemoryStores(),
      async purgeExpired() {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 2_500));
        running--;
        if (calls === 1) throw new Error('database away');
      },
    } satisfies Stores;
    const stop = startPurgeSchedule(stores, { intervalMs: 1_000, clock: new ManualClock('2026-01-01T00:00:00Z'), onError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(10_000);
    const stopped = stop();
    await vi.advanceTimersByTimeAsync(3_000);
    await stopped;
    expect(running).toBe(0);
    expect(maxRunning).toBe(1);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('database away');
  });

  it('refuses stores without purgeExpired and bad intervals', () => {
    const { purgeExpired: _p, ...without } = createMemoryStores();
    expect(() => startPurgeSchedule(without, { intervalMs: 1_000, clock: new ManualClock() })).toThrow(/no purgeExpired/);
    expect(() => startPurgeSchedule(createMemoryStores(), { intervalMs: 0, clock: new ManualClock() })).toThrow(/intervalMs/);
  });
});
