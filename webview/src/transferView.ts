// "Transfer to a target…" in the sweep view: the buttons (the host asks for the target on every axis, then runs the
// transfer: a worker builds the model), then the transfer's report: what the sweep showed, the tuned values, the
// per-weight table of what muP makes of them at the target, every factor of the LR with its source and the warnings
// (issue 22), the LR groups and readout multipliers, and with Verify the target's two loss curves.
import type uPlot from 'uplot';
import type { SweepView } from '../../src/protocol/webview';
import type { PlotSpec } from '../../src/plot/plotSpec';
import type { SweepModel } from '../../src/plot/sweepModel';
import { transferModel } from '../../src/plot/transferModel';
import { inconclusiveText } from '../../src/plot/settleText';
import { createChart, type ThemeColors } from './chart';
import { announce, el, swatch } from './dom';
import { request } from './host';

export function transferSection(
  root: HTMLElement,
  view: SweepView,
  model: SweepModel,
  targetWidth: () => number,
  colors: ThemeColors,
  width: number,
  charts: uPlot[],
  drawn: PlotSpec[],
): HTMLElement {
  // The muP run's tuned values (an SP-only panel may ask too: the host then says plainly that they do not transfer).
  const run = view.runs.find((r) => r.meta.parametrization === 'mup') ?? view.runs.find((r) => r.meta.parametrization === 'sp');
  const runModel = model.runs.find((r) => r.parametrization === run?.meta.parametrization);
  const sec = el('section', { class: 'transfer', 'aria-label': 'Transfer the tuned values to a width' });
  sec.append(el('h2', { text: 'Transfer the tuned values' }));
  // Only from a finished, complete grid: a transfer from partial data would carry a provisional optimum.
  const ready = run !== undefined && run.status === 'done' && run.meta.storeDir !== undefined && !runModel?.incomplete;
  // Nor from an inconclusive verdict (issue 21): the engine refuses it (exit 4), so the buttons say why beforehand.
  const unsure = ready && runModel?.verdict === 'inconclusive' ? `Not available: the ${runModel.label} sweep is ${inconclusiveText(runModel.reasons, runModel.settle)}` : null;
  const t = view.transfer ?? null;
  const busy = t?.status === 'running';
  const go = (verify: boolean) => () => {
    const w = targetWidth();
    announce(`Choose the target (width ${w} pre-filled)${verify ? ', then it is trained twice' : ''}…`);
    void request({ type: 'panel/transfer', targetWidth: w, verify }).then((x) => announce(x.message, !x.ok));
  };
  const disabled = !ready || busy || unsure !== null;
  const why = unsure ? { title: unsure, 'aria-disabled': 'true' } : {};
  const transfer = el('button', { type: 'button', 'data-action': 'transfer', 'data-focus-key': 'transfer', disabled, ...why }, 'Transfer to a target…');
  const verify = el('button', { type: 'button', 'data-action': 'transfer-verify', 'data-focus-key': 'transfer-verify', disabled, ...why }, 'Transfer and verify…');
  transfer.addEventListener('click', go(false));
  verify.addEventListener('click', go(true));
  sec.append(
    el('div', { class: 'rec-line' }, transfer, verify),
    el('p', {
      class: 'hint',
      text: !run
        ? 'No sweep to transfer from.'
        : unsure
          ? unsure
        : !ready
          ? runModel?.incomplete
            ? `Not available: the ${runModel.label} sweep's grid is incomplete (${runModel.incomplete.missing} of ${runModel.incomplete.planned} trials missing); run it again to complete it.`
            : `Available when the ${runModel?.label ?? ''} sweep has finished (${runModel?.trialCount ?? 0}${runModel?.plannedCount ? ` of ${runModel.plannedCount}` : ''} trials so far).`
          : `Asks for the target on every axis (width, pre-filled with the one above; depth, batch size, training steps, sequence length: empty means as the proxy), then writes the ${runModel?.label} sweep's best values at its widest width, and what muP and the rules of the other axes make of them at the target, next to the model (createMup(tf).fromTransfer reads it). Verify also trains the target with them and with the proxy's best SP values.`,
    }),
  );
  root.dataset.transferStatus = t?.status ?? 'none';
  if (!t) return sec;
  const m = transferModel(t);
  root.dataset.transferTransfers = String(m.transfers);
  root.dataset.transferRows = String(m.rows.length);
  sec.dataset.transferStatus = t.status;
  sec.append(el('h3', { text: m.title }), el('p', { class: `run-status ${t.status === 'failed' ? 'failed' : ''}`, role: 'status', text: m.statusText }));
  if (m.showed.length) sec.append(el('ul', { class: 'showed' }, ...m.showed.map((x) => el('li', { text: x }))));
  if (m.refusal) sec.append(el('p', { class: 'verdict fail', role: 'alert', 'data-refusal': 'true', text: m.refusal }));
  if (m.tuned) sec.append(el('p', { class: 'tuned', text: m.tuned }));
  root.dataset.transferFactors = m.factorAxes.join(',');
  root.dataset.transferWarnings = String(m.warnings.length);
  if (m.factors.length) {
    // As the CLI prints them: the LR at the target, then each axis's factor, its rule and its source.
    sec.append(el('p', { class: 'tuned', text: m.factors[0]! }), el('ul', { class: 'factors' }, ...m.factors.slice(1).map((x, i) => el('li', { 'data-axis': m.factorAxes[i] ?? '', text: x.trim() }))));
  }
  if (m.warnings.length) sec.append(el('ul', { class: 'problems', 'aria-label': 'warnings' }, ...m.warnings.map((x) => el('li', { 'data-warning': 'true', text: x }))));
  if (m.rows.length) {
    const table = el('table', { class: 'transfer-table', 'aria-label': `what muP makes of the tuned values at width ${t.targetWidth}, per trainable weight` });
    table.append(el('thead', {}, el('tr', {}, ...m.columns.map((c) => el('th', { scope: 'col', text: c })))));
    table.append(el('tbody', {}, ...m.rows.map((r) => el('tr', { class: r.some((c) => c.includes('DIFFERS')) ? 'differs' : '' }, ...r.map((c, i) => (i === 0 ? el('th', { scope: 'row', text: c }) : el('td', { class: i >= 2 ? 'num' : '', text: c })))))));
    sec.append(table);
  }
  if (m.groups.length || m.readouts.length) sec.append(el('ul', {}, ...[...m.groups, ...m.readouts].map((x) => el('li', { text: x }))));
  if (m.differs.length) sec.append(el('p', { class: 'problems', text: `The initial std of ${m.differs.join(', ')} does not follow muP's rule at width ${t.targetWidth}.` }));
  if (m.verifyPlot) {
    const spec = m.verifyPlot;
    root.dataset.verifySeries = String(spec.series.length);
    const legend = el('div', { class: 'legend' }, ...spec.series.map((s) => el('span', { class: 'legend-item' }, swatch(s.color), s.label)));
    const fig = el('figure', { class: 'plot', 'data-plot': spec.id, 'aria-label': `${spec.title}; one line per configuration` });
    sec.append(el('h3', { text: 'Verification' }), legend, fig);
    const u = createChart(fig, spec, { width: Math.max(280, width), height: 300, colors });
    Object.defineProperty(fig, 'uplot', { value: u });
    charts.push(u);
    drawn.push(spec);
    sec.append(el('ul', {}, ...m.verifyLines.map((x) => el('li', { text: x }))));
  }
  return sec;
}
