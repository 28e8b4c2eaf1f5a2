// A sweep's result as text: the CLI's table (the HTML page is src/report/sweepHtml.ts). Pure.
import { analyzeTrials, lossCurves, TRANSFER_MAX_SHIFT_OCTAVES, type HpAnalysis } from './optimum';
import type { SweepHpResult, SweepReport } from './types';
import { transfersFromText } from './uncertainty';

function fmtLoss(x: number, sd?: number): string {
  if (!Number.isFinite(x)) return 'div';
  return sd !== undefined && Number.isFinite(sd) ? `${x.toFixed(3)}\u00b1${sd.toFixed(3)}` : x.toFixed(3);
}

const p2 = (x: number) => `2^${Number(x.toFixed(2))}`;
/** ` 95% 2^-8.4..2^-7.6` for an optimum's interval (log2), empty without one. */
const optIvl = (i: { low: number; high: number } | null | undefined) => (i ? `  95% ${p2(i.low)}..${p2(i.high)}` : '');

export function fmtLr(lr: number): string {
  const e = Math.log2(lr);
  if (Number.isInteger(Math.round(e * 1e9) / 1e9)) return `2^${Math.round(e)}`;
  // `--refine`'s quarter octaves read as powers of two too.
  return Number.isInteger(Math.round(e * 4 * 1e9) / 1e9) ? `2^${Math.round(e * 4) / 4}` : lr.toPrecision(3);
}

/** A hyperparameter's value as the tables show it: `2^-3` for a power of two, else 3 significant digits. */
export const fmtValue = fmtLr;

export const octaves = (x: number): string => `${x} octave${x === 1 ? '' : 's'}`;

/** Whether the sweep swept the LR: more than one LR, or an LR-only sweep (a sweep of HPs at one LR did not, and
 *  says nothing about it). */
export function lrSwept(r: Pick<SweepReport, 'lrs' | 'hps'>): boolean {
  return r.lrs.length >= 2 || !(r.hps ?? []).length;
}

const ivl = (i: { low: number; high: number } | null | undefined) => (i ? `, 95% interval [${Number(i.low.toFixed(2))}, ${Number(i.high.toFixed(2))}]` : '');
const word = (v: string | undefined, t: boolean) => (v === 'inconclusive' ? 'INCONCLUSIVE' : v ? (v === 'transfers' ? 'yes' : 'NO') : t ? 'yes' : 'NO');

/** The verdict's line, then (inconclusive) why and what would settle it. */
export function verdictLine(r: SweepReport): string {
  const line = axisVerdictLine(r);
  if (r.complete === false) return line;
  // (inconclusive: the same fact is among what would settle it)
  const from = r.transfersFrom && r.verdict === 'does-not-transfer' ? `\n${transfersFromText('LR', r.transfersFrom)}` : '';
  if (r.verdict !== 'inconclusive') return line + from;
  return `${line}\ninconclusive: ${(r.reasons ?? []).join('; ')}${r.settle?.length ? `\nto settle it: ${r.settle.join('; ')}` : ''}`;
}

function axisVerdictLine(r: SweepReport): string {
  // Stores and results written before `complete` existed lack it: judged as before.
  const planned = r.trials.length + (r.missing ?? 0);
  if (r.complete === false) return `transfer: not judged: the grid is incomplete (${r.missing} of ${planned} trials have no result)`;
  if (r.optimum.length < 2) return `transfer${r.verdict ? 's: INCONCLUSIVE' : ''}: not judged (fewer than two widths with an optimum)`;
  const hps = r.hps ?? [];
  // A sweep of HPs at one LR: the LR was not swept, so nothing is said about it.
  const lr = lrSwept(r) ? { name: 'LR', shift: r.shiftOctaves, transfers: r.transfers, verdict: r.lrVerdict, fitted: r.fittedShiftOctaves, interval: r.shiftInterval } : null;
  const edge = (o: { atEdge: boolean }[]) => o.some((x) => x.atEdge);
  const axes = [
    ...(lr ? [{ ...lr, edge: edge(r.optimum) }] : []),
    ...hps.filter((h) => h.values.length >= 2).map((h) => ({ name: h.name, shift: h.shiftOctaves, transfers: h.transfers, edge: edge(h.optimum), verdict: h.verdict, fitted: h.fittedShiftOctaves, interval: h.shiftInterval })),
  ];
  const fitted = (a: { fitted?: number; interval?: { low: number; high: number } | null }) => (a.interval ? `, fitted ${Number((a.fitted ?? 0).toFixed(2))}${ivl(a.interval)}` : '');
  if (axes.length <= 1 && hps.length === 0) {
    const a = axes[0] ?? { name: 'LR', shift: r.shiftOctaves, transfers: r.transfers, verdict: r.lrVerdict, fitted: r.fittedShiftOctaves, interval: r.shiftInterval, edge: false };
    return `transfers: ${word(r.verdict, r.transfers)} (the best LR moves ${octaves(r.shiftOctaves)} across widths${fitted(a)}; rule: <= 1)`;
  }
  const every = r.everyAxisTransfers ?? axes.every((a) => a.transfers);
  const parts = axes.map((a) => `${a.name} ${word(a.verdict, a.transfers)} (moves ${octaves(a.shift)}${fitted(a)}${!a.transfers && a.edge ? ', an optimum at its grid\'s edge' : ''})`);
  return `transfers: ${word(r.verdict, every)}: ${parts.join(', ')}; rule: each best value moves <= ${TRANSFER_MAX_SHIFT_OCTAVES} octave across widths`;
}

/** One HP axis as a table (rows: values; columns: widths; every other axis at each width's best), and its optima. */
function hpSection(r: SweepReport, h: SweepHpResult, analysed: HpAnalysis[], col: number): string[] {
  const curves = analysed.find((x) => x.name === h.name)?.curves ?? new Map();
  const widths = [...curves.keys()];
  const best = new Map(h.optimum.map((o) => [o.width, o.value]));
  const lines: string[] = ['', `${h.name} (loss with the LR${(r.hps ?? []).length > 1 ? ' and the other HPs' : ''} at each width's best):`];
  lines.push([h.name.slice(0, 10).padEnd(10), ...widths.map((w) => `w=${w}`.padStart(col))].join(''));
  for (const value of h.values) {
    const cells = widths.map((w) => {
 const p = (curves.get(w) ?? []).find((c: { value: number }) => c.value === value) as { loss: number; sd: number } | undefined;
      if (!p) return '-'.padStart(col);
      return (fmtLoss(p.loss, r.seeds > 1 ? p.sd : undefined) + (best.get(w) === value ? '*' : ' ')).padStart(col);
    });
    lines.push([fmtValue(value).padEnd(10), ...cells].join(''));
  }
  for (const o of h.optimum) {
    lines.push(`width ${String(o.width).padEnd(6)} best ${h.name} ${fmtValue(o.value).padEnd(7)} (log2 ${o.log2Value.toFixed(1)}, fitted ${o.fittedLog2Value.toFixed(2)})  loss ${o.loss.toFixed(4)}${optIvl(o.interval)}${o.atEdge ? '  [at the edge of the grid]' : ''}`);
  }
  if (h.optimum.length >= 2) {
    const v = r.complete === false ? 'not judged' : h.verdict === 'inconclusive' ? 'inconclusive' : h.transfers ? 'transfers' : 'does NOT transfer';
    lines.push(`shift of the best ${h.name} across widths: ${octaves(h.shiftOctaves)} (fitted: ${h.fittedShiftOctaves.toFixed(2)}${ivl(h.shiftInterval)}): ${v}`);
  }
  return lines;
}

export function formatText(r: SweepReport): string {
  const curves = lossCurves(r.trials);
  const widths = [...curves.keys()];
  const lrs = [...new Set(r.trials.map((t) => t.lr))].sort((a, b) => a - b);
  const best = new Map(r.optimum.map((o) => [o.width, o.lr]));
  const lines: string[] = [];
  lines.push(`LR sweep of ${r.model.file}#${r.model.exportName} (${r.parametrization === 'mup' ? 'muP' : 'SP'}, ${r.steps} steps, ${r.seeds} seed${r.seeds === 1 ? '' : 's'}, backend ${r.backends.join(', ') || 'none'})`);
  lines.push(`loss = mean training loss over the last 10% of steps, mean over seeds${r.seeds > 1 ? ' \u00b1 their SD' : ''}; div = diverged; * = best per width`);
  const hps = r.hps ?? [];
  if (hps.length) lines.push(`hyperparameters: ${hps.map((h) => `${h.name} ${h.values.map(fmtValue).join(',')}`).join('; ')}; each table holds the other axes at each width's best (the joint optimum)`);
  const col = r.seeds > 1 ? 15 : 10;
  if (r.trials.length === 0) lines.push('no trial has a result (see the warnings above)');
  else lines.push(['lr'.padEnd(10), ...widths.map((w) => `w=${w}`.padStart(col))].join(''));
  for (const lr of lrs) {
    const cells = widths.map((w) => {
      const p = curves.get(w)!.find((c) => c.lr === lr);
      if (!p) return '-'.padStart(col);
      return (fmtLoss(p.loss, r.seeds > 1 ? p.sd : undefined) + (best.get(w) === lr ? '*' : ' ')).padStart(col);
    });
    lines.push([fmtLr(lr).padEnd(10), ...cells].join(''));
  }
  lines.push('');
  for (const o of r.optimum) {
    lines.push(`width ${String(o.width).padEnd(6)} best lr ${fmtLr(o.lr).padEnd(7)} (log2 ${o.log2Lr.toFixed(2)}, fitted ${o.fittedLog2Lr.toFixed(2)})  loss ${o.loss.toFixed(4)}${optIvl(o.interval)}${o.atEdge ? '  [at the edge of the grid]' : ''}`);
  }
  // With fewer than two optima there is no shift: "0 octaves" would read as a perfect transfer.
  if (r.optimum.length >= 2) lines.push(`shift of the best LR across widths: ${r.shiftOctaves} octaves (fitted: ${r.fittedShiftOctaves.toFixed(2)}${ivl(r.shiftInterval)})`);
  // the trials analysed once for every HP table (each axis's curves through each width's joint optimum)
  const analysed = hps.length ? analyzeTrials(r.trials).hps : [];
  for (const h of hps) lines.push(...hpSection(r, h, analysed, col));
  if (hps.length) lines.push('');
  lines.push(verdictLine(r));
  if (r.recommended && lrSwept(r)) {
    lines.push(`recommended LR at width ${r.recommended.targetWidth}: ${r.recommended.lr.toPrecision(3)} (log2 ${r.recommended.log2Lr.toFixed(2)}, ${r.recommended.method === 'transfer' ? 'the widest width\'s fitted optimum' : 'extrapolated from the optimum\'s trend with width'})`);
  }
  const diverged = r.trials.filter((t) => t.diverged).length;
  lines.push(`${r.trials.length} trials (${r.reused} reused from the store, ${r.ran} run now, ${diverged} diverged${r.missing ? `, ${r.missing} missing` : ''}); store: ${r.storeDir}`);
  return lines.join('\n') + '\n';
}
