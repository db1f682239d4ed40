import { describe, expect, it } from 'vitest';
import { compareTimings, sampleAbba } from './timing.js';

/** Synthetic durations: the comparison's decision rule, without a clock. */
const series = (values: number[]) => {
  let i = 0;
  return async () => values[i++ % values.length]!;
};

describe('sampleAbba', () => {
  it('interleaves A B, B A, … and drops the warm-up pairs', async () => {
    const order: string[] = [];
    const sample = await sampleAbba(3, 1, async () => (order.push('A'), 1), async () => (order.push('B'), 2));
    expect(order).toEqual(['A', 'B', 'B', 'A', 'A', 'B', 'B', 'A']);
    expect(sample).toEqual({ a: [1, 1, 1], b: [2, 2, 2] });
  });
});

describe('compareTimings', () => {
  const noise = Array.from({ length: 60 }, (_, i) => 1 + ((i * 7919) % 61) / 100);

  it('no difference: one run, not different', async () => {
    let runs = 0;
    const verdict = await compareTimings(0.001, async () => {
      runs++;
      return sampleAbba(60, 0, series(noise), series([...noise].reverse()));
    });
    expect(runs).toBe(1);
    expect(verdict.different).toBe(false);
    expect(verdict.runs[0]!.mannWhitney.p).toBeGreaterThan(0.001);
  });

  it('a difference in both runs: different, with both runs reported', async () => {
    const verdict = await compareTimings(0.001, () => sampleAbba(60, 0, series(noise), series(noise.map((v) => v + 0.5))));
    expect(verdict.different).toBe(true);
    expect(verdict.runs).toHaveLength(2);
    expect(verdict.runs[0]!.medianB).toBeGreaterThan(verdict.runs[0]!.medianA);
  });

  it('a difference once, not on the fresh sample: a false alarm, not different', async () => {
    let run = 0;
    const verdict = await compareTimings(0.001, () => (run++ === 0 ? sampleAbba(60, 0, series(noise), series(noise.map((v) => v + 0.5))) : sampleAbba(60, 0, series(noise), series(noise))));
    expect(verdict.runs).toHaveLength(2);
    expect(verdict.different).toBe(false);
  });
});
