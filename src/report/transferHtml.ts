// A self-contained HTML page of a transfer (`mup-lens transfer --format html`, `<store>/transfer-w<N>.html`): what the
// sweep showed, the tuned values, the per-weight table of what muP makes of them at the target width, and with
// `--verify` both loss curves of the target width. Drawn from the panel's model (src/plot/transferModel.ts), so the
// page and the panel show the same; nothing remote, every value escaped.
import { plotsToSvg } from '../plot/svg';
import { transferModel } from '../plot/transferModel';
import type { TransferReport } from '../sweep/transfer';
import { esc } from './coordHtml';
import { LIGHT } from './theme';

export function renderTransferReport(t: TransferReport): string {
  const m = transferModel({ targetWidth: t.targetWidth, verify: t.verify !== null, status: 'done', report: t });
  const list = (xs: string[]) => (xs.length ? `<ul>${xs.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '');
  const table = m.rows.length
    ? `<table><thead><tr>${m.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${m.rows
        .map((r) => `<tr>${r.map((c, i) => `<td class="${i < 2 ? 'l' : ''}${c.includes('DIFFERS') ? ' bad' : ''}">${esc(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`
    : '';
  const plot = m.verifyPlot ? plotsToSvg([m.verifyPlot], { plotWidth: 760, plotHeight: 380, columns: 1, ...LIGHT }) : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(`muP transfer: ${t.model.file}#${t.model.exportName} to width ${t.targetWidth}`)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fff;max-width:1100px}
h2{font-size:16px}.ok{color:#070}.bad{color:#b00}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td.l{text-align:left}
.meta{font-size:12px;color:#555}
</style></head><body>
<h1>${esc(`${t.model.file}#${t.model.exportName}`)}: transfer to width ${esc(t.targetWidth)}</h1>
<p class="${m.transfers ? 'ok' : 'bad'}">${esc(m.statusText)}</p>
<h2>What the ${t.parametrization === 'mup' ? 'muP' : 'SP'} sweep showed</h2>
${list(m.showed)}
${m.refusal ? `<p class="bad">${esc(m.refusal)}</p>` : ''}
${m.tuned ? `<h2>At width ${esc(t.targetWidth)}</h2><p>${esc(m.tuned)} (the proxy's fitted best)</p>` : ''}
${table}
${m.factors.length ? `<h2>The LR at the target, factor by factor</h2><p>${esc(m.factors[0]!)}</p>${list(m.factors.slice(1).map((x) => x.trim()))}` : ''}
${list(m.groups)}
${list(m.readouts)}
${m.differs.length ? `<p class="bad">${esc(`The initial std of ${m.differs.join(', ')} does not follow muP's rule at width ${t.targetWidth}.`)}</p>` : ''}
${m.verifyPlot ? `<h2>Verification</h2>${plot}${list(m.verifyLines)}` : ''}
<p class="meta">${esc(`store ${t.store}; ${t.written ? `transfer file ${t.written}` : 'no transfer file written'}`)}</p>
${t.warnings.length ? `<ul class="bad">${t.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
