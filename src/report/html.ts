// A self-contained HTML report of a coordinate check: mup's plot (one subplot per step, l1 against width on
// log-log axes, one line per layer), the verdict and the slopes table. Inline SVG and CSS, no script and nothing
// remote, so it opens from disk, in CI artifacts and in a webview alike. Pure: result in, string out.
import { FAIL_FROM, PASS_BELOW } from '../coord/summarize';
import type { CoordResult } from '../coord/types';

export interface ReportMeta {
  title: string;
  subtitle?: string;
  notes?: string[];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export interface PlotSeries {
  layer: string;
  color: string;
  /** [width, l1] pairs with l1 > 0 (a zero cannot sit on a log axis). */
  points: [number, number][];
}

/** The data of subplot t: what the SVG draws (exported for tests). */
export function seriesAt(result: CoordResult, t: number): PlotSeries[] {
  return result.layers.map((layer, i) => ({
    layer: layer.name,
    color: PALETTE[i % PALETTE.length],
    points: result.widths
      .map((w) => [w, result.records.find((r) => r.layer === layer.name && r.t === t && r.width === w)?.l1 ?? 0] as [number, number])
      .filter(([, v]) => v > 0 && Number.isFinite(v)),
  }));
}

function subplot(result: CoordResult, t: number): string {
  const W = 300;
  const H = 220;
  const m = { l: 52, r: 10, t: 24, b: 34 };
  const series = seriesAt(result, t);
  const ys = series.flatMap((s) => s.points.map(([, v]) => v));
  const xs = result.widths;
  const lx0 = Math.log2(Math.min(...xs));
  const lx1 = Math.log2(Math.max(...xs));
  let ly0 = ys.length ? Math.floor(Math.log10(Math.min(...ys))) : -1;
  let ly1 = ys.length ? Math.ceil(Math.log10(Math.max(...ys))) : 1;
  if (ly1 === ly0) {
    ly0 -= 1;
    ly1 += 1;
  }
  const px = (w: number) => m.l + ((Math.log2(w) - lx0) / (lx1 - lx0 || 1)) * (W - m.l - m.r);
  const py = (v: number) => H - m.b - ((Math.log10(v) - ly0) / (ly1 - ly0)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(`<text x="${W / 2}" y="15" class="ttl">t = ${t}${t === 1 ? ' (init)' : ''}</text>`);
  for (let e = ly0; e <= ly1; e++) {
    const y = py(10 ** e).toFixed(1);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" class="grid"/><text x="${m.l - 4}" y="${y}" class="yt">1e${e}</text>`);
  }
  for (const w of xs) {
    const x = px(w).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.t}" y2="${H - m.b}" class="grid"/><text x="${x}" y="${H - m.b + 14}" class="xt">${w}</text>`);
  }
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 4}" class="xl">width</text>`);
  parts.push(`<text transform="translate(11 ${(m.t + H - m.b) / 2}) rotate(-90)" class="xl">l1 = mean |x|</text>`);
  for (const s of series) {
    if (s.points.length === 0) continue;
    const pts = s.points.map(([w, v]) => `${px(w).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" stroke="${s.color}" class="ln" data-layer="${esc(s.layer)}"/>`);
    for (const [w, v] of s.points) {
      parts.push(`<circle cx="${px(w).toFixed(1)}" cy="${py(v).toFixed(1)}" r="2.6" fill="${s.color}"><title>${esc(s.layer)} width ${w}: l1 ${v.toPrecision(4)}</title></circle>`);
    }
  }
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="l1 against width at t = ${t}" data-t="${t}">${parts.join('')}</svg>`;
}

export function renderCoordReport(result: CoordResult, meta: ReportMeta): string {
  const v = result.verdict;
  const level = v.level ?? (v.pass ? 'pass' : 'fail');
  const worst = v.worst;
  const worstSrc = worst ? result.layers.find((l) => l.name === worst.layer)?.source : null;
  const verdictText = v.problems?.length
    ? esc(v.problems.join('; '))
    : worst
      ? `largest |slope| <b>${Math.abs(worst.slope).toFixed(2)}</b> at layer <b>${esc(worst.layer)}</b>, t = ${worst.t}` +
        (worstSrc ? ` (<code>${esc(worstSrc.file)}:${worstSrc.line}</code>)` : '')
      : 'no slope could be fitted';
  const legend = result.layers
    .map((l, i) => `<span class="key"><i style="background:${PALETTE[i % PALETTE.length]}"></i>${esc(l.name)} <small>${esc(l.role)}</small></span>`)
    .join('');
  const steps = Array.from({ length: result.steps }, (_, i) => i + 1);
  const rows = result.layers
    .map((l) => {
      const cells = steps
        .map((t) => {
          const s = result.slopes.find((x) => x.layer === l.name && x.t === t)?.slope ?? null;
          const cls = s === null ? 'na' : t >= 2 && Math.abs(s) >= FAIL_FROM ? 'bad' : t >= 2 && Math.abs(s) >= PASS_BELOW ? 'meh' : '';
          const mark = worst && worst.layer === l.name && worst.t === t ? ' worst' : '';
          return `<td class="${cls}${mark}">${s === null ? 'n/a' : (s >= 0 ? '+' : '') + s.toFixed(3)}</td>`;
        })
        .join('');
      const src = l.source ? `<code>${esc(l.source.file.split(/[\\/]/).pop() ?? '')}:${l.source.line}</code>` : '';
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
.verdict.pass{background:#e6f4ea;border:1px solid #34a853}.verdict.warn{background:#fef7e0;border:1px solid #f9ab00}.verdict.fail{background:#fce8e6;border:1px solid #d93025}
.plots{display:flex;flex-wrap:wrap;gap:8px}svg{border:1px solid #ddd;background:#fff}
.grid{stroke:#eee}.ln{fill:none;stroke-width:1.6}.ttl{text-anchor:middle;font-size:12px;font-weight:600}
.xt{text-anchor:middle;font-size:9px;fill:#555}.yt{text-anchor:end;dominant-baseline:middle;font-size:9px;fill:#555}.xl{text-anchor:middle;font-size:10px;fill:#555}
.legend{margin:8px 0 16px}.key{margin-right:14px;white-space:nowrap}.key i{display:inline-block;width:12px;height:3px;vertical-align:middle;margin-right:4px}
table{border-collapse:collapse;margin-top:8px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right;font-variant-numeric:tabular-nums}th{text-align:left}
td.txt{text-align:left}td.bad{background:#fce8e6}td.meh{background:#fef7e0}td.na{color:#999}td.worst{font-weight:700;outline:2px solid #d93025}
small{color:#777}code{font-size:12px}
</style></head><body>
<h1>Coordinate check: ${esc(meta.title)}</h1>
<p class="sub">${esc(meta.subtitle ?? '')}<br>backend ${esc(result.backend)}, widths ${result.widths.join(', ')}, ${result.steps} steps, ${result.seeds} seeds</p>
<div class="verdict ${level}" id="verdict"><b>${level.toUpperCase()}</b>: ${verdictText}.
<br><small>Slope of log l1 against log width per layer and step, judged over t &ge; 2: pass below ${PASS_BELOW}, fail from ${FAIL_FROM}. In muP every line is flat; a line rising with width blows up in a larger model.</small></div>
<div class="legend">${legend}</div>
<div class="plots">${steps.map((t) => subplot(result, t)).join('\n')}</div>
<h2>Slopes</h2>
<table id="slopes"><tr><th>layer</th><th>role</th>${steps.map((t) => `<th>t=${t}</th>`).join('')}<th>source</th></tr>${rows}</table>
${notes ? `<h2>Notes</h2><ul>${notes}</ul>` : ''}
<script type="application/json" id="coord-data">${JSON.stringify(result).replace(/</g, '\\u003c')}</script>
</body></html>
`;
}
