/**
 * Timing comparison of two kinds of request as distributions, never against a duration: ABBA-interleaved
 * samples (drift and bursts of load from other processes fall on both kinds alike), compared with a
 * two-sided Mann-Whitney U test at a stated alpha. A significant difference is measured once more on a
 * fresh sample before it counts: under no real difference both must be false alarms (alpha², one in a
 * million at alpha = 0.001), while a real difference shows up both times.
 */
import { median } from 'simple-statistics';
import { mannWhitneyU, type MannWhitneyResult } from '../stats/index.js';

export interface TimingSample {
  a: number[];
  b: number[];
}

/** `pairs` timings of each kind, after `warmup` pairs that are run but not kept, in ABBA order. */
export async function sampleAbba(pairs: number, warmup: number, timeA: () => Promise<number>, timeB: () => Promise<number>): Promise<TimingSample> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < warmup + pairs; i++) {
    let x: number;
    let y: number;
    if (i % 2 === 0) {
      x = await timeA();
      y = await timeB();
    } else {
      y = await timeB();
      x = await timeA();
    }
    if (i >= warmup) {
      a.push(x);
      b.push(y);
    }
  }
  return { a, b };
}

export interface TimingVerdict {
  alpha: number;
  runs: { mannWhitney: MannWhitneyResult; medianA: number; medianB: number; n: number }[];
  /** True when every run showed a significant difference (p < alpha). */
  different: boolean;
}

/** Samples, tests, and on a significant result samples once more (`run` takes a fresh sample each time). */
export async function compareTimings(
  alpha: number,
  run: () => Promise<TimingSample>,
): Promise<TimingVerdict> {
  const runs: TimingVerdict['runs'] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const { a, b } = await run();
    const mannWhitney = mannWhitneyU(a, b);
    runs.push({ mannWhitney, medianA: round(median(a)), medianB: round(median(b)), n: a.length });
    if (mannWhitney.p >= alpha) return { alpha, runs, different: false };
  }
  return { alpha, runs, different: true };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Milliseconds `fn` takes, by the monotonic high-resolution clock. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}
