import { describe, expect, it } from 'vitest';
import { randomId } from './random-id.js';

describe('randomId', () => {
  it('gives base64url ids of the requested length, never repeating across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = randomId(16);
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(20_000);
    expect(randomId(12)).toHaveLength(16);
    expect(randomId(1000)).toHaveLength(1334); // larger than the pool handles: straight from randomBytes
  });

  it('looks uniform: every base64url character appears in a large sample', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const ch of randomId(15)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(64);
    const expected = (2000 * 20) / 64;
    for (const n of counts.values()) expect(Math.abs(n - expected)).toBeLessThan(expected * 0.35);
  });
});
