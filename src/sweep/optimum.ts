// From trials to the answer a user wants: the best LR per width, how far it moves with width, whether it
// transfers, and which LR to use at a target width. Pure functions over plain data.
import { enumerateGrid, gridSize, hpKey, type GridPoint, type HpAxis, type HpValues } from './grid';
import type { SweepOptimum, SweepTrial } from './types';
import { sampleSd } from './stats';
import { bootstrapOptima, combineVerdicts, judgeAxis, type AxisJudgement, type Interval, type SeedPoint, type Verdict } from './uncertainty';

/**
 * The transfer rule: the grid optimum moves by at most this many octaves (a factor 2 in LR) across all
 * widths. docs/mup.md's reference: muP in tfjs moved 1 octave from width 64 to 256 (its two best losses at 256
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
  /** Sample SD of the loss over seeds (0 with one seed; NaN when one diverged). Issue 21. */
  sd: number;
  /** Each seed's loss (Infinity: diverged). */
  perSeed: Map<number, number>;
}

export interface WidthOptimum extends SweepOptimum {
  log2Lr: number;
  /** Minimum of the parabola through the grid argmin and its two neighbours (log2-LR axis). */
  fittedLr: number;
  fittedLog2Lr: number;
  /** The argmin is the smallest or largest LR of the grid: the real optimum may lie outside it. */
  atEdge: boolean;
  /** The 95% bootstrap interval over seeds of fittedLog2Lr (issue 21; absent before the analysis judges). */
  interval?: Interval | null;
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
  /** One entry per hyperparameter axis (none in an LR sweep). */
  hps: HpAnalysis[];
  /** Every axis the grid varies (the LR when it has two or more values, each HP) transfers; without such an
   *  axis, `transfers`. False whenever the grid is incomplete. */
  everyAxisTransfers: boolean;
  /** The rule on the point estimates alone (before issue 21's `transfers`): what the recommendation follows. */
  pointTransfers: boolean;
  /** Issue 21: the sweep's verdict over every swept axis (the exit code's), and the LR axis's own. */
  verdict: Verdict;
  lrVerdict: Verdict;
  /** The 95% bootstrap interval over seeds of the LR's fitted shift across widths, octaves. */
  shiftInterval: Interval | null;
  /** The LR axis: the narrowest width from which the optimum holds, when the whole set does not show it (issue 21). */
  transfersFrom: { width: number; shift: Interval } | null;
  /** Why the verdict is inconclusive, and what would settle it (every axis's, LR first). */
  reasons: string[];
  settle: string[];
}

export interface HpCurvePoint {
  value: number;
  log2Value: number;
  /** Mean over seeds; Infinity when any seed diverged. */
  loss: number;
  seeds: number;
  diverged: number;
  sd: number;
  perSeed: Map<number, number>;
}

/** The best value of one HP at one width (on its slice through the width's joint optimum). */
export interface HpOptimum {
  width: number;
  value: number;
  loss: number;
  log2Value: number;
  /** Minimum of the parabola through the argmin and its two neighbours (log2 axis). */
  fittedValue: number;
  fittedLog2Value: number;
  atEdge: boolean;
  interval?: Interval | null;
}

export interface HpAnalysis {
  name: string;
  /** Per width: loss against the HP's value, every other axis at the width's joint optimum. */
  curves: Map<number, HpCurvePoint[]>;
  optimum: HpOptimum[];
  /** Spread of log2 of the best value across widths. */
  shiftOctaves: number;
  fittedShiftOctaves: number;
  /** The verdict is `transfers` (docs/sweeps.md "Uncertainty"). */
  transfers: boolean;
  verdict: Verdict;
  shiftInterval: Interval | null;
  judgement: AxisJudgement;
}

/** The grid a sweep planned: every (width, LR, HP values, seed) should have a trial before anything is concluded. */
export interface PlannedGrid {
  widths: number[];
  lrs: number[];
  seeds: number;
  /** The hyperparameter axes (none: an LR sweep). */
  hps?: HpAxis[];
  /** `--refine`: more LRs per width (keyed by width), each with every seed (docs/sweeps.md "Refining"). */
  extraLrs?: Record<string, number[]>;
}

const pointKey = (p: { width: number; lr: number; seed: number; hp?: HpValues }) => `${p.width}|${p.lr}|${p.seed}|${hpKey(p.hp)}`;

/** The planned points with no trial (a diverged trial counts as a result; a failed or missing one does not). */
export function missingPoints(trials: SweepTrial[], grid: PlannedGrid): GridPoint[] {
  const have = new Set(trials.map(pointKey));
  return plannedPoints(grid).filter((p) => !have.has(pointKey(p)));
}

/** Every point a grid plans: the rectangular grid, then each width's refining LRs with every seed. */
export function plannedPoints(grid: PlannedGrid): GridPoint[] {
  const extra = Object.entries(grid.extraLrs ?? {}).flatMap(([w, lrs]) => enumerateGrid([Number(w)], lrs, grid.seeds, grid.hps ?? []));
  return [...enumerateGrid(grid.widths, grid.lrs, grid.seeds, grid.hps ?? []), ...extra];
}

const pow = (x: number) => {
  const e = Math.log2(x);
  return Math.abs(e - Math.round(e)) < 1e-9 ? `2^${Math.round(e)}` : x.toPrecision(3);
};

/** `width 32: 7 of 7 LRs (2^-10..2^-4); width 64: 1 of 7 LRs (2^-6), seed 1` for a list of missing points. */
export function describeMissing(missing: GridPoint[], grid: PlannedGrid): string {
  const byWidth = new Map<number, GridPoint[]>();
  for (const p of missing) {
    if (!byWidth.has(p.width)) byWidth.set(p.width, []);
    byWidth.get(p.width)!.push(p);
  }
  const perWidth = gridSize(1, grid.lrs.length, grid.seeds, grid.hps ?? []);
  return [...byWidth.entries()]
    .map(([w, pts]) => {
      const lrs = [...new Set(pts.map((p) => p.lr))].sort((a, b) => a - b);
      const seeds = [...new Set(pts.map((p) => p.seed))].sort((a, b) => a - b);
      const range = lrs.length === 1 ? pow(lrs[0]!) : `${pow(lrs[0]!)}..${pow(lrs[lrs.length - 1]!)}`;
      // With HP axes an LR count says little (each LR has many trials): count the trials.
      if (grid.hps?.length) return `width ${w}: ${pts.length} of ${perWidth} trials (LRs ${range})`;
      return `width ${w}: ${lrs.length} of ${grid.lrs.length} LRs (${range})${grid.seeds > 1 ? `, seed${seeds.length > 1 ? 's' : ''} ${seeds.join(',')}` : ''}`;
    })
    .join('; ');
}

/** One (width, LR, HP values) cell of the grid: its loss is the mean over seeds, Infinity when any seed diverged. */
export interface GridCell {
  lr: number;
  hp: HpValues | undefined;
  key: string;
  loss: number;
  seeds: number;
  diverged: number;
  sd: number;
  /** Each seed's loss (Infinity: diverged): the evidence every interval is drawn from. */
  perSeed: Map<number, number>;
}

function compareHp(a: HpValues | undefined, b: HpValues | undefined): number {
  if (!a || !b) return 0;
  for (const k of Object.keys(a).sort()) if (a[k] !== b[k]) return (a[k] ?? 0) - (b[k] ?? 0);
  return 0;
}

/** Every width's cells, sorted by LR, then by HP values. */
export function gridCells(trials: SweepTrial[]): Map<number, GridCell[]> {
  const byWidth = new Map<number, Map<string, SweepTrial[]>>();
  for (const t of trials) {
    if (!byWidth.has(t.width)) byWidth.set(t.width, new Map());
    const cells = byWidth.get(t.width)!;
    const key = `${t.lr}|${hpKey(t.hp)}`;
    if (!cells.has(key)) cells.set(key, []);
    cells.get(key)!.push(t);
  }
  const out = new Map<number, GridCell[]>();
  for (const width of [...byWidth.keys()].sort((a, b) => a - b)) {
    const cells = [...byWidth.get(width)!.entries()].map(([key, ts]) => {
      const diverged = ts.filter((t) => t.diverged || t.loss === null || !Number.isFinite(t.loss)).length;
      const loss = diverged > 0 ? Infinity : ts.reduce((s, t) => s + (t.loss as number), 0) / ts.length;
      const perSeed = new Map(ts.map((t) => [t.seed, t.diverged || t.loss === null || !Number.isFinite(t.loss) ? Infinity : t.loss]));
      const sd = diverged > 0 ? NaN : sampleSd(ts.map((t) => t.loss as number));
      return { lr: ts[0]!.lr, hp: ts[0]!.hp, key, loss, seeds: ts.length, diverged, sd, perSeed };
    });
    out.set(width, cells.sort((a, b) => a.lr - b.lr || compareHp(a.hp, b.hp)));
  }
  return out;
}

/** The width's best cell over the whole grid (LR and every HP), or null when every cell diverged. */
export function jointBest(cells: GridCell[]): GridCell | null {
  let best: GridCell | null = null;
  for (const c of cells) if (Number.isFinite(c.loss) && (best === null || c.loss < best.loss)) best = c;
  return best;
}

/**
 * The rule for more than one axis (docs/sweeps.md "Hyperparameter axes"): each axis's curve at a width is the
 * slice through that width's joint optimum: the axis varies, every other axis (the LR, the other HPs) stays at
 * the value of the best cell of the whole grid. Its argmin is therefore the joint optimum's value of that axis,
 * and its shape is what "this HP, with everything else tuned" looks like. Without HPs the LR's slice is every cell.
 */
function sliceOf(cells: GridCell[], best: GridCell | null, axis: 'lr' | string): GridCell[] {
  const anchor = best ?? cells[0];
  if (!anchor) return [];
  return cells.filter((c) => {
    if (axis !== 'lr' && c.lr !== anchor.lr) return false;
    for (const k of Object.keys(anchor.hp ?? {})) if (k !== axis && c.hp?.[k] !== anchor.hp?.[k]) return false;
    return true;
  });
}

/** Mean-over-seeds loss per (width, LR), each width's points sorted by LR (with HP axes: at the width's best HP values). */
export function lossCurves(trials: SweepTrial[]): Map<number, CurvePoint[]> {
  return lrCurves(gridCells(trials));
}

function lrCurves(cellsByWidth: Map<number, GridCell[]>): Map<number, CurvePoint[]> {
  const out = new Map<number, CurvePoint[]>();
  for (const [width, cells] of cellsByWidth) {
    out.set(width, sliceOf(cells, jointBest(cells), 'lr').map((c) => ({ lr: c.lr, log2Lr: Math.log2(c.lr), loss: c.loss, seeds: c.seeds, diverged: c.diverged, sd: c.sd, perSeed: c.perSeed })));
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

/** The argmin of a curve over x (log2 of the axis), its parabola-fitted x, and whether it is the grid's first or last x. */
function argminFit(curve: { x: number; loss: number }[]): { index: number; fitted: number; atEdge: boolean } | null {
  let best = -1;
  curve.forEach((p, i) => {
    if (Number.isFinite(p.loss) && (best < 0 || p.loss < curve[best]!.loss)) best = i;
  });
  if (best < 0) return null;
  const p = curve[best]!;
  const atEdge = curve.length > 1 && (best === 0 || best === curve.length - 1);
  let fitted = p.x;
  const l = curve[best - 1];
  const r = curve[best + 1];
  if (l && r && Number.isFinite(l.loss) && Number.isFinite(r.loss)) fitted = parabolaMin(l.x, l.loss, p.x, p.loss, r.x, r.loss) ?? p.x;
  return { index: best, fitted, atEdge };
}

export function widthOptimum(width: number, curve: CurvePoint[]): WidthOptimum | null {
  const a = argminFit(curve.map((p) => ({ x: p.log2Lr, loss: p.loss })));
  if (!a) return null;
  const p = curve[a.index]!;
  return { width, lr: p.lr, loss: p.loss, log2Lr: p.log2Lr, fittedLr: 2 ** a.fitted, fittedLog2Lr: a.fitted, atEdge: a.atEdge };
}

function spread(xs: number[]): number {
  return xs.length < 2 ? 0 : Math.max(...xs) - Math.min(...xs);
}

/** The names of the HP axes: the planned grid's, else those the trials carry (in the first trial's order). */
function hpNames(trials: SweepTrial[], grid?: PlannedGrid): string[] {
  if (grid) return (grid.hps ?? []).map((a) => a.name);
  const names: string[] = [];
  for (const t of trials) for (const k of Object.keys(t.hp ?? {})) if (!names.includes(k)) names.push(k);
  return names;
}

/** An axis's judgement from its curves (x = log2 value) and optima (docs/sweeps.md "Uncertainty"). */
function judge(name: string, curves: Map<number, { x: number; perSeed: Map<number, number> }[]>, optima: { width: number; fitted: number; atEdge: boolean; x: number }[], values: number, complete: boolean, seeds: number) {
  const seedCurves = new Map<number, SeedPoint[]>();
  for (const o of optima) seedCurves.set(o.width, (curves.get(o.width) ?? []).map((p) => ({ x: p.x, losses: p.perSeed })));
  // One seed has no spread to resample, one value no optimum to place: no interval rather than a point dressed as one.
  const boot = seeds >= 2 && values >= 2 ? bootstrapOptima(seedCurves) : { intervals: new Map<number, Interval>(), shift: null };
  const xs = [...new Set([...curves.values()].flatMap((c) => c.map((p) => p.x)))].sort((a, b) => a - b);
  const facts = optima.map((o) => {
    const c = curves.get(o.width) ?? [];
    return { width: o.width, fitted: o.fitted, atEdge: o.atEdge, side: !o.atEdge ? null : o.x === c[0]?.x ? ('low' as const) : ('high' as const) };
  });
  const judgement = judgeAxis({ name, values, complete, seeds, optima: facts, xs, boot, rule: TRANSFER_MAX_SHIFT_OCTAVES });
  return { boot, judgement };
}

function analyzeHp(name: string, cellsByWidth: Map<number, GridCell[]>, complete: boolean, warnings: string[], values: number, seeds: number): HpAnalysis {
  const curves = new Map<number, HpCurvePoint[]>();
  const optimum: HpOptimum[] = [];
  for (const [width, cells] of cellsByWidth) {
    const curve = sliceOf(cells, jointBest(cells), name)
      .filter((c) => c.hp?.[name] !== undefined)
      .sort((a, b) => a.hp![name]! - b.hp![name]!)
      .map((c) => ({ value: c.hp![name]!, log2Value: Math.log2(c.hp![name]!), loss: c.loss, seeds: c.seeds, diverged: c.diverged, sd: c.sd, perSeed: c.perSeed }));
    curves.set(width, curve);
    const a = argminFit(curve.map((p) => ({ x: p.log2Value, loss: p.loss })));
    if (!a) continue; // the LR's analysis already says that every cell of this width diverged
    const p = curve[a.index]!;
    if (a.atEdge) warnings.push(`width ${width}: the best ${name} is the ${a.index === 0 ? 'smallest' : 'largest'} of its grid; widen its range on that side`);
    optimum.push({ width, value: p.value, loss: p.loss, log2Value: p.log2Value, fittedValue: 2 ** a.fitted, fittedLog2Value: a.fitted, atEdge: a.atEdge });
  }
  const shiftOctaves = round6(spread(optimum.map((o) => o.log2Value)));
  const fittedShiftOctaves = round6(spread(optimum.map((o) => o.fittedLog2Value)));
  const xCurves = new Map([...curves].map(([w, c]) => [w, c.map((p) => ({ x: p.log2Value, perSeed: p.perSeed }))]));
  const { boot, judgement } = judge(name, xCurves, optimum.map((o) => ({ width: o.width, fitted: o.fittedLog2Value, atEdge: o.atEdge, x: o.log2Value })), values, complete, seeds);
  for (const o of optimum) o.interval = boot.intervals.get(o.width) ?? null;
  const edged = optimum.filter((o) => o.atEdge);
  if (complete && optimum.length >= 2 && edged.length > 0 && shiftOctaves <= TRANSFER_MAX_SHIFT_OCTAVES) {
    warnings.push(`${name}: transfer not claimed: the best ${name} of width ${edged.map((o) => o.width).join(', ')} is at its grid's edge, so the true optimum may lie outside it`);
  }
  const transfers = judgement.verdict === 'transfers';
  return { name, curves, optimum, shiftOctaves, fittedShiftOctaves, transfers, verdict: judgement.verdict, shiftInterval: boot.shift, judgement };
}

/**
 * The answer from the trials. With the planned `grid`, a grid with points missing (trials that failed, timed out,
 * or are not in the store yet) is never said to transfer: its optima may be wrong (a width that lost half its
 * LRs has its optimum among the other half). With HP axes, each axis (the LR and every HP) is judged on its slice
 * through each width's joint optimum (see `sliceOf`), by the same rule.
 */
export function analyzeTrials(trials: SweepTrial[], grid?: PlannedGrid): SweepAnalysis {
  const cellsByWidth = gridCells(trials);
  const curves = lrCurves(cellsByWidth);
  const names = hpNames(trials, grid);
  const optimum: WidthOptimum[] = [];
  const warnings: string[] = [];
  for (const [width, curve] of curves) {
    const o = widthOptimum(width, curve);
    if (!o) {
      warnings.push(`width ${width}: every ${names.length ? 'trial' : 'LR'} diverged, no optimum (lower the LR range)`);
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
  const seeds = grid ? grid.seeds : Math.min(...[...cellsByWidth.values()].flat().map((c) => c.seeds), Infinity);
  const lrValues = grid ? new Set([...grid.lrs, ...Object.values(grid.extraLrs ?? {}).flat()]).size : new Set(trials.map((t) => t.lr)).size;
  const xCurves = new Map([...curves].map(([w, c]) => [w, c.map((p) => ({ x: p.log2Lr, perSeed: p.perSeed }))]));
  const lr = judge('LR', xCurves, optimum.map((o) => ({ width: o.width, fitted: o.fittedLog2Lr, atEdge: o.atEdge, x: o.log2Lr })), lrValues, complete, seeds === Infinity ? 0 : seeds);
  for (const o of optimum) o.interval = lr.boot.intervals.get(o.width) ?? null;
  const transfers = lr.judgement.verdict === 'transfers';
  const pointTransfers = complete && optimum.length >= 2 && edged.length === 0 && shiftOctaves <= TRANSFER_MAX_SHIFT_OCTAVES;
  if (!complete) warnings.push(`transfer not judged: ${missing.length} of ${plannedPoints(grid!).length} trials of the grid have no result (${describeMissing(missing, grid!)})`);
  else if (optimum.length < 2) warnings.push('fewer than two widths have an optimum: transfer cannot be judged');
  else if (edged.length > 0 && shiftOctaves <= TRANSFER_MAX_SHIFT_OCTAVES) {
    warnings.push(`transfer not claimed: the best LR of width ${edged.map((o) => o.width).join(', ')} is at the grid's edge, so the true optimum may lie outside it`);
  }
  const hpValues = (name: string) => (grid ? (grid.hps?.find((a) => a.name === name)?.values.length ?? 0) : new Set(trials.map((t) => t.hp?.[name])).size);
  const hps = names.map((name) => analyzeHp(name, cellsByWidth, complete, warnings, hpValues(name), seeds === Infinity ? 0 : seeds));
  // Every axis the grid actually varies must transfer; an axis of one value is not swept, and a grid that sweeps
  // nothing concludes nothing (issue 28: a one-LR "sweep" is inconclusive, never "transfers").
  const sweptAxes = [...(lrValues >= 2 ? [{ verdict: lr.judgement.verdict, j: lr.judgement }] : []), ...hps.filter((h) => hpValues(h.name) >= 2).map((h) => ({ verdict: h.verdict, j: h.judgement }))];
  const verdict = complete ? combineVerdicts(sweptAxes.map((a) => a.verdict)) : 'inconclusive';
  const explain = sweptAxes.length ? sweptAxes.filter((a) => a.verdict === 'inconclusive').map((a) => a.j) : [lr.judgement];
  const reasons = verdict === 'inconclusive' ? explain.flatMap((j) => j.reasons) : [];
  const settle = verdict === 'inconclusive' ? [...new Set(explain.flatMap((j) => j.settle))] : [];
  const everyAxisTransfers = verdict === 'transfers';
  return { curves, optimum, shiftOctaves, fittedShiftOctaves, transfers, complete, missing, warnings, hps, everyAxisTransfers, pointTransfers, verdict, lrVerdict: lr.judgement.verdict, shiftInterval: lr.boot.shift, transfersFrom: lr.judgement.transfersFrom ?? null, reasons, settle };
}

/**
 * The LR to use at `targetWidth`. If the optimum transfers, the fitted optimum of the widest swept width; if
 * not, log2 LR* extrapolated linearly in log2 width (least squares over the fitted optima), which is how SP's
 * optimum moves (docs/mup.md: it halves per width doubling in Megatron's measurement).
 */
export function recommendLr(analysis: SweepAnalysis, targetWidth: number): Recommendation | null {
  const opt = analysis.optimum;
  // No LR is recommended from an incomplete grid: its optima may be wrong.
  if (opt.length === 0 || !analysis.complete) return null;
  // The point estimates decide which (one seed has no verdict, but its SP shift is still a trend to follow).
  if (analysis.pointTransfers || opt.length < 2) {
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
