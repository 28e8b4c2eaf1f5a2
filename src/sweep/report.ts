// Human-readable sweep results: the text table of the CLI and a self-contained HTML page with an SVG plot
// (loss against log2 LR, one curve per width, optima marked, diverged trials as markers along the top).
// Nothing remote: no scripts, no fonts, no images from elsewhere.
import { lossCurves } from './optimum';
import type { SweepReport } from './types';

function fmtLoss(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : 'div';
}

function fmtLr(lr: number): string {
  const e = Math.log2(lr);
  return Number.isInteger(Math.round(e * 1e9) / 1e9) ? `2^${Math.round(e)}` : lr.toPrecision(3);
}

export function verdictLine(r: SweepReport): string {
  if (r.optimum.length < 2) return 'transfer: not judged (fewer than two widths with an optimum)';
  return r.transfers
    ? `transfers: yes (the best LR moves ${r.shiftOctaves} octave${r.shiftOctaves === 1 ? '' : 's'} across widths; rule: <= 1)`
    : `transfers: NO (the best LR moves ${r.shiftOctaves} octaves across widths; rule: <= 1)`;
}

export function formatText(r: SweepReport): string {
  const curves = lossCurves(r.trials);
  const widths = [...curves.keys()];
  const lrs = [...new Set(r.trials.map((t) => t.lr))].sort((a, b) => a - b);
  const best = new Map(r.optimum.map((o) => [o.width, o.lr]));
  const lines: string[] = [];
  lines.push(`LR sweep of ${r.model.file}#${r.model.exportName} (${r.parametrization === 'mup' ? 'muP' : 'SP'}, ${r.steps} steps, ${r.seeds} seed${r.seeds === 1 ? '' : 's'}, backend ${r.backends.join(', ') || 'none'})`);
  lines.push(`loss = mean training loss over the last 10% of steps, mean over seeds; div = diverged; * = best per width`);
  const col = 10;
  if (r.trials.length === 0) lines.push('no trial has a result (see the warnings above)');
  else lines.push(['lr'.padEnd(10), ...widths.map((w) => `w=${w}`.padStart(col))].join(''));
  for (const lr of lrs) {
    const cells = widths.map((w) => {
      const p = curves.get(w)!.find((c) => c.lr === lr);
      if (!p) return '-'.padStart(col);
      return (fmtLoss(p.loss) + (best.get(w) === lr ? '*' : ' ')).padStart(col);
    });
    lines.push([fmtLr(lr).padEnd(10), ...cells].join(''));
  }
  lines.push('');
  for (const o of r.optimum) {
    lines.push(`width ${String(o.width).padEnd(6)} best lr ${fmtLr(o.lr).padEnd(7)} (log2 ${o.log2Lr.toFixed(1)}, fitted ${o.fittedLog2Lr.toFixed(2)})  loss ${o.loss.toFixed(4)}${o.atEdge ? '  [at the edge of the grid]' : ''}`);
  }
  // With fewer than two optima there is no shift: "0 octaves" would read as a perfect transfer.
  if (r.optimum.length >= 2) lines.push(`shift of the best LR across widths: ${r.shiftOctaves} octaves (fitted: ${r.fittedShiftOctaves.toFixed(2)})`);
  lines.push(verdictLine(r));
  if (r.recommended) {
    lines.push(`recommended LR at width ${r.recommended.targetWidth}: ${r.recommended.lr.toPrecision(3)} (log2 ${r.recommended.log2Lr.toFixed(2)}, ${r.recommended.method === 'transfer' ? 'the widest width\'s fitted optimum' : 'extrapolated from the optimum\'s trend with width'})`);
  }
  const diverged = r.trials.filter((t) => t.diverged).length;
  lines.push(`${r.trials.length} trials (${r.reused} reused from the store, ${r.ran} run now, ${diverged} diverged${r.missing ? `, ${r.missing} missing` : ''}); store: ${r.storeDir}`);
  return lines.join('\n') + '\n';
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A sequential colour per width (light to dark blue-purple), so the order of widths reads at a glance. */
export function widthColour(i: number, n: number): string {
  const t = n <= 1 ? 1 : i / (n - 1);
  const hue = 200 + 80 * t;
  const light = 62 - 32 * t;
  return `hsl(${hue.toFixed(0)}, 70%, ${light.toFixed(0)}%)`;
}

export interface PlotSeries {
  width: number;
  colour: string;
  points: { x: number; y: number }[];
  optimum: { x: number; y: number } | null;
  diverged: number[];
}

/** The data the plot draws (pure, tested): per width, finite mean losses by log2 LR, optimum, diverged x's. */
export function plotSeries(r: SweepReport): PlotSeries[] {
  const curves = lossCurves(r.trials);
  const widths = [...curves.keys()];
  return widths.map((w, i) => {
    const c = curves.get(w)!;
    const o = r.optimum.find((x) => x.width === w);
    return {
      width: w,
      colour: widthColour(i, widths.length),
      points: c.filter((p) => Number.isFinite(p.loss)).map((p) => ({ x: p.log2Lr, y: p.loss })),
      optimum: o ? { x: o.log2Lr, y: o.loss } : null,
      diverged: c.filter((p) => p.diverged > 0).map((p) => p.log2Lr),
    };
  });
}

export function plotSvg(r: SweepReport, size = { w: 760, h: 440 }): string {
  const series = plotSeries(r);
  const m = { l: 60, r: 130, t: 34, b: 46 };
  const W = size.w - m.l - m.r;
  const H = size.h - m.t - m.b;
  const xs = series.flatMap((s) => [...s.points.map((p) => p.x), ...s.diverged]);
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const x0 = xs.length ? Math.floor(Math.min(...xs)) : -1;
  const x1 = xs.length ? Math.ceil(Math.max(...xs)) : 0;
  const yMin = ys.length ? Math.min(...ys) : 0;
  const yMax = ys.length ? Math.max(...ys) : 1;
  const pad = (yMax - yMin) * 0.06 || 0.1;
  const y0 = yMin - pad;
  const y1 = yMax + pad;
  const sx = (x: number) => m.l + ((x - x0) / Math.max(1e-9, x1 - x0)) * W;
  const sy = (y: number) => m.t + (1 - (y - y0) / Math.max(1e-9, y1 - y0)) * H;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size.w} ${size.h}" width="${size.w}" height="${size.h}" role="img" aria-label="loss against log2 learning rate, one curve per width" data-series-count="${series.length}" data-optimum-count="${series.filter((s) => s.optimum).length}">`);
  out.push(`<rect x="${m.l}" y="${m.t}" width="${W}" height="${H}" fill="none" stroke="#999"/>`);
  for (let x = x0; x <= x1; x++) {
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${m.t}" y2="${m.t + H}" stroke="#ddd"/><text x="${sx(x)}" y="${m.t + H + 16}" text-anchor="middle" font-size="11">${x}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const y = y0 + ((y1 - y0) * i) / 5;
    out.push(`<line x1="${m.l}" x2="${m.l + W}" y1="${sy(y)}" y2="${sy(y)}" stroke="#eee"/><text x="${m.l - 6}" y="${sy(y) + 4}" text-anchor="end" font-size="11">${y.toFixed(3)}</text>`);
  }
  out.push(`<text x="${m.l + W / 2}" y="${size.h - 8}" text-anchor="middle" font-size="12">log2 learning rate</text>`);
  out.push(`<text transform="translate(14 ${m.t + H / 2}) rotate(-90)" text-anchor="middle" font-size="12">training loss (last 10% of steps)</text>`);
  if (series.some((s) => s.diverged.length > 0)) out.push(`<text x="${m.l}" y="${m.t - 18}" font-size="10">× along the top: diverged (loss NaN/inf or over 3x its start)</text>`);
  series.forEach((s, i) => {
    const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    out.push(`<g class="series" data-width="${s.width}">`);
    if (d) out.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    for (const p of s.points) out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.5" fill="${s.colour}"><title>width ${s.width}, log2 lr ${p.x}, loss ${p.y.toFixed(4)}</title></circle>`);
    if (s.optimum) {
      out.push(`<circle class="optimum" cx="${sx(s.optimum.x).toFixed(1)}" cy="${sy(s.optimum.y).toFixed(1)}" r="7" fill="none" stroke="${s.colour}" stroke-width="2.5"><title>best LR at width ${s.width}: 2^${s.optimum.x}, loss ${s.optimum.y.toFixed(4)}</title></circle>`);
    }
    for (const x of s.diverged) {
      out.push(`<text class="diverged" x="${sx(x).toFixed(1)}" y="${m.t - 4}" text-anchor="middle" font-size="13" fill="${s.colour}">×<title>width ${s.width} diverged at log2 lr ${x}</title></text>`);
    }
    out.push(`<rect x="${m.l + W + 14}" y="${m.t + i * 18}" width="14" height="4" fill="${s.colour}"/><text x="${m.l + W + 34}" y="${m.t + i * 18 + 6}" font-size="12">width ${s.width}</text>`);
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n');
}

/** One self-contained page for one or more sweeps (e.g. SP and muP side by side). */
export function formatHtml(reports: SweepReport[], title = 'muP LR sweep'): string {
  const sections = reports.map((r) => {
    // The note column only when some optimum is at the grid's edge (an empty column reads as a rendering fault).
    const edge = r.optimum.some((o) => o.atEdge);
    const rows = r.optimum
      .map((o) => `<tr><td>${o.width}</td><td>${fmtLr(o.lr)}</td><td>${o.fittedLog2Lr.toFixed(2)}</td><td>${o.loss.toFixed(4)}</td>${edge ? `<td>${o.atEdge ? 'at grid edge' : ''}</td>` : ''}</tr>`)
      .join('');
    const rec = r.recommended
      ? `<p>Recommended LR at width ${r.recommended.targetWidth}: <b>${r.recommended.lr.toPrecision(3)}</b> (log2 ${r.recommended.log2Lr.toFixed(2)}, ${r.recommended.method === 'transfer' ? 'transferred' : 'extrapolated'}).</p>`
      : '';
    const warnings = r.warnings.length ? `<ul class="warn">${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
    return `<section>
<h2>${esc(r.model.file)}#${esc(r.model.exportName)}: ${r.parametrization === 'mup' ? 'muP' : 'SP'}</h2>
<p class="verdict ${r.transfers ? 'ok' : 'bad'}">${esc(verdictLine(r))}</p>
${plotSvg(r)}
<table><thead><tr><th>width</th><th>best LR</th><th>fitted log2 LR</th><th>loss</th>${edge ? '<th>note</th>' : ''}</tr></thead><tbody>${rows}</tbody></table>
${rec}
<p class="meta">${r.steps} steps, ${r.seeds} seed(s), widths ${r.widths.join(', ')}, ${r.lrs.length} LRs, backend ${esc(r.backends.join(', '))}; ${r.trials.length} trials (${r.reused} reused, ${r.trials.filter((t) => t.diverged).length} diverged). Loss: mean training loss over the last 10% of steps, mean over seeds. Store: ${esc(r.storeDir)}</p>
${warnings}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fff}
section{display:inline-block;vertical-align:top;margin:0 24px 24px 0}
h2{font-size:16px}.verdict.ok{color:#070}.verdict.bad{color:#b00}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
.meta{font-size:12px;color:#555;max-width:760px}.warn{font-size:12px;color:#a60}
svg text{fill:#333}
</style></head><body>
<h1>${esc(title)}</h1>
${sections.join('\n')}
</body></html>
`;
}
