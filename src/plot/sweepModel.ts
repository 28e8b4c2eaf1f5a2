// Sweep -> plots. Loss against log2 LR, one curve per width (sequential colours), each width's optimum
// marked, diverged trials as markers at the top edge, the optimum's shift across widths in octaves, and the
// LR to use at a target width. Works on a live, partial trial list as well as on the engine's final result.
import type { SweepOptimum, SweepTrial } from '../sweep/types';
import type { SweepRun, SweepView } from '../protocol/webview';
import { hpKey } from '../sweep/grid';
import { analyzeTrials, recommendLr, type Recommendation as EngineRecommendation } from '../sweep/optimum';
import { transfersFromText } from '../sweep/uncertainty';
import type { ThemeKind } from './colors';
import { seedsText, widthCurves } from './curves';
import type { PlotSpec } from './plotSpec';
import { hpAxisModels, type HpAxisModel } from './sweepHpModel';
import { axisPlotModels, proxyTrials } from './sweepAxesModel';

export interface Recommendation {
  targetWidth: number;
  lr: number;
  /** How it was obtained, in words the panel shows. */
  method: string;
  /** The optimum transfers (the widest width's optimum is used as is). */
  transfer: boolean;
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
  /** Issue 21: the engine's verdict (null live or for results written before), the shift's 95% interval, what
   *  would settle an inconclusive verdict. */
  verdict: 'transfers' | 'does-not-transfer' | 'inconclusive' | null;
  shiftInterval: { low: number; high: number } | null;
  /** Why the verdict is inconclusive (the engine's words; empty otherwise). */
  reasons: string[];
  settle: string[];
  /** Issue 21: "does not transfer" as a whole, but from this width up it does (the engine's sentence); else null. */
  transfersFromText: string | null;
  trialCount: number;
  divergedCount: number;
  plannedCount: number | null;
  statusText: string;
  recommendation: Recommendation | null;
  /** Still running: every value shown is provisional and no action acts on it (the CLI concludes nothing either). */
  provisional: boolean;
  /** A run that ended (done, cancelled, failed) without a result for every trial of its grid: not judged. */
  incomplete: { missing: number; planned: number; text: string } | null;
  /** One plot per swept hyperparameter (none in an LR sweep). */
  hpAxes: HpAxisModel[];
  /** The LR plot is drawn when the LR was swept (two or more values) or there is nothing else to draw. */
  showLrPlot: boolean;
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

/** Shown as the method of a recommendation (the rule itself is the engine's, src/sweep/optimum.ts). */
function methodText(rec: EngineRecommendation, optima: SweepOptimum[], parametrization: string): string {
  if (rec.method === 'transfer') {
    const widest = optima.reduce((a, b) => (b.width > a.width ? b : a));
    return optima.length < 2
      ? `optimum of the only width swept (${widest.width})`
      : `fitted optimum of the widest width (${widest.width}): the optimum transfers across widths`;
  }
  return (
    `straight-line fit of log2 optimum LR against log2 width, extrapolated` +
    (parametrization === 'sp' ? ' (SP: the optimum drifts with width, so retune at the target)' : ' (the optimum does not transfer)')
  );
}

/**
 * The LR for `targetWidth` by the engine's rule (src/sweep/optimum.ts `recommendLr`): the widest width's
 * fitted optimum when the optimum transfers, else log2 LR* extrapolated linearly in log2 width.
 */
export function recommend(trials: SweepTrial[], targetWidth: number, parametrization: string): Recommendation | null {
  if (!(targetWidth > 0)) return null;
  const analysis = analyzeTrials(trials);
  const rec = recommendLr(analysis, targetWidth);
  if (!rec) return null;
  return { targetWidth, lr: rec.lr, method: methodText(rec, analysis.optimum, parametrization), transfer: rec.method === 'transfer' };
}

/** The trials a run shows: the engine's final list when it has at least as many as arrived live. */
export function runTrials(run: SweepRun): SweepTrial[] {
  const result = Array.isArray(run.result?.trials) ? run.result.trials : null;
  return (result && result.length >= run.trials.length ? result : run.trials).filter(isTrial);
}

/**
 * The trials a live sweep concludes anything from, even provisionally: those of widths whose whole row (every LR,
 * seed and HP value planned) has finished. A half-swept width's "optimum" is only the best of the LRs tried so far
 * (2 of 11 LRs put it at the edge), which would make the shift and the LR swing wildly. A finished run: all.
 */
export function judgedTrials(run: SweepRun): SweepTrial[] {
  const trials = runTrials(run);
  const lrs = run.meta.lrs;
  if (run.status !== 'running' || !lrs?.length) return trials;
  const hpFactor = (run.meta.hps ?? []).reduce((n, a) => n * (Array.isArray(a.values) ? a.values.length : 1), 1);
  const row = lrs.length * (run.meta.seeds ?? 1) * hpFactor;
  const have = new Map<number, Set<string>>();
  for (const t of trials) {
    const k = have.get(t.width) ?? new Set<string>();
    k.add(`${t.lr}|${t.seed}|${hpKey(t.hp)}`);
    have.set(t.width, k);
  }
  return trials.filter((t) => (have.get(t.width)?.size ?? 0) >= row);
}

const isPos = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** A trial as the engine writes it; a stored result can be damaged or crafted, and is plotted only where it is. */
function isTrial(t: SweepTrial): boolean {
  return (
    isPos(t.width) && isPos(t.lr) && typeof t.seed === 'number' && (t.loss === null || typeof t.loss === 'number') && typeof t.diverged === 'boolean' &&
    (t.hp === undefined || (typeof t.hp === 'object' && t.hp !== null && Object.values(t.hp).every(isPos)))
  );
}

/**
 * The target width when the user has not chosen one: the one the engine recommended for in a finished run
 * (`result.recommended.targetWidth`: `--target-width` / `mupLens.sweep.targetWidth`), else, as the engine
 * does by default, the widest width swept (or planned). So the panel and `mup-lens sweep` agree.
 */
export function defaultTargetWidth(view: SweepView): number {
  for (const r of view.runs) {
    const t = r.result?.recommended?.targetWidth;
    if (typeof t === 'number' && Number.isInteger(t) && t > 0) return t;
  }
  const ws = view.runs.flatMap((r) => runTrials(r).map((t) => t.width).concat(r.meta.widths ?? []));
  return ws.length ? Math.max(...ws) : 1024;
}

function runModel(run: SweepRun, theme: ThemeKind, targetWidth: number, yRange: [number, number] | null): SweepRunModel {
  // A sweep with axes beyond width (issue 22): the width plot is the proxy's slice; each axis gets its own plot.
  const axisGrid = run.result?.axisGrid;
  const trials = proxyTrials(runTrials(run), axisGrid);
  const analysis = analyzeTrials(trials);
  // While running, optima, shift and recommendation come from the widths whose rows are complete (provisional).
  const judged = proxyTrials(judgedTrials(run), axisGrid);
  const judgedAnalysis = judged.length === trials.length ? analysis : analyzeTrials(judged);
  const widths = [...new Set(trials.map((t) => t.width).concat(run.meta.widths ?? []))].sort((a, b) => a - b);
  const lrs = [...new Set(trials.map((t) => t.lr).concat(run.meta.lrs ?? []))].filter((l) => l > 0).sort((a, b) => a - b);
  // The engine's optima once it has a result; while live, the same rule over the trials so far.
  const optima: SweepOptimum[] = (
    Array.isArray(run.result?.optimum) ? run.result.optimum : judgedAnalysis.optimum.map(({ width, lr, loss, interval }) => ({ width, lr, loss, interval }))
  )
    .filter((o) => isPos(o.width) && isPos(o.lr) && typeof o.loss === 'number')
    .sort((a, b) => a.width - b.width);
  const ivl = (i: { low: number; high: number } | null | undefined): [number, number] | null =>
    i && Number.isFinite(i.low) && Number.isFinite(i.high) ? [2 ** i.low, 2 ** i.high] : null;
  const { series, markers, divergedCount } = widthCurves({
    widths,
    xs: lrs,
    curves: (w) => (analysis.curves.get(w) ?? []).map((p) => ({ x: p.lr, loss: p.loss, diverged: p.diverged, seeds: p.seeds, sd: p.sd })),
    optima: optima.map((o) => ({ width: o.width, x: o.lr, loss: o.loss, interval: ivl(o.interval) })),
    theme,
    optimumLabel: (o) => `optimum at width ${o.width}: lr ${fmtLr(o.x)}, loss ${o.loss.toFixed(4)}${o.interval ? `, 95% interval ${fmtLr(o.interval[0])}..${fmtLr(o.interval[1])}` : ''}`,
    divergedLabel: (w, c) => `diverged at width ${w}, lr ${fmtLr(c.x)} (${c.diverged} of ${seedsText(c.seeds)})`,
  });
  const shift = run.result ? run.result.shiftOctaves : optima.length >= 2 ? judgedAnalysis.shiftOctaves : null;
  const seeds = run.meta.seeds ?? null;
  const hpFactor = (run.meta.hps ?? []).reduce((n, a) => n * (Array.isArray(a.values) ? a.values.length : 1), 1);
  const planned = run.meta.widths && run.meta.lrs && seeds ? run.meta.widths.length * run.meta.lrs.length * seeds * hpFactor : null;
  const incomplete = incompleteness(run, trials, planned);
  const hpAxes = [...hpAxisModels(run, analysis.hps, widths, theme, incomplete !== null), ...axisPlotModels({ trials: runTrials(run), axisGrid, axes: run.result?.axes }, theme)];
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
    // The run's verdict: every axis it swept (the LR and each HP; without HPs, the LR's `transfers`).
    transfers: run.result && !incomplete ? (run.result.everyAxisTransfers ?? run.result.transfers) : null,
    verdict: run.result && !incomplete && typeof run.result.verdict === 'string' ? run.result.verdict : null,
    shiftInterval: run.result?.shiftInterval && Number.isFinite(run.result.shiftInterval.low) ? run.result.shiftInterval : null,
    reasons: run.result && !incomplete && Array.isArray(run.result.reasons) ? run.result.reasons.filter((x: unknown): x is string => typeof x === 'string') : [],
    settle: run.result && !incomplete && Array.isArray(run.result.settle) ? run.result.settle.filter((x: unknown): x is string => typeof x === 'string') : [],
    // (an inconclusive verdict has it among what would settle it already)
    transfersFromText:
      run.result && !incomplete && run.result.verdict === 'does-not-transfer' && validFrom(run.result.transfersFrom) ? transfersFromText('LR', run.result.transfersFrom) : null,
    trialCount: trials.length,
    divergedCount,
    plannedCount: planned,
    statusText,
    recommendation: incomplete ? null : recommend(judged, targetWidth, run.meta.parametrization),
    provisional: run.status === 'running',
    incomplete,
    hpAxes,
    showLrPlot: lrs.length >= 2 || hpAxes.length === 0,
  };
}

/**
 * Whether a run that has ended lacks trials of its grid (the engine's `complete: false`, or fewer distinct trials
 * than planned for a cancelled or failed run): then the panel says so as plainly as a verdict and concludes nothing.
 */
function incompleteness(run: SweepRun, trials: SweepTrial[], planned: number | null): SweepRunModel['incomplete'] {
  if (run.status === 'running') return null;
  const have = new Set(trials.map((t) => `${t.width}|${t.lr}|${t.seed}|${hpKey(t.hp)}`)).size;
  const missing = run.result?.complete === false ? (run.result.missing ?? (planned !== null ? planned - have : 0)) : planned !== null && have < planned ? planned - have : 0;
  if (run.result?.complete !== false && missing === 0) return null;
  const total = planned ?? have + missing;
  return {
    missing,
    planned: total,
    text: `${missing} of ${total} trials of the grid have no result, so whether the LR transfers is not judged and no LR is recommended. Run the sweep again to complete it: stored trials are reused and only the missing ones run.`,
  };
}

/** A y range shared by every run (so SP and muP side by side compare at a glance), padded 5%. */
export function sharedLossRange(view: SweepView): [number, number] | null {
  const vals: number[] = [];
  for (const r of view.runs) {
    const a = analyzeTrials(runTrials(r));
    for (const curve of a.curves.values()) for (const p of curve) if (Number.isFinite(p.loss)) vals.push(p.loss);
    for (const h of a.hps) for (const curve of h.curves.values()) for (const p of curve) if (Number.isFinite(p.loss)) vals.push(p.loss);
  }
  if (vals.length === 0) return null;
  let lo = Math.min(...vals);
  let hi = Math.max(...vals);
  if (hi === lo) {
    hi += Math.abs(hi) * 0.1 || 1;
    lo -= Math.abs(lo) * 0.1 || 1;
  }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

export function sweepModel(view: SweepView, theme: ThemeKind): SweepModel {
  const targetWidth = view.targetWidth ?? defaultTargetWidth(view);
  const order = (p: string) => (p === 'sp' ? 0 : 1); // SP left, muP right: the story reads left to right
  const runs = [...view.runs].sort((a, b) => order(a.meta.parametrization) - order(b.meta.parametrization));
  const models = runs.map((r) => runModel(r, theme, targetWidth, null));
  // One loss range for every run (SP and muP compare at a glance), with room at the top for the stacked
  // diverged markers (about 10 px each on a ~250 px plot).
  const range = sharedLossRange(view);
  const plots = models.flatMap((m) => [m.plot, ...m.hpAxes.map((h) => h.plot)]);
  const stacks = Math.max(0, ...plots.flatMap((p) => p.markers.filter((k) => k.kind === 'diverged').map((k) => k.stack + 1)));
  if (range) {
    const top = range[1] + (range[1] - range[0]) * Math.min(0.8, stacks * 0.05);
    for (const p of plots) p.yRange = [range[0], top];
  }
  const sp = models.find((m) => m.parametrization === 'sp');
  const mup = models.find((m) => m.parametrization === 'mup');
  const parts: string[] = [];
  if (sp && mup && !sp.incomplete && !mup.incomplete && !sp.provisional && !mup.provisional) {
    if (sp.showLrPlot && mup.showLrPlot && sp.shiftOctaves !== null && mup.shiftOctaves !== null) {
      parts.push(`Optimal LR moves ${sp.shiftOctaves.toFixed(1)} octaves across widths in SP and ${mup.shiftOctaves.toFixed(1)} in muP.`);
    }
    for (const h of sp.hpAxes) {
      const m = mup.hpAxes.find((x) => x.name === h.name);
      if (m && h.shiftOctaves !== null && m.shiftOctaves !== null) parts.push(`Best ${h.name} moves ${h.shiftOctaves.toFixed(1)} octaves across widths in SP and ${m.shiftOctaves.toFixed(1)} in muP.`);
    }
  }
  return { runs: models, targetWidth, comparison: parts.length ? parts.join(' ') : null };
}

/** A stored result's `transfersFrom`, when it is well formed (the panel reads files a user may have edited). */
function validFrom(x: unknown): x is { width: number; shift: { low: number; high: number } } {
  const f = x as { width?: unknown; shift?: { low?: unknown; high?: unknown } } | null | undefined;
  return !!f && typeof f.width === 'number' && Number.isFinite(f.width) && typeof f.shift?.low === 'number' && Number.isFinite(f.shift.low) && typeof f.shift.high === 'number' && Number.isFinite(f.shift.high);
}
