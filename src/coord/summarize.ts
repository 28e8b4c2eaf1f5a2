// From raw runs to the `coord` JSON contract: mean and spread over seeds, slopes, verdict. Pure.
import { sampleSd, t975 } from '../sweep/stats';
import type { CoordLayer, CoordRecord, CoordResult, CoordRun, CoordSlope, SlopeStatus } from './types';

/**
 * Verdict thresholds on the largest |slope| of log l1 against log width over t >= 2 (docs/mup.md "Judging it").
 * - PASS_BELOW = 0.2: a correct muP MLP reaches 0.03 in PyTorch over widths 64..2048 and about 0.10 in tfjs
 *   over 64..1024 with 2 seeds (docs/mup.md); small widths and few seeds are noisier, so 2x that is still flat.
 * - FAIL_FROM = 0.4: every real defect in docs/mup.md's reference table is at least 0.67 at t = 2 (hidden LR not
 *   scaled +0.671, SP readout in a muP model +0.747, plain SP readout +1.995), and a fan-average (glorot) input
 *   layer drifts by about -0.44: a slope of 0.4 means l1 changes 4x over widths 64..2048, not noise.
 * Between the two the check passes with a warning ("warn"): look at the plot.
 */
export const PASS_BELOW = 0.2;
export const FAIL_FROM = 0.4;

export type VerdictLevel = 'pass' | 'warn' | 'fail' | 'inconclusive';

/** Least-squares slope of log y against log x; null when any y is not positive and finite or x has no spread. */
export function logLogSlope(xs: number[], ys: number[]): number | null {
  if (xs.length !== ys.length || xs.length < 2) return null;
  if (ys.some((y) => !(y > 0) || !Number.isFinite(y))) return null;
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((s, v) => s + v, 0) / lx.length;
  const my = ly.reduce((s, v) => s + v, 0) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i] - mx) * (ly[i] - my);
    den += (lx[i] - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

export function verdictLevel(maxAbsSlope: number | null): VerdictLevel {
  if (maxAbsSlope === null || maxAbsSlope < PASS_BELOW) return 'pass';
  return maxAbsSlope < FAIL_FROM ? 'warn' : 'fail';
}

/** |slope|'s interval from the slope's: [0, max] when it straddles 0. */
function absInterval(low: number, high: number): [number, number] {
  const a = Math.abs(low);
  const b = Math.abs(high);
  return low <= 0 && high >= 0 ? [0, Math.max(a, b)] : [Math.min(a, b), Math.max(a, b)];
}

/** Where a slope's 95% interval lies against the thresholds: wholly on one side, or straddling one (inconclusive). */
export function slopeStatus(low: number, high: number): SlopeStatus {
  const [lo, hi] = absInterval(low, high);
  if (hi < PASS_BELOW) return 'pass';
  if (lo >= FAIL_FROM) return 'fail';
  if (lo >= PASS_BELOW && hi < FAIL_FROM) return 'warn';
  return 'inconclusive';
}

/**
 * The standard error of a slope across seeds (docs/mup.md "Uncertainty"). The slope is a linear combination of
 * the log mean l1 at each width, b = sum c_i log m_i with c_i = (log w_i - mean) / Sxx; the variance of log m_i
 * is (s_i / m_i)^2 / n by the delta method (s_i the sample SD over the n seeds at width i), so
 * var(b) = sum c_i^2 (s_i / m_i)^2 / n, with Welch-Satterthwaite degrees of freedom (each s_i has n - 1). With
 * one seed there is no SE: the slope stays a point (and the check says one seed is noisy).
 */
export function slopeError(widths: number[], perWidth: number[][]): { se: number; df: number; method: 'seeds' } | null {
  const n = Math.min(...perWidth.map((v) => v.length));
  if (!(n >= 2) || widths.length < 2) return null;
  const lx = widths.map(Math.log);
  const mx = lx.reduce((s, v) => s + v, 0) / lx.length;
  const sxx = lx.reduce((s, v) => s + (v - mx) ** 2, 0);
  const terms = perWidth.map((vals, i) => {
    const m = vals.reduce((s, v) => s + v, 0) / vals.length;
    const c = (lx[i]! - mx) / sxx;
    return c * c * (sampleSd(vals) / m) ** 2 / vals.length;
  });
  if (!terms.every(Number.isFinite)) return null;
  const v = terms.reduce((s, x) => s + x, 0);
  const denom = terms.reduce((s, x) => s + (x * x) / (n - 1), 0);
  return { se: Math.sqrt(v), df: denom > 0 ? (v * v) / denom : n - 1, method: 'seeds' };
}

export interface SummarizeInput {
  backend: string;
  steps: number;
  seeds: number;
  layers: CoordLayer[];
  runs: CoordRun[];
  /** Reasons the check cannot pass regardless of slopes (divergence): they fail the verdict. */
  problems?: string[];
}

export function summarize(input: SummarizeInput): CoordResult {
  const { layers, runs, steps } = input;
  // Only widths with every seed complete are fitted: a width cut short (OOM, crash) would bias the mean.
  const seedsAt = new Map<number, CoordRun[]>();
  for (const r of runs) seedsAt.set(r.width, [...(seedsAt.get(r.width) ?? []), r]);
  const widths = [...seedsAt.keys()].filter((w) => (seedsAt.get(w)?.length ?? 0) >= input.seeds).sort((x, y) => x - y);

  const records: CoordRecord[] = [];
  const mean = new Map<string, number>(); // `${layer}|${t}|${width}`
  for (const width of widths) {
    const rs = seedsAt.get(width) ?? [];
    layers.forEach((layer, i) => {
      for (let t = 1; t <= steps; t++) {
        const vals = rs.map((r) => r.l1[t - 1]?.[i]).filter((v): v is number => typeof v === 'number');
        if (vals.length === 0) continue;
        const m = vals.reduce((s, v) => s + v, 0) / vals.length;
        const sd = Math.sqrt(vals.reduce((s, v) => s + (v - m) ** 2, 0) / vals.length);
        records.push({ width, layer: layer.name, t, l1: m, l1Std: sd });
        mean.set(`${layer.name}|${t}|${width}`, m);
      }
    });
  }

  const slopes: CoordSlope[] = [];
  let worst: { layer: string; t: number; slope: number } | null = null;
  let seMethod: 'seeds' | null = null;
  layers.forEach((layer, i) => {
    for (let t = 1; t <= steps; t++) {
      const ys = widths.map((w) => mean.get(`${layer.name}|${t}|${w}`) ?? NaN);
      const slope = widths.length >= 2 ? logLogSlope(widths, ys) : null;
      if (slope === null) {
        slopes.push({ layer: layer.name, t, slope, se: null, low: null, high: null, status: null });
        continue;
      }
      const perWidth = widths.map((w) => (seedsAt.get(w) ?? []).map((r) => r.l1[t - 1]?.[i]).filter((v): v is number => typeof v === 'number'));
      const err = slopeError(widths, perWidth);
      if (err && t >= 2) seMethod = err.method;
      const half = err ? t975(err.df) * err.se : 0;
      const low = slope - half;
      const high = slope + half;
      slopes.push({ layer: layer.name, t, slope, se: err ? err.se : null, low, high, status: slopeStatus(low, high) });
      // t = 1 is at init: it shows init scaling, but the verdict is about training (docs/mup.md).
      if (t >= 2 && (worst === null || Math.abs(slope) > Math.abs(worst.slope))) worst = { layer: layer.name, t, slope };
    }
  });
  const problems = input.problems ?? [];
  const judged = slopes.filter((s) => s.t >= 2 && s.slope !== null && s.low != null && s.high != null);
  const abs = (s: CoordSlope) => absInterval(s.low!, s.high!);
  // Fail: some interval lies wholly at or above FAIL_FROM. Inconclusive: none does, but one straddles FAIL_FROM
  // (more seeds would settle it). Warn: an interval reaches PASS_BELOW (a borderline slope at worst warns).
  let level: VerdictLevel = 'pass';
  const straddling = judged.filter((s) => abs(s)[0] < FAIL_FROM && abs(s)[1] >= FAIL_FROM).sort((a, b) => abs(b)[1] - abs(a)[1])[0];
  if (judged.some((s) => abs(s)[0] >= FAIL_FROM)) level = 'fail';
  else if (straddling) level = 'inconclusive';
  else if (judged.some((s) => abs(s)[1] >= PASS_BELOW)) level = 'warn';
  if (problems.length > 0) level = 'fail';
  const uncertain = level === 'inconclusive' && straddling ? { layer: straddling.layer, t: straddling.t, slope: straddling.slope!, low: straddling.low!, high: straddling.high! } : null;
  return {
    backend: input.backend,
    widths,
    steps,
    seeds: input.seeds,
    layers: layers.map(({ name, role, source }) => ({ name, role, source })),
    records,
    slopes,
    verdict: {
      pass: level === 'pass' || level === 'warn',
      worst,
      threshold: FAIL_FROM,
      level,
      ...(problems.length ? { problems } : {}),
      seMethod,
      inconclusive: uncertain,
      settle: uncertain ? `add seeds (--seeds ${Math.max(2 * input.seeds, 3)}) or widths further apart: layer '${uncertain.layer}' at t = ${uncertain.t} has slope ${uncertain.slope.toFixed(2)} in [${uncertain.low.toFixed(2)}, ${uncertain.high.toFixed(2)}], across the fail threshold ${FAIL_FROM}` : null,
    },
  };
}
