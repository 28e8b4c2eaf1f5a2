// From trials to the answer a user wants: the best LR per width, how far it moves with width, whether it
// transfers, and which LR to use at a target width. Pure functions over plain data.
import type { GridPoint } from './grid';
import type { SweepOptimum, SweepTrial } from './types';

/**
 * The transfer rule: the grid optimum moves by at most this many octaves (a factor 2 in LR) across all
 * widths. MUP.md's reference: muP in tfjs moved 1 octave from width 64 to 256 (its two best losses at 256
 * differed by 0.016, i.e. a flat bottom), SP moved 3 octaves (PyTorch: 4 across 64..1024).
 */
export const TRANSFER_MAX_SHIFT_OCTAVES = 1;

export interface CurvePoint {
  lr: number;
  log2Lr: number;
  /** Mean over seeds; Infinity when any seed diverged (a diverged cell never wins). */
  loss: number;
  seeds: number;
  diverged: number;
}

export interface WidthOptimum extends SweepOptimum {
  log2Lr: number;
  /** Minimum of the parabola through the grid argmin and its two neighbours (log2-LR axis). */
  fittedLr: number;
  fittedLog2Lr: number;
  /** The argmin is the smallest or largest LR of the grid: the real optimum may lie outside it. */
  atEdge: boolean;
}

export interface Recommendation {
  targetWidth: number;
  lr: number;
  log2Lr: number;
  /** `transfer`: the widest width's fitted optimum (the curves line up); `extrapolated`: a straight-line fit of
   *  log2 optimum LR against log2 width, evaluated at the target. */
  method: 'transfer' | 'extrapolated';
}

export interface SweepAnalysis {
  curves: Map<number, CurvePoint[]>;
  optimum: WidthOptimum[];
  shiftOctaves: number;
  fittedShiftOctaves: number;
  transfers: boolean;
  /** Every point of the planned grid has a trial (true when no grid was given). */
  complete: boolean;
  /** The planned grid's points without a trial, in grid order. */
  missing: GridPoint[];
  warnings: string[];
}

/** The grid a sweep planned: every (width, LR, seed) should have a trial before anything is concluded. */
export interface PlannedGrid {
  widths: number[];
  lrs: number[];
  seeds: number;
}

/** The planned points with no trial (a diverged trial counts as a result; a failed or missing one does not). */
export function missingPoints(trials: SweepTrial[], grid: PlannedGrid): GridPoint[] {
  const have = new Set(trials.map((t) => `${t.width}|${t.lr}|${t.seed}`));
  const out: GridPoint[] = [];
  for (const width of grid.widths) for (const lr of grid.lrs) for (let seed = 0; seed < grid.seeds; seed++) if (!have.has(`${width}|${lr}|${seed}`)) out.push({ width, lr, seed });
  return out;
}

/** `width 32: 7 of 7 LRs (2^-10..2^-4); width 64: 1 of 7 LRs (2^-6), seed 1` for a list of missing points. */
export function describeMissing(missing: GridPoint[], grid: PlannedGrid): string {
  const byWidth = new Map<number, GridPoint[]>();
  for (const p of missing) {
    if (!byWidth.has(p.width)) byWidth.set(p.width, []);
    byWidth.get(p.width)!.push(p);
  }
  const pow = (lr: number) => {
    const e = Math.log2(lr);
    return Math.abs(e - Math.round(e)) < 1e-9 ? `2^${Math.round(e)}` : lr.toPrecision(3);
  };
  return [...byWidth.entries()]
    .map(([w, pts]) => {
      const lrs = [...new Set(pts.map((p) => p.lr))].sort((a, b) => a - b);
      const seeds = [...new Set(pts.map((p) => p.seed))].sort((a, b) => a - b);
      const range = lrs.length === 1 ? pow(lrs[0]!) : `${pow(lrs[0]!)}..${pow(lrs[lrs.length - 1]!)}`;
      return `width ${w}: ${lrs.length} of ${grid.lrs.length} LRs (${range})${grid.seeds > 1 ? `, seed${seeds.length > 1 ? 's' : ''} ${seeds.join(',')}` : ''}`;
    })
    .join('; ');
}

/** Mean-over-seeds loss per (width, LR), each width's points sorted by LR. */
export function lossCurves(trials: SweepTrial[]): Map<number, CurvePoint[]> {
  const cells = new Map<number, Map<number, SweepTrial[]>>();
  for (const t of trials) {
    if (!cells.has(t.width)) cells.set(t.width, new Map());
    const byLr = cells.get(t.width)!;
    if (!byLr.has(t.lr)) byLr.set(t.lr, []);
    byLr.get(t.lr)!.push(t);
  }
  const out = new Map<number, CurvePoint[]>();
  for (const width of [...cells.keys()].sort((a, b) => a - b)) {
    const byLr = cells.get(width)!;
    const pts: CurvePoint[] = [...byLr.keys()]
      .sort((a, b) => a - b)
      .map((lr) => {
        const ts = byLr.get(lr)!;
        const diverged = ts.filter((t) => t.diverged || t.loss === null || !Number.isFinite(t.loss)).length;
        const loss = diverged > 0 ? Infinity : ts.reduce((s, t) => s + (t.loss as number), 0) / ts.length;
        return { lr, log2Lr: Math.log2(lr), loss, seeds: ts.length, diverged };
      });
    out.set(width, pts);
  }
  return out;
}

/**
 * Vertex of the parabola through three points (x spaced arbitrarily). Returns null when the points are not
 * convex (no minimum between them). The vertex is clamped to [x0, x2].
 */
export function parabolaMin(x0: number, y0: number, x1: number, y1: number, x2: number, y2: number): number | null {
  // Divided differences: y = a (x - x0)(x - x1) + b (x - x0) + y0.
  const d01 = (y1 - y0) / (x1 - x0);
  const d12 = (y2 - y1) / (x2 - x1);
  const a = (d12 - d01) / (x2 - x0);
  if (!(a > 0) || !Number.isFinite(a)) return null;
  const b = d01;
  // d/dx: a (2x - x0 - x1) + b = 0
  const x = (x0 + x1) / 2 - b / (2 * a);
  return Math.min(x2, Math.max(x0, x));
}

export function widthOptimum(width: number, curve: CurvePoint[]): WidthOptimum | null {
  let best = -1;
  curve.forEach((p, i) => {
    if (Number.isFinite(p.loss) && (best < 0 || p.loss < curve[best]!.loss)) best = i;
  });
  if (best < 0) return null;
  const p = curve[best]!;
  const atEdge = curve.length > 1 && (best === 0 || best === curve.length - 1);
  let fitted = p.log2Lr;
  const l = curve[best - 1];
  const r = curve[best + 1];
  if (l && r && Number.isFinite(l.loss) && Number.isFinite(r.loss)) {
    fitted = parabolaMin(l.log2Lr, l.loss, p.log2Lr, p.loss, r.log2Lr, r.loss) ?? p.log2Lr;
  }
  return { width, lr: p.lr, loss: p.loss, log2Lr: p.log2Lr, fittedLr: 2 ** fitted, fittedLog2Lr: fitted, atEdge };
}

function spread(xs: number[]): number {
  return xs.length < 2 ? 0 : Math.max(...xs) - Math.min(...xs);
}

/**
 * The answer from the trials. With the planned `grid`, a grid with points missing (trials that failed, timed out,
 * or are not in the store yet) is never said to transfer: its optima may be wrong (a width that lost half its
 * LRs has its optimum among the other half).
 */
export function analyzeTrials(trials: SweepTrial[], grid?: PlannedGrid): SweepAnalysis {
  const curves = lossCurves(trials);
  const optimum: WidthOptimum[] = [];
  const warnings: string[] = [];
  for (const [width, curve] of curves) {
    const o = widthOptimum(width, curve);
    if (!o) {
      warnings.push(`width ${width}: every LR diverged, no optimum (lower the LR range)`);
      continue;
    }
    if (o.atEdge) {
      const side = o.lr === curve[0]!.lr ? 'smallest' : 'largest';
      warnings.push(`width ${width}: the best LR is the ${side} of the grid; widen the LR range on that side`);
    }
    optimum.push(o);
  }
  const shiftOctaves = round6(spread(optimum.map((o) => o.log2Lr)));
  const fittedShiftOctaves = round6(spread(optimum.map((o) => o.fittedLog2Lr)));
  // An optimum at the grid's edge may lie beyond it, so the measured shift is only a bound there: a transfer
  // is claimed only when every optimum is inside the grid (an SP shift is still reported as not transferring).
  const edged = optimum.filter((o) => o.atEdge);
  const missing = grid ? missingPoints(trials, grid) : [];
  const complete = missing.length === 0;
  const transfers = complete && optimum.length >= 2 && edged.length === 0 && shiftOctaves <= TRANSFER_MAX_SHIFT_OCTAVES;
  if (!complete) warnings.push(`transfer not judged: ${missing.length} of ${grid!.widths.length * grid!.lrs.length * grid!.seeds} trials of the grid have no result (${describeMissing(missing, grid!)})`);
  else if (optimum.length < 2) warnings.push('fewer than two widths have an optimum: transfer cannot be judged');
  else if (edged.length > 0 && shiftOctaves <= TRANSFER_MAX_SHIFT_OCTAVES) {
    warnings.push(`transfer not claimed: the best LR of width ${edged.map((o) => o.width).join(', ')} is at the grid's edge, so the true optimum may lie outside it`);
  }
  return { curves, optimum, shiftOctaves, fittedShiftOctaves, transfers, complete, missing, warnings };
}

/**
 * The LR to use at `targetWidth`. If the optimum transfers, the fitted optimum of the widest swept width; if
 * not, log2 LR* extrapolated linearly in log2 width (least squares over the fitted optima), which is how SP's
 * optimum moves (MUP.md: it halves per width doubling in Megatron's measurement).
 */
export function recommendLr(analysis: SweepAnalysis, targetWidth: number): Recommendation | null {
  const opt = analysis.optimum;
  // No LR is recommended from an incomplete grid: its optima may be wrong.
  if (opt.length === 0 || !analysis.complete) return null;
  if (analysis.transfers || opt.length < 2) {
    const widest = opt.reduce((a, b) => (b.width > a.width ? b : a));
    return { targetWidth, lr: widest.fittedLr, log2Lr: widest.fittedLog2Lr, method: 'transfer' };
  }
  const xs = opt.map((o) => Math.log2(o.width));
  const ys = opt.map((o) => o.fittedLog2Lr);
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  const log2Lr = my + slope * (Math.log2(targetWidth) - mx);
  return { targetWidth, lr: 2 ** log2Lr, log2Lr, method: 'extrapolated' };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
