// A self-contained HTML page of one or more sweeps (`mup-lens sweep --format html`, and the report.html the VS Code
// command writes), SP and muP side by side on one loss scale: loss against log2 LR, one curve per width, optima
// marked, diverged trials as markers along the top. The plots come from the panel's plot model (src/plot), so the
// page and the panel draw the same thing. Nothing remote: no scripts, no fonts, no images; every value escaped.
import type { SweepRun, SweepView } from '../protocol/webview';
import { plotsToSvg } from '../plot/svg';
import { sweepModel } from '../plot/sweepModel';
import { fmtLr, lrSwept, verdictLine } from '../sweep/report';
import type { SweepReport } from '../sweep/types';
import { esc } from './coordHtml';
import { LIGHT } from './theme';

/** The panel's view of finished sweeps (what the webview would be sent for them). */
export function sweepViewOf(reports: SweepReport[]): SweepView {
  const runs: SweepRun[] = reports.map((r) => ({
    meta: {
      title: `${r.model.file}#${r.model.exportName}`,
      modelFile: r.model.file,
      exportName: r.model.exportName,
      parametrization: r.parametrization,
      widths: r.widths,
      lrs: r.lrs,
      seeds: r.seeds,
      ...(r.hps?.length ? { hps: r.hps.map((h) => ({ name: h.name, values: h.values })) } : {}),
    },
    trials: r.trials,
    result: r,
    status: r.cancelled ? 'cancelled' : 'done',
  }));
  const target = reports.find((r) => r.recommended)?.recommended?.targetWidth ?? null;
  return { kind: 'sweep', runs, targetWidth: target };
}

/** The SVG of each sweep's plots (the LR's, then one per swept HP), in the order of `reports`. */
export function sweepPlotsSvg(reports: SweepReport[]): string[] {
  const model = sweepModel(sweepViewOf(reports), 'light');
  return reports.map((r) => {
    const run = model.runs.find((m) => m.parametrization === r.parametrization) ?? model.runs[0];
    if (!run) return '';
    const specs = [...(run.showLrPlot ? [run.plot] : []), ...run.hpAxes.map((h) => h.plot)];
    return specs.map((spec) => plotsToSvg([spec], { plotWidth: 640, plotHeight: 380, columns: 1, ...LIGHT })).join('\n');
  });
}

/** A table cell's number, escaped (a crafted result may hold anything there). */
const num = (v: unknown, digits: number): string => esc(typeof v === 'number' ? v.toFixed(digits) : String(v));

/** An optimum's 95% interval (log2) as `2^-8.4..2^-7.6`, or a dash without one (one seed). */
const ivl = (i: { low: number; high: number } | null | undefined): string =>
  i && typeof i.low === 'number' && typeof i.high === 'number' ? `2^${num(i.low, 2)}..2^${num(i.high, 2)}` : '\u2014';

/** Each HP axis's optimum per width, as a table (the plot's circles, in numbers). */
function hpTables(r: SweepReport): string {
  return (r.hps ?? [])
    .map((h) => {
      const rows = h.optimum
        .map((o) => `<tr><td>${esc(o.width)}</td><td>${esc(typeof o.value === 'number' ? fmtLr(o.value) : o.value)}</td><td>${num(o.fittedLog2Value, 2)}</td><td>${ivl(o.interval)}</td><td>${num(o.loss, 4)}</td><td>${o.atEdge ? 'at grid edge' : ''}</td></tr>`)
        .join('');
      const verdict = r.complete === false ? 'not judged (incomplete grid)' : h.verdict === 'inconclusive' ? 'inconclusive' : h.transfers ? 'transfers' : 'does not transfer';
      return `<h3>${esc(h.name)}: best value moves ${num(h.shiftOctaves, 1)} octaves across widths (${esc(verdict)})</h3>
<table><thead><tr><th>width</th><th>best ${esc(h.name)}</th><th>fitted log2</th><th>95% interval</th><th>loss</th><th>note</th></tr></thead><tbody>${rows}</tbody></table>`;
    })
    .join('\n');
}

export function renderSweepReport(reports: SweepReport[], title = 'muP LR sweep'): string {
  const plots = sweepPlotsSvg(reports);
  const sections = reports.map((r, i) => {
    // The note column only when some optimum is at the grid's edge (an empty column reads as a rendering fault).
    const edge = r.optimum.some((o) => o.atEdge);
    const rows = r.optimum
      .map((o) => `<tr><td>${esc(o.width)}</td><td>${esc(typeof o.lr === 'number' ? fmtLr(o.lr) : o.lr)}</td><td>${num(o.fittedLog2Lr, 2)}</td><td>${ivl(o.interval)}</td><td>${num(o.loss, 4)}</td>${edge ? `<td>${o.atEdge ? 'at grid edge' : ''}</td>` : ''}</tr>`)
      .join('');
    // An HP sweep at one LR did not sweep the LR: no LR table and no LR recommendation from it.
    const lrWasSwept = lrSwept(r);
    const rec = r.recommended && lrWasSwept
      ? `<p>Recommended LR at width ${esc(r.recommended.targetWidth)}: <b>${esc(Number(r.recommended.lr).toPrecision(3))}</b> (log2 ${num(r.recommended.log2Lr, 2)}, ${r.recommended.method === 'transfer' ? 'transferred' : 'extrapolated'}).</p>`
      : '';
    const warnings = r.warnings.length ? `<ul class="warn">${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
    return `<section>
<h2>${esc(r.model.file)}#${esc(r.model.exportName)}: ${r.parametrization === 'mup' ? 'muP' : 'SP'}</h2>
<p class="verdict ${r.verdict === 'inconclusive' ? 'unsure' : (r.everyAxisTransfers ?? r.transfers) ? 'ok' : 'bad'}" data-verdict="${esc(r.verdict ?? '')}">${esc(verdictLine(r)).replace(/\n/g, '<br>')}</p>
${plots[i]}
${lrWasSwept ? `<table><thead><tr><th>width</th><th>best LR</th><th>fitted log2 LR</th><th>95% interval</th><th>loss</th>${edge ? '<th>note</th>' : ''}</tr></thead><tbody>${rows}</tbody></table>` : `<p class="meta">The LR was not swept: every trial at ${esc(fmtLr(r.lrs[0] ?? 0))}.</p>`}
${hpTables(r)}
${rec}
<p class="meta">${esc(r.steps)} steps, ${esc(r.seeds)} seed(s), widths ${esc(r.widths.join(', '))}, ${esc(r.lrs.length)} LRs${(r.hps ?? []).map((h) => `, ${esc(h.values.length)} values of ${esc(h.name)}`).join('')}${r.hps?.length ? ' (each plot holds the other axes at each width\'s best)' : ''}, backend ${esc(r.backends.join(', '))}; ${esc(r.trials.length)} trials (${esc(r.reused)} reused, ${esc(r.trials.filter((t) => t.diverged).length)} diverged). Loss: mean training loss over the last 10% of steps, mean over seeds${r.seeds > 1 ? ' (the band: -/+ one SD over seeds; the bar through each optimum: its 95% bootstrap interval over seeds)' : ''}. Store: ${esc(r.storeDir)}</p>
${warnings}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fff}
section{display:inline-block;vertical-align:top;margin:0 24px 24px 0}
h2{font-size:16px}h3{font-size:13px}.verdict.ok{color:#070}.verdict.bad{color:#b00}.verdict.unsure{color:#555}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
.meta{font-size:12px;color:#555;max-width:760px}.warn{font-size:12px;color:#a60}
</style></head><body>
<h1>${esc(title)}</h1>
${sections.join('\n')}
</body></html>
`;
}
