// A sweep's hyperparameter axes -> plots: for each swept HP, loss against log2 of its value, one curve per width (each
// the slice through that width's joint optimum: the LR and the other HPs at the width's best cell, the engine's rule
// in src/sweep/optimum.ts), each width's optimum marked, diverged cells as markers at the top. The panel and the
// HTML report draw these beside the LR plot, SP and muP side by side on one loss scale.
import type { SweepRun } from '../protocol/webview';
import type { HpAnalysis } from '../sweep/optimum';
import type { SweepHpResult } from '../sweep/types';
import type { ThemeKind } from './colors';
import { seedsText, widthCurves } from './curves';
import type { PlotSpec } from './plotSpec';

export interface HpAxisModel {
  name: string;
  plot: PlotSpec;
  values: number[];
  optima: { width: number; value: number; loss: number; interval: [number, number] | null }[];
  /** From the engine's result when there is one; else from the trials so far (live). */
  shiftOctaves: number | null;
  transfers: boolean | null;
  /** Issue 21: the engine's verdict on this axis (null live or for results written before). */
  verdict: 'transfers' | 'does-not-transfer' | 'inconclusive' | null;
  divergedCount: number;
}

const isPos = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

export function fmtValue(v: number): string {
  const l2 = Math.log2(v);
  const pow = Number.isInteger(Math.round(l2 * 1000) / 1000) ? `2^${Math.round(l2)}` : `2^${l2.toFixed(2)}`;
  return `${Number(v.toPrecision(3))} (${pow})`;
}

/** The HP axes of a run: the planned ones (meta), else those its trials carry, in that order. */
export function hpAxesOf(run: SweepRun, analysed: HpAnalysis[]): { name: string; values: number[] }[] {
  const planned = Array.isArray(run.meta.hps) ? run.meta.hps.filter((a) => a && typeof a.name === 'string' && Array.isArray(a.values)) : [];
  const names = [...planned.map((a) => a.name), ...analysed.map((h) => h.name).filter((n) => !planned.some((a) => a.name === n))];
  return names.map((name) => {
    const seen = new Set<number>(planned.find((a) => a.name === name)?.values.filter(isPos) ?? []);
    for (const curve of analysed.find((h) => h.name === name)?.curves.values() ?? []) for (const p of curve) if (isPos(p.value)) seen.add(p.value);
    return { name, values: [...seen].sort((a, b) => a - b) };
  });
}

export function hpAxisModels(run: SweepRun, analysed: HpAnalysis[], widths: number[], theme: ThemeKind, incomplete: boolean): HpAxisModel[] {
  const label = run.meta.parametrization === 'mup' ? 'muP' : 'SP';
  const engine = (run.result as { hps?: SweepHpResult[] } | null)?.hps;
  return hpAxesOf(run, analysed).map(({ name, values }) => {
    const a = analysed.find((h) => h.name === name);
    const fromEngine = Array.isArray(engine) ? engine.find((h) => h && h.name === name) : undefined;
    const optima = (fromEngine && Array.isArray(fromEngine.optimum) ? fromEngine.optimum : (a?.optimum ?? []))
      .filter((o) => isPos(o.width) && isPos(o.value) && typeof o.loss === 'number')
      .map((o) => ({ width: o.width, value: o.value, loss: o.loss, interval: o.interval && Number.isFinite(o.interval.low) ? ([2 ** o.interval.low, 2 ** o.interval.high] as [number, number]) : null }))
      .sort((x, y) => x.width - y.width);
    const { series, markers, divergedCount } = widthCurves({
      widths,
      xs: values,
      curves: (w) => (a?.curves.get(w) ?? []).map((p) => ({ x: p.value, loss: p.loss, diverged: p.diverged, seeds: p.seeds, sd: p.sd })),
      optima: optima.map((o) => ({ width: o.width, x: o.value, loss: o.loss, interval: o.interval })),
      theme,
      optimumLabel: (o) => `optimum at width ${o.width}: ${name} ${fmtValue(o.x)}, loss ${o.loss.toFixed(4)}`,
      divergedLabel: (w, c) => `diverged at width ${w}, ${name} ${fmtValue(c.x)} (${c.diverged} of ${seedsText(c.seeds)})`,
    });
    const shift = fromEngine && typeof fromEngine.shiftOctaves === 'number' ? fromEngine.shiftOctaves : optima.length >= 2 && a ? a.shiftOctaves : null;
    return {
      name,
      values,
      optima,
      shiftOctaves: shift,
      transfers: fromEngine && !incomplete && typeof fromEngine.transfers === 'boolean' ? fromEngine.transfers : null,
      verdict: fromEngine && !incomplete && typeof fromEngine.verdict === 'string' ? fromEngine.verdict : null,
      divergedCount,
      plot: {
        id: `sweep-${run.meta.parametrization}-hp-${name}`,
        title: `${label}: loss vs ${name}`,
        xLabel: `${name} (log2)`,
        yLabel: 'loss',
        xs: values,
        xLog: 2,
        xFormat: 'pow2',
        yLog: null,
        series,
        markers,
        yRange: null,
      },
    };
  });
}
