// A self-contained HTML report of a coordinate check (`mup-lens coord --format html`, and the page the VS Code
// command writes): mup's plot (one subplot per step, l1 against width on log-log axes, one line per layer, drawn
// from the same plot model as the panel: src/plot), the verdict and the slopes table. Inline SVG and CSS, no
// script and nothing remote, so it opens from disk, in CI artifacts and in a webview alike. Every value from the
// result is escaped (a result file can be crafted). Pure: result in, string out.
import { FAIL_FROM, PASS_BELOW } from '../coord/summarize';
import type { CoordResult } from '../coord/types';
import { coordPlots, coordRows, depthSliceWidth } from '../plot/coordModel';
import type { PlotSpec } from '../plot/plotSpec';
import { plotsToSvg } from '../plot/svg';
import { LIGHT } from './theme';

export interface ReportMeta {
  title: string;
  subtitle?: string;
  notes?: string[];
}

/** Escapes text for HTML (element content and attribute values alike); numbers and anything else are stringified. */
export function esc(v: unknown): string {
  return String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The SVG of one subplot: the panel's plot model (src/plot/coordModel.ts) drawn by its SVG export. */
function subplotSvg(spec: PlotSpec): string {
  return plotsToSvg([spec], { plotWidth: 320, plotHeight: 240, columns: 1, ...LIGHT });
}

export function renderCoordReport(result: CoordResult, meta: ReportMeta): string {
  const v = result.verdict;
  const level = v.level === 'warn' || v.level === 'fail' || v.level === 'pass' || v.level === 'inconclusive' ? v.level : v.pass ? 'pass' : 'fail';
  // A check across depth shows the width its verdict names (issue 22); a width check every slope.
  const slice = depthSliceWidth(result);
  const slopeAt = (layer: string, t: number) => result.slopes.find((x) => x.layer === layer && x.t === t && (slice === undefined || x.width === slice));
  const pmOf = (layer: string, t: number) => {
    const x = slopeAt(layer, t);
    return x && x.se != null && x.high != null && x.slope !== null ? ` &plusmn; ${esc((x.high - x.slope).toFixed(3))}` : '';
  };
  const rowsModel = coordRows(result);
  const plots = coordPlots(result, rowsModel);
  const worst = v.worst;
  const worstSrc = worst ? result.layers.find((l) => l.name === worst.layer)?.source : null;
  const verdictText = v.problems?.length
    ? esc(v.problems.join('; '))
    : worst
      ? `largest |slope| <b>${esc(Math.abs(worst.slope).toFixed(2))}</b>${result.axis === 'depth' ? ' against depth' : ''} at layer <b>${esc(worst.layer)}</b>, t = ${esc(worst.t)}` +
        (worst.width !== undefined && result.axis === 'depth' ? `, width ${esc(worst.width)}` : '') +
        (worstSrc ? ` (<code>${esc(worstSrc.file)}:${esc(worstSrc.line)}</code>)` : '') +
        (pmOf(worst.layer, worst.t) ? `, slope ${esc((worst.slope >= 0 ? '+' : '') + worst.slope.toFixed(3))}${pmOf(worst.layer, worst.t)} (95% interval across seeds)` : '') +
        (v.settle ? `; inconclusive: ${esc(v.settle)}` : '') +
        (v.fix ? `; fix: ${esc(v.fix)}` : '')
      : 'no slope could be fitted';
  const legend = rowsModel
    .map((l) => `<span class="key"><i style="background:${esc(l.color)}"></i>${esc(l.layer)} <small>${esc(l.role)}</small></span>`)
    .join('');
  const steps = Array.from({ length: Math.max(0, Math.floor(Number(result.steps)) || 0) }, (_, i) => i + 1);
  const rows = result.layers
    .map((l) => {
      const cells = steps
        .map((t) => {
          const s = slopeAt(l.name, t)?.slope ?? null;
          const status = slopeAt(l.name, t)?.status;
          const cls = s === null ? 'na' : t >= 2 && status === 'inconclusive' ? 'unsure' : t >= 2 && Math.abs(s) >= FAIL_FROM ? 'bad' : t >= 2 && Math.abs(s) >= PASS_BELOW ? 'meh' : '';
          const mark = worst && worst.layer === l.name && worst.t === t ? ' worst' : '';
          return `<td class="${cls}${mark}">${s === null ? 'n/a' : esc((s >= 0 ? '+' : '') + Number(s).toFixed(3)) + pmOf(l.name, t)}</td>`;
        })
        .join('');
      const src = l.source ? `<code>${esc(String(l.source.file).split(/[\\/]/).pop() ?? '')}:${esc(l.source.line)}</code>` : '';
      return `<tr><th>${esc(l.name)}</th><td class="txt">${esc(l.role)}</td>${cells}<td class="txt">${src}</td></tr>`;
    })
    .join('');
  const notes = (meta.notes ?? []).map((n) => `<li>${esc(n)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Coordinate check: ${esc(meta.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}.sub{color:#555;margin:0 0 16px}
.verdict{padding:10px 14px;border-radius:6px;margin:0 0 16px}
.verdict.pass{background:#e6f4ea;border:1px solid #34a853}.verdict.warn{background:#fef7e0;border:1px solid #f9ab00}.verdict.fail{background:#fce8e6;border:1px solid #d93025}.verdict.inconclusive{background:#e8eaed;border:1px solid #5f6368}
.plots{display:flex;flex-wrap:wrap;gap:8px}svg{border:1px solid #ddd;background:#fff}
.grid{stroke:#eee}.ln{fill:none;stroke-width:1.6}.ttl{text-anchor:middle;font-size:12px;font-weight:600}
.xt{text-anchor:middle;font-size:9px;fill:#555}.yt{text-anchor:end;dominant-baseline:middle;font-size:9px;fill:#555}.xl{text-anchor:middle;font-size:10px;fill:#555}
.legend{margin:8px 0 16px}.key{margin-right:14px;white-space:nowrap}.key i{display:inline-block;width:12px;height:3px;vertical-align:middle;margin-right:4px}
table{border-collapse:collapse;margin-top:8px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right;font-variant-numeric:tabular-nums}th{text-align:left}
td.txt{text-align:left}td.bad{background:#fce8e6}td.meh{background:#fef7e0}td.na{color:#999}td.unsure{background:#e8eaed;font-style:italic}td.worst{font-weight:700;outline:2px solid #d93025}
small{color:#777}code{font-size:12px}
</style></head><body>
<h1>Coordinate check: ${esc(meta.title)}</h1>
<p class="sub">${esc(meta.subtitle ?? '')}<br>backend ${esc(result.backend)}, widths ${esc(result.widths.join(', '))}, ${esc(result.steps)} steps, ${esc(result.seeds)} seeds</p>
<div class="verdict ${level}" id="verdict"><b>${level.toUpperCase()}</b>: ${verdictText}.
<br><small>Slope of log l1 against log ${result.axis === 'depth' ? 'depth' : 'width'} per layer and step, judged over t &ge; 2: pass below ${PASS_BELOW}, fail from ${FAIL_FROM}; &plusmn; is the 95% interval across seeds, and a slope whose interval crosses ${FAIL_FROM} is inconclusive (grey). ${result.axis === 'depth' ? 'With a depth-muP or CompleteP branch multiplier every line is flat; a line rising with depth blows up in a deeper model.' : 'In muP every line is flat; a line rising with width blows up in a larger model.'}</small></div>
<div class="legend">${legend}</div>
<div class="plots">${plots.map(subplotSvg).join('\n')}</div>
<h2>Slopes</h2>
<table id="slopes"><tr><th>layer</th><th>role</th>${steps.map((t) => `<th>t=${esc(t)}</th>`).join('')}<th>source</th></tr>${rows}</table>
${notes ? `<h2>Notes</h2><ul>${notes}</ul>` : ''}
<script type="application/json" id="coord-data">${JSON.stringify(result).replace(/</g, '\\u003c')}</script>
</body></html>
`;
}
