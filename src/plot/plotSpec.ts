// What a plot draws, as plain data: the webview hands it to uPlot, the SVG export draws it itself, the tests
// read it. One x array shared by every series (uPlot's aligned data); null = no point there.

export interface PlotSeries {
  /** Stable key: the layer name (coord) or `w<width>` (sweep). */
  key: string;
  label: string;
  color: string;
  ys: Array<number | null>;
  /** Spread band (mean -/+ std over seeds), same length as ys (coordinate checks and sweeps with 2+ seeds). */
  lo?: Array<number | null>;
  hi?: Array<number | null>;
  /** True where this series has no cell at all (another width's `--refine` LR): skipped, the line joins over it
   *  (a null elsewhere is a gap: a diverged cell). */
  absent?: boolean[];
  /** `fail`: drawn thicker (a layer over the threshold); `normal` otherwise. */
  emphasis: 'normal' | 'fail';
  /** Where clicking this series leads (a layer's definition). */
  source?: { file: string; line: number } | null;
}

export interface PlotMarker {
  kind: 'optimum' | 'diverged';
  seriesKey: string;
  x: number;
  /** null: drawn at the top edge of the plot (a diverged trial has no loss to place it at). */
  y: number | null;
  color: string;
  /** Diverged trials at the same (width, lr): how many seeds. */
  count: number;
  /** Diverged markers at the same x are stacked downwards from the top edge (0 = topmost), one per width. */
  stack: number;
  label: string;
  /** An optimum's 95% interval on the x axis (data units), drawn as a horizontal bar through it (issue 21). */
  interval?: [number, number] | null;
}

export interface PlotSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** x values (widths or learning rates), ascending, in data units (not logs). */
  xs: number[];
  /** Log base of the x axis (2: width and LR axes); null = linear. */
  xLog: 2 | 10 | null;
  /** Tick labels: `plain` numbers (widths) or powers of two `2^-8` (learning rates). */
  xFormat: 'plain' | 'pow2';
  yLog: 2 | 10 | null;
  series: PlotSeries[];
  markers: PlotMarker[];
  /** Fixed y range (shared by side-by-side plots), else null = fit the data. */
  yRange: [number, number] | null;
}

/** Finite positive values of a series list, for log-axis ranges. */
export function finiteValues(series: PlotSeries[], positive: boolean): number[] {
  const out: number[] = [];
  for (const s of series) {
    for (const arr of [s.ys, s.lo ?? [], s.hi ?? []]) {
      for (const v of arr) if (v !== null && Number.isFinite(v) && (!positive || v > 0)) out.push(v);
    }
  }
  return out;
}
