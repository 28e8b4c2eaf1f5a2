// `transfer --verify` with a statistic (issue 21): each configuration (the transferred muP values, the proxy's best
// SP values) trained with several seeds at the target width, and the difference of their losses with its 95%
// interval, paired by seed. Pure: the host runs the trials (src/host/transfer.ts).
import { mean, sampleSd, t975 } from './stats';

/** Seeds per configuration when `--verify` is not told otherwise. */
export const DEFAULT_VERIFY_SEEDS = 3;

/** One seed's run of one configuration. */
export interface VerifySeedRun {
  seed: number;
  losses: number[];
  /** The trial's loss (mean of the last 10% of steps); null when it diverged. */
  loss: number | null;
  diverged: boolean;
}

/** The configuration's runs summed up: the mean curve (per step, over the seeds that reached it), the mean loss
 *  over seeds (null when any diverged) and its SD. */
export function summarizeSeeds(runs: VerifySeedRun[]): { losses: number[]; loss: number | null; lossSd: number | null; diverged: boolean } {
  const steps = Math.max(0, ...runs.map((r) => r.losses.length));
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const at = runs.map((r) => r.losses[s]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (at.length === 0) break;
    losses.push(mean(at));
  }
  const diverged = runs.some((r) => r.diverged || r.loss === null);
  const ls = runs.map((r) => r.loss).filter((x): x is number => x !== null);
  return { losses, loss: diverged || ls.length === 0 ? null : mean(ls), lossSd: !diverged && ls.length >= 2 ? sampleSd(ls) : null, diverged };
}

/** Per step, the mean -/+ SD over the seeds that reached it (the plot's band); null where fewer than two did. */
export function seedBand(runs: VerifySeedRun[], steps: number): { lo: (number | null)[]; hi: (number | null)[] } {
  const lo: (number | null)[] = [];
  const hi: (number | null)[] = [];
  for (let s = 0; s < steps; s++) {
    const at = runs.map((r) => r.losses[s]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (at.length < 2) {
      lo.push(null);
      hi.push(null);
      continue;
    }
    const m = mean(at);
    const sd = sampleSd(at);
    lo.push(m - sd);
    hi.push(m + sd);
  }
  return { lo, hi };
}

export interface VerifyDifference {
  /** Mean over seeds of (SP loss - muP loss): positive when muP ends lower. */
  muPBetterBy: number;
  /** The 95% interval's half-width: t(seeds - 1) * SD / sqrt(seeds) of the paired differences. */
  halfWidth: number;
  low: number;
  high: number;
  /** Seeds with both runs finite. */
  seeds: number;
  verdict: 'mup-better' | 'sp-better' | 'no-difference' | 'one-seed';
  text: string;
}

/**
 * The paired difference: seed s of SP against seed s of muP (the same seed draws the same data order, so the
 * pair shares that noise), d_s = SP - muP; the mean of d with Student's t interval over seeds - 1 degrees of
 * freedom. A diverged run has no loss: its seed is left out (the runs themselves say it diverged). With one pair
 * there is no interval, and the text says so.
 */
export function verifyDifference(mup: VerifySeedRun[], sp: VerifySeedRun[]): VerifyDifference | null {
  const d: number[] = [];
  for (const m of mup) {
    const s = sp.find((x) => x.seed === m.seed);
    if (s && m.loss !== null && s.loss !== null && !m.diverged && !s.diverged) d.push(s.loss - m.loss);
  }
  if (d.length === 0) return null;
  const md = mean(d);
  const f = (x: number) => Math.abs(x).toFixed(3);
  if (d.length < 2) {
    return { muPBetterBy: md, halfWidth: NaN, low: NaN, high: NaN, seeds: 1, verdict: 'one-seed', text: `${md >= 0 ? 'muP' : 'SP'} lower by ${f(md)} on one seed: no interval (verify with --seeds 3)` };
  }
  const half = (t975(d.length - 1) * sampleSd(d)) / Math.sqrt(d.length);
  const low = md - half;
  const high = md + half;
  const verdict = low > 0 ? 'mup-better' : high < 0 ? 'sp-better' : 'no-difference';
  const over = `over ${d.length} seeds (95% interval ${low.toFixed(3)}..${high.toFixed(3)})`;
  const text =
    verdict === 'mup-better'
      ? `muP better by ${f(md)} +- ${half.toFixed(3)} ${over}`
      : verdict === 'sp-better'
        ? `SP better by ${f(md)} +- ${half.toFixed(3)} ${over}`
        : `no difference shown: SP - muP = ${md.toFixed(3)} +- ${half.toFixed(3)} ${over}, which includes 0`;
  return { muPBetterBy: md, halfWidth: half, low, high, seeds: d.length, verdict, text };
}

/**
 * Why a muP sweep cannot be transferred from although nothing in it moved (issue 28: a one-LR "sweep"; issue 21:
 * an inconclusive verdict), in one line; null when it can be, or when `refusalOf` speaks (SP, an incomplete grid,
 * an axis that moves).
 */
export function inconclusiveSweep(r: { parametrization: string; complete?: boolean; lrs: number[]; hps?: { values: number[] }[]; verdict?: string; reasons?: string[]; settle?: string[] }): string | null {
  if (r.parametrization !== 'mup' || r.complete === false) return null;
  const swept = r.lrs.length >= 2 || (r.hps ?? []).some((h) => h.values.length >= 2);
  const settle = (xs: string[] | undefined, dflt: string) => `; to settle it: ${xs?.length ? xs.join('; ') : dflt}`;
  if (!swept) return `the sweep has one LR and no swept HP: its value was never compared with anything, so nothing is shown to transfer; nothing written${settle(undefined, 'sweep a range (--lr-range 2^-14:2^-4:1)')}`;
  if (r.verdict !== 'inconclusive') return null;
  return `the sweep is inconclusive (${(r.reasons ?? []).join('; ') || 'see its report'}): nothing is shown to transfer; nothing written${settle(r.settle, 'add seeds')}`;
}
