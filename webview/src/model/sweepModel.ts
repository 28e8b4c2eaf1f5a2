// Sweep -> plots. Loss against log2 LR, one curve per width (sequential colours), each width's optimum
// marked, diverged trials as markers at the top edge, the optimum's shift across widths in octaves, and the
// LR to use at a target width. Works on a live, partial trial list as well as on the engine's final result.
import type { SweepOptimum, SweepTrial } from '../../../src/sweep/types';
import type { SweepRun, SweepView } from '../../../src/protocol/webview';
import { widthColor, type ThemeKind } from './colors';
import type { PlotMarker, PlotSeries, PlotSpec } from './plotSpec';

export interface Recommendation {
  targetWidth: number;
  lr: number;
  /** How it was obtained, in words the panel shows. */
  method: string;
  /** Fitted octaves of optimum LR per doubling of width (0 = transfers perfectly). */
  octavesPerDoubling: number;
}

export interface SweepRunModel {
  parametrization: SweepRun['meta']['parametrization'];
  label: string;
  plot: PlotSpec;
  widths: number[];
  lrs: number[];
  optima: SweepOptimum[];
  shiftOctaves: number | null;
  /** From the engine's result when there is one; else null (live). */
  transfers: boolean | null;
  trialCount: number;
  divergedCount: number;
  plannedCount: number | null;
  statusText: string;
  recommendation: Recommendation | null;
}

export interface SweepModel {
  runs: SweepRunModel[];
  targetWidth: number;
  /** SP and muP both present: the sentence comparing their shifts. */
  comparison: string | null;
}

const ptLabel = (p: string) => (p === 'mup' ? 'muP' : 'SP');

export function fmtLr(lr: number): string {
  const l2 = Math.log2(lr);
  const pow = Number.isInteger(Math.round(l2 * 1000) / 1000) ? `2^${Math.round(l2)}` : `2^${l2.toFixed(2)}`;
  return `${lr.toPrecision(3)} (${pow})`;
}

/** Mean loss per (width, lr) over the seeds that did not diverge; null where none finished finite. */
function cellMeans(trials: SweepTrial[]) {
  const cells = new Map<string, { sum: number; n: number; diverged: number; width: number; lr: number }>();
  for (const t of trials) {
    const k = `${t.width}\u0000${t.lr}`;
    let c = cells.get(k);
    if (!c) cells.set(k, (c = { sum: 0, n: 0, diverged: 0, width: t.width, lr: t.lr }));
    if (t.diverged || t.loss === null || !Number.isFinite(t.loss)) c.diverged++;
    else {
      c.sum += t.loss;
      c.n++;
    }
  }
  return cells;
}

/** Grid argmin per width over the mean curves (used while live, before the engine's result). */
export function liveOptima(trials: SweepTrial[]): SweepOptimum[] {
  const best = new Map<number, SweepOptimum>();
  for (const c of cellMeans(trials).values()) {
    if (c.n === 0) continue;
    const loss = c.sum / c.n;
    const b = best.get(c.width);
    if (!b || loss < b.loss || (loss === b.loss && c.lr < b.lr)) best.set(c.width, { width: c.width, lr: c.lr, loss });
  }
  return [...best.values()].sort((a, b) => a.width - b.width);
}

/** Spread (max - min) of log2 of the optimal LR across widths. */
export function shiftOctaves(optima: SweepOptimum[]): number | null {
  if (optima.length < 2) return null;
  const l = optima.map((o) => Math.log2(o.lr));
  return Math.max(...l) - Math.min(...l);
}

/**
 * LR for `targetWidth`: a least-squares line through (log2 width, log2 optimum LR), evaluated at the target.
 * In muP the slope is ~0 and this is the optimum itself; in SP it extrapolates the drift (the reason SP
 * needs retuning). One width: that width's optimum.
 */
export function recommend(optima: SweepOptimum[], targetWidth: number, parametrization: string): Recommendation | null {
  if (optima.length === 0 || !(targetWidth > 0)) return null;
  const xs = optima.map((o) => Math.log2(o.width));
  const ys = optima.map((o) => Math.log2(o.lr));
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const b = sxx > 0 ? xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / sxx : 0;
  const lr = 2 ** (my + b * (Math.log2(targetWidth) - mx));
  const method =
    n === 1
      ? `the optimum of the only width swept (${optima[0].width})`
      : `fit of log2 optimum LR against log2 width over ${n} widths: ${b >= 0 ? '+' : '\u2212'}${Math.abs(b).toFixed(2)} octaves per doubling` +
        (parametrization === 'sp' && Math.abs(b) > 0.25 ? ' (SP: the optimum drifts, so this is an extrapolation)' : '');
  return { targetWidth, lr, method, octavesPerDoubling: b };
}

export function defaultTargetWidth(view: SweepView): number {
  const ws = view.runs.flatMap((r) => r.trials.map((t) => t.width).concat(r.meta.widths ?? []));
  return ws.length ? 4 * Math.max(...ws) : 1024;
}

function runModel(run: SweepRun, theme: ThemeKind, targetWidth: number, yRange: [number, number] | null): SweepRunModel {
  const trials = run.result && run.result.trials.length >= run.trials.length ? run.result.trials : run.trials;
  const widths = [...new Set(trials.map((t) => t.width).concat(run.meta.widths ?? []))].sort((a, b) => a - b);
  const lrs = [...new Set(trials.map((t) => t.lr).concat(run.meta.lrs ?? []))].filter((l) => l > 0).sort((a, b) => a - b);
  const cells = cellMeans(trials);
  const optima = run.result ? [...run.result.optimum].sort((a, b) => a.width - b.width) : liveOptima(trials);
  const series: PlotSeries[] = widths.map((w, i) => ({
    key: `w${w}`,
    label: `width ${w}`,
    color: widthColor(i, widths.length, theme),
    ys: lrs.map((lr) => {
      const c = cells.get(`${w}\u0000${lr}`);
      return c && c.n > 0 ? c.sum / c.n : null;
    }),
    emphasis: 'normal',
  }));
  const colorOf = new Map(series.map((s, i) => [widths[i], s.color]));
  const markers: PlotMarker[] = [];
  for (const o of optima) {
    markers.push({
      kind: 'optimum',
      seriesKey: `w${o.width}`,
      x: o.lr,
      y: o.loss,
      color: colorOf.get(o.width) ?? '#888888',
      count: 1,
      label: `optimum at width ${o.width}: lr ${fmtLr(o.lr)}, loss ${o.loss.toFixed(4)}`,
    });
  }
  let divergedCount = 0;
  for (const c of cells.values()) {
    if (c.diverged === 0) continue;
    divergedCount += c.diverged;
    markers.push({
      kind: 'diverged',
      seriesKey: `w${c.width}`,
      x: c.lr,
      y: null,
      color: colorOf.get(c.width) ?? '#888888',
      count: c.diverged,
      label: `diverged at width ${c.width}, lr ${fmtLr(c.lr)} (${c.diverged} seed${c.diverged > 1 ? 's' : ''})`,
    });
  }
  const shift = run.result ? run.result.shiftOctaves : shiftOctaves(optima);
  const seeds = run.meta.seeds ?? null;
  const planned = run.meta.widths && run.meta.lrs && seeds ? run.meta.widths.length * run.meta.lrs.length * seeds : null;
  const statusText =
    run.status === 'running'
      ? `running: ${trials.length}${planned ? ` / ${planned}` : ''} trials`
      : run.status === 'done'
        ? `done: ${trials.length} trials${run.result && run.result.reused ? ` (${run.result.reused} reused from the store)` : ''}`
        : `${run.status}${run.message ? `: ${run.message}` : ''}; showing the ${trials.length} stored trials`;
  return {
    parametrization: run.meta.parametrization,
    label: ptLabel(run.meta.parametrization),
    plot: {
      id: `sweep-${run.meta.parametrization}`,
      title: `${ptLabel(run.meta.parametrization)}: loss vs learning rate`,
      xLabel: 'learning rate (log2)',
      yLabel: 'loss',
      xs: lrs,
      xLog: 2,
      xFormat: 'pow2',
      yLog: null,
      series,
      markers,
      yRange,
    },
    widths,
    lrs,
    optima,
    shiftOctaves: shift,
    transfers: run.result ? run.result.transfers : null,
    trialCount: trials.length,
    divergedCount,
    plannedCount: planned,
    statusText,
    recommendation: recommend(optima, targetWidth, run.meta.parametrization),
  };
}

/** A y range shared by every run (so SP and muP side by side compare at a glance), padded 5%. */
export function sharedLossRange(view: SweepView): [number, number] | null {
  const vals: number[] = [];
  for (const r of view.runs) {
    const trials = r.result && r.result.trials.length >= r.trials.length ? r.result.trials : r.trials;
    for (const c of cellMeans(trials).values()) if (c.n > 0) vals.push(c.sum / c.n);
  }
  if (vals.length === 0) return null;
  let lo = Math.min(...vals);
  let hi = Math.max(...vals);
  if (hi === lo) {
    hi += Math.abs(hi) * 0.1 || 1;
    lo -= Math.abs(lo) * 0.1 || 1;
  }
  const pad = (hi - lo) * 0.05;
  // Room at the top for the diverged markers, drawn on the plot's top edge.
  return [lo - pad, hi + pad * 3];
}

export function sweepModel(view: SweepView, theme: ThemeKind): SweepModel {
  const targetWidth = view.targetWidth ?? defaultTargetWidth(view);
  const order = (p: string) => (p === 'sp' ? 0 : 1); // SP left, muP right: the story reads left to right
  const runs = [...view.runs].sort((a, b) => order(a.meta.parametrization) - order(b.meta.parametrization));
  const yRange = runs.length > 1 ? sharedLossRange(view) : null;
  const models = runs.map((r) => runModel(r, theme, targetWidth, yRange));
  const sp = models.find((m) => m.parametrization === 'sp');
  const mup = models.find((m) => m.parametrization === 'mup');
  const comparison =
    sp && mup && sp.shiftOctaves !== null && mup.shiftOctaves !== null
      ? `Optimal LR moves ${sp.shiftOctaves.toFixed(1)} octaves across widths in SP and ${mup.shiftOctaves.toFixed(1)} in muP.`
      : null;
  return { runs: models, targetWidth, comparison };
}
