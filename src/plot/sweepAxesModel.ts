// The plots of a sweep's axes beyond width (issue 22): per axis, loss against LR with one curve per axis value (at
// the first width swept, every other axis at its first value), each value's optimum marked: the width plot's
// curves with the axis value in width's place (widthCurves, relabelled). Drawn by the panel and the HTML report
// beside the HP axes' plots (same model, HpAxisModel).
import type { SweepAxisGrid, SweepAxisName } from '../sweep/axes';
import { lossCurves } from '../sweep/optimum';
import type { SweepTrial } from '../sweep/types';
import type { ThemeKind } from './colors';
import { seedsText, widthCurves } from './curves';
import type { HpAxisModel } from './sweepHpModel';

/** What the model needs of a run: its trials, and the engine's axes (SweepReport's `axisGrid` and `axes`). */
export interface AxisRunInput {
  trials: SweepTrial[];
  axisGrid?: SweepAxisGrid[];
  axes?: { name: SweepAxisName; ok: boolean; slices: { width: number; optimum: { value: number; lr: number; loss: number }[]; shiftOctaves: number }[] }[];
}

const fmtLr = (lr: number): string => `2^${Math.log2(lr).toFixed(Number.isInteger(Math.log2(lr)) ? 0 : 2)}`;

const LABEL: Record<SweepAxisName, string> = { depth: 'depth', batch: 'batch', seqLen: 'seq len', steps: 'steps' };

/** Trials of a sweep with axes, restricted to the proxy (every axis at its first value), without their axes. */
export function proxyTrials(trials: SweepTrial[], grid: SweepAxisGrid[] | undefined): SweepTrial[] {
  if (!grid?.length) return trials;
  return trials.filter((t) => grid.every((a) => t.axes?.[a.name] === a.values[0])).map(({ axes: _a, ...t }) => t);
}

export function axisPlotModels(run: AxisRunInput, theme: ThemeKind): HpAxisModel[] {
  const grid = run.axisGrid ?? [];
  return grid.filter((a) => a.values.length >= 2).map((axis) => {
    const width = Math.min(...run.trials.map((t) => t.width));
    const at = grid.filter((g) => g.name !== axis.name);
    const slice = run.trials.filter((t) => t.width === width && at.every((g) => t.axes?.[g.name] === g.values[0]));
    const curves = lossCurves(slice.map(({ axes: a, ...t }) => ({ ...t, width: a?.[axis.name] ?? NaN })));
    const lrs = [...new Set(slice.map((t) => t.lr))].sort((a, b) => a - b);
    const res = run.axes?.find((r) => r.name === axis.name)?.slices.find((s) => s.width === width);
    const optima = (res?.optimum ?? []).map((o) => ({ width: o.value, x: o.lr, loss: o.loss }));
    const label = LABEL[axis.name];
    const drawn = widthCurves({
      widths: axis.values,
      xs: lrs,
      curves: (v) => (curves.get(v) ?? []).map((p) => ({ x: p.lr, loss: p.loss, diverged: p.diverged, seeds: p.seeds })),
      optima,
      theme,
      optimumLabel: (o) => `optimum at ${label} ${o.width}: lr ${fmtLr(o.x)}, loss ${o.loss.toFixed(4)}`,
      divergedLabel: (v, c) => `diverged at ${label} ${v}, lr ${fmtLr(c.x)} (${c.diverged} of ${seedsText(c.seeds)})`,
    });
    const series = drawn.series.map((s, i) => ({ ...s, key: `${axis.name}${axis.values[i]}`, label: `${label} ${axis.values[i]}` }));
    return {
      name: axis.name,
      plot: {
        id: `sweep-axis-${axis.name}`,
        title: `loss vs learning rate per ${label} (width ${width})`,
        xLabel: 'learning rate (log2)',
        yLabel: 'loss',
        xs: lrs,
        xLog: 2,
        xFormat: 'pow2',
        yLog: null,
        series,
        markers: drawn.markers,
        yRange: null,
      },
      values: axis.values,
      optima: optima.map((o) => ({ width: o.width, value: o.x, loss: o.loss, interval: null })),
      shiftOctaves: res?.shiftOctaves ?? null,
      transfers: run.axes?.find((r) => r.name === axis.name)?.ok ?? null,
      divergedCount: drawn.divergedCount,
    };
  });
}
