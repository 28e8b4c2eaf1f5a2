// Export buttons: PNG (the uPlot canvases composed on one canvas), SVG (drawn from the same PlotSpecs),
// CSV/JSON of the data. The webview builds the bytes; the host asks where to save (showSaveDialog).
import type uPlot from 'uplot';
import type { ExportFormat, PanelView } from '../../src/protocol/webview';
import { overlayLabel, type ThemeColors } from './chart';
import { el, announce } from './dom';
import { request } from './host';
import { coordCsv, sweepCsv, viewJson } from '../../src/plot/exportData';
import type { PlotSpec } from '../../src/plot/plotSpec';
import { plotsToSvg } from '../../src/plot/svg';

export interface ExportSource {
  view: PanelView;
  baseName: string;
  title: string;
  specs: PlotSpec[];
  charts: uPlot[];
  columns: number;
  colors: ThemeColors;
}

/** All charts on one canvas, in a grid of `columns`, with titles and legends (uPlot draws those in the DOM). */
export function composePng(src: ExportSource): string {
  const dpr = devicePixelRatio || 1;
  const canvases = src.charts.map((c) => c.ctx.canvas);
  const cw = Math.max(...canvases.map((c) => c.width), 1);
  const ch = Math.max(...canvases.map((c) => c.height), 1);
  const titleH = Math.round(22 * dpr);
  const rowH = Math.round(16 * dpr);
  const cols = Math.max(1, Math.min(src.columns, canvases.length));
  const rows = Math.ceil(canvases.length / cols);
  // Legend entries wrap in rows under each plot; measure with a scratch context first.
  const measure = document.createElement('canvas').getContext('2d')!;
  measure.font = `${Math.round(11 * dpr)}px sans-serif`;
  const layout = src.specs.map((spec) => {
    const items: Array<{ x: number; row: number; color: string; label: string }> = [];
    let x = 8 * dpr;
    let row = 0;
    for (const s of spec.series) {
      const label = s.label + (s.emphasis === 'fail' ? ' \u2717' : '');
      const w = 18 * dpr + measure.measureText(label).width + 12 * dpr;
      if (x + w > cw && x > 8 * dpr) {
        row++;
        x = 8 * dpr;
      }
      items.push({ x, row, color: s.color, label });
      x += w;
    }
    return items;
  });
  const legendH = (Math.max(0, ...layout.map((l) => (l.length ? l[l.length - 1].row + 1 : 0))) * rowH) + 6 * dpr;
  const cellH = titleH + ch + legendH;
  const out = document.createElement('canvas');
  out.width = cols * cw;
  out.height = titleH + rows * cellH;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = src.colors.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = src.colors.foreground;
  ctx.font = `bold ${Math.round(13 * dpr)}px sans-serif`;
  ctx.fillText(src.title, 8 * dpr, 16 * dpr);
  canvases.forEach((c, i) => {
    const x = (i % cols) * cw;
    const y = titleH + Math.floor(i / cols) * cellH;
    ctx.fillStyle = src.colors.foreground;
    ctx.font = `${Math.round(12 * dpr)}px sans-serif`;
    ctx.textAlign = 'center';
    ctx.fillText(src.specs[i]?.title ?? '', x + cw / 2, y + 15 * dpr);
    ctx.textAlign = 'start';
    ctx.drawImage(c, x, y + titleH);
    ctx.font = `${Math.round(11 * dpr)}px sans-serif`;
    for (const it of layout[i] ?? []) {
      const ly = y + titleH + ch + it.row * rowH + 11 * dpr;
      ctx.fillStyle = it.color;
      ctx.fillRect(x + it.x, ly - 8 * dpr, 12 * dpr, 10 * dpr);
      ctx.fillStyle = src.colors.foreground;
      ctx.fillText(it.label, x + it.x + 16 * dpr, ly);
    }
  });
  return out.toDataURL('image/png');
}

/** The scale of a PNG export: print resolution (3x the SVG's CSS pixels, about 300 dpi at a figure's size). */
export const PNG_SCALE = 3;

/**
 * The plots as a PNG at print resolution: the SVG export (drawn from the same PlotSpecs, ticks thinned to fit)
 * rasterised at PNG_SCALE, so the PNG is sharp at any size and independent of the panel's size and the screen's
 * devicePixelRatio. Falls back to the panel's canvases (screen resolution) if the image cannot be decoded.
 */
export async function printPng(src: ExportSource, scale = PNG_SCALE): Promise<string> {
  const svg = svgOf(src);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const out = document.createElement('canvas');
    out.width = Math.round(img.naturalWidth * scale);
    out.height = Math.round(img.naturalHeight * scale);
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = src.colors.background;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return out.toDataURL('image/png');
  } catch {
    return composePng(src);
  } finally {
    URL.revokeObjectURL(url);
  }
}

function svgOf(src: ExportSource): string {
  return plotsToSvg(src.specs, {
    plotWidth: 420,
    plotHeight: 300,
    columns: src.columns,
    foreground: src.colors.foreground,
    background: src.colors.background,
    grid: src.colors.grid,
    title: src.title,
  });
}

export async function exportData(src: ExportSource, format: ExportFormat): Promise<string> {
  switch (format) {
    case 'png':
      return printPng(src);
    case 'svg':
      return svgOf(src);
    case 'csv':
      return src.view.kind === 'coord' ? coordCsv(src.view) : sweepCsv(src.view);
    case 'json':
      return viewJson(src.view);
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}

export function exportToolbar(get: () => ExportSource): HTMLElement {
  const bar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Export' });
  const formats: Array<[ExportFormat, string]> = [
    ['png', 'PNG'],
    ['svg', 'SVG'],
    ['csv', 'CSV'],
    ['json', 'JSON'],
  ];
  for (const [fmt, label] of formats) {
    const b = el('button', { type: 'button', 'data-export': fmt, 'data-focus-key': `export:${fmt}`, 'aria-label': `Export the plots as ${label}` }, `Export ${label}`);
    b.addEventListener('click', async () => {
      const src = get();
      let data: string;
      try {
        data = await exportData(src, fmt);
      } catch (e) {
        announce(`Export failed: ${e instanceof Error ? e.message : String(e)}`, true);
        return;
      }
      void request({ type: 'panel/export', format: fmt, suggestedName: `${src.baseName}.${fmt}`, data }).then((r) =>
        announce(r.message, !r.ok),
      );
    });
    bar.append(b);
  }
  // Compare with an earlier run, as TensorBoard and W&B overlay runs: the host asks which stored run.
  const label = overlayLabel();
  const add = el('button', { type: 'button', 'data-action': 'overlay', 'data-focus-key': 'overlay', title: 'Draw a stored run of the same kind dashed over these plots' }, label ? 'Overlay another run…' : 'Overlay a stored run…');
  add.addEventListener('click', () => void request({ type: 'panel/overlay' }).then((r) => announce(r.message, !r.ok)));
  bar.append(add);
  if (label) {
    const clear = el('button', { type: 'button', 'data-action': 'overlay-clear', 'data-focus-key': 'overlay-clear', title: `Remove ${label}` }, 'Remove overlay');
    clear.addEventListener('click', () => void request({ type: 'panel/overlay', clear: true }).then((r) => announce(r.message, !r.ok)));
    bar.append(el('span', { class: 'hint overlay-label', 'data-overlay': label, text: `dashed: ${label}` }), clear);
  }
  return bar;
}
