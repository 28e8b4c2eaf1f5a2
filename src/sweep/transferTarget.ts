// The target of a transfer as the editor asks for it (issue 22; "muP: Transfer Tuned Hyperparameters" and the sweep
// panel's transfer button): one input per axis the CLI takes (`mup-lens transfer --width --depth --batch --steps
// --seq-len`), each pre-filled from the settings or the sweep's largest swept value, empty meaning "as the proxy";
// and where the target differs from the proxy on an axis the sweep did not vary, the proxy's value on it (the CLI's
// --proxy-depth, --proxy-batch, --proxy-seq-len). Pure: the command shows the questions (src/commands/transfer.ts)
// and hands the answer to the same engine as the CLI (src/host/transfer.ts -> src/sweep/transferAxes.ts).
import type { SweepAxisName } from './axes';
import { formatFactors, type TargetAxes } from './transferAxes';
import type { TransferReport } from './transfer';

export const TRANSFER_TITLE = 'muP: Transfer Tuned Hyperparameters';

/** The depth schemes by name (the CLI's --alpha): `mupLens.transfer.depthScheme`. */
export const DEPTH_SCHEME_ALPHA = { completep: 1, 'depth-mup': 0.5, sp: 0 } as const;
export type DepthSchemeName = keyof typeof DEPTH_SCHEME_ALPHA;
const SCHEME_NAME: Record<number, string> = { 1: 'CompleteP', 0.5: 'depth-muP', 0: 'SP' };

/** What the sweep trained, per axis: the widths, the proxy's steps, each axis it varied (`--depths`, ...). */
export interface SweptAxes {
  widths: number[];
  /** The trials' steps (the proxy's training length when the sweep did not vary it). */
  steps: number;
  grid: Partial<Record<SweepAxisName, number[]>>;
}

export function sweptAxesOf(r: { widths: number[]; steps: number; axisGrid?: { name: SweepAxisName; values: number[] }[] }): SweptAxes {
  const grid: SweptAxes['grid'] = {};
  for (const a of r.axisGrid ?? []) grid[a.name] = [...a.values];
  return { widths: [...r.widths], steps: r.steps, grid };
}

/** Pre-filled values (the settings `mupLens.sweep.targetWidth`, `mupLens.transfer.target*`); absent: from the sweep. */
export interface TargetDefaults {
  width?: number;
  depth?: number;
  batch?: number;
  steps?: number;
  seqLen?: number;
}

export type TargetField = 'width' | 'depth' | 'proxyDepth' | 'batch' | 'proxyBatch' | 'steps' | 'seqLen' | 'proxySeqLen';

/** One input box of the flow. */
export interface TargetQuestion {
  field: TargetField;
  title: string;
  prompt: string;
  /** Pre-filled text ('' for none). */
  value: string;
  placeHolder: string;
  /** Empty is not an answer (the width; a proxy value the depth or batch factor needs). */
  required: boolean;
}

export class TransferTargetError extends Error {}

/** An answer: a positive whole number (`_` or `,` between digit groups allowed), or empty for "as the proxy". */
export function parseTargetInput(text: string, required: boolean): { value: number | undefined } | { error: string } {
  const t = text.trim();
  const want = required ? 'a positive whole number' : 'a positive whole number, or empty for the proxy\'s';
  if (t === '') return required ? { error: want } : { value: undefined };
  if (!/^\d{1,3}([_,]\d{3})+$|^\d+$/.test(t)) return { error: `${want} (got '${t}')` };
  const n = Number(t.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) return { error: `${want} (got '${t}')` };
  return { value: n };
}

/** `validateInput` of a question: undefined when the text is an answer, else the one line saying what is wanted. */
export function validateTargetInput(q: Pick<TargetQuestion, 'required'>, text: string): string | undefined {
  const r = parseTargetInput(text, q.required);
  return 'error' in r ? r.error : undefined;
}

const list = (xs: number[]) => xs.join(', ');
const largest = (xs: number[] | undefined) => (xs && xs.length ? Math.max(...xs) : undefined);
const str = (n: number | undefined) => (n === undefined ? '' : String(n));

/** The target in words: `width 256, depth 48, batch 512, 100000 steps, sequence length 2048`. */
export function targetSummary(width: number, t: TargetAxes = {}): string {
  return [
    `width ${width}`,
    t.depth !== undefined ? `depth ${t.depth}` : '',
    t.batch !== undefined ? `batch ${t.batch}` : '',
    t.steps !== undefined ? `${t.steps} steps` : '',
    t.seqLen !== undefined ? `sequence length ${t.seqLen}` : '',
  ].filter(Boolean).join(', ');
}

/** The depth scheme in words, as the depth question and the panel say it. */
export const schemeText = (alpha: number) => `alpha ${alpha}${SCHEME_NAME[alpha] ? ` (${SCHEME_NAME[alpha]})` : ''}`;

/**
 * Asks for the target, one question at a time through `ask` (an input box; undefined: the user cancelled, and so
 * does this). `fixed`: the width and axes are already chosen (the command's arguments): only a proxy value the
 * engine needs and nobody gave is asked for. Returns the CLI's `--width` and its target axes.
 */
export async function askTransferTarget(
  ask: (q: TargetQuestion) => Promise<string | undefined>,
  swept: SweptAxes,
  defaults: TargetDefaults,
  alpha: number,
  fixed?: { width: number; target: TargetAxes },
): Promise<{ width: number; target: TargetAxes } | undefined> {
  const total = 5;
  let step = 0;
  const answer = async (q: Omit<TargetQuestion, 'title'> & { label: string; step: number }): Promise<number | undefined | null> => {
    const { label, step: k, ...rest } = q;
    const text = await ask({ ...rest, title: `${TRANSFER_TITLE}: ${label}${fixed ? '' : ` (${k}/${total})`}` });
    if (text === undefined) return null; // cancelled
    const r = parseTargetInput(text, q.required);
    if ('error' in r) throw new TransferTargetError(`${label}: ${r.error}`);
    return r.value;
  };
  const target: TargetAxes = { ...(fixed?.target ?? {}), alpha: fixed?.target.alpha ?? alpha };
  let width = fixed?.width;
  const proxyWidth = largest(swept.widths);

  if (!fixed) {
    step = 1;
    const w = await answer({
      field: 'width', label: 'width', step, required: true,
      prompt: `The width you will train at${swept.widths.length ? ` (the sweep ran widths ${list(swept.widths)}; the proxy is ${proxyWidth})` : ''}`,
      value: str(defaults.width ?? (proxyWidth ? proxyWidth * 8 : undefined)), placeHolder: 'e.g. 4096',
    });
    if (w === null) return undefined;
    width = w;
  }

  // Each axis beyond width: the target's value (empty: as the proxy), then the proxy's when the sweep did not vary
  // the axis and its factor needs it (depth, batch) or says it (sequence length, optional).
  const axes: { axis: 'depth' | 'batch' | 'steps' | 'seqLen'; proxyField?: 'proxyDepth' | 'proxyBatch' | 'proxySeqLen'; noun: string; rule: string; proxyRequired: boolean }[] = [
    { axis: 'depth', proxyField: 'proxyDepth', noun: 'depth', rule: `hidden weights' Adam LR x (L/L_proxy)^(alpha-1), Adam epsilon x (L/L_proxy)^-alpha, ${schemeText(target.alpha!)} (setting mupLens.transfer.depthScheme)`, proxyRequired: true },
    { axis: 'batch', proxyField: 'proxyBatch', noun: 'batch size', rule: 'LR x sqrt(B/B_proxy), Adam\'s square-root rule', proxyRequired: true },
    { axis: 'steps', noun: 'training steps', rule: 'LR x (S/S_proxy)^beta with the exponent a sweep of the steps axis measured', proxyRequired: false },
    { axis: 'seqLen', proxyField: 'proxySeqLen', noun: 'sequence length', rule: 'x 1 (no rule in the sources; what a sweep of the sequence-length axis showed)', proxyRequired: false },
  ];
  for (const a of axes) {
    const grid = swept.grid[a.axis];
    const proxy = a.axis === 'steps' ? (grid?.[0] ?? swept.steps) : grid?.[0];
    if (!fixed) {
      step++;
      const what = grid ? `the sweep ran ${a.noun} ${list(grid)}` : a.axis === 'steps' ? `the sweep trained ${swept.steps} steps and did not vary them` : `the sweep did not vary the ${a.noun}`;
      const v = await answer({
        field: a.axis, label: a.noun, step, required: false,
        prompt: `The ${a.noun} you will train at; empty: the proxy's${proxy !== undefined ? ` (${proxy})` : ''}. ${what[0]!.toUpperCase()}${what.slice(1)}. Its factor: ${a.rule}.`,
        value: str(defaults[a.axis] ?? largest(grid)), placeHolder: proxy !== undefined ? `${proxy} (the proxy's)` : 'empty: as the proxy',
      });
      if (v === null) return undefined;
      if (v === undefined) delete target[a.axis];
      else target[a.axis] = v;
    }
    const proxyKey = a.proxyField;
    if (target[a.axis] === undefined || grid || !proxyKey || target[proxyKey] !== undefined) continue;
    const v = await answer({
      field: proxyKey, label: `the proxy's ${a.noun}`, step, required: a.proxyRequired,
      prompt: `The ${a.noun} the sweep trained at (it did not vary it${a.proxyRequired ? ', and the factor needs it' : '; empty: unknown, no factor either way'})`,
      value: '', placeHolder: a.proxyRequired ? 'a positive whole number' : 'empty: unknown',
    });
    if (v === null) return undefined;
    if (v !== undefined) target[proxyKey] = v;
  }
  if (target.depth === undefined) delete target.alpha;
  return { width: width!, target };
}

/** A command argument `target` checked: the axes as the engine takes them, or the one line saying what is wrong. */
export function checkTargetArg(x: unknown): TargetAxes | string {
  if (x === undefined) return {};
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return 'target must be an object {depth?, batch?, steps?, seqLen?, alpha?, proxyDepth?, proxyBatch?, proxySeqLen?}';
  const out: TargetAxes = {};
  for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
    if (k === 'alpha') {
      const a = typeof v === 'string' && v in DEPTH_SCHEME_ALPHA ? DEPTH_SCHEME_ALPHA[v as DepthSchemeName] : v;
      if (typeof a !== 'number' || !(a >= 0 && a <= 1)) return `target.alpha must be completep, depth-mup, sp or a number in [0, 1], got ${JSON.stringify(v)}`;
      out.alpha = a;
    } else if (['depth', 'batch', 'steps', 'seqLen', 'proxyDepth', 'proxyBatch', 'proxySeqLen'].includes(k)) {
      if (v === undefined || v === null) continue;
      if (!(typeof v === 'number' && Number.isSafeInteger(v) && v > 0)) return `target.${k} must be a positive integer, got ${JSON.stringify(v)}`;
      out[k as 'depth'] = v;
    } else return `target.${k}: not an axis (depth, batch, steps, seqLen, alpha, proxyDepth, proxyBatch, proxySeqLen)`;
  }
  if (out.alpha !== undefined && out.depth === undefined) return 'target.alpha belongs to target.depth';
  return out;
}

/** What the editor shows of a transfer beyond the per-weight table, as the CLI prints it: every factor of the LR at
 *  the target with its rule and source, then the warnings (the far-outside ones among them). */
export function transferShown(t: Pick<TransferReport, 'file' | 'tuned' | 'warnings'>): { factors: string[]; warnings: string[] } {
  return { factors: t.file?.axes && t.tuned ? formatFactors(t.file.axes, t.tuned.lr) : [], warnings: t.warnings.map((w) => `warning: ${w}`) };
}
