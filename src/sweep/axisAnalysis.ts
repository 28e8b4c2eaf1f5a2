// The per-width analysis of optimum.ts, run per value of another axis (issue 22; the rules in src/sweep/axes.ts and
// docs/sweeps.md "Axes"). A slice holds every other coordinate fixed (the width, the other axes at their proxy
// values); within it a trial's axis value takes width's place and analyzeTrials judges the slice exactly as it
// judges widths: its optimum per value, shift, edges, completeness. Then the axis's own verdict. Pure.
import { AXIS_FLAGS, fitSlope, type AxisValues, type SweepAxisGrid, type SweepAxisName } from './axes';
import type { HpAxis } from './grid';
import { analyzeTrials, TRANSFER_MAX_SHIFT_OCTAVES, type SweepAnalysis } from './optimum';
import type { SweepTrial } from './types';
import type { Verdict } from './uncertainty';

/** A loss this much (relative) above the shallowest depth's, at the LR transferred from it, is a loss that worsens. */
export const DEPTH_LOSS_TOLERANCE = 0.01;

export interface AxisOptimum {
  value: number;
  lr: number;
  log2Lr: number;
  fittedLr: number;
  fittedLog2Lr: number;
  /** The best loss at this value (over the LR grid, HPs at their joint optimum). */
  loss: number;
  atEdge: boolean;
  /** The loss at the LR transferred from the slice's first value (its grid optimum); null when not in the grid. */
  lossAtTransferredLr: number | null;
  /** Per seed: the losses at the best LR and at the transferred LR (the noise a worsening is judged against). */
  seedLosses: number[];
  seedLossesAtTransferredLr: number[];
}

export interface AxisSlice {
  /** The fixed coordinates of the slice: the width, and the other axes' values. */
  width: number;
  at: AxisValues;
  optimum: AxisOptimum[];
  shiftOctaves: number;
  fittedShiftOctaves: number;
  /** optimum.ts's rule for the slice: complete, two values with an optimum, none at the edge, shift <= 1 octave. */
  transfers: boolean;
  complete: boolean;
  /** optimum.ts's verdict for the slice (issue 21's intervals): transfers, does not, or inconclusive; and, when
   *  inconclusive, why and what would settle it (its words speak of widths: here read the axis's values). */
  verdict: Verdict;
  reasons: string[];
  settle: string[];
  /** The point estimates' answer (one octave, no edge), whatever the intervals say. */
  pointTransfers: boolean;
}

export interface AxisResult {
  name: SweepAxisName;
  values: number[];
  slices: AxisSlice[];
  /** What the axis is judged on passes (depth: transfers and the loss does not worsen; batch: the square-root rule
   *  within the grid's resolution; seqLen: transfers; steps: an exponent was fitted). */
  ok: boolean;
  /** The axis's verdict for the exit code: `ok` is 'transfers'; not ok is 'inconclusive' when a slice's own verdict
   *  is (its optimum's interval straddles the rule) and nothing else failed, else 'does-not-transfer'. */
  status: Verdict;
  /** One line per finding: the verdict, the numbers, what to do. */
  verdict: string[];
  /** steps: the exponent beta of best LR ~ steps^beta (log2 fit over the fitted optima) with its standard error. */
  exponent?: { beta: number; se: number | null; resolutionSe: number; points: number } | null;
  /** batch: the shift Adam's square-root rule predicts and the one measured, in octaves, and the tolerance. */
  sqrtRule?: { predictedOctaves: number; measuredOctaves: number; toleranceOctaves: number; follows: boolean } | null;
  /** depth: values where the loss at the transferred LR is worse than at the shallowest depth. */
  worsens?: { value: number; loss: number; baseLoss: number }[];
  /** depth: a loss more than 1% worse, but within the seeds' noise: not concluded. */
  noisyWorse?: boolean;
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const fmt = (x: number) => (Math.abs(Math.log2(x) - Math.round(Math.log2(x))) < 1e-9 ? `2^${Math.round(Math.log2(x))}` : x.toPrecision(3));

/** Standard error of mean(b) - mean(a) from the seeds' losses; null with fewer than two seeds on either side. */
function diffSe(a: number[], b: number[]): number | null {
  if (a.length < 2 || b.length < 2) return null;
  const v = (xs: number[]) => {
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
  };
  return Math.sqrt(v(a) / a.length + v(b) / b.length);
}

/** The LR grid's spacing in octaves (its smallest gap): the resolution of an argmin. */
function lrStep(lrs: number[]): number {
  let step = Infinity;
  for (let i = 1; i < lrs.length; i++) step = Math.min(step, Math.log2(lrs[i]!) - Math.log2(lrs[i - 1]!));
  return Number.isFinite(step) ? step : 1;
}

/** One axis's slices: per width (and per combination of the other axes at their first value only). */
function slicesOf(name: SweepAxisName, trials: SweepTrial[], axes: readonly SweepAxisGrid[], grid: { widths: number[]; lrs: number[]; seeds: number; hps: HpAxis[] }): AxisSlice[] {
  const axis = axes.find((a) => a.name === name)!;
  // The other axes stay at their proxy (first) value: one slice per width.
  const at: AxisValues = {};
  for (const a of axes) if (a.name !== name) at[a.name] = a.values[0];
  const out: AxisSlice[] = [];
  for (const width of grid.widths) {
    const inSlice = trials.filter((t) => t.width === width && (Object.keys(at) as SweepAxisName[]).every((k) => t.axes?.[k] === at[k]));
    // The axis value takes width's place: analyzeTrials' per-width analysis is the per-value analysis.
    const pseudo: SweepTrial[] = inSlice.map(({ axes: a, ...t }) => ({ ...t, width: a?.[name] ?? NaN }));
    const analysis: SweepAnalysis = analyzeTrials(pseudo, { widths: axis.values, lrs: grid.lrs, seeds: grid.seeds, hps: grid.hps });
    const first = analysis.optimum.find((o) => o.width === axis.values[0]);
    const optimum = analysis.optimum.map((o) => {
      const curve = analysis.curves.get(o.width) ?? [];
      const atT = first ? curve.find((c) => c.lr === first.lr) : undefined;
      const seedsAt = (lr: number | undefined) => pseudo.filter((t) => t.width === o.width && t.lr === lr && !t.diverged && typeof t.loss === 'number').map((t) => t.loss as number);
      return {
        value: o.width, lr: o.lr, log2Lr: o.log2Lr, fittedLr: o.fittedLr, fittedLog2Lr: o.fittedLog2Lr, loss: o.loss, atEdge: o.atEdge,
        lossAtTransferredLr: atT && Number.isFinite(atT.loss) ? atT.loss : null,
        seedLosses: seedsAt(o.lr),
        seedLossesAtTransferredLr: seedsAt(first?.lr),
      };
    });
    out.push({ width, at, optimum, shiftOctaves: analysis.shiftOctaves, fittedShiftOctaves: analysis.fittedShiftOctaves, transfers: analysis.transfers, complete: analysis.complete, verdict: analysis.verdict, reasons: analysis.reasons, settle: analysis.settle, pointTransfers: analysis.pointTransfers });
  }
  return out;
}

/** Judges one axis of a sweep (see the header), with the verdict the exit code takes. */
export function analyzeAxis(name: SweepAxisName, trials: SweepTrial[], axes: readonly SweepAxisGrid[], grid: { widths: number[]; lrs: number[]; seeds: number; hps: HpAxis[] }): AxisResult {
  const r = judgeAxisValues(name, trials, axes, grid);
  const worse = (r.worsens?.length ?? 0) > 0 || r.verdict.some((v) => v.includes('worsens'));
  const complete = r.slices.every((s) => s.complete);
  const unsure = r.slices.filter((s) => s.verdict === 'inconclusive' && s.optimum.length >= 2);
  const moved = r.slices.some((s) => s.verdict === 'does-not-transfer');
  if (!r.ok && name === 'depth' && r.noisyWorse && !worse && !moved) {
    r.status = 'inconclusive';
    r.verdict[0] = 'depth: inconclusive';
  } else if (!r.ok && (name === 'depth' || name === 'seqLen') && unsure.length && !worse && !moved) {
    // The intervals (issue 21) cannot tell: say why and what would settle it, as the width verdict does.
    r.status = 'inconclusive';
    r.verdict[0] = `${name}: inconclusive`;
    const why = [...new Set(unsure.flatMap((s) => s.reasons))].map((x) => x.replace(/\bwidth (\d+)/g, `${name} $1`).replace(/\bwidths\b/g, `${name} values`));
    const settle = [...new Set(unsure.flatMap((s) => s.settle))];
    r.verdict.push(`${name}: ${why.join('; ')}${settle.length ? `; to settle it: ${settle.join(', ')}` : ''}`);
  } else {
    r.status = r.ok ? 'transfers' : !complete ? 'inconclusive' : 'does-not-transfer';
  }
  return r;
}

function judgeAxisValues(name: SweepAxisName, trials: SweepTrial[], axes: readonly SweepAxisGrid[], grid: { widths: number[]; lrs: number[]; seeds: number; hps: HpAxis[] }): AxisResult {
  const values = axes.find((a) => a.name === name)!.values;
  const slices = slicesOf(name, trials, axes, grid);
  const verdict: string[] = [];
  const step = lrStep(grid.lrs);
  const complete = slices.every((s) => s.complete);
  const result: AxisResult = { name, values, slices, ok: false, status: 'does-not-transfer', verdict };
  if (!complete) {
    verdict.push(`${name}: not judged: the grid is incomplete`);
    return result;
  }
  const usable = slices.filter((s) => s.optimum.length >= 2);
  if (usable.length === 0) {
    verdict.push(`${name}: fewer than two values of ${AXIS_FLAGS[name]} have an optimum: not judged`);
    return result;
  }
  const best = (s: AxisSlice) => s.optimum.map((o) => `${o.value}: lr ${fmt(o.lr)}, loss ${o.loss.toFixed(4)}`).join('; ');
  if (name === 'depth' || name === 'seqLen') {
    let ok = true;
    const worsens: AxisResult['worsens'] = [];
    const noisy: string[] = [];
    for (const s of usable) {
      const edge = s.optimum.filter((o) => o.atEdge).map((o) => o.value);
      const moves = s.shiftOctaves > TRANSFER_MAX_SHIFT_OCTAVES;
      verdict.push(`${name} at width ${s.width}: best LR moves ${s.shiftOctaves} octaves over ${name} ${values.join(',')} (${best(s)})${edge.length ? `; at the LR grid's edge at ${edge.join(', ')}: widen the LR range` : ''}`);
      if (moves || edge.length || s.verdict !== 'transfers') ok = false;
      if (name === 'depth') {
        const base = s.optimum[0]!;
        const baseLoss = base.lossAtTransferredLr ?? base.loss;
        // Worse by more than 1%, and (with two or more seeds) by more than the seeds' noise allows: the difference
        // over twice its standard error. More than 1% but within the noise: not concluded (add seeds).
        const judge = (a: number[], b: number[], la: number, lb: number): 'same' | 'worse' | 'noisy' => {
          if (!(lb > la * (1 + DEPTH_LOSS_TOLERANCE))) return 'same';
          const se = diffSe(a, b);
          return se === null || lb - la > 2 * se ? 'worse' : 'noisy';
        };
        for (const o of s.optimum.slice(1)) {
          const l = o.lossAtTransferredLr;
          if (l === null) continue;
          const j = judge(base.seedLossesAtTransferredLr, o.seedLossesAtTransferredLr, baseLoss, l);
          if (j === 'worse') worsens.push({ value: o.value, loss: l, baseLoss });
          if (j === 'noisy') noisy.push(`${o.value}: ${l.toFixed(4)} vs ${baseLoss.toFixed(4)} at the transferred LR`);
        }
        const bestWorse = s.optimum.slice(1).filter((o) => {
          const j = judge(base.seedLosses, o.seedLosses, base.loss, o.loss);
          if (j === 'noisy') noisy.push(`${o.value}: best ${o.loss.toFixed(4)} vs ${base.loss.toFixed(4)}`);
          return j === 'worse';
        });
        if (bestWorse.length) {
          ok = false;
          verdict.push(`depth at width ${s.width}: the best loss worsens with depth (${base.value}: ${base.loss.toFixed(4)} -> ${bestWorse.map((o) => `${o.value}: ${o.loss.toFixed(4)}`).join(', ')}): the parametrization does not carry across depth even where the LR does (SP's failure mode): scale the residual branches by (depth / base)^-1 (CompleteP)`);
        }
      }
    }
    if (name === 'depth') {
      result.worsens = worsens;
      if (worsens.length) {
        ok = false;
        verdict.push(`depth: at the LR transferred from depth ${values[0]} the loss worsens with depth (${worsens.map((w) => `${w.value}: ${w.loss.toFixed(4)} vs ${w.baseLoss.toFixed(4)}`).join(', ')})`);
      }
    }
    if (noisy.length) {
      ok = false;
      result.noisyWorse = true;
      verdict.push(`depth: the loss is more than 1% higher at depth ${[...new Set(noisy)].join('; ')}, but within the seeds' noise (the difference is under twice its standard error): add seeds (--seeds ${Math.max(3, 2 * grid.seeds)}) to tell`);
    }
    result.ok = ok;
    verdict.unshift(`${name}: ${ok ? 'transfers' : 'does not transfer'}`);
    return result;
  }
  if (name === 'batch') {
    // Adam's square-root rule: log2 LR* rises by 0.5 per doubling of the batch (Malladi et al. 2022).
    const s = usable[0]!;
    const lo = s.optimum[0]!;
    const hi = s.optimum[s.optimum.length - 1]!;
    const predicted = 0.5 * Math.log2(hi.value / lo.value);
    const measured = hi.fittedLog2Lr - lo.fittedLog2Lr;
    const tol = step;
    const follows = Math.abs(measured - predicted) <= tol && !s.optimum.some((o) => o.atEdge);
    result.sqrtRule = { predictedOctaves: r6(predicted), measuredOctaves: r6(measured), toleranceOctaves: tol, follows };
    result.ok = follows;
    verdict.push(
      `batch: the optimum ${follows ? 'follows' : 'does not follow'} Adam's square-root rule within the LR grid's resolution (${tol} octave): batch ${lo.value} -> ${hi.value} moved the fitted best LR ${r6(measured)} octaves, the rule predicts ${r6(predicted)} (arXiv 2205.10287; it holds up to the critical batch size)`,
      `batch at width ${s.width}: ${best(s)}`,
    );
    return result;
  }
  // steps: log2(best LR) = beta log2(steps) + c over the fitted optima; the argmin's resolution adds step/sqrt(12).
  const s = usable[0]!;
  const xs = s.optimum.map((o) => Math.log2(o.value));
  const fit = fitSlope(xs, s.optimum.map((o) => o.fittedLog2Lr));
  if (!fit) {
    verdict.push('steps: no exponent could be fitted');
    return result;
  }
  const mx = xs.reduce((a, x) => a + x, 0) / xs.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const resolutionSe = step / Math.sqrt(12) / Math.sqrt(sxx);
  const se = fit.se === null ? null : Math.sqrt(fit.se ** 2 + resolutionSe ** 2);
  result.exponent = { beta: r6(fit.slope), se: se === null ? null : r6(se), resolutionSe: r6(resolutionSe), points: xs.length };
  result.ok = !s.optimum.some((o) => o.atEdge);
  verdict.push(
    `steps: best LR ~ steps^${fit.slope.toFixed(3)} ${se === null ? `(two points: no fit error; the grid's resolution alone is +-${resolutionSe.toFixed(3)})` : `+- ${se.toFixed(3)}`} over steps ${values.join(',')} (arXiv 2409.19913: the exponent is measured, not a rule)`,
    `steps at width ${s.width}: ${best(s)}`,
  );
  return result;
}
