// One PlotSpec drawn by uPlot: log2 x axis (distr 3, base 2), spread bands and markers drawn in a `draw`
// hook (so the legend keeps one entry per line), clicks on a line reported, colours from the VS Code theme.
import uPlot from 'uplot';
import { finiteValues, type PlotSpec } from '../../src/plot/plotSpec';
import { logTicks } from '../../src/plot/svg';

export interface ThemeColors {
  foreground: string;
  background: string;
  grid: string;
  font: string;
}

export function themeColors(): ThemeColors {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    foreground: v('--vscode-editor-foreground', '#333333'),
    background: v('--vscode-editor-background', '#ffffff'),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', '#80808055')),
    font: `${v('--vscode-font-size', '12px')} ${v('--vscode-font-family', 'sans-serif')}`,
  };
}

/**
 * The x range a user zoomed a plot to (drag on the plot), by PlotSpec id. Charts are destroyed and rebuilt on
 * every render (live sweep updates, resize, theme), so the zoom lives here and a new chart of the same plot
 * starts at it; a double-click (uPlot's reset to the full range) forgets it.
 */
export const userZoom = new Map<string, { min: number; max: number }>();

export interface ChartOptions {
  width: number;
  height: number;
  colors: ThemeColors;
  /** A click on (or near) a line: the series index in spec.series. */
  onSeriesClick?: (seriesIndex: number) => void;
}

function fmtTick(spec: PlotSpec, v: number): string {
  if (spec.xFormat === 'pow2') {
    const e = Math.log2(v);
    return Math.abs(e - Math.round(e)) < 1e-6 ? `2^${Math.round(e)}` : '';
  }
  return Number.isInteger(v) ? String(v) : '';
}

function yRange(spec: PlotSpec): [number, number] | null {
  if (spec.yRange) return spec.yRange;
  const vals = finiteValues(spec.series, spec.yLog !== null);
  if (!vals.length) return null;
  let lo = Math.min(...vals);
  let hi = Math.max(...vals);
  if (spec.yLog) return [lo / 1.3, hi * 1.3];
  if (hi === lo) {
    hi += Math.abs(hi) * 0.1 || 1;
    lo -= Math.abs(lo) * 0.1 || 1;
  }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad * (spec.markers.some((m) => m.kind === 'diverged') ? 3 : 1)];
}

function drawOverlays(u: uPlot, spec: PlotSpec, colors: ThemeColors): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = (v: number) => u.valToPos(v, 'x', true);
  const py = (v: number) => Math.min(top + height, Math.max(top, u.valToPos(v, 'y', true)));
  const dpr = devicePixelRatio || 1;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  spec.series.forEach((s, si) => {
    if (!s.lo || !s.hi || !u.series[si + 1].show) return;
    ctx.fillStyle = s.color;
    ctx.globalAlpha = 0.15;
    let run: number[] = [];
    const flush = () => {
      if (run.length >= 2) {
        ctx.beginPath();
        run.forEach((i, k) => (k === 0 ? ctx.moveTo(px(spec.xs[i]), py(s.hi![i]!)) : ctx.lineTo(px(spec.xs[i]), py(s.hi![i]!))));
        for (const i of [...run].reverse()) ctx.lineTo(px(spec.xs[i]), py(s.lo![i]!));
        ctx.closePath();
        ctx.fill();
      }
      run = [];
    };
    s.ys.forEach((_, i) => (s.absent?.[i] ? undefined : s.lo![i] !== null && s.hi![i] !== null ? run.push(i) : flush()));
    flush();
  });
  ctx.globalAlpha = 1;
  const visible = new Set(spec.series.filter((_, i) => u.series[i + 1].show).map((s) => s.key));
  for (const m of spec.markers) {
    if (!visible.has(m.seriesKey)) continue;
    const x = px(m.x);
    ctx.fillStyle = m.color;
    ctx.strokeStyle = colors.foreground;
    ctx.lineWidth = 1.5 * dpr;
    ctx.beginPath();
    if (m.kind === 'optimum' && m.y !== null) {
      if (m.interval) ctx.fillRect(px(m.interval[0]), py(m.y) - dpr, px(m.interval[1]) - px(m.interval[0]), 2 * dpr); // 95% interval (issue 21)
      ctx.arc(x, py(m.y), 5.5 * dpr, 0, 2 * Math.PI);
    } else {
      // Diverged: a downward triangle pinned to the top edge (it has no loss to place it at).
      const y = top + (6 + 10 * m.stack) * dpr;
      ctx.moveTo(x - 5 * dpr, y - 4 * dpr);
      ctx.lineTo(x + 5 * dpr, y - 4 * dpr);
      ctx.lineTo(x, y + 5 * dpr);
      ctx.closePath();
    }
    ctx.fill();
    ctx.stroke();
  }
  ctx.restore();
}

export function createChart(target: HTMLElement, spec: PlotSpec, o: ChartOptions): uPlot {
  const axisCommon = {
    stroke: o.colors.foreground,
    grid: { stroke: o.colors.grid, width: 0.5 },
    ticks: { stroke: o.colors.grid, width: 0.5 },
    font: o.colors.font,
    labelFont: o.colors.font,
  };
  const range = yRange(spec);
  let focused: number | null = null;
  // uPlot fires setScale on init, on a drag zoom and on a double-click reset; only a drag is a user zoom, and
  // its setSelect fires just before its setScale.
  let selecting = false;
  const xs = spec.xs;
  const opts: uPlot.Options = {
    width: o.width,
    height: o.height,
    title: spec.title,
    legend: { show: false }, // our own legend: keyboard-reachable buttons that also reveal the layer
    cursor: { focus: { prox: 12 }, drag: { x: true, y: false } },
    focus: { alpha: 0.35 },
    scales: {
      // Log x axes get a third of an octave of room on each side so that end points and markers are not cut.
      x: {
        time: false,
        distr: spec.xLog ? 3 : 1,
        log: spec.xLog ?? 10,
        // The full data range (init, double-click) is padded; any other range (a drag zoom) is kept as asked.
        ...(spec.xLog && xs.length
          ? {
              range: (_u: uPlot, min: number | null, max: number | null): [number, number] =>
                min === null || max === null || (min <= xs[0] && max >= xs[xs.length - 1])
                  ? [xs[0] / 2 ** 0.35, xs[xs.length - 1] * 2 ** 0.35]
                  : [min, max],
            }
          : {}),
      },
      y: {
        distr: spec.yLog ? 3 : 1,
        log: spec.yLog ?? 10,
        ...(range ? { range: (_u: uPlot, _min: number, _max: number) => range } : {}),
      },
    },
    axes: [
      {
        ...axisCommon,
        label: spec.xLabel,
        // Ticks at whole powers of two inside the (padded) range, thinned to about 8.
        ...(spec.xLog
          ? { splits: (u: uPlot) => logTicks(u.scales.x.min ?? 1, u.scales.x.max ?? 2, spec.xLog ?? 2), filter: (_u: uPlot, splits: number[]) => splits }
          : {}),
        values: (_u, vals) => vals.map((v) => fmtTick(spec, v)),
      },
      {
        ...axisCommon,
        label: spec.yLabel,
        size: 60,
        ...(spec.yLog === 10
          ? { splits: (u: uPlot) => logTicks(u.scales.y.min ?? 0.1, u.scales.y.max ?? 1, 10), filter: (_u: uPlot, splits: number[]) => splits, values: (_u: uPlot, vals: number[]) => vals.map((v) => String(Number(v.toPrecision(3)))) }
          : {}),
      },
    ],
    series: [
      { label: spec.xLabel },
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: s.emphasis === 'fail' ? 3 : 1.5,
        spanGaps: false,
        points: { show: true, size: 5, fill: s.color },
      })),
    ],
    hooks: {
      draw: [(u) => drawOverlays(u, spec, o.colors)],
      setSelect: [
        (u) => {
          if (u.select.width > 0) selecting = true;
        },
      ],
      setScale: [
        (u, key) => {
          if (key !== 'x' || !selecting) return;
          selecting = false;
          const { min, max } = u.scales.x;
          if (min != null && max != null) userZoom.set(spec.id, { min, max });
        },
      ],
      setSeries: [
        (_u, idx, so) => {
          if ((so as { focus?: boolean }).focus != null) focused = idx ?? null;
        },
      ],
    },
  };
  // uPlot breaks a line at null and joins over undefined: a width with no cell at an x (refined LRs) is undefined.
  const data: uPlot.AlignedData = [spec.xs, ...spec.series.map((s) => s.ys.map((v, i) => (s.absent?.[i] ? undefined : v)))] as uPlot.AlignedData;
  const u = new uPlot(opts, data, target);
  u.over.addEventListener('dblclick', () => {
    selecting = false;
    userZoom.delete(spec.id);
  });
  const zoom = userZoom.get(spec.id);
  if (zoom) u.setScale('x', { ...zoom });
  if (o.onSeriesClick) {
    const cb = o.onSeriesClick;
    u.over.addEventListener('click', () => {
      if (focused !== null && focused > 0) cb(focused - 1);
    });
  }
  return u;
}
