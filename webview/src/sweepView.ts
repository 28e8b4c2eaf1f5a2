// The sweep view: SP and muP side by side (loss against log2 LR, one curve per width; one more row per swept
// hyperparameter), optima and diverged trials marked, the shift in octaves, the recommended LR for a target width
// with Copy / Write actions, and "Transfer to width N" for a finished muP sweep (./transferView.ts).
import type uPlot from 'uplot';
import type { SweepView } from '../../src/protocol/webview';
import { createChart, type ThemeColors } from './chart';
import type { ThemeKind } from '../../src/plot/colors';
import { announce, el, lazyDetails, swatch } from './dom';
import { exportToolbar } from './exporting';
import { request } from './host';
import { gridLayout } from '../../src/plot/layout';
import type { PlotSpec } from '../../src/plot/plotSpec';
import { fmtLr, judgedTrials, recommend, sweepModel, type SweepRunModel } from '../../src/plot/sweepModel';
import { inconclusiveText } from '../../src/plot/settleText';
import { transferSection } from './transferView';

function recommendationBlock(runs: SweepRunModel[], view: SweepView, target: number): HTMLElement {
  const box = el('div', { class: 'recommendations', 'aria-live': 'polite' });
  for (const r of runs) {
    if (!r.showLrPlot) {
      // An HP sweep at one LR: the LR was not swept, so there is no LR to recommend from it.
      box.append(el('p', { text: `${r.label}: the LR was not swept (one value, ${fmtLr(r.lrs[0] ?? 0)}); the hyperparameter rows below show what was.` }));
      continue;
    }
    const run = view.runs.find((x) => x.meta.parametrization === r.parametrization)!;
    if (r.incomplete) {
      box.append(el('p', { text: `${r.label}: no recommendation from an incomplete grid (${r.incomplete.missing} of ${r.incomplete.planned} trials missing).` }));
      continue;
    }
    const rec = recommend(judgedTrials(run), target, r.parametrization);
    if (!rec) {
      box.append(el('p', { text: r.provisional ? `${r.label}: no width has finished its LR row yet (${r.trialCount}${r.plannedCount ? ` of ${r.plannedCount}` : ''} trials so far).` : `${r.label}: no finished trials yet.` }));
      continue;
    }
    const lrText = rec.lr.toPrecision(3);
    // While the sweep runs the value is provisional: shown (as W&B and Optuna show running trials), never acted on.
    const waiting = r.provisional ? `Available when the sweep has finished (${r.trialCount}${r.plannedCount ? ` of ${r.plannedCount}` : ''} trials so far)` : null;
    // An inconclusive verdict (issue 21) confirms no LR: the value is shown as the point estimate it is, never acted on.
    const unsure = !waiting && r.verdict === 'inconclusive' ? `Not available: the ${r.label} sweep is ${inconclusiveText(r.reasons, r.settle)}` : null;
    const gate = waiting || unsure ? { disabled: true, title: waiting ?? unsure!, 'aria-disabled': 'true' } : {};
    const copy = el('button', { type: 'button', 'data-action': 'copy', 'data-focus-key': `copy:${r.parametrization}`, 'aria-label': `Copy the ${r.label} learning rate ${lrText}`, ...gate }, 'Copy');
    copy.addEventListener('click', () => void request({ type: 'panel/copy', text: lrText }).then((x) => announce(x.message, !x.ok)));
    const write = el('button', { type: 'button', 'data-action': 'write-setting', 'data-focus-key': `write:${r.parametrization}`, 'aria-label': `Write the ${r.label} learning rate ${lrText} to the workspace settings`, ...gate }, 'Write to settings');
    write.addEventListener('click', () =>
      void request({
        type: 'panel/writeSetting',
        modelFile: run.meta.modelFile,
        exportName: run.meta.exportName,
        parametrization: r.parametrization,
        lr: rec.lr,
        targetWidth: target,
      }).then((x) => announce(x.message, !x.ok)),
    );
    box.append(
      el('div', { class: `rec${waiting ? ' provisional' : ''}${unsure ? ' inconclusive' : ''}`, 'data-parametrization': r.parametrization, 'data-lr': rec.lr, 'data-provisional': String(r.provisional), 'data-inconclusive': String(unsure !== null) },
        el('div', { class: 'rec-line' },
          waiting ? el('span', { class: 'badge provisional', text: 'provisional' }) : null,
          unsure ? el('span', { class: 'badge inconclusive', text: 'inconclusive' }) : null,
          el('strong', { text: `${r.label}: lr = ${fmtLr(rec.lr)} at width ${target}${waiting ? ' so far' : ''}` }), copy, write),
        el('div', { class: 'hint', text: waiting
          ? `${waiting}. From the ${rec.method.replace('the only width swept', 'the only width finished so far')}, over the widths finished so far: it can still change.`
          : unsure
            ? `Not a recommendation: this LR is a point estimate and may not hold at width ${target}. ${r.label}: ${inconclusiveText(r.reasons, r.settle)}`
            : `From the ${rec.method}.` })),
    );
  }
  return box;
}

/** The SP | muP row's CSS gap (styles.css `.sweep-row`) and the narrowest a plot may be beside another. */
// 340: an optimum table (five columns) fits a plot's width, so a ~650 px panel stacks SP over muP instead of clipping tables.
export const SWEEP_ROW = { gap: 24, minWidth: 340, maxColumns: 2 } as const;

/** Widths the user hid (legend toggles), kept across the re-renders of a live sweep. */
const hiddenSeries = new Set<string>();

export function renderSweep(
  root: HTMLElement,
  view: SweepView,
  colors: ThemeColors,
  theme: ThemeKind,
  width: number,
  onTargetWidth: (w: number) => void,
): uPlot[] {
  const model = sweepModel(view, theme);
  const charts: uPlot[] = [];
  const first = view.runs[0]?.meta;
  root.dataset.view = 'sweep';
  root.dataset.runCount = String(model.runs.length);
  root.dataset.seriesCount = String(model.runs.reduce((a, r) => a + r.plot.series.length, 0));
  root.dataset.optimumCount = String(model.runs.reduce((a, r) => a + r.optima.length, 0));
  root.dataset.divergedCount = String(model.runs.reduce((a, r) => a + r.divergedCount, 0));
  root.dataset.incompleteCount = String(model.runs.filter((r) => r.incomplete).length);
  root.dataset.provisionalCount = String(model.runs.filter((r) => r.provisional).length);
  // The model names the panel; a producer's title may carry one parametrization's label, so it is not used here.
  const title = first ? (first.modelFile ? `${first.modelFile}#${first.exportName}` : first.title) : 'LR sweep';

  root.append(
    el('header', {},
      el('h1', { text: `LR sweep: ${title}` }),
      ...model.runs.map((r) =>
        el('p', { class: `run-status ${view.runs.find((x) => x.meta.parametrization === r.parametrization)?.status ?? ''}`, role: 'status', 'data-status-of': r.parametrization },
          el('strong', { text: `${r.label}: ` }), r.statusText,
          r.shiftOctaves !== null && r.showLrPlot ? ` · optimum shift ${r.provisional ? 'so far ' : ''}${r.shiftOctaves.toFixed(1)} octaves across widths` : '',
          r.provisional ? el('span', { class: 'badge provisional', text: 'provisional: nothing is concluded until the grid is complete' }) : null,
          ...r.hpAxes.filter((h) => h.shiftOctaves !== null).map((h) => ` · best ${h.name} shift ${h.shiftOctaves!.toFixed(1)} octaves`),
          r.transfers !== null ? ` · ${r.verdict === 'inconclusive' ? 'inconclusive' : r.transfers ? 'transfers' : 'does not transfer'}` : '')),
      // An incomplete grid is said as plainly as a verdict: nothing is concluded from it.
      ...model.runs
        .filter((r) => r.incomplete)
        .map((r) =>
          el('p', { class: 'verdict fail incomplete', role: 'alert', 'data-incomplete-of': r.parametrization },
            el('strong', { text: `${r.label}: not judged, the grid is incomplete. ` }), r.incomplete!.text)),
      // An inconclusive verdict is said as plainly, with the engine's reason and what would settle it (in settings).
      ...model.runs
        .filter((r) => r.verdict === 'inconclusive' && !r.incomplete)
        .map((r) =>
          el('p', { class: 'verdict inconclusive', role: 'status', 'data-inconclusive-of': r.parametrization },
            el('strong', { text: `${r.label}: ` }), inconclusiveText(r.reasons, r.settle))),
      // Does not transfer as a whole, but from a wider proxy it does (issue 21): where the optimum settles.
      ...model.runs
        .filter((r) => r.transfersFromText !== null && !r.incomplete)
        .map((r) => el('p', { class: 'verdict settles', role: 'status', 'data-settles-of': r.parametrization }, el('strong', { text: `${r.label}: ` }), r.transfersFromText!)),
      model.comparison ? el('p', { class: 'comparison', text: model.comparison }) : null,
    ),
  );

  // Recommended LR for a target width.
  const input = el('input', { type: 'number', id: 'target-width', 'data-focus-key': 'target-width', min: 1, step: 1, value: model.targetWidth, 'aria-describedby': 'target-help' });
  let recBox = recommendationBlock(model.runs, view, model.targetWidth);
  let current = model.targetWidth;
  input.addEventListener('change', () => {
    const w = Math.round(Number(input.value));
    if (!(w >= 1)) {
      announce('Target width must be a positive whole number.', true);
      return;
    }
    // A repeated change (e.g. on blur when clicking Copy) must not replace the buttons under the pointer.
    if (w === current) return;
    current = w;
    const next = recommendationBlock(model.runs, view, w);
    recBox.replaceWith(next);
    recBox = next;
    onTargetWidth(w);
  });
  root.append(
    el('section', { class: 'recommend', 'aria-label': 'Recommended learning rate' },
      el('h2', { text: 'Recommended learning rate' }),
      el('label', { for: 'target-width', text: 'Target width ' }), input,
      el('span', { id: 'target-help', class: 'hint', text: ' the width you will train at' }),
      recBox),
  );

  const drawn: PlotSpec[] = [];
  root.append(exportToolbar(() => ({
    view,
    baseName: `sweep-${first?.exportName ?? 'model'}`,
    title: `LR sweep: ${title}`,
    specs: drawn,
    charts,
    columns: model.runs.length,
    colors,
  })));

  const { plotWidth: plotW } = gridLayout({ available: width, count: model.runs.length, ...SWEEP_ROW });
  /** One run's plot (the LR's or an HP's) with its legend; the chart is kept for exports and tests. */
  const plotSection = (r: SweepRunModel, spec: PlotSpec, attrs: Record<string, string | number>, describe: string): HTMLElement => {
    const sec = el('section', { class: 'sweep-run', 'data-parametrization': r.parametrization, 'data-series-count': spec.series.length, ...attrs, 'aria-label': `${r.label} ${describe}` });
    const fig = el('figure', { class: 'plot', 'data-plot': spec.id, 'aria-label': `${spec.title}; ${spec.series.length} widths; circles mark each width's optimum, triangles at the top mark diverged trials` });
    const legend = el('div', { class: 'legend', role: 'group', 'aria-label': `${r.label} widths (activate to show or hide)` });
    sec.append(legend, fig);
    // The section is as wide as its plot, so that a wide table scrolls inside it instead of wrapping the row.
    sec.style.width = `${plotW}px`;
    const u = createChart(fig, spec, { width: plotW, height: 320, colors });
    // For tests and debugging: the figure's uPlot instance (maps data to pixels, holds the scales).
    Object.defineProperty(fig, 'uplot', { value: u });
    charts.push(u);
    drawn.push(spec);
    spec.series.forEach((s, i) => {
      const hideKey = `${spec.id}:${s.key}`;
      const shown = !hiddenSeries.has(hideKey);
      const b = el('button', { type: 'button', class: 'legend-item', 'aria-pressed': String(shown), 'data-width': s.key.slice(1), 'data-focus-key': `legend:${hideKey}` }, swatch(s.color), s.label);
      if (!shown) u.setSeries(i + 1, { show: false });
      b.addEventListener('click', () => {
        const show = b.getAttribute('aria-pressed') !== 'true';
        b.setAttribute('aria-pressed', String(show));
        if (show) hiddenSeries.delete(hideKey);
        else hiddenSeries.add(hideKey);
        u.setSeries(i + 1, { show });
      });
      legend.append(b);
    });
    return sec;
  };

  const row = el('div', { class: 'sweep-row', 'data-axis': 'lr' });
  root.append(row);
  for (const r of model.runs.filter((x) => x.showLrPlot)) {
    const sec = plotSection(r, r.plot, { 'data-optimum-count': r.optima.length, 'data-diverged-count': r.divergedCount, 'data-trial-count': r.trialCount }, 'sweep');
    row.append(sec);
    // Optima and divergence as a table (the plot's markers, for screen readers and exact numbers).
    const t = el('table', { class: 'optima', 'aria-label': `${r.label}: optimum per width` });
    t.append(el('thead', {}, el('tr', {}, ...['width', 'best lr', 'log2 lr', 'loss', 'diverged trials'].map((h) => el('th', { scope: 'col', text: h })))));
    const tb = el('tbody');
    for (const w of r.widths) {
      const o = r.optima.find((x) => x.width === w);
      const div = r.plot.markers.filter((m) => m.kind === 'diverged' && m.seriesKey === `w${w}`).reduce((a, m) => a + m.count, 0);
      tb.append(el('tr', {},
        el('th', { scope: 'row' }, swatch(r.plot.series.find((s) => s.key === `w${w}`)?.color ?? '#888'), String(w)),
        el('td', { class: 'num', text: o ? o.lr.toPrecision(3) : '—' }),
        el('td', { class: 'num', text: o ? Math.log2(o.lr).toFixed(2) : '—' }),
        el('td', { class: 'num', text: o ? o.loss.toFixed(4) : '—' }),
        el('td', { class: 'num', text: String(div) })));
    }
    t.append(tb);
    sec.append(t);
    sec.append(lazyDetails('Data table', () => {
      const data = el('table', { class: 'data', 'aria-label': `${r.label}: mean loss per width and learning rate` });
      data.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'lr' }), ...r.widths.map((w) => el('th', { scope: 'col', text: `width ${w}` })))));
      const db = el('tbody');
      r.lrs.forEach((lr, li) => {
        db.append(el('tr', {}, el('th', { scope: 'row', text: fmtLr(lr) }),
          ...r.plot.series.map((s) => el('td', { class: 'num', text: s.ys[li] === null ? (r.plot.markers.some((m) => m.kind === 'diverged' && m.seriesKey === s.key && m.x === lr) ? 'diverged' : '—') : (s.ys[li] as number).toFixed(4) }))));
      });
      data.append(db);
      return data;
    }));
  }

  // One row per swept hyperparameter: SP | muP, loss against the HP's value (the other axes at each width's best).
  const axes = [...new Set(model.runs.flatMap((r) => r.hpAxes.map((h) => h.name)))];
  for (const name of axes) {
    const hpRow = el('div', { class: 'sweep-row', 'data-axis': name });
    root.append(el('h2', { text: `${name}: loss against its value, the LR${axes.length > 1 ? ' and the other hyperparameters' : ''} at each width's best` }), hpRow);
    for (const r of model.runs) {
      const h = r.hpAxes.find((x) => x.name === name);
      if (!h) continue;
      const sec = plotSection(r, h.plot, { 'data-axis': name, 'data-optimum-count': h.optima.length, 'data-diverged-count': h.divergedCount }, `${name} sweep`);
      sec.classList.add('hp-run');
      const status = h.shiftOctaves !== null ? `best ${name} moves ${h.shiftOctaves.toFixed(1)} octaves across widths${h.verdict === 'inconclusive' ? ': inconclusive' : h.transfers !== null ? (h.transfers ? ': transfers' : ': does not transfer') : ''}` : '';
      if (status) sec.append(el('p', { class: 'hint', 'data-hp-status': name, text: `${r.label}: ${status}` }));
      const t = el('table', { class: 'optima', 'aria-label': `${r.label}: best ${name} per width` });
      t.append(el('thead', {}, el('tr', {}, ...['width', `best ${name}`, 'log2', 'loss'].map((x) => el('th', { scope: 'col', text: x })))));
      const tb = el('tbody');
      for (const o of h.optima) {
        tb.append(el('tr', {},
          el('th', { scope: 'row' }, swatch(h.plot.series.find((s) => s.key === `w${o.width}`)?.color ?? '#888'), String(o.width)),
          el('td', { class: 'num', text: Number(o.value.toPrecision(3)).toString() }),
          el('td', { class: 'num', text: Math.log2(o.value).toFixed(2) }),
          el('td', { class: 'num', text: o.loss.toFixed(4) })));
      }
      t.append(tb);
      sec.append(t);
      hpRow.append(sec);
    }
  }
  root.dataset.hpAxes = axes.join(',');
  root.dataset.hpPlotCount = String(model.runs.reduce((a, r) => a + r.hpAxes.length, 0));
  root.dataset.hpOptimumCount = String(model.runs.reduce((a, r) => a + r.hpAxes.reduce((b, h) => b + h.optima.length, 0), 0));
  root.dataset.lrPlotCount = String(model.runs.filter((r) => r.showLrPlot).length);

  // The verification plot fills the transfer section (at most 1100 px wide, styles.css), whatever the runs' layout.
  root.append(transferSection(root, view, model, () => current, colors, Math.min(1060, width - 40), charts, drawn));
  if (model.runs.length === 0) {
    row.append(el('p', { text: 'No trials yet.' }));
  }
  return charts;
}
