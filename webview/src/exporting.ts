// Export buttons: PNG (the uPlot canvases composed on one canvas), SVG (drawn from the same PlotSpecs),
// CSV/JSON of the data. The webview builds the bytes; the host asks where to save (showSaveDialog).
import type uPlot from 'uplot';
import type { ExportFormat, PanelView } from '../../src/protocol/webview';
import type { ThemeColors } from './chart';
import { el, announce } from './dom';
import { request } from './host';
import { coordCsv, sweepCsv, viewJson } from './model/exportData';
import type { PlotSpec } from './model/plotSpec';
import { plotsToSvg } from './model/svg';

export interface ExportSource {
  view: PanelView;
  baseName: string;
  title: string;
  specs: PlotSpec[];
  charts: uPlot[];
  columns: number;
  colors: ThemeColors;
}

/** All charts on one canvas, in a grid of `columns`, titles included (uPlot draws them in the DOM). */
export function composePng(src: ExportSource): string {
  const dpr = devicePixelRatio || 1;
  const canvases = src.charts.map((c) => c.ctx.canvas);
  const cw = Math.max(...canvases.map((c) => c.width), 1);
  const ch = Math.max(...canvases.map((c) => c.height), 1);
  const titleH = Math.round(22 * dpr);
  const cols = Math.max(1, Math.min(src.columns, canvases.length));
  const rows = Math.ceil(canvases.length / cols);
  const out = document.createElement('canvas');
  out.width = cols * cw;
  out.height = titleH + rows * (ch + titleH);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = src.colors.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = src.colors.foreground;
  ctx.font = `bold ${Math.round(13 * dpr)}px sans-serif`;
  ctx.fillText(src.title, 8 * dpr, 16 * dpr);
  canvases.forEach((c, i) => {
    const x = (i % cols) * cw;
    const y = titleH + Math.floor(i / cols) * (ch + titleH);
    ctx.font = `${Math.round(12 * dpr)}px sans-serif`;
    ctx.textAlign = 'center';
    ctx.fillText(src.specs[i]?.title ?? '', x + cw / 2, y + 15 * dpr);
    ctx.textAlign = 'start';
    ctx.drawImage(c, x, y + titleH);
  });
  return out.toDataURL('image/png');
}

export function exportData(src: ExportSource, format: ExportFormat): string {
  switch (format) {
    case 'png':
      return composePng(src);
    case 'svg':
      return plotsToSvg(src.specs, {
        plotWidth: 420,
        plotHeight: 300,
        columns: src.columns,
        foreground: src.colors.foreground,
        background: src.colors.background,
        grid: src.colors.grid,
        title: src.title,
      });
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
    const b = el('button', { type: 'button', 'data-export': fmt, 'aria-label': `Export the plots as ${label}` }, `Export ${label}`);
    b.addEventListener('click', () => {
      const src = get();
      let data: string;
      try {
        data = exportData(src, fmt);
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
  return bar;
}
