// The text of a sweep's axes beyond width (issue 22): per axis, its optimum per value at each width (best LR, best
// loss, the loss at the LR transferred from the first value) and its verdict lines. Pure.
import type { SweepReport } from './types';

const fmt = (x: number) => (Math.abs(Math.log2(x) - Math.round(Math.log2(x))) < 1e-9 ? `2^${Math.round(Math.log2(x))}` : x.toPrecision(3));

/** The report as the width table sees it: a sweep with axes shows the proxy's slice (every axis at its first value). */
export function proxyReport(report: SweepReport): SweepReport {
  const grid = report.axisGrid;
  if (!grid?.length) return report;
  const trials = report.trials.filter((t) => grid.every((a) => t.axes?.[a.name] === a.values[0])).map(({ axes: _a, ...t }) => t);
  return { ...report, trials };
}

export function formatAxes(report: SweepReport): string {
  if (!report.axes?.length) return '';
  const lines: string[] = [''];
  for (const a of report.axes) {
    lines.push(`${a.name} axis (${a.values.join(', ')}):`);
    for (const s of a.slices) {
      const fixed = Object.entries(s.at).map(([k, v]) => `${k} ${v}`);
      lines.push(`  width ${s.width}${fixed.length ? `, ${fixed.join(', ')}` : ''}:`);
      lines.push(`    ${a.name.padEnd(8)} ${'best LR'.padEnd(9)} ${'fitted'.padEnd(9)} ${'best loss'.padEnd(10)} loss at the transferred LR`);
      for (const o of s.optimum) {
        lines.push(
          `    ${String(o.value).padEnd(8)} ${fmt(o.lr).padEnd(9)} ${('2^' + o.fittedLog2Lr.toFixed(2)).padEnd(9)} ${o.loss.toFixed(4).padEnd(10)} ${o.lossAtTransferredLr === null ? 'n/a' : o.lossAtTransferredLr.toFixed(4)}${o.atEdge ? '  (at the LR grid\'s edge)' : ''}`,
        );
      }
    }
    for (const v of a.verdict) lines.push(`  ${v}`);
  }
  const bad = report.axes.filter((a) => !a.ok).map((a) => a.name);
  lines.push(bad.length ? `axes that do not pass: ${bad.join(', ')}` : `every axis beyond width passes (${report.axes.map((a) => a.name).join(', ')})`);
  return lines.join('\n') + '\n';
}
