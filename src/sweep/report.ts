// A sweep's result as text: the CLI's table (the HTML page is src/report/sweepHtml.ts). Pure.
import { lossCurves } from './optimum';
import type { SweepReport } from './types';

function fmtLoss(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : 'div';
}

export function fmtLr(lr: number): string {
  const e = Math.log2(lr);
  return Number.isInteger(Math.round(e * 1e9) / 1e9) ? `2^${Math.round(e)}` : lr.toPrecision(3);
}

export function verdictLine(r: SweepReport): string {
  // Stores and results written before `complete` existed lack it: judged as before.
  if (r.complete === false) return `transfer: not judged: the grid is incomplete (${r.missing} of ${r.widths.length * r.lrs.length * r.seeds} trials have no result)`;
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
