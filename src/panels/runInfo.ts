// What a stored run is, in the words a list shows (the runs view, the Transfer picker): the model and export, the
// parametrization, how far the grid got and what it concluded. No vscode import: unit-tested on stored folders.
import { basename, join } from 'node:path';
import { existsSync } from 'node:fs';
import { loadStoredCoord, loadStoredSweepRuns, type StoredRunEntry } from './storedRuns';

export interface RunInfo {
  entry: StoredRunEntry;
  /** `mlp · sp.ts` */
  label: string;
  /** `muP · 33/33 trials · transfers` */
  description: string;
  /** The parametrizations it holds ('mup', 'sp'). */
  parametrizations: Array<'mup' | 'sp'>;
  /** A finished sweep with a complete grid, or any stored coordinate check. */
  finished: boolean;
  /** The widest width of the run (the Transfer picker's default target is not this, but it says it). */
  widths: number[];
  /** The HTML report beside it, when there is one. */
  report: string | null;
  /** Why it could not be read (then the rest says little). */
  problem?: string;
}

const pt = (p: string) => (p === 'mup' ? 'muP' : 'SP');
const file = (f: string) => (f ? ` · ${basename(f)}` : '');

export function runInfo(entry: StoredRunEntry): RunInfo {
  const reportOf = (names: string[]) => names.map((n) => join(entry.dir, n)).find((p) => existsSync(p)) ?? null;
  try {
    if (entry.kind === 'coord') {
      const v = loadStoredCoord(entry.dir, entry.name);
      const worst = v.result.verdict.worst;
      const verdict = v.result.verdict.pass ? 'pass' : `fail${worst ? ` (${worst.layer} ${worst.slope >= 0 ? '+' : ''}${worst.slope.toFixed(2)} at t = ${worst.t})` : ''}`;
      return {
        entry,
        label: `${v.meta.exportName}${file(v.meta.modelFile)}`,
        description: `${pt(v.meta.parametrization)} · widths ${v.result.widths[0]}-${v.result.widths[v.result.widths.length - 1]} · ${verdict}`,
        parametrizations: [v.meta.parametrization],
        finished: true,
        widths: v.result.widths,
        report: reportOf(['index.html']),
      };
    }
    const runs = loadStoredSweepRuns(entry.dir, entry.name);
    const first = runs[0]!;
    const parts = runs.map((r) => {
      const planned = r.meta.widths && r.meta.lrs ? r.meta.widths.length * r.meta.lrs.length * (r.meta.seeds ?? 1) * (r.meta.hps ?? []).reduce((n, a) => n * a.values.length, 1) : null;
      const complete = r.status === 'done' && r.result?.complete !== false;
      // The engine's verdict where it gives one (issue 21: transfers, does not transfer, or inconclusive).
      const v = r.result?.verdict;
      const judged = v === 'inconclusive' ? 'inconclusive' : v === 'does-not-transfer' ? 'does not transfer' : v === 'transfers' ? 'transfers' : (r.result?.everyAxisTransfers ?? r.result?.transfers) ? 'transfers' : 'does not transfer';
      const verdict = complete ? judged : r.status === 'done' ? 'incomplete grid' : 'unfinished';
      return { p: r.meta.parametrization, complete, text: `${pt(r.meta.parametrization)} · ${r.trials.length}${planned ? `/${planned}` : ''} trials · ${verdict}` };
    });
    const widths = [...new Set(runs.flatMap((r) => r.meta.widths ?? r.trials.map((t) => t.width)))].sort((a, b) => a - b);
    return {
      entry,
      label: `${first.meta.exportName}${file(first.meta.modelFile)}`,
      description: parts.map((x) => x.text).join('; '),
      parametrizations: parts.map((x) => x.p),
      finished: parts.every((x) => x.complete),
      widths,
      report: reportOf(['report.html']),
    };
  } catch (err) {
    return { entry, label: entry.name, description: 'cannot be read', parametrizations: [], finished: false, widths: [], report: null, problem: err instanceof Error ? err.message : String(err) };
  }
}
