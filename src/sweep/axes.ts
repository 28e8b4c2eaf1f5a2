// The axes of a sweep beyond width (issue 22): depth, batch size, sequence length and training length. Each is one
// more coordinate of a grid point, as width is: a trial sits at (width, depth?, batch?, seqLen?, steps?), and the
// per-width analysis of src/sweep/optimum.ts runs per value of any axis (analyzeAxis: the axis value takes width's
// place, everything else is optimum.ts's, unchanged). What each axis is judged on (docs/sweeps.md "Axes"):
//   depth:  the optimum moves at most an octave, and the best loss does not worsen with depth at the transferred LR
//           (SP's failure mode: its argmin barely moves while its loss gets worse; docs/mup.md "Depth").
//   seqLen: the optimum moves at most an octave (as width).
//   batch:  Adam's square-root rule (Malladi et al. 2022, arXiv 2205.10287): batch x k -> LR x sqrt(k); the
//           measured shift is compared with the rule's within the LR grid's resolution.
//   steps:  the best LR falls as a power of the number of steps (arXiv 2409.19913): the exponent of
//           log2(best LR) against log2(steps), with its standard error.
// Pure.
import type { HpAxis } from './grid';
import type { Parametrization } from './types';

export type SweepAxisName = 'depth' | 'batch' | 'seqLen' | 'steps';
export const SWEEP_AXES: readonly SweepAxisName[] = ['depth', 'batch', 'seqLen', 'steps'];

/** One trial's values on the axes beyond width (present only for the axes a sweep varies). */
export type AxisValues = Partial<Record<SweepAxisName, number>>;

/** One axis of the grid: `--depths 2,8`. */
export interface SweepAxisGrid {
  name: SweepAxisName;
  values: number[];
}

/** The flag of each axis (docs/contracts.md "sweep"). */
export const AXIS_FLAGS: Readonly<Record<SweepAxisName, string>> = { depth: '--depths', batch: '--batches', seqLen: '--seq-lens', steps: '--steps-axis' };

/** Every combination of the axes' values (first axis slowest); `[undefined]` without axes. */
export function axisCombinations(axes: readonly SweepAxisGrid[]): (AxisValues | undefined)[] {
  if (axes.length === 0) return [undefined];
  let out: AxisValues[] = [{}];
  for (const a of axes) out = out.flatMap((v) => a.values.map((x) => ({ ...v, [a.name]: x })));
  return out;
}

/** A canonical text of a trial's axis values: `''` without axes, `depth=8;steps=300`. */
export function axisKey(v: AxisValues | undefined): string {
  if (!v) return '';
  return (Object.keys(v) as SweepAxisName[])
    .sort()
    .map((k) => `${k}=${v[k]}`)
    .join(';');
}

/**
 * The depth scheme a muP sweep's depth axis trains with (issue 22; docs/sweeps.md "Axes"): each trial's MuAdam gets
 * the runtime's `depth` option `{depth, baseDepth, alpha}` (src/mup/depth.ts: hidden Adam LR x (L/L_base)^(alpha-1),
 * Adam epsilon x (L/L_base)^-alpha), as `fromTransfer` applies it. result.json `depthScheme`.
 */
export interface DepthSchemeRecord {
  /** 0 SP in depth, 0.5 depth-muP, 1 CompleteP (the default), or another number in [0, 1]. */
  alpha: number;
  /** The first (smallest) swept depth: the trials there train as without the option. */
  baseDepth: number;
}

/** A sweep's depth scheme: muP with a depth axis (alpha default 1, CompleteP); null for SP or without depth. */
export function depthSchemeFor(parametrization: Parametrization, axes: readonly SweepAxisGrid[], alpha: number | undefined): DepthSchemeRecord | null {
  const depth = axes.find((a) => a.name === 'depth');
  if (parametrization !== 'mup' || !depth) return null;
  return { alpha: alpha ?? 1, baseDepth: depth.values[0]! };
}

/**
 * What of the scheme enters a trial's identity (src/host/sweepStore.ts): the scheme where its factors change what the
 * trial trains (alpha > 0 at a depth other than the base), else nothing: then the trial is the same experiment as one
 * without the option, and keeps the key it had before the option existed (old stores' base-depth and alpha-0 trials
 * are reused; their other depths ran without the factors and do not match).
 */
export function depthIdentity(scheme: DepthSchemeRecord | null, depth: number | undefined): DepthSchemeRecord | undefined {
  return scheme && depth !== undefined && scheme.alpha > 0 && depth !== scheme.baseDepth ? scheme : undefined;
}

/** Trials of a grid with axes: each axis multiplies it. */
export function axisGridFactor(axes: readonly SweepAxisGrid[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

/** The HP axes the grid also varies are tuned; these are conditions: names must not collide. */
export function checkAxisNames(axes: readonly SweepAxisGrid[], hps: readonly HpAxis[]): string | null {
  for (const a of axes) if (hps.some((h) => h.name === a.name)) return `--hp ${a.name} and ${AXIS_FLAGS[a.name]} name the same axis; give it once`;
  return null;
}

/** Least-squares slope of ys against xs with its standard error (null error with fewer than three points). */
export function fitSlope(xs: number[], ys: number[]): { slope: number; intercept: number; se: number | null } | null {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  if (n < 3) return { slope, intercept, se: null };
  const rss = ys.reduce((s, y, i) => s + (y - intercept - slope * xs[i]!) ** 2, 0);
  return { slope, intercept, se: Math.sqrt(rss / (n - 2) / sxx) };
}
