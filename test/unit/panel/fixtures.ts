// Synthetic results shaped like the engines' output (docs/contracts.md contracts), for the panel's tests and
// bench/render.ts. Generated from a stated law, not hard-coded, so tests can check the plot against the law.
import type { CoordLayer, CoordRecord, CoordResult, CoordSlope } from '../../../src/coord/types';
import type { SweepRun, SweepView } from '../../../src/protocol/webview';
import type { SweepTrial } from '../../../src/sweep/types';

/** Least-squares slope of log y against log x. */
export function logSlope(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let sxy = 0;
  let sxx = 0;
  lx.forEach((x, i) => {
    sxy += (x - mx) * (ly[i] - my);
    sxx += (x - mx) ** 2;
  });
  return sxy / sxx;
}

export interface CoordLaw {
  layer: string;
  role: string;
  /** slope of l1 in width at step t (index t-1); null = l1 is 0 at that step (zero-init readout). */
  slopes: Array<number | null>;
  line: number;
}

/** docs/mup.md's MLP: SP grows in the hidden layers and readout from t = 2; muP stays flat. */
export const SP_LAWS: CoordLaw[] = [
  { layer: 'dense_in', role: 'input', slopes: [0, -0.01, -0.05], line: 12 },
  { layer: 'dense_h1', role: 'hidden', slopes: [0, 0.67, 0.8], line: 13 },
  { layer: 'dense_h2', role: 'hidden', slopes: [0, 1.29, 0.4], line: 14 },
  { layer: 'readout', role: 'readout', slopes: [null, 1.3, 0.26], line: 15 },
];
export const MUP_LAWS: CoordLaw[] = [
  { layer: 'dense_in', role: 'input', slopes: [0, 0.0, -0.01], line: 12 },
  { layer: 'dense_h1', role: 'hidden', slopes: [0, 0.02, -0.01], line: 13 },
  { layer: 'dense_h2', role: 'hidden', slopes: [0, 0.01, 0.0], line: 14 },
  { layer: 'readout', role: 'readout', slopes: [null, 0.05, 0.02], line: 15 },
];

export function coordFixture(laws: CoordLaw[], widths = [64, 128, 256, 512, 1024], threshold = 0.3): CoordResult {
  const steps = laws[0].slopes.length;
  const layers: CoordLayer[] = laws.map((l) => ({ name: l.layer, role: l.role, source: { file: 'examples/mlp.ts', line: l.line } }));
  const records: CoordRecord[] = [];
  const slopes: CoordSlope[] = [];
  laws.forEach((law, li) => {
    for (let t = 1; t <= steps; t++) {
      const s = law.slopes[t - 1];
      const ys: number[] = [];
      for (const w of widths) {
        const l1 = s === null ? 0 : (0.5 + 0.2 * li) * (w / widths[0]) ** s * (1 + 0.1 * t);
        ys.push(l1);
        records.push({ width: w, layer: law.layer, t, l1, l1Std: l1 * 0.08 });
      }
      slopes.push({ layer: law.layer, t, slope: s === null ? null : logSlope(widths, ys) });
    }
  });
  let worst: CoordResult['verdict']['worst'] = null;
  for (const s of slopes) if (s.t >= 2 && s.slope !== null && (!worst || Math.abs(s.slope) > Math.abs(worst.slope))) worst = { layer: s.layer, t: s.t, slope: s.slope };
  return {
    backend: 'wasm',
    widths,
    steps,
    seeds: 3,
    layers,
    records,
    slopes,
    verdict: { pass: worst === null || Math.abs(worst.slope) <= threshold, worst, threshold },
  };
}

export interface SweepLaw {
  /** log2 of the optimal LR at width 64. */
  opt64: number;
  /** Octaves the optimum moves per doubling of width (SP about -1, muP 0). */
  drift: number;
  /** LRs more than this many octaves above the optimum diverge. */
  divergeAbove: number;
}

export const SP_SWEEP: SweepLaw = { opt64: -7, drift: -1, divergeAbove: 3 };
export const MUP_SWEEP: SweepLaw = { opt64: -7, drift: 0, divergeAbove: 3 };

export function optimumLog2(law: SweepLaw, width: number): number {
  return law.opt64 + law.drift * Math.log2(width / 64);
}

/** Loss = floor(width) + 0.05 (log2 lr - opt)^2 + tiny seed noise; diverged above opt + divergeAbove. */
export function sweepTrials(law: SweepLaw, widths: number[], log2Lrs: number[], seeds: number): SweepTrial[] {
  const out: SweepTrial[] = [];
  for (const width of widths) {
    const opt = optimumLog2(law, width);
    for (const l2 of log2Lrs) {
      for (let seed = 0; seed < seeds; seed++) {
        const diverged = l2 > opt + law.divergeAbove;
        const noise = 0.002 * Math.sin(width * 0.37 + l2 * 1.7 + seed * 2.3);
        out.push({ width, lr: 2 ** l2, seed, diverged, loss: diverged ? null : 1 - 0.03 * Math.log2(width / 64) + 0.05 * (l2 - opt) ** 2 + noise });
      }
    }
  }
  return out;
}

export function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let v = from; v <= to + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

export function sweepRun(p: 'sp' | 'mup', trials: SweepTrial[], extra: Partial<SweepRun> = {}): SweepRun {
  return {
    meta: { title: 'mlp', modelFile: 'examples/mlp.ts', exportName: 'mlp', parametrization: p },
    trials,
    result: null,
    status: 'running',
    ...extra,
  };
}

export function sweepView(runs: SweepRun[], targetWidth: number | null = null): SweepView {
  return { kind: 'sweep', runs, targetWidth };
}
