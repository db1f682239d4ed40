/**
 * Two-sample comparisons for timing checks (the strategy kit's enumeration check, ece-password's timing
 * test): Mann-Whitney U (rank sum from simple-statistics, normal approximation with tie and continuity
 * corrections, as scipy's `mannwhitneyu(method="asymptotic")`) and a seeded permutation test on the
 * difference of medians. Distributions are compared; no threshold on a duration is ever asserted.
 */
import { errorFunction, median, wilcoxonRankSum } from 'simple-statistics';

export interface MannWhitneyResult {
  u: number;
  z: number;
  /** Two-sided. */
  p: number;
}

export function mannWhitneyU(x: number[], y: number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  const r1 = wilcoxonRankSum(x, y);
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  // Tie correction: Σ(t³ - t) over groups of equal values.
  const pooled = [...x, ...y].sort((a, b) => a - b);
  let ties = 0;
  for (let i = 0; i < pooled.length; ) {
    let j = i + 1;
    while (j < pooled.length && pooled[j] === pooled[i]) j++;
    const t = j - i;
    ties += t * t * t - t;
    i = j;
  }
  const mean = (n1 * n2) / 2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
  if (sd === 0) return { u, z: 0, p: 1 };
  const z = (Math.abs(u - mean) - 0.5) / sd;
  const p = Math.min(1, 2 * (1 - normalCdf(Math.max(0, z))));
  return { u, z: Math.sign(u - mean) * Math.max(0, z), p };
}

/** Two-sided permutation test on |median(x) − median(y)|, with a seeded generator so runs are reproducible. */
export function permutationTestMedians(x: number[], y: number[], rounds = 5000, seed = 0x5eed): { observed: number; p: number } {
  const observed = Math.abs(median(x) - median(y));
  const pooled = [...x, ...y];
  const random = mulberry32(seed);
  let extreme = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = pooled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pooled[i], pooled[j]] = [pooled[j]!, pooled[i]!];
    }
    if (Math.abs(median(pooled.slice(0, x.length)) - median(pooled.slice(x.length))) >= observed) extreme++;
  }
  return { observed, p: (extreme + 1) / (rounds + 1) };
}

function normalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
