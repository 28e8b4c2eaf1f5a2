// The data behind each view as CSV (one row per measurement, for a spreadsheet or pandas) and as JSON.
import type { CoordView, SweepView } from '../protocol/webview';
import { runTrials } from './sweepModel';

function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: Array<Array<string | number | boolean | null>>): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** One row per (layer, t, width): the numbers every subplot draws, with the layer's slope at that t. */
export function coordCsv(view: CoordView): string {
  const slope = new Map(view.result.slopes.map((s) => [`${s.layer}\u0000${s.t}`, s.slope]));
  const role = new Map(view.result.layers.map((l) => [l.name, l.role]));
  const recs = [...view.result.records].sort((a, b) => a.layer.localeCompare(b.layer) || a.t - b.t || a.width - b.width);
  return toCsv(
    ['layer', 'role', 't', 'width', 'l1', 'l1_std', 'slope'],
    recs.map((r) => [r.layer, role.get(r.layer) ?? '', r.t, r.width, r.l1, r.l1Std, slope.get(`${r.layer}\u0000${r.t}`) ?? null]),
  );
}

/** One row per trial, every run of the view; diverged trials kept (loss empty); one column per swept HP. */
export function sweepCsv(view: SweepView): string {
  const rows: Array<Array<string | number | boolean | null>> = [];
  const hps = [...new Set(view.runs.flatMap((run) => runTrials(run).flatMap((t) => Object.keys(t.hp ?? {}))))];
  for (const run of view.runs) {
    for (const t of [...runTrials(run)].sort((a, b) => a.width - b.width || a.lr - b.lr || a.seed - b.seed)) {
      rows.push([run.meta.parametrization, t.width, t.lr, Math.log2(t.lr), ...hps.map((h) => t.hp?.[h] ?? null), t.seed, t.loss, t.diverged]);
    }
  }
  return toCsv(['parametrization', 'width', 'lr', 'log2_lr', ...hps, 'seed', 'loss', 'diverged'], rows);
}

export function viewJson(view: CoordView | SweepView): string {
  if (view.kind === 'coord') return JSON.stringify({ meta: view.meta, ...view.result }, null, 2) + '\n';
  return JSON.stringify({ runs: view.runs }, null, 2) + '\n';
}
