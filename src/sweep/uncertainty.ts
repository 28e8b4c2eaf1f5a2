// How sure a sweep is (issue 21, docs/sweeps.md "Uncertainty"): a bootstrap over seeds of each width's fitted
// optimum and of the shift across widths, and the three verdicts with what would settle an inconclusive one.
// Pure and deterministic (a fixed-seed PRNG), so the same trials give the same intervals on every run.
import { quantileSorted, seededRandom } from './stats';

/** The transfer rule's verdicts. `inconclusive` exits 4 (docs/contracts.md). */
export type Verdict = 'transfers' | 'does-not-transfer' | 'inconclusive';

export interface Interval {
  low: number;
  high: number;
}

/** One point of an axis's curve at one width: x = log2 of the value, each seed's loss (Infinity: diverged). */
export interface SeedPoint {
  x: number;
  losses: Map<number, number>;
}

/** Bootstrap replicates (each resamples every width's seeds); 2000 puts the 2.5% quantile on 50 replicates. */
export const BOOTSTRAP_REPLICATES = 2000;
const BOOTSTRAP_SEED = 0x5eed21;

/**
 * The vertex (log2) of the parabola through the argmin of a curve and its two neighbours, clamped to them; the
 * argmin itself at the curve's ends or when the three are not convex. null when every point diverged.
 */
export function vertexOf(xs: number[], ys: number[]): number | null {
  let best = -1;
  ys.forEach((y, i) => {
    if (Number.isFinite(y) && (best < 0 || y < ys[best]!)) best = i;
  });
  if (best < 0) return null;
  if (best === 0 || best === xs.length - 1) return xs[best]!;
  const [x0, x1, x2] = [xs[best - 1]!, xs[best]!, xs[best + 1]!];
  const [y0, y1, y2] = [ys[best - 1]!, ys[best]!, ys[best + 1]!];
  if (!Number.isFinite(y0) || !Number.isFinite(y2)) return x1;
  const d01 = (y1 - y0) / (x1 - x0);
  const d12 = (y2 - y1) / (x2 - x1);
  const a = (d12 - d01) / (x2 - x0);
  if (!(a > 0) || !Number.isFinite(a)) return x1;
  return Math.min(x2, Math.max(x0, (x0 + x1) / 2 - d01 / (2 * a)));
}

/** The mean curve of one resample: `pick` lists seeds (with repeats); a point lacking a seed uses those it has. */
function meanCurve(points: SeedPoint[], pick: number[]): number[] {
  return points.map((p) => {
    let s = 0;
    let n = 0;
    for (const seed of pick) {
      const l = p.losses.get(seed);
      if (l === undefined) continue;
      if (!Number.isFinite(l)) return Infinity;
      s += l;
      n++;
    }
    if (n === 0) {
      for (const l of p.losses.values()) {
        s += l;
        n++;
      }
    }
    return n === 0 ? Infinity : s / n;
  });
}

export interface BootstrapResult {
  /** Per width: the 95% percentile interval of the fitted optimum (log2). */
  intervals: Map<number, Interval>;
  /** The 95% percentile interval of the shift (max - min of the fitted optima across widths), octaves. */
  shift: Interval | null;
  /**
   * The same interval over the widths from W up, keyed by W (every width but the narrowest, while two or more are
   * left): where the optimum settles when the narrow end is where it moves (muP's finite-width effect).
   */
  shiftFrom?: Map<number, Interval>;
}

/**
 * The percentile bootstrap over seeds. A replicate draws, for each width on its own, as many seeds as it has with
 * replacement, and takes each point's loss as the mean over the drawn seeds: the same seed at every LR of a width
 * (its init and data order are shared across LRs, so the curve's shape is resampled whole). Its vertex is that
 * width's optimum; max - min over widths its shift. The intervals are the 2.5% and 97.5% quantiles.
 */
export function bootstrapOptima(curves: Map<number, SeedPoint[]>, replicates = BOOTSTRAP_REPLICATES): BootstrapResult {
  const rng = seededRandom(BOOTSTRAP_SEED);
  const widths = [...curves.keys()].sort((a, b) => a - b);
  const seedsOf = new Map(widths.map((w) => [w, [...new Set(curves.get(w)!.flatMap((p) => [...p.losses.keys()]))].sort((a, b) => a - b)]));
  const samples = new Map<number, number[]>(widths.map((w) => [w, []]));
  const shifts: number[] = [];
  // shiftsFrom[i]: the replicates' shift over widths[i..] (i >= 1 with two or more widths left)
  const shiftsFrom: number[][] = widths.map(() => []);
  for (let b = 0; b < replicates; b++) {
    const vs: number[] = [];
    const byWidth: (number | null)[] = [];
    for (const w of widths) {
      const seeds = seedsOf.get(w)!;
      const pick = seeds.map(() => seeds[Math.floor(rng() * seeds.length)]!);
      const pts = curves.get(w)!;
      const v = vertexOf(pts.map((p) => p.x), meanCurve(pts, pick));
      byWidth.push(v);
      if (v === null) continue;
      samples.get(w)!.push(v);
      vs.push(v);
    }
    if (vs.length >= 2) shifts.push(Math.max(...vs) - Math.min(...vs));
    for (let i = 1; i + 1 < widths.length; i++) {
      const rest = byWidth.slice(i).filter((v): v is number => v !== null);
      if (rest.length >= 2) shiftsFrom[i]!.push(Math.max(...rest) - Math.min(...rest));
    }
  }
  const intervals = new Map<number, Interval>();
  for (const [w, s] of samples) {
    const iv = percentileInterval(s);
    if (iv) intervals.set(w, iv);
  }
  const shiftFrom = new Map<number, Interval>();
  shiftsFrom.forEach((xs, i) => {
    const iv = percentileInterval(xs);
    if (iv) shiftFrom.set(widths[i]!, iv);
  });
  return { intervals, shift: percentileInterval(shifts), shiftFrom };
}

/** The 2.5% and 97.5% quantiles of the replicates (sorted in place), or null when there are none. */
function percentileInterval(xs: number[]): Interval | null {
  if (!xs.length) return null;
  xs.sort((a, b) => a - b);
  return { low: round6(quantileSorted(xs, 0.025)), high: round6(quantileSorted(xs, 0.975)) };
}

export interface AxisFacts {
  /** `LR`, or the HP's name. */
  name: string;
  /** How many values the axis has in the grid. */
  values: number;
  complete: boolean;
  /** Seeds per cell. */
  seeds: number;
  /** The optima: width, fitted log2 value, whether at the grid's edge and on which side. */
  optima: { width: number; fitted: number; atEdge: boolean; side: 'low' | 'high' | null }[];
  /** The axis's log2 grid (the union over widths), ascending. */
  xs: number[];
  boot: BootstrapResult;
  /** The rule: the shift of the optimum across widths at most this many octaves. */
  rule: number;
}

export interface AxisJudgement {
  verdict: Verdict;
  /** Why the verdict is inconclusive (empty otherwise). */
  reasons: string[];
  /** What would settle it, as a user would type it ("add seeds (--seeds 6)", "refine around 2^-8 (--refine)"). */
  settle: string[];
  /**
   * When the widths as a whole do not transfer (or cannot say), the narrowest width W from which the rest do: the
   * optimum's move is all at the narrow end, and a proxy of width >= W transfers (its shift's interval within the
   * rule, no optimum at an edge). Null when there is none, or when the whole set transfers.
   */
  transfersFrom?: { width: number; shift: Interval } | null;
}

const p2 = (x: number) => `2^${Number(x.toFixed(2))}`;
const oct = (x: number) => Number(x.toFixed(2));

/** The three verdicts (docs/sweeps.md "Uncertainty"), in the order the conditions are checked. */
export function judgeAxis(f: AxisFacts): AxisJudgement {
  const flag = f.name === 'LR' ? '--lr-range 2^-14:2^-4:1' : `--hp ${f.name}=2^-4:2^4:1`;
  const what = f.name === 'LR' ? 'LR' : f.name;
  const inc = (reasons: string[], settle: string[]): AxisJudgement => ({ verdict: 'inconclusive', reasons, settle });
  if (f.values < 2) return inc([`one ${what} value: nothing to compare it with, so no transfer can be shown`], [`sweep a range (${flag})`]);
  if (!f.complete) return inc(['the grid is incomplete'], ['run the same command again to complete it']);
  if (f.optima.length < 2) return inc(['fewer than two widths have an optimum'], [f.name === 'LR' ? 'lower the LR range' : `change the ${what} range`]);
  const shift = f.boot.shift;
  const step = f.xs.length >= 2 ? Math.min(...f.xs.slice(1).map((x, i) => x - f.xs[i]!)) : 1;
  const edged = f.optima.filter((o) => o.atEdge);
  if (edged.length > 0) {
    // A shift that is over the rule even where the edge cuts it short does not transfer (SP runs off the grid).
    if (shift && f.seeds >= 2 && shift.low > f.rule) return { verdict: 'does-not-transfer', reasons: [], settle: [], transfersFrom: transfersFrom(f) };
    const lo = f.xs[0]!;
    const hi = f.xs[f.xs.length - 1]!;
    const from = transfersFrom(f);
    const edgedResult = inc(
      [
        ...edged.map((o) => `width ${o.width}: the best ${what} is at the ${o.side === 'low' ? 'smallest' : 'largest'} value of the grid, so the true optimum may lie beyond it`),
        ...(f.seeds < 2 ? ['one seed: nothing says how much of the shift is noise'] : []),
      ],
      [
        ...new Set(edged.map((o) => `extend the range to ${p2(o.side === 'low' ? lo - 2 * Math.max(step, 1) : hi + 2 * Math.max(step, 1))}`)),
        ...(f.seeds < 2 ? ['add seeds (--seeds 3)'] : []),
        ...(from ? [`tune on a proxy of width >= ${from.width} (${transfersFromText(what, from)})`] : []),
      ],
    );
    return { ...edgedResult, transfersFrom: from };
  }
  if (f.seeds < 2 || !shift) {
    return inc(['one seed: nothing says how much of the shift is noise'], ['add seeds (--seeds 3)']);
  }
  if (shift.high <= f.rule) return { verdict: 'transfers', reasons: [], settle: [] };
  const from = transfersFrom(f);
  if (shift.low > f.rule) return { verdict: 'does-not-transfer', reasons: [], settle: [], transfersFrom: from };
  const reasons = [`the shift's 95% interval [${oct(shift.low)}, ${oct(shift.high)}] octaves straddles the rule (<= ${f.rule})`];
  const settle: string[] = [];
  const flat = f.optima.filter((o) => {
    const iv = f.boot.intervals.get(o.width);
    return iv && iv.high - iv.low > f.rule;
  });
  for (const o of flat) {
    const iv = f.boot.intervals.get(o.width)!;
    reasons.push(`width ${o.width}: the bottom is flat within noise (its optimum anywhere in ${p2(iv.low)}..${p2(iv.high)})`);
  }
  if (flat.length > 0 || step <= 0.25) settle.push(`add seeds (--seeds ${Math.max(2 * f.seeds, 3)})`);
  if (step > 0.25) {
    const centre = f.optima.map((o) => o.fitted).reduce((s, x) => s + x, 0) / f.optima.length;
    settle.push(f.name === 'LR' ? `refine around ${p2(Math.round(centre * 4) / 4)} (--refine)` : `refine the ${what} grid around ${p2(Math.round(centre * 4) / 4)} (quarter octaves)`);
  }
  if (from) settle.push(`tune on a proxy of width >= ${from.width} (${transfersFromText(what, from)})`);
  return { ...inc(reasons, settle), transfersFrom: from };
}

/** The narrowest width from which the rest transfer, with several seeds and no optimum from there at an edge. */
function transfersFrom(f: AxisFacts): { width: number; shift: Interval } | null {
  if (f.seeds < 2) return null;
  const widths = f.optima.map((o) => o.width).sort((a, b) => a - b);
  for (const w of widths.slice(1)) {
    const iv = f.boot.shiftFrom?.get(w);
    if (!iv || iv.high > f.rule) continue;
    if (f.optima.some((o) => o.width >= w && o.atEdge)) continue;
    return { width: w, shift: iv };
  }
  return null;
}

/** "from width 256 up the best LR moves 0..0.41 octaves (95%): it transfers there; the move is at the narrow end" */
export function transfersFromText(what: string, from: { width: number; shift: Interval }): string {
  return `from width ${from.width} up the best ${what} moves ${oct(from.shift.low)}..${oct(from.shift.high)} octaves (95%): it transfers there; the move is at the narrow end, a finite-width effect`;
}

/** The verdict of several axes: any that does not transfer decides; else any inconclusive; none swept: inconclusive. */
export function combineVerdicts(axes: Verdict[]): Verdict {
  if (axes.length === 0) return 'inconclusive';
  if (axes.includes('does-not-transfer')) return 'does-not-transfer';
  return axes.includes('inconclusive') ? 'inconclusive' : 'transfers';
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
