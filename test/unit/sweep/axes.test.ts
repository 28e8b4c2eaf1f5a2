// Sweep axes beyond width (issue 22): the grid with axes, and each axis's analysis per value (src/sweep/axisAnalysis.ts),
// on trials whose numbers follow each rule: depth (a loss that worsens at the transferred LR, SP's failure mode; a flat
// one, CompleteP's), batch (Adam's square-root rule), steps (the exponent of best LR against steps, with its error).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axisCombinations, fitSlope, type AxisValues, type SweepAxisGrid } from '../../../src/sweep/axes';
import { analyzeAxis } from '../../../src/sweep/axisAnalysis';
import { enumerateGrid } from '../../../src/sweep/grid';
import type { SweepTrial } from '../../../src/sweep/types';

const lrs = [-14, -13, -12, -11, -10, -9, -8].map((e) => 2 ** e);

/** A parabola in log2 LR with its minimum `floor` at log2 LR `center`, two seeds a little apart (the intervals of
 *  issue 21 need two). */
function trialsAt(width: number, axes: AxisValues, center: number, floor: number): SweepTrial[] {
  return [0, 1].flatMap((seed) => lrs.map((lr, i) => ({ width, lr, seed, loss: floor + 0.05 * (Math.log2(lr) - center) ** 2 + (seed ? 1 : -1) * 0.0004 * Math.sin(i), diverged: false, axes })));
}

test('the grid with axes: every axis combination after width, old points unchanged without axes', () => {
  assert.deepEqual(axisCombinations([{ name: 'depth', values: [2, 8] }, { name: 'steps', values: [100, 400] }]), [
    { depth: 2, steps: 100 }, { depth: 2, steps: 400 }, { depth: 8, steps: 100 }, { depth: 8, steps: 400 },
  ]);
  const g = enumerateGrid([64], [1e-3, 1e-2], 1, [], [{ name: 'depth', values: [2, 8] }]);
  assert.deepEqual(g, [
    { width: 64, lr: 1e-3, seed: 0, axes: { depth: 2 } }, { width: 64, lr: 1e-2, seed: 0, axes: { depth: 2 } },
    { width: 64, lr: 1e-3, seed: 0, axes: { depth: 8 } }, { width: 64, lr: 1e-2, seed: 0, axes: { depth: 8 } },
  ]);
  assert.deepEqual(enumerateGrid([64], [1e-3], 1), [{ width: 64, lr: 1e-3, seed: 0 }]);
});

const grid = { widths: [128], lrs, seeds: 2, hps: [] };
const depthAxis: SweepAxisGrid[] = [{ name: 'depth', values: [2, 4, 8, 16] }];

test('depth, SP-like: the argmin barely moves but the loss worsens with depth: called out, not ok', () => {
  // the reference's SP: best LR 2^-11 -> 2^-12, best loss 0.634 at depth 2 -> 0.725 at 16
  const trials = [
    ...trialsAt(128, { depth: 2 }, -11, 0.634), ...trialsAt(128, { depth: 4 }, -11, 0.66),
    ...trialsAt(128, { depth: 8 }, -12, 0.69), ...trialsAt(128, { depth: 16 }, -12, 0.725),
  ];
  const r = analyzeAxis('depth', trials, depthAxis, grid);
  assert.equal(r.ok, false);
  assert.deepEqual(r.slices[0]!.optimum.map((o) => [o.value, Math.log2(o.lr)]), [[2, -11], [4, -11], [8, -12], [16, -12]]);
  assert.equal(r.slices[0]!.shiftOctaves, 1);
  assert.equal(r.verdict[0], 'depth: does not transfer');
  assert.ok(r.verdict.some((v) => /the best loss worsens with depth \(2: 0\.6340 -> 4: 0\.6600, 8: 0\.6900, 16: 0\.7250\)/.test(v)));
  // at the LR transferred from depth 2 (2^-11): depth 16's loss is 0.725 + 0.05
  assert.deepEqual(r.worsens!.map((w) => [w.value, Number(w.loss.toFixed(3))]), [[4, 0.66], [8, 0.74], [16, 0.775]]);
});

test('depth, CompleteP-like: the same best LR and a flat loss at every depth: transfers', () => {
  const losses = [0.637, 0.639, 0.637, 0.635];
  const trials = depthAxis[0]!.values.flatMap((d, i) => trialsAt(128, { depth: d }, -11, losses[i]!));
  const r = analyzeAxis('depth', trials, depthAxis, grid);
  assert.equal(r.ok, true, r.verdict.join('\n'));
  assert.equal(r.verdict[0], 'depth: transfers');
  assert.deepEqual(r.worsens, []);
  assert.deepEqual(r.slices[0]!.optimum.map((o) => o.lossAtTransferredLr), losses);
});

test('depth: an incomplete slice is not judged', () => {
  const trials = trialsAt(128, { depth: 2 }, -11, 0.6);
  const r = analyzeAxis('depth', trials, [{ name: 'depth', values: [2, 8] }], grid);
  assert.equal(r.ok, false);
  assert.match(r.verdict[0]!, /not judged: the grid is incomplete/);
});

test("batch: Adam's square-root rule within the grid's resolution, or not", () => {
  const axes: SweepAxisGrid[] = [{ name: 'batch', values: [16, 256] }];
  // batch x 16 -> LR x 4 = +2 octaves
  const follows = analyzeAxis('batch', [...trialsAt(128, { batch: 16 }, -12, 0.5), ...trialsAt(128, { batch: 256 }, -10, 0.4)], axes, grid);
  assert.equal(follows.ok, true);
  assert.deepEqual(follows.sqrtRule, { predictedOctaves: 2, measuredOctaves: 2, toleranceOctaves: 1, follows: true });
  assert.match(follows.verdict[0]!, /follows Adam's square-root rule within the LR grid's resolution \(1 octave\)/);
  const flat = analyzeAxis('batch', [...trialsAt(128, { batch: 16 }, -12, 0.5), ...trialsAt(128, { batch: 256 }, -12, 0.4)], axes, grid);
  assert.equal(flat.ok, false);
  assert.match(flat.verdict[0]!, /does not follow .* moved the fitted best LR 0 octaves, the rule predicts 2/);
});

test('steps: the exponent of best LR against steps with its standard error', () => {
  const axes: SweepAxisGrid[] = [{ name: 'steps', values: [100, 200, 400, 800] }];
  // centres -9.5, -10, -10.5, -11 (fitted, off-grid): beta = -0.5 exactly
  const trials = [100, 200, 400, 800].flatMap((st, i) => trialsAt(128, { steps: st }, -9.5 - 0.5 * i, 0.5));
  const r = analyzeAxis('steps', trials, axes, grid);
  assert.ok(r.exponent);
  assert.ok(Math.abs(r.exponent.beta - -0.5) < 1e-6, `beta ${r.exponent.beta}`);
  // a perfect fit: the error is the grid's resolution alone, 1/sqrt(12)/sqrt(Sxx), Sxx = 5 (log2 steps 6.64..9.64)
  assert.ok(Math.abs(r.exponent.se! - 1 / Math.sqrt(12) / Math.sqrt(5)) < 1e-6);
  assert.match(r.verdict[0]!, /^steps: best LR ~ steps\^-0\.500 \+- 0\.129 over steps 100,200,400,800/);
});

test('fitSlope: slope, intercept, standard error', () => {
  const f = fitSlope([0, 1, 2, 3], [1, 3, 5, 7.5]);
  assert.ok(f && Math.abs(f.slope - 2.15) < 1e-12 && f.se !== null && f.se > 0);
  assert.equal(fitSlope([1, 2], [1, 2])!.se, null);
});

test('the axis plot: loss against LR, one curve per depth at the first width, each depth optimum marked', async () => {
  const { axisPlotModels, proxyTrials } = await import('../../../src/plot/sweepAxesModel');
  const axes: SweepAxisGrid[] = [{ name: 'depth', values: [2, 8] }];
  const trials = [...trialsAt(128, { depth: 2 }, -11, 0.634), ...trialsAt(128, { depth: 8 }, -12, 0.69)];
  const judged = analyzeAxis('depth', trials, axes, grid);
  const [m] = axisPlotModels({ trials, axisGrid: axes, axes: [judged] }, 'light');
  assert.ok(m);
  assert.equal(m.plot.title, 'loss vs learning rate per depth (width 128)');
  assert.deepEqual(m.plot.xs, lrs);
  assert.deepEqual(m.plot.series.map((s) => s.label), ['depth 2', 'depth 8']);
  // depth 8's curve: 0.69 + 0.05 (log2 lr + 12)^2 at 2^-14..2^-8
  assert.deepEqual(m.plot.series[1]!.ys.map((y) => Number(y!.toFixed(4))), [0.89, 0.74, 0.69, 0.74, 0.89, 1.14, 1.49]);
  assert.deepEqual(m.optima.map((o) => [o.width, Math.log2(o.value)]), [[2, -11], [8, -12]]);
  assert.equal(m.transfers, false);
  assert.equal(proxyTrials(trials, axes).length, 14);
  assert.ok(proxyTrials(trials, axes).every((t) => t.axes === undefined));
});
