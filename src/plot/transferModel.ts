// A transfer (`mup-lens transfer`, the panel's "Transfer to width N") -> what the panel and the HTML page show: what the
// sweep showed, the tuned values, the per-weight table, the LR groups and readout multipliers, and with `--verify`
// the target width's two loss curves (transferred muP values, the proxy's best SP values) on one plot.
import type { TransferView } from '../protocol/webview';
import { adamGroups, num, TRANSFER_COLUMNS, transferRows, type TransferReport, type TransferVerify } from '../sweep/transfer';
import { layerColor } from './colors';
import type { PlotSpec } from './plotSpec';
import { seedBand } from '../sweep/verify';
import { targetSummary, transferShown } from '../sweep/transferTarget';

export interface TransferModel {
  title: string;
  status: TransferView['status'];
  /** One line: running, the refusal, the file written, or the failure. */
  statusText: string;
  transfers: boolean;
  showed: string[];
  refusal: string | null;
  tuned: string | null;
  columns: string[];
  rows: string[][];
  groups: string[];
  readouts: string[];
  /** Weights whose initial std does not follow muP's rule at the target width. */
  differs: string[];
  written: string | null;
  verifyPlot: PlotSpec | null;
  verifyLines: string[];
  /** Issue 22: the LR at the target with every factor written out and its source, as the CLI prints them (a header
   *  line, then one per axis), and the axes they are for; empty when the target differs only in width. */
  factors: string[];
  factorAxes: string[];
  /** The engine's warnings (a target far outside what was measured, a model changed since the sweep, ...). */
  warnings: string[];
}

const pow2 = (x: number) => {
  const e = Math.log2(x);
  return Math.abs(e - Math.round(e)) < 1e-9 ? `2^${Math.round(e)}` : `${Number(x.toPrecision(3))} (2^${e.toFixed(2)})`;
};

/** Loss against step at the target width: one line per verification run (a diverged run ends where it diverged). */
export function verifyPlot(v: TransferVerify, targetWidth: number): PlotSpec {
  const steps = Math.max(v.steps, ...v.runs.map((r) => r.losses.length));
  const xs = Array.from({ length: steps }, (_, i) => i + 1);
  return {
    id: 'transfer-verify',
    title: `width ${targetWidth}: training loss, ${v.steps} steps${(v.seeds ?? 1) > 1 ? `, mean of ${v.seeds} seeds` : ''}`,
    xLabel: 'step',
    yLabel: 'loss',
    xs,
    xLog: null,
    xFormat: 'plain',
    yLog: null,
    series: v.runs.map((r, i) => ({
      key: r.parametrization,
      // Short: the SVG's legend column is narrow; the values are in the lines under the plot.
      label: r.label,
      color: layerColor(i),
      ys: xs.map((_, s) => (s < r.losses.length && Number.isFinite(r.losses[s]!) ? r.losses[s]! : null)),
      // The seeds' spread per step (mean -/+ SD), where two or more seeds reached it (issue 21).
      ...(Array.isArray(r.seeds) && r.seeds.length >= 2 ? seedBand(r.seeds, steps) : {}),
      emphasis: 'normal',
    })),
    markers: v.runs
      .filter((r) => r.diverged)
      .map((r, i) => ({ kind: 'diverged', seriesKey: r.parametrization, x: Math.min(steps, r.losses.length + 1), y: null, color: layerColor(v.runs.indexOf(r)), count: 1, stack: i, label: `${r.label} diverged at step ${r.losses.length + 1}` })),
    yRange: null,
  };
}

export function transferModel(view: TransferView): TransferModel {
  const t: TransferReport | undefined = view.report;
  const f = t?.file ?? null;
  const where = targetSummary(view.targetWidth, f?.axes?.target ?? view.target);
  const statusText =
    view.status === 'running'
      ? `running: ${view.verify ? 'building the model and training the target' : 'building the model'} at ${where}…`
      : view.status === 'failed'
        ? `failed: ${view.message ?? 'see the muP output channel'}`
        : t?.transfers
          ? `wrote ${t.written ?? 'the transfer file'}`
          : 'the values do not transfer (see below)';
  const verifyLines = (t?.verify?.runs ?? []).map(
    (r) =>
      `${r.label} (lr ${pow2(r.lr)}${Object.entries(r.hp).map(([k, x]) => `, ${k} ${pow2(x)}`).join('')}): ` +
      `${r.diverged ? `diverged at step ${r.losses.length + 1}` : `loss ${r.loss!.toFixed(4)}${r.lossSd != null ? ` \u00b1 ${r.lossSd.toFixed(4)} (SD over ${r.seeds?.length} seeds)` : ''} (mean of the last 10% of steps)`}, from ${r.from}`,
  );
  if (t?.verify?.difference) verifyLines.push(t.verify.difference.text);
  if (t?.verify?.note) verifyLines.push(t.verify.note);
  return {
    title: `Transfer to ${where}`,
    status: view.status,
    statusText,
    transfers: t?.transfers ?? false,
    showed: t?.showed ?? [],
    refusal: t?.refusal ?? null,
    tuned: t?.tuned ? `tuned at width ${t.tuned.proxyWidth}: lr ${pow2(t.tuned.lr)}${Object.entries(t.tuned.hp).map(([k, v]) => `, ${k} ${pow2(v)}`).join('')}` : null,
    columns: TRANSFER_COLUMNS,
    rows: f ? transferRows(f) : [],
    groups: f ? adamGroups(f).map((g) => `Adam lr ${num(g.lr)}: ${g.weights.map((p) => p.name).join(', ')}`) : [],
    readouts: f
      ? f.readouts.map((o) => `${o.layer}: output multiplier ${num(o.baseMult)} at width ${f.baseWidth} -> ${num(o.targetMult)} at ${f.targetWidth} (${o.via ?? 'none'}); muP: ${num(o.muPMult)}${o.follows ? '' : ' DIFFERS'}`)
      : [],
    differs: f ? f.params.filter((p) => !p.init.follows).map((p) => p.name) : [],
    written: t?.written ?? null,
    verifyPlot: t?.verify ? verifyPlot(t.verify, view.targetWidth) : null,
    verifyLines,
    ...(t ? transferShown(t) : { factors: [], warnings: [] }),
    factorAxes: f?.axes?.lr.factors.map((x) => x.axis) ?? [],
  };
}
