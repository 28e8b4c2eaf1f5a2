// The coordinate-check view: verdict, legend, mup's grid of subplots (one per step), the per-layer slope
// table (click or Enter on a row reveals the layer in the editor) and a data table for screen readers.
import type uPlot from 'uplot';
import type { CoordView } from '../../src/protocol/webview';
import { createChart, type ThemeColors } from './chart';
import { announce, el, lazyDetails, swatch } from './dom';
import { exportToolbar } from './exporting';
import { post } from './host';
import { coordModel, fmtSlope, type CoordLayerRow } from '../../src/plot/coordModel';
import { gridLayout } from '../../src/plot/layout';

/** The plot grid's CSS gap (styles.css `.plot-grid`), the narrowest subplot, and at most this many per row. */
export const COORD_GRID = { gap: 16, minWidth: 220, maxColumns: 5 } as const;

function reveal(row: CoordLayerRow): void {
  if (!row.source) {
    announce(`No source location is known for layer ${row.layer}.`, true);
    return;
  }
  post({ type: 'panel/reveal', layer: row.layer, file: row.source.file, line: row.source.line });
}

export function renderCoord(root: HTMLElement, view: CoordView, colors: ThemeColors, width: number): uPlot[] {
  const model = coordModel(view.result, view.meta);
  const charts: uPlot[] = [];
  const failing = model.rows.filter((r) => r.fails);
  root.dataset.view = 'coord';
  root.dataset.plotCount = String(model.plots.length);
  root.dataset.seriesCount = String(model.plots[0]?.series.length ?? 0);
  root.dataset.failingCount = String(failing.length);
  root.dataset.verdict = model.level;
  root.dataset.parametrization = view.meta.parametrization;
  if (typeof view.meta.parametrizationNote === 'string') root.dataset.parametrizationNote = view.meta.parametrizationNote;

  root.append(
    el('header', {},
      el('h1', { text: `Coordinate check: ${model.title}` }),
      el('p', { class: 'subtitle', text: model.subtitle }),
      // Which parametrization ran and why, when the file chose it (issue 23.1): said before the verdict it qualifies.
      typeof view.meta.parametrizationNote === 'string' ? el('p', { class: 'parametrization-note', role: 'note', 'data-parametrization-note': 'true', text: view.meta.parametrizationNote }) : null,
      el('p', { class: `verdict ${model.level}`, role: 'status', 'data-verdict': model.level },
        el('strong', { text: model.level === 'pass' ? '\u2713 ' : model.level === 'warn' ? '\u26a0 ' : model.level === 'inconclusive' ? '? ' : '\u2717 ' }), model.verdictText),
      model.problems.length ? el('ul', { class: 'problems' }, ...model.problems.map((p) => el('li', { text: p }))) : null,
      failing.length
        ? el('p', { class: 'hint', text: `Failing: ${failing.map((r) => r.layer).join(', ')}. Click a line, a legend entry or a table row to open the layer's definition.` })
        : el('p', { class: 'hint', text: "Click a line, a legend entry or a table row to open the layer's definition." }),
    ),
  );

  const grid = el('div', { class: 'plot-grid' });
  const legend = el('div', { class: 'legend', role: 'group', 'aria-label': 'Layers (activate to open the definition)' });
  for (const row of model.rows) {
    const b = el('button', {
      type: 'button',
      class: `legend-item${row.fails ? ' fail' : ''}`,
      'data-layer': row.layer,
      'data-focus-key': `legend:${row.layer}`,
      'aria-label': `Layer ${row.layer}${row.role ? ` (${row.role})` : ''}: worst slope ${fmtSlope(row.worst?.slope ?? null)}${row.fails ? ', fails' : ''}. Open definition.`,
    }, swatch(row.color), `${row.layer}${row.fails ? ' \u2717' : ''}`);
    b.addEventListener('click', () => reveal(row));
    legend.append(b);
  }
  root.append(exportToolbar(() => ({
    view,
    baseName: `coord-${view.meta.exportName}-${view.meta.parametrization}`,
    title: `Coordinate check: ${model.title} (${model.pass ? 'pass' : 'fail'})`,
    specs: model.plots,
    charts,
    columns: Math.min(model.plots.length, 5),
    colors,
  })), legend, grid);

  const { plotWidth: plotW } = gridLayout({ available: width, count: model.plots.length, ...COORD_GRID });
  for (const spec of model.plots) {
    const cell = el('figure', {
      class: 'plot',
      'data-plot': spec.id,
      'data-series-count': spec.series.length,
      'aria-label': `${spec.title}: l1 against width, log-log, ${spec.series.length} layers`,
    });
    grid.append(cell);
    const u = createChart(cell, spec, {
      width: plotW,
      height: 240,
      colors,
      onSeriesClick: (i) => reveal(model.rows[i]),
    });
    // For tests and debugging: the figure's uPlot instance (maps data to pixels).
    Object.defineProperty(cell, 'uplot', { value: u });
    charts.push(u);
  }

  // Verdict table: one row per layer, its slope at every t and the one the verdict judges.
  const steps = model.rows[0]?.slopes.length ?? 0;
  const table = el('table', { class: 'slopes', 'aria-label': 'Slope of log l1 against log width, per layer and step' });
  const head = el('tr', {}, el('th', { scope: 'col', text: 'layer' }), el('th', { scope: 'col', text: 'role' }));
  for (let t = 1; t <= steps; t++) head.append(el('th', { scope: 'col', text: `t = ${t}` }));
  head.append(el('th', { scope: 'col', text: 'worst (t \u2265 2)' }), el('th', { scope: 'col', text: 'status' }));
  table.append(el('thead', {}, head));
  const body = el('tbody');
  for (const row of model.rows) {
    const tr = el('tr', {
      class: row.fails ? 'fail' : '',
      tabindex: 0,
      'data-layer': row.layer,
      'data-focus-key': `row:${row.layer}`,
      'aria-label': `${row.layer}: ${row.fails ? 'fails' : 'passes'}, worst slope ${fmtSlope(row.worst?.slope ?? null)}. Press Enter to open the definition.`,
    });
    tr.append(el('th', { scope: 'row' }, swatch(row.color), row.layer), el('td', { text: row.role }));
    row.slopes.forEach((s, i) =>
      tr.append(el('td', { class: 'num', text: s === null && i === 0 && row.zeroAtInit ? '0 at init' : fmtSlope(s) })),
    );
    tr.append(
      el('td', { class: 'num', text: row.worst ? `${fmtSlope(row.worst.slope)} (t = ${row.worst.t})` : '—' }),
      el('td', { text: row.fails ? '\u2717 fail' : '\u2713 ok' }),
    );
    tr.addEventListener('click', () => reveal(row));
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        reveal(row);
      }
    });
    body.append(tr);
  }
  table.append(body);
  root.append(el('h2', { text: 'Slopes per layer' }), table);

  // The numbers behind every subplot, for screen readers and copy-paste (built when opened).
  root.append(lazyDetails('Data table', () => {
    const data = el('table', { class: 'data', 'aria-label': 'l1 per layer, step and width (mean and std over seeds)' });
    data.append(el('thead', {}, el('tr', {}, ...['layer', 't', 'width', 'l1', 'std'].map((h) => el('th', { scope: 'col', text: h })))));
    const dbody = el('tbody');
    for (const r of [...view.result.records].sort((a, b) => a.layer.localeCompare(b.layer) || a.t - b.t || a.width - b.width)) {
      dbody.append(el('tr', {}, el('td', { text: r.layer }), el('td', { text: r.t }), el('td', { text: r.width }),
        el('td', { class: 'num', text: r.l1.toPrecision(4) }), el('td', { class: 'num', text: r.l1Std.toPrecision(3) })));
    }
    data.append(dbody);
    return data;
  }));
  return charts;
}
