import crypto, { timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { countConstantTimeComparisons } from './constant-time-probe.js';

const required = createRequire(import.meta.url)('node:crypto') as typeof crypto;
const a = Buffer.from('0123456789abcdef');
const b = Buffer.from('0123456789abcdeF');

describe('countConstantTimeComparisons', () => {
  it('counts timingSafeEqual through a named import, the default import and require(), and only while the call runs', async () => {
    const { result, calls } = await countConstantTimeComparisons(async () => {
      await Promise.resolve();
      return [timingSafeEqual(a, a), crypto.timingSafeEqual(a, b), required.timingSafeEqual(b, b)];
    });
    expect(result).toEqual([true, false, true]);
    expect(calls).toBe(3);
    const after = await countConstantTimeComparisons(async () => a.equals(b));
    expect(after).toEqual({ result: false, calls: 0 });
  });

  it('puts the original back, also when the call throws', async () => {
    const original = crypto.timingSafeEqual;
    await expect(countConstantTimeComparisons(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(crypto.timingSafeEqual).toBe(original);
    expect(timingSafeEqual).toBe(original);
  });
});
