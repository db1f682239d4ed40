/**
 * Observes `crypto.timingSafeEqual` while a request runs. A black-box timing test cannot see a `===` on a
 * 32-byte MAC (nanoseconds against tens of microseconds of noise), so the kit looks at the mechanism
 * instead: it wraps Node's constant-time comparison for the duration of one call and counts its uses.
 * Named ESM imports of `node:crypto` are live bindings Node updates through `syncBuiltinESMExports`, so
 * `import { timingSafeEqual } from 'node:crypto'`, `crypto.timingSafeEqual` and `require('crypto')` are
 * all seen. What it cannot see: a comparison in native code or another process (argon2, an upstream),
 * or a strategy that calls timingSafeEqual on something else and compares the secret with `===` anyway.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const crypto = require('node:crypto') as { timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => boolean };

/** Runs `fn` and returns its result with the number of `timingSafeEqual` calls made meanwhile. */
export async function countConstantTimeComparisons<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const original = crypto.timingSafeEqual;
  let calls = 0;
  crypto.timingSafeEqual = function countingTimingSafeEqual(a, b) {
    calls++;
    return original(a, b);
  };
  syncBuiltinESMExports();
  try {
    const result = await fn();
    return { result, calls };
  } finally {
    crypto.timingSafeEqual = original;
    syncBuiltinESMExports();
  }
}
