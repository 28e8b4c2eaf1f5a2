// Loss curves per width over one swept axis (the LR, or a hyperparameter): the series a plot draws (one per width,
// sequential colours, a gap where a cell diverged), each width's optimum as a marker, and diverged cells as
// markers at the top edge, stacked (narrowest width on top) where several widths diverge at one x.
import { widthColor, type ThemeKind } from './colors';
import type { PlotMarker, PlotSeries } from './plotSpec';

/** One cell of a width's curve: the axis value, its mean loss over seeds (+inf when any seed diverged). */
export interface CurveCell {
  x: number;
  loss: number;
  diverged: number;
  seeds: number;
  /** The loss's SD over seeds (the band is loss -/+ sd where there are 2+ seeds). */
  sd?: number;
}

export interface CurveOptimum {
  width: number;
  x: number;
  loss: number;
  /** The optimum's 95% interval on the axis (data units), when the engine has one. */
  interval?: [number, number] | null;
}

export interface CurvesInput {
  widths: number[];
  xs: number[];
  curves: (width: number) => CurveCell[];
  optima: CurveOptimum[];
  theme: ThemeKind;
  /** The marker's tooltip, e.g. `optimum at width 64: lr 2^-8, loss 0.7710`. */
  optimumLabel: (o: CurveOptimum) => string;
  divergedLabel: (width: number, cell: CurveCell) => string;
}

export function widthCurves(input: CurvesInput): { series: PlotSeries[]; markers: PlotMarker[]; divergedCount: number } {
  const { widths, xs, theme } = input;
  const series: PlotSeries[] = widths.map((w, i) => {
    const curve = new Map(input.curves(w).map((c) => [c.x, c]));
    // The seeds' spread: loss -/+ SD where a cell has 2+ seeds (issue 21), none for a one-seed sweep.
    const spread = (x: number, sign: number) => {
      const c = curve.get(x);
      return c && Number.isFinite(c.loss) && c.seeds > 1 && c.sd !== undefined && Number.isFinite(c.sd) ? c.loss + sign * c.sd : null;
    };
    const banded = xs.some((x) => spread(x, 1) !== null);
    return {
      key: `w${w}`,
      label: `width ${w}`,
      color: widthColor(i, widths.length, theme),
      // A cell where any seed diverged has no loss (the engine counts it as +inf): a gap, and a marker on top.
      ys: xs.map((x) => {
        const c = curve.get(x);
        return c && Number.isFinite(c.loss) ? c.loss : null;
      }),
      ...(banded ? { lo: xs.map((x) => spread(x, -1)), hi: xs.map((x) => spread(x, 1)) } : {}),
      ...(xs.some((x) => !curve.has(x)) ? { absent: xs.map((x) => !curve.has(x)) } : {}),
      emphasis: 'normal',
    };
  });
  const colorOf = new Map(series.map((s, i) => [widths[i], s.color]));
  const markers: PlotMarker[] = input.optima.map((o) => ({
    kind: 'optimum',
    seriesKey: `w${o.width}`,
    x: o.x,
    y: o.loss,
    color: colorOf.get(o.width) ?? '#888888',
    count: 1,
    stack: 0,
    label: input.optimumLabel(o),
    interval: o.interval ?? null,
  }));
  let divergedCount = 0;
  const atX = new Map<number, number>();
  for (const w of widths) {
    for (const c of input.curves(w)) {
      if (c.diverged === 0) continue;
      divergedCount += c.diverged;
      const stack = atX.get(c.x) ?? 0;
      atX.set(c.x, stack + 1);
      markers.push({
        kind: 'diverged',
        seriesKey: `w${w}`,
        x: c.x,
        y: null,
        color: colorOf.get(w) ?? '#888888',
        count: c.diverged,
        stack,
        label: input.divergedLabel(w, c),
      });
    }
  }
  return { series, markers, divergedCount };
}

export const seedsText = (n: number): string => `${n} seed${n > 1 ? 's' : ''}`;
