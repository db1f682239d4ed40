import { systemClock, type Clock, type Stores } from '@gatehouse-auth/core';

export interface PurgeScheduleOptions {
  /** How often to purge. */
  intervalMs: number;
  /** Where "now" comes from: pass the Gatehouse's clock (`gatehouse.clock`). Default: the system clock. */
  clock?: Clock;
  /** Purge failures (e.g. the database is briefly away) land here; the schedule keeps running. */
  onError?: (err: unknown) => void;
}

/**
 * Calls `stores.purgeExpired(clock.now())` every `intervalMs` so expired nonces, temp tokens, limiter
 * windows, sessions and refresh tokens do not pile up. Runs are never concurrent; the timer is unref'd.
 * Returns a function that stops the schedule and waits for a run in progress.
 */
export function startPurgeSchedule(stores: Stores, options: PurgeScheduleOptions): () => Promise<void> {
  if (!stores.purgeExpired) throw new TypeError('these stores have no purgeExpired');
  if (!Number.isInteger(options.intervalMs) || options.intervalMs <= 0) throw new TypeError('intervalMs must be a positive integer');
  const clock = options.clock ?? systemClock;
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = Promise.resolve(stores.purgeExpired!(clock.now()))
      .then(() => undefined, (err: unknown) => options.onError?.(err))
      .finally(() => {
        running = undefined;
      });
  }, options.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
