// The axis a coordinate check fits its slopes along (issue 22): width, as always, or depth. One generalisation of
// the width check, not a second engine: a run sits at a point (width, depth?), the judged axis gives its x, and the
// other coordinate picks the slice (a depth check at several widths is one depth fit per width). The fit, the
// thresholds and the verdict are summarize()'s, unchanged. Pure.
import { depthFix } from './depthLayers';
import { summarize, type SummarizeInput, type VerdictLevel } from './summarize';
import type { CoordResult, CoordRun } from './types';

export type CoordAxis = 'width' | 'depth';

/** A run's coordinate on an axis. */
export function axisValue(axis: CoordAxis, run: { width: number; depth?: number }): number {
  return axis === 'depth' ? (run.depth ?? NaN) : run.width;
}

export interface AxisSummarizeInput extends SummarizeInput {
  axis: CoordAxis;
}

/**
 * summarize() along `axis`. Width: exactly summarize(). Depth: per width, the runs with x = their depth go through
 * summarize(); records and slopes come back with `depth` (and slopes with the slice's `width`), the verdict is the
 * largest |slope| over every slice, with the fix it calls for.
 */
export function summarizeAlong(input: AxisSummarizeInput): CoordResult {
  if (input.axis === 'width') return summarize(input);
  const widths = [...new Set(input.runs.map((r) => r.width))].sort((a, b) => a - b);
  const parts = widths.map((width) => {
    const runs: CoordRun[] = input.runs.filter((r) => r.width === width).map((r) => ({ ...r, width: axisValue('depth', r) }));
    return { width, result: summarize({ ...input, runs }) };
  });
  const depths = [...new Set(parts.flatMap((p) => p.result.widths))].sort((a, b) => a - b);
  const records = parts.flatMap(({ width, result }) => result.records.map((r) => ({ ...r, width, depth: r.width })));
  const slopes = parts.flatMap(({ width, result }) => result.slopes.map((s) => ({ ...s, width })));
  let worst: (CoordResult['verdict']['worst'] & { width?: number }) | null = null;
  for (const { width, result } of parts) {
    const w = result.verdict.worst;
    if (w && (worst === null || Math.abs(w.slope) > Math.abs(worst.slope))) worst = { ...w, width };
  }
  // The verdict is the worst slice's (summarize() judged each with its intervals): fail, inconclusive, warn, pass.
  const rank: VerdictLevel[] = ['pass', 'warn', 'inconclusive', 'fail'];
  const levelOf = (r: CoordResult): VerdictLevel => r.verdict.level ?? (r.verdict.pass ? 'pass' : 'fail');
  const decisive = parts.filter((p) => p.result.widths.length >= 2).reduce<{ width: number; result: CoordResult } | null>((a, p) => (a === null || rank.indexOf(levelOf(p.result)) > rank.indexOf(levelOf(a.result)) ? p : a), null);
  const problems = input.problems ?? [];
  const level: VerdictLevel = problems.length > 0 ? 'fail' : decisive ? levelOf(decisive.result) : 'pass';
  const base = parts[0]?.result ?? summarize({ ...input, runs: [] });
  const dv = decisive?.result.verdict;
  // (summarize's advice speaks of widths: here the fitted axis is depth)
  const settle = dv?.settle ? dv.settle.replace('widths further apart', 'depths further apart') : dv?.settle;
  return {
    ...base,
    axis: 'depth',
    widths: parts.filter((p) => p.result.widths.length >= 2).map((p) => p.width),
    depths,
    records,
    slopes,
    verdict: {
      ...(dv ?? base.verdict),
      pass: level === 'pass' || level === 'warn',
      worst,
      threshold: base.verdict.threshold,
      level,
      ...(problems.length ? { problems } : {}),
      ...(settle !== undefined ? { settle } : {}),
      ...(worst && level !== 'pass' ? { fix: depthFix(worst.layer, worst.slope) } : {}),
    },
  };
}
