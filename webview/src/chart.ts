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
/** The y range of a box zoom (a drag in both directions), by PlotSpec id; kept like userZoom. */
export const userYZoom = new Map<string, [number, number]>();
/** The user's log/linear y choice, by PlotSpec id (absent: the plot's own). */
export const userYLog = new Map<string, boolean>();

/** A stored run drawn over this one (main.ts sets it from `panel/overlay`): its plots by PlotSpec id, and its name. */
let overlay: { label: string; specs: Map<string, PlotSpec> } | null = null;
export function setOverlay(o: typeof overlay): void {
  overlay = o;
}
export function overlayLabel(): string | null {
  return overlay?.label ?? null;
}

/**
 * The plot with the overlaid run's lines of the same plot appended (dashed in createChart): on the union of both
 * x grids, the plot's own series first (so legend indices hold). Null when nothing of the overlay matches.
 */
function withOverlay(spec: PlotSpec): { spec: PlotSpec; first: number } | null {
  const other = overlay?.specs.get(spec.id);
  if (!other || other.series.length === 0) return null;
  const xs = [...new Set([...spec.xs, ...other.xs])].sort((a, b) => a - b);
  const remap = (from: number[], ys: Array<number | null> | undefined) => (ys ? xs.map((x) => { const i = from.indexOf(x); return i < 0 ? null : (ys[i] ?? null); }) : undefined);
  const own = spec.series.map((x) => ({ ...x, ys: remap(spec.xs, x.ys)!, lo: remap(spec.xs, x.lo), hi: remap(spec.xs, x.hi) }));
  const theirs = other.series.map((x) => ({ ...x, key: `overlay:${x.key}`, label: `${x.label} (stored)`, ys: remap(other.xs, x.ys)!, lo: undefined, hi: undefined, emphasis: 'normal' as const }));
  return { spec: { ...spec, xs, series: [...own, ...theirs] }, first: own.length };
}

/** How the panel redraws every chart (main.ts): a y-scale toggle or a reset rebuilds the charts. */
let rerender: () => void = () => {};
export function setRerender(fn: () => void): void {
  rerender = fn;
}

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

/** A tick value as the readout says it: `2^-7 (0.00781)` on a pow2 axis, else 4 significant digits. */
export function fmtValue(v: number, pow2: boolean): string {
  if (pow2 && v > 0) {
    const e = Math.log2(v);
    return Math.abs(e - Math.round(e)) < 1e-6 ? `2^${Math.round(e)} (${Number(v.toPrecision(3))})` : `2^${e.toFixed(2)} (${Number(v.toPrecision(3))})`;
  }
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

let measureCtx: CanvasRenderingContext2D | null = null;
/** CSS px width of a tick label in the axis font. */
function textWidth(text: string, font: string): number {
  measureCtx ??= document.createElement('canvas').getContext('2d');
  if (!measureCtx) return text.length * 7;
  measureCtx.font = font;
  return measureCtx.measureText(text).width;
}

/**
 * Thins x ticks so that no two labels touch at this plot's width ("2^-102^-8", "5121024" at ~650 px): every k-th
 * tick, k the smallest step at which the widest label plus a gap fits between neighbours. Pure arithmetic on the
 * pixel positions uPlot gives, so it holds at any panel width.
 */
export function thinTicks(positions: number[], widths: number[], gap = 10): number {
  if (positions.length < 2) return 1;
  const widest = Math.max(...widths);
  let minStep = Infinity;
  for (let i = 1; i < positions.length; i++) minStep = Math.min(minStep, Math.abs(positions[i]! - positions[i - 1]!));
  if (!(minStep > 0)) return positions.length;
  return Math.max(1, Math.ceil((widest + gap) / minStep));
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

/** The plot as drawn now: the user's log/linear y choice applied (a loss range padded for linear y is dropped). */
function effectiveSpec(spec: PlotSpec): PlotSpec {
  const choice = userYLog.get(spec.id);
  if (choice === undefined || choice === (spec.yLog !== null)) return spec;
  if (!choice) return { ...spec, yLog: null };
  const series = spec.series.map((x) => ({ ...x, ys: x.ys.map((v) => (v !== null && v > 0 ? v : null)) }));
  return { ...spec, yLog: 10, yRange: null, series };
}

/** Log y and Reset zoom above a plot, as TensorBoard's and W&B's chart toolbars. */
function plotTools(spec: PlotSpec, drawn: PlotSpec): HTMLElement {
  const bar = document.createElement('div');
  bar.className = 'plot-tools';
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', `${spec.title}: view`);
  const logY = document.createElement('button');
  logY.type = 'button';
  logY.dataset.action = 'log-y';
  logY.dataset.focusKey = `log-y:${spec.id}`;
  logY.textContent = 'Log y';
  logY.title = 'Toggle a logarithmic y axis';
  logY.setAttribute('aria-pressed', String(drawn.yLog !== null));
  logY.addEventListener('click', () => {
    userYLog.set(spec.id, drawn.yLog === null);
    userYZoom.delete(spec.id);
    rerender();
  });
  const reset = document.createElement('button');
  reset.type = 'button';
  reset.dataset.action = 'reset-zoom';
  reset.dataset.focusKey = `reset-zoom:${spec.id}`;
  reset.textContent = 'Reset zoom';
  reset.title = 'Show the whole plot again (or double-click the plot). Drag on the plot to zoom into a box.';
  reset.disabled = !userZoom.has(spec.id) && !userYZoom.has(spec.id);
  reset.addEventListener('click', () => {
    userZoom.delete(spec.id);
    userYZoom.delete(spec.id);
    rerender();
  });
  bar.append(logY, reset);
  return bar;
}

/**
 * The boxes of the tick labels uPlot painted (CSS px, from the labels and splits it drew and the axis font), on the
 * figure as data-x-ticks / data-y-ticks: the tests check that no two overlap at any panel width.
 */
function recordTicks(u: uPlot, fig: HTMLElement, font: string): void {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font)?.[1] ?? 12);
  const boxes = (ax: number, scale: 'x' | 'y') => {
    const a = u.axes[ax] as unknown as { _splits?: number[]; _values?: Array<string | null> };
    const out: Array<[string, number, number]> = [];
    (a._values ?? []).forEach((label, i) => {
      const v = a._splits?.[i];
      if (!label || v === undefined || v === null) return;
      const pos = u.valToPos(v, scale);
      const half = scale === 'x' ? textWidth(label, font) / 2 : size / 2;
      out.push([label, Math.round((pos - half) * 10) / 10, Math.round((pos + half) * 10) / 10]);
    });
    return JSON.stringify(out);
  };
  fig.dataset.xTicks = boxes(0, 'x');
  fig.dataset.yTicks = boxes(1, 'y');
}

/** The hover readout: the nearest point's series, x and y, as TensorBoard's and Optuna's tooltips. */
function readout(u: uPlot, spec: PlotSpec, box: HTMLElement, focused: () => number | null): void {
  const idx = u.cursor.idx;
  const left = u.cursor.left ?? -1;
  const top = u.cursor.top ?? -1;
  if (idx == null || left < 0) {
    box.hidden = true;
    return;
  }
  // The focused line (uPlot's proximity focus) if any, else the visible line nearest the pointer at this x.
  let best = -1;
  let bestDist = Infinity;
  spec.series.forEach((s, i) => {
    const v = s.ys[idx];
    if (v === null || v === undefined || !u.series[i + 1]!.show) return;
    const d = Math.abs(u.valToPos(v, 'y') - top);
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  });
  const f = focused();
  if (f !== null && f > 0 && spec.series[f - 1]?.ys[idx] != null) best = f - 1;
  if (best < 0) {
    box.hidden = true;
    return;
  }
  const s = spec.series[best]!;
  const y = s.ys[idx]!;
  box.hidden = false;
  box.dataset.series = s.label;
  box.dataset.x = String(spec.xs[idx]);
  box.dataset.y = String(y);
  box.replaceChildren();
  const sw = document.createElement('span');
  sw.className = 'swatch';
  sw.style.background = s.color;
  const lines = [`${spec.xLabel.replace(/ \(log2\)$/, '')}: ${fmtValue(spec.xs[idx]!, spec.xFormat === 'pow2')}`, `${spec.yLabel}: ${fmtValue(y, false)}`];
  const head = document.createElement('strong');
  head.append(sw, s.label);
  box.append(head, ...lines.map((t) => Object.assign(document.createElement('div'), { textContent: t })));
  // Beside the pointer, flipped to stay inside the plot.
  const px = u.valToPos(spec.xs[idx]!, 'x');
  const py = u.valToPos(y, 'y');
  const w = box.offsetWidth;
  const h = box.offsetHeight;
  const overW = u.over.clientWidth;
  box.style.left = `${px + 12 + w > overW ? Math.max(0, px - 12 - w) : px + 12}px`;
  box.style.top = `${Math.max(0, Math.min(u.over.clientHeight - h, py - h - 8))}px`;
}

export function createChart(target: HTMLElement, given: PlotSpec, o: ChartOptions): uPlot {
  const over = withOverlay(given);
  const spec = effectiveSpec(over?.spec ?? given);
  const overlayFrom = over?.first ?? spec.series.length;
  if (over) target.dataset.overlaySeries = String(spec.series.length - overlayFrom);
  const axisCommon = {
    stroke: o.colors.foreground,
    grid: { stroke: o.colors.grid, width: 0.5 },
    ticks: { stroke: o.colors.grid, width: 0.5 },
    font: o.colors.font,
    labelFont: o.colors.font,
  };
  const range = yRange(spec);
  let focused: number | null = null;
  // A box zoom's y range: set from the selection just before uPlot applies it, kept across re-renders.
  let yZoom: [number, number] | null = userYZoom.get(spec.id) ?? null;
  // uPlot fires setScale on init, on a drag zoom and on a double-click reset; only a drag is a user zoom, and
  // its setSelect fires just before its setScale.
  let selecting = false;
  const xs = spec.xs;
  const opts: uPlot.Options = {
    width: o.width,
    height: o.height,
    title: spec.title,
    legend: { show: false }, // our own legend: keyboard-reachable buttons that also reveal the layer
    // Box zoom: a drag zooms both axes; a nearly flat (or tall) drag zooms one (uni). Double-click resets.
    cursor: { focus: { prox: 12 }, drag: { x: true, y: true, uni: 24 } },
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
        range: (_u: uPlot, min: number, max: number): [number, number] => yZoom ?? range ?? [min, max],
      },
    },
    axes: [
      {
        ...axisCommon,
        label: spec.xLabel,
        // Ticks at whole powers of two inside the (padded) range, thinned to about 8.
        // Thinned further so that no two labels touch at this plot's width.
        ...(spec.xLog
          ? {
              splits: (u: uPlot) => logTicks(u.scales.x.min ?? 1, u.scales.x.max ?? 2, spec.xLog ?? 2),
              filter: (u: uPlot, splits: number[]) => {
                const labels = splits.map((v) => fmtTick(spec, v));
                const k = thinTicks(splits.map((v) => u.valToPos(v, 'x')), labels.map((l) => textWidth(l, o.colors.font)));
                if (k <= 1) return splits;
                // Keep whole multiples of k (2^-12, 2^-8, ... or 64, 256, 1024): even steps that read as a scale.
                return splits.map((v) => (Math.round(Math.log2(v) / Math.log2(spec.xLog ?? 2)) % k === 0 ? v : null));
              },
            }
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
      ...spec.series.map((s, i) => ({
        label: s.label,
        stroke: s.color,
        width: s.emphasis === 'fail' ? 3 : 1.5,
        spanGaps: false,
        points: { show: true, size: 5, fill: s.color },
        // The overlaid stored run: dashed, thinner, hollow points.
        ...(i >= overlayFrom ? { dash: [6, 4], width: 1.25, alpha: 0.8, points: { show: true, size: 4, fill: o.colors.background } } : {}),
      })),
    ],
    hooks: {
      draw: [(u) => drawOverlays(u, spec, o.colors), (u) => recordTicks(u, target, o.colors.font)],
      setSelect: [
        (u) => {
          if (u.select.width > 0 || u.select.height > 0) selecting = true;
          if (u.select.height > 0 && u.select.height < u.bbox.height / devicePixelRatio - 1) {
            const lo = u.posToVal(u.select.top + u.select.height, 'y');
            const hi = u.posToVal(u.select.top, 'y');
            if (Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) {
              yZoom = [lo, hi];
              userYZoom.set(spec.id, yZoom);
            }
          }
        },
      ],
      setScale: [
        (u, key) => {
          if (key !== 'x' || !selecting) return;
          selecting = false;
          const { min, max } = u.scales.x;
          if (min != null && max != null) userZoom.set(spec.id, { min, max });
          tools.querySelector<HTMLButtonElement>('[data-action="reset-zoom"]')!.disabled = false;
        },
      ],
      setCursor: [(u) => readout(u, spec, box, () => focused)],
      setSeries: [
        (_u, idx, so) => {
          if ((so as { focus?: boolean }).focus != null) focused = idx ?? null;
        },
      ],
    },
  };
  const tools = plotTools(given, spec);
  target.append(tools);
  const box = document.createElement('div');
  box.className = 'readout';
  box.hidden = true;
  box.setAttribute('aria-hidden', 'true'); // the tables below the plots carry the same numbers for screen readers
  // uPlot breaks a line at null and joins over undefined: a width with no cell at an x (refined LRs) is undefined.
  const data: uPlot.AlignedData = [spec.xs, ...spec.series.map((s) => s.ys.map((v, i) => (s.absent?.[i] ? undefined : v)))] as uPlot.AlignedData;
  const u = new uPlot(opts, data, target);
  u.over.append(box);
  u.over.addEventListener('mouseleave', () => (box.hidden = true));
  // Capture phase: the y zoom is forgotten before uPlot's own double-click handler autoscales.
  u.over.addEventListener(
    'dblclick',
    () => {
      selecting = false;
      yZoom = null;
      userZoom.delete(spec.id);
      userYZoom.delete(spec.id);
      tools.querySelector<HTMLButtonElement>('[data-action="reset-zoom"]')!.disabled = true;
    },
    true,
  );
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
