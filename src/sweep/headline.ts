// The headline comparison of muTransfer (issue 27; Tensor Programs V's claim in miniature): muP tuned on a small
// proxy and transferred to the target width, against SP tuned directly at the target width. Pure: it reads the
// sweeps' results (the tuning of each route) and each route's final runs at the target (several seeds each), and
// says which is better with a paired interval, what each route's tuning cost, and how muP's loss goes with width.
// `npm run headline` / `npm run bench -- headline` (bench/headline.ts) run the sweeps and write what this returns.
import type { HpValues, SweepReport } from './types';

/** The tuning cost of one route: every trial of its sweeps, in trial-steps x width (and as measured, when known). */
export interface RouteCost {
  trials: number;
  /** Sum over trials of steps (the planned steps: a diverged trial stops early but is counted whole). */
  trialSteps: number;
  /** Sum over trials of steps x width: the cost measure of the seed's "7% of the cost" (widths, not FLOPs). */
  stepWidth: number;
  /** Sum over trials of steps x width^2: closer to the compute of the width x width matrices. */
  stepWidth2: number;
  /** Measured worker time of the trials (ms), when the stores recorded it. */
  cpuMs: number | null;
}

/** What one sweep cost; `msOf` gives a trial's measured time (from its store), or undefined. */
export function tuningCost(reports: readonly SweepReport[], msOf?: (r: SweepReport, i: number) => number | undefined): RouteCost {
  let trials = 0;
  let trialSteps = 0;
  let stepWidth = 0;
  let stepWidth2 = 0;
  let cpuMs = 0;
  let timed = msOf !== undefined;
  for (const r of reports) {
    r.trials.forEach((t, i) => {
      trials++;
      trialSteps += r.steps;
      stepWidth += r.steps * t.width;
      stepWidth2 += r.steps * t.width * t.width;
      const ms = msOf?.(r, i);
      if (ms === undefined) timed = false;
      else cpuMs += ms;
    });
  }
  return { trials, trialSteps, stepWidth, stepWidth2, cpuMs: timed && trials > 0 ? cpuMs : null };
}

/** Two-sided Student t quantiles at 0.975 for 1..30 degrees of freedom (then the normal's 1.96). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
export const t975 = (df: number): number => (df >= 1 && df <= 30 ? T975[Math.floor(df) - 1]! : 1.96);

/** A difference of means with its 95% interval (paired by seed: both routes see the same batches per seed). */
export interface Difference {
  n: number;
  mean: number;
  /** Half-width of the 95% interval; null with one pair (no spread to judge). */
  half: number | null;
  lo: number | null;
  hi: number | null;
}

/** mean(a - b) over paired seeds, with a paired t interval. Throws when the lists differ in length or are empty. */
export function pairedDifference(a: readonly number[], b: readonly number[]): Difference {
  if (a.length !== b.length || a.length === 0) throw new Error(`pairedDifference: expected two equally long non-empty lists, got ${a.length} and ${b.length}`);
  const d = a.map((x, i) => x - b[i]!);
  const n = d.length;
  const mean = d.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { n, mean, half: null, lo: null, hi: null };
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = (t975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, half, lo: mean - half, hi: mean + half };
}

export type HeadlineVerdict = 'mup-better' | 'sp-better' | 'no-difference' | 'not-judged';

/** One route's final runs at the target width: the values it picked and the loss of each seed (null: diverged). */
export interface TargetRuns {
  label: string;
  width: number;
  lr: number;
  hp: HpValues;
  /** Where the values come from, in words ("the muP proxy sweep's best at width 64"). */
  from: string;
  seeds: number[];
  losses: (number | null)[];
}

export interface HeadlineInput {
  mupTuning: SweepReport[];
  spTuning: SweepReport[];
  mup: TargetRuns;
  sp: TargetRuns;
  mupCost?: RouteCost;
  spCost?: RouteCost;
}

export interface HeadlineReport {
  targetWidth: number;
  proxyWidths: number[];
  mup: TargetRuns & { mean: number | null; sd: number | null };
  sp: TargetRuns & { mean: number | null; sd: number | null };
  /** muP minus SP (negative: muP lower); null when a seed diverged or the seeds differ. */
  difference: Difference | null;
  verdict: HeadlineVerdict;
  /** One line saying the verdict with its numbers. */
  summary: string;
  /** muP's best loss per proxy width (at each width's tuned values) and at the target (the transferred values). */
  mupByWidth: { width: number; loss: number; where: 'proxy' | 'target' }[];
  /** muP's loss is lower at the target than at every proxy width. */
  mupImprovesWithWidth: boolean | null;
  cost: { mup: RouteCost; sp: RouteCost; ratio: number; ratio2: number; cpuRatio: number | null };
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sdOf = (xs: number[]) => (xs.length < 2 ? null : Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));

function summarise(r: TargetRuns): TargetRuns & { mean: number | null; sd: number | null } {
  const ok = r.losses.filter((x): x is number => x !== null && Number.isFinite(x));
  const all = ok.length === r.losses.length && ok.length > 0;
  return { ...r, mean: all ? mean(ok) : null, sd: all ? sdOf(ok) : null };
}

/** The best mean loss per width of a (muP) tuning sweep: each width's joint optimum. */
export function bestLossPerWidth(reports: readonly SweepReport[]): { width: number; loss: number }[] {
  const best = new Map<number, number>();
  for (const r of reports) for (const o of r.optimum) if (Number.isFinite(o.loss) && !(o.loss >= (best.get(o.width) ?? Infinity))) best.set(o.width, o.loss);
  return [...best].sort((a, b) => a[0] - b[0]).map(([width, loss]) => ({ width, loss }));
}

const f4 = (x: number) => x.toFixed(4);

export function headlineReport(input: HeadlineInput): HeadlineReport {
  const mup = summarise(input.mup);
  const sp = summarise(input.sp);
  const targetWidth = input.mup.width;
  if (input.sp.width !== targetWidth) throw new Error(`headline: the routes ran at different widths (${targetWidth} and ${input.sp.width})`);
  const proxyWidths = [...new Set(input.mupTuning.flatMap((r) => r.widths))].sort((a, b) => a - b);
  const samePairs = mup.seeds.length === sp.seeds.length && mup.seeds.every((s, i) => s === sp.seeds[i]);
  let difference: Difference | null = null;
  let verdict: HeadlineVerdict = 'not-judged';
  let summary: string;
  const mupDiv = mup.losses.filter((x) => x === null).length;
  const spDiv = sp.losses.filter((x) => x === null).length;
  if (mupDiv > 0 || spDiv > 0) {
    verdict = mupDiv > 0 && spDiv === 0 ? 'sp-better' : spDiv > 0 && mupDiv === 0 ? 'mup-better' : 'not-judged';
    summary = `at width ${targetWidth}: ${mupDiv} muP and ${spDiv} SP run(s) diverged; ${verdict === 'not-judged' ? 'not judged' : verdict === 'sp-better' ? 'SP is better' : 'muP is better'}`;
  } else if (!samePairs || mup.mean === null || sp.mean === null) {
    summary = `at width ${targetWidth}: the two routes ran different seeds (${mup.seeds.join(',')} vs ${sp.seeds.join(',')}): not judged`;
  } else {
    difference = pairedDifference(mup.losses as number[], sp.losses as number[]);
    const n = difference.n;
    const both = `muP transferred ${f4(mup.mean)} vs SP tuned at width ${targetWidth} ${f4(sp.mean)}`;
    if (difference.half === null) {
      summary = `${both}: one seed, so no interval: not judged (run more seeds)`;
    } else {
      const d = `${difference.mean >= 0 ? '+' : ''}${f4(difference.mean)} +- ${f4(difference.half)} (95%, ${n} seeds, paired)`;
      verdict = difference.hi! < 0 ? 'mup-better' : difference.lo! > 0 ? 'sp-better' : 'no-difference';
      const word = verdict === 'mup-better' ? 'muP is better' : verdict === 'sp-better' ? 'SP is better' : 'no difference resolved: muP is no worse within the interval';
      summary = `${both}: muP - SP = ${d}: ${word}`;
    }
  }
  const mupByWidth: HeadlineReport['mupByWidth'] = bestLossPerWidth(input.mupTuning).map((x) => ({ ...x, where: 'proxy' as const }));
  if (mup.mean !== null) mupByWidth.push({ width: targetWidth, loss: mup.mean, where: 'target' });
  const proxyLosses = mupByWidth.filter((x) => x.where === 'proxy').map((x) => x.loss);
  const mupImprovesWithWidth = mup.mean === null || proxyLosses.length === 0 ? null : proxyLosses.every((l) => mup.mean! < l);
  const mupCost = input.mupCost ?? tuningCost(input.mupTuning);
  const spCost = input.spCost ?? tuningCost(input.spTuning);
  const cost = {
    mup: mupCost,
    sp: spCost,
    ratio: mupCost.stepWidth / spCost.stepWidth,
    ratio2: mupCost.stepWidth2 / spCost.stepWidth2,
    cpuRatio: mupCost.cpuMs !== null && spCost.cpuMs !== null && spCost.cpuMs > 0 ? mupCost.cpuMs / spCost.cpuMs : null,
  };
  return { targetWidth, proxyWidths, mup, sp, difference, verdict, summary, mupByWidth, mupImprovesWithWidth, cost };
}

const pow2 = (x: number) => {
  const e = Math.log2(x);
  return Math.abs(e - Math.round(e)) < 1e-9 ? `2^${Math.round(e)}` : `2^${e.toFixed(2)}`;
};
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/** The report in lines, as `npm run headline` prints it. */
export function formatHeadline(r: HeadlineReport): string[] {
  const route = (x: HeadlineReport['mup']) =>
    `${x.label}: lr ${pow2(x.lr)}${Object.entries(x.hp).map(([k, v]) => `, ${k} ${pow2(v)}`).join('')} (${x.from}); ` +
    `loss ${x.mean === null ? 'n/a (diverged)' : f4(x.mean)}${x.sd === null ? '' : ` (sd ${f4(x.sd)})`} over seeds ${x.seeds.join(',')}: ${x.losses.map((l) => (l === null ? 'div' : f4(l))).join(', ')}`;
  const c = r.cost;
  const costLine = (name: string, k: RouteCost) =>
    `${name}: ${k.trials} trials, ${k.stepWidth.toLocaleString('en-US')} trial-steps x width (${k.stepWidth2.toLocaleString('en-US')} x width^2)${k.cpuMs === null ? '' : `, ${(k.cpuMs / 1000).toFixed(0)} worker-seconds`}`;
  return [
    `headline at width ${r.targetWidth} (muP tuned at widths ${r.proxyWidths.join(', ')}):`,
    `  ${route(r.mup)}`,
    `  ${route(r.sp)}`,
    `  ${r.summary}`,
    `  muP's best loss by width: ${r.mupByWidth.map((x) => `${x.width}${x.where === 'target' ? ' (transferred)' : ''}: ${f4(x.loss)}`).join(', ')}` +
      (r.mupImprovesWithWidth === null ? '' : r.mupImprovesWithWidth ? ' (improves with width)' : ' (does NOT improve with width)'),
    `  tuning cost: ${costLine('muP on the proxy', c.mup)}; ${costLine(`SP at width ${r.targetWidth}`, c.sp)}`,
    `  muP's tuning cost / SP's: ${pct(c.ratio)} in trial-steps x width, ${pct(c.ratio2)} in x width^2${c.cpuRatio === null ? '' : `, ${pct(c.cpuRatio)} in measured worker time`}`,
  ];
}
