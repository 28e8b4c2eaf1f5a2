// Small statistics shared by the engines (docs/sweeps.md "Uncertainty"): Student's t quantile, mean and
// standard error, a seeded PRNG for the bootstrap, percentiles. Pure and deterministic.

/** Two-sided 95% quantile of Student's t with `df` degrees of freedom (df 1..30 tabulated; 1.96 beyond). */
export function t975(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  if (!(df >= 1)) return Infinity;
  return df <= 30 ? table[Math.floor(df) - 1]! : 1.96;
}

export function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Sample standard deviation (n - 1); 0 for fewer than two values. */
export function sampleSd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Standard error of the mean of `xs`; null for fewer than two values. */
export function standardError(xs: number[]): number | null {
  return xs.length < 2 ? null : sampleSd(xs) / Math.sqrt(xs.length);
}

/** mulberry32: a small seeded PRNG, so that a bootstrap gives the same interval on every run (and, as src/job/seed.ts's
 *  `mulberry32`, the synthetic data and the initial weights of every trial). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The q-quantile (0..1) of sorted values, linear between order statistics. */
export function quantileSorted(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
