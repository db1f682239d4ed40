/**
 * `@gatehouse-auth/testing/stats`: two-sample tests for timing comparisons (Mann-Whitney U, a permutation
 * test on medians). The strategy conformance kit's enumeration check uses them; so can your own tests.
 */
export { mannWhitneyU, permutationTestMedians } from './distributions.js';
export type { MannWhitneyResult } from './distributions.js';
