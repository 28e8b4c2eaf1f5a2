// From raw runs to the `coord` JSON contract: mean and spread over seeds, slopes, verdict. Pure.
import type { CoordLayer, CoordRecord, CoordResult, CoordRun, CoordSlope } from './types';

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

export type VerdictLevel = 'pass' | 'warn' | 'fail';

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
  for (const layer of layers) {
    for (let t = 1; t <= steps; t++) {
      const ys = widths.map((w) => mean.get(`${layer.name}|${t}|${w}`) ?? NaN);
      const slope = widths.length >= 2 ? logLogSlope(widths, ys) : null;
      slopes.push({ layer: layer.name, t, slope });
      // t = 1 is at init: it shows init scaling, but the verdict is about training (docs/mup.md).
      if (t >= 2 && slope !== null && (worst === null || Math.abs(slope) > Math.abs(worst.slope))) {
        worst = { layer: layer.name, t, slope };
      }
    }
  }
  const problems = input.problems ?? [];
  let level = verdictLevel(worst ? Math.abs(worst.slope) : null);
  if (problems.length > 0) level = 'fail';
  return {
    backend: input.backend,
    widths,
    steps,
    seeds: input.seeds,
    layers: layers.map(({ name, role, source }) => ({ name, role, source })),
    records,
    slopes,
    verdict: { pass: level !== 'fail', worst, threshold: FAIL_FROM, level, ...(problems.length ? { problems } : {}) },
  };
}
