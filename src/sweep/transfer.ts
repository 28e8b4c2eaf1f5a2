// From a finished tuning sweep to the configuration of the target width (`mup-lens transfer`, docs/sweeps.md
// "Transfer"): the tuned values (the proxy width's best LR and HP values), whether the sweep showed them to transfer
// (and in words what it showed when not), and, from the worker's facts about the model, what muP makes of them for
// each trainable weight at the target width: init std, Adam and SGD LR, readout multiplier, and the rule behind each.
// Pure: the host reads stores and runs the worker (src/host/transfer.ts); this turns plain data into plain data.
import type { BaseShapes, ParamKind, TransferAxes, TransferFile, TransferParam, TransferReadout, TransferRole } from '../mup/runtime-types';
import { lrSwept, octaves } from './report';
import { formatFactors } from './transferAxes';
import type { HpValues, Parametrization, SweepReport } from './types';
import type { VerifyDifference, VerifySeedRun } from './verify';

// What the worker's `transfer` job finds out about the model (src/worker/transferJob.ts; src/protocol/jobs.ts).
export interface TransferParamFacts {
  index: number;
  /** `layer/weight`. */
  name: string;
  layer: string;
  layerClass: string;
  kind: ParamKind;
  shape: number[];
  baseShape: number[];
  infDims: boolean[];
  widthMult: number;
  fanInMult: number;
  fanOutMult: number;
  /** MuAdam's and MuSGD's LR multipliers for this weight (src/mup/optimizers.ts). */
  adamLrMult: number;
  sgdLrMult: number;
  baseStd: number;
  targetStd: number;
}

export interface TransferReadoutFacts {
  layer: string;
  via: string | null;
  baseMult: number;
  targetMult: number;
  /** The readout kernel's width multiplier (its fan-in's). */
  widthMult: number;
}

/** The `transfer` job's result. */
export interface TransferJobResult {
  baseShapes: BaseShapes;
  params: TransferParamFacts[];
  readouts: TransferReadoutFacts[];
}


/** A target std within this fraction of muP's follows the rule (the std of a few hundred draws is that noisy). */
export const INIT_STD_TOLERANCE = 0.15;

export interface TunedValues {
  proxyWidth: number;
  /** The proxy's fitted best LR and HP values (the parabola through the grid best and its neighbours). */
  lr: number;
  hp: HpValues;
  /** The trained grid point they were fitted around. */
  gridLr: number;
  gridHp: HpValues;
}

/** One loss curve of `--verify`: the target width trained once with one configuration. */
export interface TransferVerifyRun {
  label: string;
  parametrization: Parametrization;
  model: { file: string; exportName: string };
  width: number;
  lr: number;
  hp: HpValues;
  /** Where the values come from, in words. */
  from: string;
  /** The training loss of every step run (a diverged run stops early). */
  losses: number[];
  /** The trial's reported loss: the mean over the last 10% of steps; null when it diverged. */
  loss: number | null;
  diverged: boolean;
  /** Issue 21: each seed's run (`losses`, `loss` above are their mean; `diverged` when any diverged), and the SD
   *  of the loss over seeds (null with one seed or a diverged one). */
  seeds?: VerifySeedRun[];
  lossSd?: number | null;
}

export interface TransferVerify {
  steps: number;
  runs: TransferVerifyRun[];
  /** Said when there is no SP run to compare with (no SP sweep of the model found). */
  note: string | null;
  /** Issue 21: seeds per configuration, and SP - muP paired by seed with its 95% interval (null without an SP run). */
  seeds?: number;
  difference?: VerifyDifference | null;
}

/** What `mup-lens transfer` reports (its `--format json`, the panel's transfer view). */
export interface TransferReport {
  /** The sweep shows the values transferring and the file was composed (and written, `written`). */
  transfers: boolean;
  parametrization: Parametrization;
  model: { file: string; exportName: string };
  store: string;
  targetWidth: number;
  baseWidth: number;
  proxyWidth: number | null;
  /** What the sweep showed, one line per swept axis. */
  showed: string[];
  /** The plain sentence when the values do not transfer (SP, an axis that moves, an incomplete grid). */
  refusal: string | null;
  tuned: TunedValues | null;
  file: TransferFile | null;
  /** Where the transfer file was written. */
  written: string | null;
  verify: TransferVerify | null;
  warnings: string[];
  /** The HTML page of the transfer (`<store>/transfer-w<N>.html`), when the CLI wrote one. */
  html?: string | null;
}

const pow2 = (x: number): string => {
  const e = Math.log2(x);
  return Math.abs(e - Math.round(e)) < 1e-9 ? `2^${Math.round(e)}` : `${x.toPrecision(3)} (2^${e.toFixed(2)})`;
};
/** The proxy width: the one asked for (it must have been swept), else the widest swept. */
export function proxyWidthOf(r: SweepReport, asked?: number): number {
  if (asked !== undefined) {
    if (!r.widths.includes(asked)) throw new Error(`--proxy-width ${asked} was not swept (widths ${r.widths.join(', ')})`);
    return asked;
  }
  return Math.max(...r.widths);
}

/** The proxy width's best values, or null when it has none (every trial there diverged). */
export function tunedAt(r: SweepReport, proxyWidth: number): TunedValues | null {
  const lr = r.optimum.find((o) => o.width === proxyWidth);
  if (!lr) return null;
  const hp: HpValues = {};
  const gridHp: HpValues = {};
  for (const h of r.hps ?? []) {
    const o = h.optimum.find((x) => x.width === proxyWidth);
    if (!o) return null;
    hp[h.name] = o.fittedValue;
    gridHp[h.name] = o.value;
  }
  return { proxyWidth, lr: lr.fittedLr ?? lr.lr, hp, gridLr: lr.lr, gridHp };
}

/** Each swept axis in one line: its best value per width, the shift, the verdict. */
export function whatTheSweepShowed(r: SweepReport): string[] {
  const axes: { name: string; best: { width: number; value: number; atEdge: boolean }[]; shift: number; transfers: boolean; values: number; unsure?: boolean }[] = [];
  if (lrSwept(r)) {
    axes.push({ name: 'LR', best: r.optimum.map((o) => ({ width: o.width, value: o.lr, atEdge: o.atEdge })), shift: r.shiftOctaves, transfers: r.transfers, values: r.lrs.length, unsure: r.lrVerdict === 'inconclusive' });
  }
  for (const h of r.hps ?? []) axes.push({ name: h.name, best: h.optimum.map((o) => ({ width: o.width, value: o.value, atEdge: o.atEdge })), shift: h.shiftOctaves, transfers: h.transfers, values: h.values.length, unsure: h.verdict === 'inconclusive' });
  const lines = axes.map((a) => {
    const best = a.best.map((b) => `${pow2(b.value)} at width ${b.width}${b.atEdge ? ' (at the grid\'s edge)' : ''}`).join(', ');
    const verdict = r.complete === false ? 'not judged (incomplete grid)' : a.best.length < 2 ? 'not judged (fewer than two widths)' : a.transfers ? 'transfers' : a.unsure ? 'inconclusive' : 'does not transfer';
    return `${a.name}: best ${best || 'none (every trial diverged)'}; moves ${octaves(a.shift)}: ${verdict}`;
  });
  // The axes beyond width (issue 22): each one's verdict lines, as the sweep printed them.
  for (const a of r.axes ?? []) lines.push(...a.verdict);
  return lines;
}

/** Why the values do not transfer, in one plain paragraph (beside `whatTheSweepShowed`); null when they do. */
export function refusalOf(r: SweepReport): string | null {
  const axes = [...(lrSwept(r) ? [{ name: 'LR', t: r.transfers, s: r.shiftOctaves }] : []), ...(r.hps ?? []).filter((h) => h.values.length >= 2).map((h) => ({ name: h.name, t: h.transfers, s: h.shiftOctaves }))];
  const moved = axes.filter((a) => !a.t);
  const span = `widths ${Math.min(...r.widths)}..${Math.max(...r.widths)}`;
  if (r.parametrization === 'sp') {
    const what = moved.length
      ? `The sweep shows it: the best ${moved.map((a) => `${a.name} moves ${octaves(a.s)}`).join(' and the best ')} over ${span}.`
      : `Over ${span} this sweep's best values happened to stay put, but in standard parametrization nothing keeps them there at other widths (Megatron measured the SP optimum halving per doubling of width).`;
    return (
      `SP: these values do not transfer. ${what} In standard parametrization the best LR and multipliers move with width (Tensor Programs V): ` +
      `retune at the target width, or make the model muP (mup-lens lint shows what to change), sweep it in muP (mup-lens sweep --mup, or the editor's LR sweep of the fixed file, which runs muP on its own) and transfer from that sweep.`
    );
  }
  if (r.complete === false) return `The sweep's grid is incomplete (${r.missing} trials have no result), so nothing is concluded from it: run the same sweep again (stored trials are reused) and transfer from the complete grid.`;
  if (r.optimum.length < 2) return `The sweep has fewer than two widths with an optimum, so it cannot show that anything transfers: sweep at least two widths.`;
  if (r.everyAxisTransfers ?? r.transfers) return null;
  const failedAxes = (r.axes ?? []).filter((a) => !a.ok);
  if (failedAxes.length && r.transfers) {
    return `muP, but the sweep's ${failedAxes.map((a) => a.name).join(' and ')} axis did not pass (${failedAxes.map((a) => a.verdict.slice(0, 2).join('; ')).join(' | ')}): fix what it names and sweep again.`;
  }
  return (
    `muP, but the sweep does not show these values transferring: the best ${moved.map((a) => `${a.name} moves ${octaves(a.s)}`).join(' and the best ')} over ${span}` +
    ` (or sits at its grid's edge). An optimum at the edge may lie beyond it: widen that axis's grid. One that moves more than an octave points at a layer that is not muP (mup-lens coord names it). Sweep again once fixed.`
  );
}

/** How muP treats a weight, from its shape: docs/mup.md's vocabulary. */
export function roleOf(p: Pick<TransferParamFacts, 'kind' | 'shape' | 'infDims' | 'layerClass'>): TransferRole {
  if (p.kind === 'fixed') return 'fixed';
  if (p.kind === 'matrix') return 'hidden';
  const r = p.shape.length;
  if (r < 2) return 'bias';
  if (p.infDims[r - 2] && !p.infDims[r - 1]) return 'readout';
  if (!p.infDims[r - 2] && p.infDims[r - 1]) return p.layerClass === 'Embedding' ? 'embedding' : 'input';
  return 'vector';
}

function initRule(role: TransferRole, f: TransferParamFacts): { muPStd: number; rule: string } {
  switch (role) {
    case 'hidden':
      return { muPStd: f.baseStd / Math.sqrt(f.fanInMult), rule: `variance 1/fan_in: the base std / sqrt(${f.fanInMult})` };
    case 'input':
    case 'embedding':
      return { muPStd: f.baseStd, rule: 'variance 1/fan_in, and the fan-in does not grow: as at the base width' };
    case 'readout':
      return { muPStd: f.baseStd, rule: 'constant in width, as at the base width (or zeros); the output carries 1/width_mult' };
    default:
      return { muPStd: f.baseStd, rule: 'as at the base width' };
  }
}

const ruleAdam = (role: TransferRole, m: number) => (role === 'hidden' ? `lr / width_mult (${m})` : 'lr (vector-like and fixed weights keep the base LR)');
const ruleSgd = (role: TransferRole, f: TransferParamFacts) =>
  role === 'hidden' ? `lr / (fan_in mult / fan_out mult) (${f.fanInMult}/${f.fanOutMult})` : role === 'fixed' ? 'lr' : `lr x width_mult (${f.widthMult})`;

/** One weight's row of the transfer file. */
export function transferParam(f: TransferParamFacts, lr: number): TransferParam {
  const role = roleOf(f);
  const { muPStd, rule } = initRule(role, f);
  const follows = muPStd < 1e-12 ? f.targetStd < 1e-9 : Math.abs(f.targetStd - muPStd) <= INIT_STD_TOLERANCE * muPStd;
  return {
    index: f.index, name: f.name, layer: f.layer, role, kind: f.kind, shape: f.shape, baseShape: f.baseShape,
    widthMult: f.widthMult, fanInMult: f.fanInMult, fanOutMult: f.fanOutMult,
    init: { baseStd: f.baseStd, targetStd: f.targetStd, muPStd, follows, rule },
    adam: { lrMult: f.adamLrMult, lr: lr * f.adamLrMult, rule: ruleAdam(role, f.widthMult) },
    sgd: { lrMult: f.sgdLrMult, lr: lr * f.sgdLrMult, rule: ruleSgd(role, f) },
  };
}

export interface ComposeInput {
  report: SweepReport;
  modelSha256: string;
  tuned: TunedValues;
  targetWidth: number;
  facts: TransferJobResult;
  version: string;
  now?: Date;
  /** Issue 22: the target's other axes (src/sweep/transferAxes.ts): the file gets `axes` and `depth`. */
  axes?: { axes: TransferAxes; depth: TransferFile['depth'] };
}

/** A weight's Adam LR at the target with the axes' factors: the base LR's (batch, steps) and, on hidden weights, depth's. */
function withAxes(p: TransferParam, a: ComposeInput['axes'], tunedLr: number): TransferParam {
  if (!a) return p;
  const depthLr = a.depth && p.role === 'hidden' && a.depth.alpha > 0 ? (a.depth.targetDepth / a.depth.baseDepth) ** (a.depth.alpha - 1) : 1;
  const lr = a.axes.lr.value * p.adam.lrMult * depthLr;
  if (lr === p.adam.lr && a.axes.lr.value === tunedLr) return p;
  const extra = [a.axes.lr.value !== tunedLr ? `base lr x${Number((a.axes.lr.value / tunedLr).toPrecision(3))} (batch, steps)` : '', depthLr !== 1 ? `x${Number(depthLr.toPrecision(3))} (depth)` : ''].filter(Boolean).join(', ');
  return { ...p, adam: { ...p.adam, lr, rule: extra ? `${p.adam.rule}; ${extra}` : p.adam.rule } };
}

/** The transfer file (src/mup/runtime-types.ts `TransferFile`, docs/runtime.md "Transfer files"). */
export function composeTransferFile(c: ComposeInput): TransferFile {
  const r = c.report;
  const readouts: TransferReadout[] = c.facts.readouts.map((o) => {
    const muPMult = o.baseMult / o.widthMult;
    return { layer: o.layer, via: o.via, baseMult: o.baseMult, targetMult: o.targetMult, muPMult, follows: Math.abs(o.targetMult - muPMult) <= 1e-6 * Math.abs(muPMult) };
  });
  const axes = [
    ...(lrSwept(r) ? [{ name: 'lr', shiftOctaves: r.shiftOctaves, transfers: r.transfers }] : []),
    ...(r.hps ?? []).map((h) => ({ name: h.name, shiftOctaves: h.shiftOctaves, transfers: h.transfers })),
  ];
  return {
    format: 'mup-lens/transfer',
    // Version 2 (issue 22): `axes` and `depth` when the target differs on them; version 1 files still read.
    version: 2,
    model: { file: r.model.file, exportName: r.model.exportName, sha256: c.modelSha256 },
    parametrization: 'mup',
    baseWidth: r.baseWidth,
    targetWidth: c.targetWidth,
    tuned: { proxyWidth: c.tuned.proxyWidth, lr: c.tuned.lr, hp: c.tuned.hp, optimizer: 'adam' },
    sweep: { store: r.storeDir, widths: r.widths, steps: r.steps, seeds: r.seeds, axes },
    baseShapes: c.facts.baseShapes,
    params: c.facts.params.map((f) => withAxes(transferParam(f, c.tuned.lr), c.axes, c.tuned.lr)),
    readouts,
    createdBy: `mup-lens ${c.version}`,
    createdAt: (c.now ?? new Date()).toISOString(),
    ...(c.axes ? { axes: c.axes.axes } : {}),
    ...(c.axes?.depth ? { depth: c.axes.depth } : {}),
  };
}

/** The Adam LR groups of a transfer file: one line each, with the weights in it. */
export function adamGroups(f: TransferFile): { lr: number; lrMult: number; weights: TransferParam[] }[] {
  const groups = new Map<number, TransferParam[]>();
  for (const p of f.params) {
    if (!groups.has(p.adam.lrMult)) groups.set(p.adam.lrMult, []);
    groups.get(p.adam.lrMult)!.push(p);
  }
  // (each group's LR as the file gives it: with a target depth, hidden weights carry the depth factor too)
  return [...groups.entries()].sort((a, b) => b[0] - a[0]).map(([lrMult, weights]) => ({ lr: weights[0]!.adam.lr, lrMult, weights }));
}

/** A number as the transfer's tables print it: 3 significant digits, exponential outside [1e-3, 1e4). */
export const num = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(2));
const mult = (x: number) => (x === 1 ? 'x1' : x > 1 ? `x${num(x)}` : `/${num(1 / x)}`);

/** The table of a transfer file, as the CLI prints it (and the panel and the HTML page show the same columns). */
export function transferRows(f: TransferFile): string[][] {
  return f.params.map((p) => [
    p.name,
    p.role,
    p.shape.join('x'),
    num(p.widthMult),
    `${num(p.init.baseStd)} -> ${num(p.init.targetStd)} (muP ${num(p.init.muPStd)})${p.init.follows ? '' : ' DIFFERS'}`,
    `${num(p.adam.lr)} (${mult(p.adam.lrMult)})`,
    mult(p.sgd.lrMult),
  ]);
}
export const TRANSFER_COLUMNS = ['weight', 'role', `shape`, 'width mult', 'init std: base -> target (muP)', 'Adam lr', 'SGD lr'];

function table(header: string[], rows: string[][]): string[] {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

export function formatTransferText(t: TransferReport): string {
  const lines: string[] = [];
  const pt = t.parametrization === 'mup' ? 'muP' : 'SP';
  lines.push(`transfer of ${t.model.file}#${t.model.exportName} (${pt} sweep, store ${t.store}) to width ${t.targetWidth}`);
  lines.push('what the sweep showed:');
  for (const s of t.showed) lines.push(`  ${s}`);
  if (t.refusal) {
    lines.push('', t.refusal);
  }
  const f = t.file;
  if (f && t.tuned) {
    const hp = Object.entries(t.tuned.hp).map(([k, v]) => `, ${k} ${pow2(v)}`).join('');
    lines.push('', `tuned at width ${t.tuned.proxyWidth} (the fitted best): lr ${pow2(t.tuned.lr)}${hp}`);
    lines.push(`at width ${t.targetWidth} (base width ${f.baseWidth}, width multiplier ${num(t.targetWidth / f.baseWidth)}), per trainable weight:`);
    lines.push(...table(TRANSFER_COLUMNS, transferRows(f)).map((l) => `  ${l}`));
    if (f.axes) lines.push(...formatFactors(f.axes, t.tuned.lr));
    lines.push('Adam LR groups (MuAdam):');
    for (const g of adamGroups(f)) lines.push(`  lr ${num(g.lr)} (${mult(g.lrMult)}): ${g.weights.map((p) => p.name).join(', ')}`);
    for (const o of f.readouts) {
      lines.push(`readout '${o.layer}': output multiplier ${o.via ? `(${o.via}) ` : '(none) '}${num(o.baseMult)} at width ${f.baseWidth} -> ${num(o.targetMult)} at ${t.targetWidth}; muP: ${num(o.muPMult)} (base / width_mult)${o.follows ? '' : ' DIFFERS'}`);
    }
    const off = f.params.filter((p) => !p.init.follows).map((p) => p.name);
    if (off.length) lines.push(`warning: the initial std of ${off.join(', ')} does not follow muP's rule at width ${t.targetWidth} (mup-lens lint names the initializer to change)`);
  }
  if (t.written) {
    lines.push('', `wrote ${t.written}`);
    const hpArg = t.tuned && Object.keys(t.tuned.hp).length ? ', t.hp' : '';
    const hpArg2 = f?.depth ? ', t.hp' : hpArg;
    lines.push(`train with it: const t = createMup(tf).fromTransfer(readFileSync(file, 'utf8')); const model = ${t.model.exportName}(t.width${hpArg2}); model.compile({ optimizer: t.adam(model), loss })`);
  }
  if (t.verify) {
    const n = t.verify.seeds ?? 1;
    lines.push('', `verify: width ${t.targetWidth}, ${t.verify.steps} steps each, ${n} seed${n === 1 ? '' : 's'} (loss: mean of the last 10% of steps${n > 1 ? ', mean +- SD over seeds' : ''})`);
    for (const v of t.verify.runs) {
      const hp = Object.entries(v.hp).map(([k, x]) => `, ${k} ${pow2(x)}`).join('');
      const sd = v.lossSd != null ? ` +- ${v.lossSd.toFixed(4)}` : '';
      lines.push(`  ${v.label.padEnd(26)} lr ${pow2(v.lr)}${hp}: ${v.diverged ? `diverged at step ${v.losses.length + 1}` : `loss ${v.loss!.toFixed(4)}${sd}`}  (${v.from})`);
    }
    if (t.verify.note) lines.push(`  ${t.verify.note}`);
    const [a, b] = t.verify.runs;
    if (t.verify.difference) lines.push(`  ${t.verify.difference.text}`);
    else if (a && b) {
      const la = a.diverged ? Infinity : a.loss!;
      const lb = b.diverged ? Infinity : b.loss!;
      lines.push(`  ${la < lb ? a.label : lb < la ? b.label : 'neither'} ended lower${Number.isFinite(la) && Number.isFinite(lb) ? ` (by ${Math.abs(la - lb).toFixed(4)})` : ''}`);
    }
  }
  for (const w of t.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}
