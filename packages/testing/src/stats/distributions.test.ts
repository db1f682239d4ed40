import { describe, expect, it } from 'vitest';
import { mannWhitneyU, permutationTestMedians } from './distributions.js';

// The statistics the timing test relies on, checked against known values so a broken helper cannot
// make the enumeration test pass vacuously.
describe('mannWhitneyU', () => {
  it('matches scipy.stats.mannwhitneyu(method="asymptotic") on textbook samples', () => {
    // scipy 1.x: U=0, p=0.0121858 for [1..5] vs [6..10]
    const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.u).toBe(0);
    expect(r.p).toBeCloseTo(0.0121858, 5);
    // scipy 1.x: U=13, p=0.7832282 (ties: 3 and 5 appear in both samples)
    const t = mannWhitneyU([1, 3, 5, 7, 9], [2, 3, 5, 6, 8, 10]);
    expect(t.u).toBe(13);
    expect(t.p).toBeCloseTo(0.7832282, 5);
  });

  it('finds no difference between two halves of one sample, and a clear one between shifted samples', () => {
    const same = Array.from({ length: 400 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    expect(mannWhitneyU(same.filter((_, i) => i % 2 === 0), same.filter((_, i) => i % 2 === 1)).p).toBeGreaterThan(0.01);
    expect(mannWhitneyU(same.slice(0, 200), same.slice(0, 200).map((v) => v + 0.5)).p).toBeLessThan(1e-6);
  });
});

describe('permutationTestMedians', () => {
  it('is reproducible and separates shifted samples', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = a.map((v) => v + 40);
    expect(permutationTestMedians(a, b, 500)).toEqual(permutationTestMedians(a, b, 500));
    expect(permutationTestMedians(a, b, 500).p).toBeLessThan(0.01);
    expect(permutationTestMedians(a, [...a].reverse(), 500).p).toBeGreaterThan(0.5);
  });
});
