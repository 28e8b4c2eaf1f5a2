// Coordinate check -> plots and table. mup's `plot_coord_data` grid: one subplot per step t, l1 (mean |x|)
// against width on log-log axes, one line per layer, with the spread over seeds; and the verdict per layer.
import type { CoordResult, CoordLayer } from '../coord/types';
import type { CoordMeta } from '../protocol/webview';
import { layerColor } from './colors';
import type { PlotSeries, PlotSpec } from './plotSpec';

export interface CoordLayerRow {
  layer: string;
  role: string;
  source: CoordLayer['source'];
  color: string;
  /** Slope per step t (index t-1); null where l1 was 0 (not fitted). */
  slopes: Array<number | null>;
  /** The 95% interval of each slope across seeds (index t-1); null where there is none (issue 21). */
  intervals: Array<[number, number] | null>;
  /** The interval of the judged slope straddles a threshold (0.2 or 0.4): more seeds would settle it. */
  inconclusive: boolean;
  /** The slope the verdict judges: the largest |slope| over t >= 2 (t = 1 when there is one step). */
  worst: { t: number; slope: number } | null;
  fails: boolean;
  /** l1 was 0 at t = 1 (zero-initialised readout): reported, not fitted. */
  zeroAtInit: boolean;
}

export interface CoordModel {
  title: string;
  subtitle: string;
  pass: boolean;
  /** The engine's level when it gives one (`warn` passes with slopes between its two thresholds). */
  level: 'pass' | 'warn' | 'fail' | 'inconclusive';
  threshold: number;
  verdictText: string;
  /** Why the check failed regardless of slopes (e.g. training diverged), from the engine. */
  problems: string[];
  rows: CoordLayerRow[];
  plots: PlotSpec[];
}

/** Layer names in the order the result lists them, plus any that only appear in records. */
function layerOrder(result: CoordResult): CoordLayer[] {
  const seen = new Map<string, CoordLayer>();
  for (const l of result.layers) seen.set(l.name, l);
  for (const r of result.records) if (!seen.has(r.layer)) seen.set(r.layer, { name: r.layer, role: '', source: null });
  return [...seen.values()];
}

/**
 * A check across depth (issue 22) is drawn at one width: the one its verdict names, else the first. Undefined for a
 * width check (every record and slope is drawn).
 */
export function depthSliceWidth(result: CoordResult): number | undefined {
  if (result.axis !== 'depth') return undefined;
  return result.verdict.worst?.width ?? result.widths[0] ?? result.records[0]?.width;
}

export function coordRows(result: CoordResult): CoordLayerRow[] {
  const slice = depthSliceWidth(result);
  const steps = Math.max(result.steps, ...result.slopes.map((s) => s.t), 1);
  const judgedFrom = steps >= 2 ? 2 : 1; // docs/mup.md: judge by the largest slope over t >= 2, never by t = 1 alone
  return layerOrder(result).map((layer, i) => {
    const slopes: Array<number | null> = Array.from({ length: steps }, () => null);
    const intervals: Array<[number, number] | null> = Array.from({ length: steps }, () => null);
    for (const s of result.slopes) {
      if (s.layer !== layer.name || s.t < 1 || s.t > steps || (slice !== undefined && s.width !== slice)) continue;
      slopes[s.t - 1] = s.slope;
      if (s.low != null && s.high != null && s.se != null) intervals[s.t - 1] = [s.low, s.high];
    }
    let worst: CoordLayerRow['worst'] = null;
    for (let t = judgedFrom; t <= steps; t++) {
      const s = slopes[t - 1];
      if (s !== null && Number.isFinite(s) && (worst === null || Math.abs(s) > Math.abs(worst.slope))) worst = { t, slope: s };
    }
    const atInit = result.records.filter((r) => r.layer === layer.name && r.t === 1 && (slice === undefined || r.width === slice));
    return {
      layer: layer.name,
      role: layer.role,
      source: layer.source,
      color: layerColor(i),
      slopes,
      intervals,
      inconclusive: worst !== null && result.slopes.some((s) => s.layer === layer.name && s.t === worst!.t && s.status === 'inconclusive'),
      worst,
      fails: worst !== null && Math.abs(worst.slope) > result.verdict.threshold,
      zeroAtInit: atInit.length > 0 && atInit.every((r) => r.l1 === 0),
    };
  });
}

export function coordPlots(result: CoordResult, rows: CoordLayerRow[]): PlotSpec[] {
  // The x axis is the check's axis: width, or depth at one width (issue 22).
  const slice = depthSliceWidth(result);
  const records = slice === undefined ? result.records : result.records.filter((r) => r.width === slice && r.depth !== undefined);
  const xOf = (r: { width: number; depth?: number }) => (slice === undefined ? r.width : r.depth!);
  const widths = [...new Set(records.map(xOf).concat(slice === undefined ? result.widths : (result.depths ?? [])))].sort((a, b) => a - b);
  const steps = [...new Set(records.map((r) => r.t))].sort((a, b) => a - b);
  const byKey = new Map<string, { l1: number; l1Std: number }>();
  for (const r of records) byKey.set(`${r.layer}\u0000${r.t}\u0000${xOf(r)}`, r);
  // On a log axis a value <= 0 has no place: it is a gap (e.g. a zero-initialised readout at t = 1).
  const pos = (v: number | undefined) => (v !== undefined && Number.isFinite(v) && v > 0 ? v : null);
  return steps.map((t) => {
    const series: PlotSeries[] = rows.map((row) => {
      const recs = widths.map((w) => byKey.get(`${row.layer}\u0000${t}\u0000${w}`));
      return {
        key: row.layer,
        label: row.layer,
        color: row.color,
        ys: recs.map((r) => pos(r?.l1)),
        // The band is mean -/+ one std over seeds; its lower edge is clipped to stay on the log axis.
        lo: recs.map((r) => (r && pos(r.l1) !== null ? pos(r.l1 - r.l1Std) ?? r.l1 / 10 : null)),
        hi: recs.map((r) => (r && pos(r.l1) !== null ? r.l1 + r.l1Std : null)),
        emphasis: row.fails ? 'fail' : 'normal',
        source: row.source,
      };
    });
    return {
      id: `coord-t${t}`,
      title: `t = ${t}`,
      xLabel: slice === undefined ? 'width' : `depth (width ${slice})`,
      yLabel: 'l1 (mean |x|)',
      xs: widths,
      xLog: 2,
      xFormat: 'plain',
      yLog: 10,
      series,
      markers: [],
      yRange: null,
    };
  });
}

export function fmtSlope(s: number | null): string {
  if (s === null) return '—';
  return (s >= 0 ? '+' : '\u2212') + Math.abs(s).toFixed(3);
}

export function coordModel(result: CoordResult, meta: CoordMeta): CoordModel {
  const rows = coordRows(result);
  const v = result.verdict;
  const level = v.level ?? (v.pass ? 'pass' : 'fail');
  const ws = v.worst ? result.slopes.find((s) => s.layer === v.worst!.layer && s.t === v.worst!.t) : undefined;
  const pm = ws && ws.se != null && ws.high != null && ws.slope !== null ? ` \u00b1 ${(ws.high - ws.slope).toFixed(3)}` : '';
  const worst = v.worst ? `worst: ${v.worst.layer} at t = ${v.worst.t}, slope ${fmtSlope(v.worst.slope)}${pm}` : 'no slope could be fitted';
  const head = level === 'pass' ? 'Pass' : level === 'warn' ? 'Warning' : level === 'inconclusive' ? 'Inconclusive' : 'Fail';
  return {
    title: meta.title,
    subtitle: `${meta.modelFile}#${meta.exportName} · ${meta.parametrization === 'mup' ? 'muP' : 'SP'} · backend ${result.backend} · widths ${result.widths.join(', ')}${result.depths ? ` · depths ${result.depths.join(', ')}` : ''} · ${result.steps} steps · ${result.seeds} seeds`,
    pass: v.pass,
    level,
    threshold: v.threshold,
    verdictText: `${head}: ${worst} (threshold |slope| \u2264 ${v.threshold}${pm ? ', 95% interval across seeds' : ''})${v.settle ? `; ${v.settle}` : ''}`,
    problems: Array.isArray(v.problems) ? v.problems.filter((x): x is string => typeof x === 'string') : [],
    rows,
    plots: coordPlots(result, rows),
  };
}
