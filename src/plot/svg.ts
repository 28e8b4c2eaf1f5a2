// SVG export: the same PlotSpecs uPlot draws, drawn as vector graphics (uPlot itself draws to a canvas).
// Pure string building, so a test can read what the file will show.
import { finiteValues, type PlotSpec } from './plotSpec';

export interface SvgOptions {
  plotWidth: number;
  plotHeight: number;
  columns: number;
  foreground: string;
  background: string;
  grid: string;
  title?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n2 = (v: number) => (Math.round(v * 100) / 100).toString();

interface Axis {
  toPx(v: number): number;
  ticks: Array<{ v: number; label: string }>;
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/**
 * Tick values of a log axis between min and max: whole powers of the base (thinned to about 8); for base 10
 * over at most three decades also 2x and 5x, so a short range still gets labels. Used by uPlot and SVG alike.
 */
export function logTicks(min: number, max: number, base: 2 | 10): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const lo = Math.floor(Math.log(min) / Math.log(base) + 1e-9);
  const hi = Math.ceil(Math.log(max) / Math.log(base) - 1e-9);
  const inRange = (v: number) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const out: number[] = [];
  if (base === 10) {
    const mantissas = hi - lo <= 3 ? [1, 2, 5] : [1];
    for (let e = lo; e <= hi; e++) for (const m of mantissas) out.push(Number((m * 10 ** e).toPrecision(6)));
    return out.filter(inRange);
  }
  const powers: number[] = [];
  for (let e = lo; e <= hi; e++) if (inRange(base ** e)) powers.push(e);
  const every = Math.max(1, Math.ceil(powers.length / 8));
  return powers.filter((_, i) => i % every === 0).map((e) => base ** e);
}

/** Axis from data min/max to pixels [a, b]; log axes tick where logTicks says. */
export function makeAxis(min: number, max: number, log: 2 | 10 | null, a: number, b: number, pow2 = true): Axis {
  if (log) {
    let lo = Math.log(min) / Math.log(log);
    let hi = Math.log(max) / Math.log(log);
    if (hi - lo < 1e-9) {
      lo -= 0.5;
      hi += 0.5;
    }
    const pad = (hi - lo) * 0.04;
    lo -= pad;
    hi += pad;
    const toPx = (v: number) => a + ((Math.log(v) / Math.log(log) - lo) / (hi - lo)) * (b - a);
    const ticks = logTicks(log ** lo, log ** hi, log).map((v) => ({ v, label: log === 2 ? (pow2 ? `2^${Math.round(Math.log2(v))}` : String(v)) : String(Number(v.toPrecision(3))) }));
    return { toPx, ticks };
  }
  if (max - min < 1e-12) {
    min -= 1;
    max += 1;
  }
  const toPx = (v: number) => a + ((v - min) / (max - min)) * (b - a);
  const step = niceStep(max - min, 5);
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-12; v += step) ticks.push({ v, label: String(Number(v.toPrecision(6))) });
  return { toPx, ticks };
}

function plotSvg(spec: PlotSpec, x0: number, y0: number, o: SvgOptions): string {
  // Room on the right for the legend, so that it never covers data or the diverged markers at the top.
  const m = { l: 58, r: spec.series.length ? 112 : 12, t: 26, b: 40 };
  const left = x0 + m.l;
  const right = x0 + o.plotWidth - m.r;
  const top = y0 + m.t;
  const bottom = y0 + o.plotHeight - m.b;
  const out: string[] = [];
  out.push(`<g data-plot="${esc(spec.id)}">`);
  out.push(`<text x="${n2((left + right) / 2)}" y="${n2(y0 + 16)}" text-anchor="middle" font-weight="bold">${esc(spec.title)}</text>`);
  if (spec.xs.length === 0) {
    out.push(`<text x="${n2((left + right) / 2)}" y="${n2((top + bottom) / 2)}" text-anchor="middle">no data yet</text></g>`);
    return out.join('');
  }
  const xAxis = makeAxis(spec.xs[0], spec.xs[spec.xs.length - 1], spec.xLog, left, right, spec.xFormat === 'pow2');
  const yVals = finiteValues(spec.series, spec.yLog !== null).concat(
    spec.markers.filter((mk) => mk.y !== null).map((mk) => mk.y as number),
  );
  const [ymin, ymax] = spec.yRange ?? (yVals.length ? [Math.min(...yVals), Math.max(...yVals)] : [spec.yLog ? 0.1 : 0, 1]);
  const yAxis = makeAxis(ymin, ymax, spec.yLog, bottom, top);
  out.push(`<rect x="${n2(left)}" y="${n2(top)}" width="${n2(right - left)}" height="${n2(bottom - top)}" fill="none" stroke="${o.grid}"/>`);
  for (const t of xAxis.ticks) {
    const px = n2(xAxis.toPx(t.v));
    out.push(`<line x1="${px}" x2="${px}" y1="${n2(top)}" y2="${n2(bottom)}" stroke="${o.grid}" stroke-width="0.5"/>`);
    out.push(`<text x="${px}" y="${n2(bottom + 14)}" text-anchor="middle" font-size="10">${esc(t.label)}</text>`);
  }
  for (const t of yAxis.ticks) {
    const py = yAxis.toPx(t.v);
    if (py < top - 0.5 || py > bottom + 0.5) continue;
    out.push(`<line x1="${n2(left)}" x2="${n2(right)}" y1="${n2(py)}" y2="${n2(py)}" stroke="${o.grid}" stroke-width="0.5"/>`);
    out.push(`<text x="${n2(left - 4)}" y="${n2(py + 3)}" text-anchor="end" font-size="10">${esc(t.label)}</text>`);
  }
  out.push(`<text x="${n2((left + right) / 2)}" y="${n2(bottom + 32)}" text-anchor="middle" font-size="11">${esc(spec.xLabel)}</text>`);
  out.push(
    `<text transform="translate(${n2(x0 + 12)} ${n2((top + bottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="11">${esc(spec.yLabel)}</text>`,
  );
  const clip = (py: number) => Math.min(bottom, Math.max(top, py));
  for (const s of spec.series) {
    // Spread band: the polygon along hi then back along lo, over runs of points that have both.
    if (s.lo && s.hi) {
      let run: number[] = [];
      const flush = () => {
        if (run.length >= 2) {
          const pts = run.map((i) => `${n2(xAxis.toPx(spec.xs[i]))},${n2(clip(yAxis.toPx(s.hi![i] as number)))}`);
          const back = [...run].reverse().map((i) => `${n2(xAxis.toPx(spec.xs[i]))},${n2(clip(yAxis.toPx(s.lo![i] as number)))}`);
          out.push(`<polygon points="${pts.concat(back).join(' ')}" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`);
        }
        run = [];
      };
      s.ys.forEach((_, i) => (s.absent?.[i] ? undefined : s.lo![i] !== null && s.hi![i] !== null ? run.push(i) : flush()));
      flush();
    }
    const segs: string[][] = [[]];
    s.ys.forEach((y, i) => {
      if (s.absent?.[i]) return; // no cell here (another width's refined LR): the line joins over it
      if (y === null) segs.push([]);
      else segs[segs.length - 1].push(`${n2(xAxis.toPx(spec.xs[i]))},${n2(clip(yAxis.toPx(y)))}`);
    });
    const w = s.emphasis === 'fail' ? 3 : 1.5;
    for (const seg of segs.filter((g) => g.length > 0)) {
      out.push(`<polyline data-series="${esc(s.key)}" points="${seg.join(' ')}" fill="none" stroke="${s.color}" stroke-width="${w}"/>`);
      for (const p of seg) {
        const [cx, cy] = p.split(',');
        out.push(`<circle cx="${cx}" cy="${cy}" r="2" fill="${s.color}"/>`);
      }
    }
  }
  for (const mk of spec.markers) {
    const cx = xAxis.toPx(mk.x);
    if (mk.kind === 'optimum' && mk.y !== null) {
      const cy = clip(yAxis.toPx(mk.y));
      if (mk.interval) {
        // The optimum's 95% interval on the x axis: a bar with end caps through the marker.
        const [a, b] = mk.interval.map((v) => n2(xAxis.toPx(v)));
        out.push(`<path data-interval="${esc(mk.seriesKey)}" d="M${a},${n2(cy)} H${b} M${a},${n2(cy - 4)} V${n2(cy + 4)} M${b},${n2(cy - 4)} V${n2(cy + 4)}" stroke="${mk.color}" stroke-width="2" fill="none"/>`);
      }
      out.push(
        `<circle data-marker="optimum" cx="${n2(cx)}" cy="${n2(cy)}" r="5.5" fill="${mk.color}" stroke="${o.foreground}" stroke-width="1.5"><title>${esc(mk.label)}</title></circle>`,
      );
    } else if (mk.kind === 'diverged') {
      const cy = top + 6 + 10 * mk.stack;
      out.push(
        `<path data-marker="diverged" d="M${n2(cx - 5)},${n2(cy - 4)} L${n2(cx + 5)},${n2(cy - 4)} L${n2(cx)},${n2(cy + 5)} Z" fill="${mk.color}" stroke="${o.foreground}" stroke-width="0.8"><title>${esc(mk.label)}</title></path>`,
      );
    }
  }
  // Legend right of the plot area.
  spec.series.forEach((s, i) => {
    const ly = top + 6 + i * 13;
    out.push(`<line x1="${n2(right + 8)}" x2="${n2(right + 22)}" y1="${n2(ly)}" y2="${n2(ly)}" stroke="${s.color}" stroke-width="${s.emphasis === 'fail' ? 3 : 2}"/>`);
    out.push(`<text x="${n2(right + 26)}" y="${n2(ly + 3)}" font-size="10">${esc(s.label)}${s.emphasis === 'fail' ? ' \u2717' : ''}</text>`);
  });
  out.push('</g>');
  return out.join('');
}

/** Plots in a grid of `columns`, as one standalone SVG document. */
export function plotsToSvg(specs: PlotSpec[], o: SvgOptions): string {
  const cols = Math.max(1, Math.min(o.columns, specs.length));
  const rows = Math.max(1, Math.ceil(specs.length / cols));
  const head = o.title ? 24 : 0;
  const W = cols * o.plotWidth;
  const H = rows * o.plotHeight + head;
  const body = specs.map((s, i) => plotSvg(s, (i % cols) * o.plotWidth, head + Math.floor(i / cols) * o.plotHeight, o)).join('\n');
  const title = o.title ? `<text x="8" y="17" font-weight="bold" font-size="13">${esc(o.title)}</text>` : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" fill="${o.foreground}">\n` +
    `<rect width="100%" height="100%" fill="${o.background}"/>\n${title}\n${body}\n</svg>\n`
  );
}
