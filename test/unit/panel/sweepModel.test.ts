// The sweep view's data: curves per width, optima, diverged markers, colours, shift, recommendation, live updates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { luminance, widthColor } from '../../../src/plot/colors';
import { defaultTargetWidth, fmtLr, recommend, sweepModel } from '../../../src/plot/sweepModel';
import { MUP_SWEEP, optimumLog2, range, SP_SWEEP, sweepRun, sweepTrials, sweepView } from './fixtures';
import type { SweepResult } from '../../../src/sweep/types';

const widths = [64, 128, 256, 512];
const log2Lrs = range(-14, -2);

describe('sweep plots', () => {
  const sp = sweepTrials(SP_SWEEP, widths, log2Lrs, 3);
  const model = sweepModel(sweepView([sweepRun('sp', sp)]), 'light');
  const run = model.runs[0];

  it('draws one curve per width over the LRs, on a log2 x axis', () => {
    assert.equal(run.plot.series.length, 4);
    assert.deepEqual(run.plot.series.map((s) => s.label), ['width 64', 'width 128', 'width 256', 'width 512']);
    assert.equal(run.plot.xLog, 2);
    assert.equal(run.plot.xFormat, 'pow2');
    assert.deepEqual(run.plot.xs.map(Math.log2), log2Lrs);
  });

  it('plots the mean over seeds, and a gap where a seed diverged', () => {
    const s64 = run.plot.series[0];
    const at = log2Lrs.indexOf(-8);
    const seeds = sp.filter((t) => t.width === 64 && t.lr === 2 ** -8).map((t) => t.loss as number);
    assert.ok(Math.abs(s64.ys[at]! - seeds.reduce((a, b) => a + b, 0) / 3) < 1e-12);
    const divergedAt = log2Lrs.indexOf(optimumLog2(SP_SWEEP, 64) + SP_SWEEP.divergeAbove + 1);
    assert.equal(s64.ys[divergedAt], null);
  });

  it("marks each width's optimum at the argmin of its curve", () => {
    const optima = run.plot.markers.filter((m) => m.kind === 'optimum');
    assert.equal(optima.length, 4);
    for (const w of widths) {
      const m = optima.find((o) => o.seriesKey === `w${w}`)!;
      assert.equal(Math.log2(m.x), optimumLog2(SP_SWEEP, w));
      const s = run.plot.series.find((x) => x.key === `w${w}`)!;
      assert.equal(m.y, Math.min(...(s.ys.filter((v) => v !== null) as number[])));
    }
  });

  it('draws every diverged trial as a marker at the top, counted per (width, lr)', () => {
    const div = run.plot.markers.filter((m) => m.kind === 'diverged');
    const expected = sp.filter((t) => t.diverged);
    assert.equal(div.reduce((a, m) => a + m.count, 0), expected.length);
    assert.equal(run.divergedCount, expected.length);
    assert.ok(div.every((m) => m.y === null));
    // width 64: optimum 2^-7, diverges above 2^-4, so lrs 2^-3 and 2^-2, each with 3 seeds
    assert.deepEqual(div.filter((m) => m.seriesKey === 'w64').map((m) => [Math.log2(m.x), m.count]), [[-3, 3], [-2, 3]]);
    // at 2^-2 all four widths diverge: their markers stack, narrowest on top, none hidden behind another
    const atTop = div.filter((m) => m.x === 2 ** -2).sort((a, b) => a.stack - b.stack);
    assert.deepEqual(atTop.map((m) => [m.seriesKey, m.stack]), [['w64', 0], ['w128', 1], ['w256', 2], ['w512', 3]]);
    // and the y range leaves room above the highest loss for them
    const maxLoss = Math.max(...run.plot.series.flatMap((s) => s.ys.filter((v): v is number => v !== null)));
    assert.ok(run.plot.yRange![1] > maxLoss + 0.15 * (maxLoss - run.plot.yRange![0]));
  });

  it('colours widths on a sequential scale: luminance rises with width, on light and dark themes', () => {
    const lum = run.plot.series.map((s) => luminance(s.color));
    for (let i = 1; i < lum.length; i++) assert.ok(lum[i] > lum[i - 1], `width ${widths[i]} brighter than ${widths[i - 1]}`);
    const dark = sweepModel(sweepView([sweepRun('sp', sp)]), 'dark').runs[0].plot.series.map((s) => luminance(s.color));
    for (let i = 1; i < dark.length; i++) assert.ok(dark[i] > dark[i - 1]);
    // on dark themes the darkest (near-black purple) end is cut off
    assert.ok(dark[0] > lum[0]);
    assert.notEqual(widthColor(0, 1, 'light'), '');
  });

  it('states the shift of the optimum in octaves (live, before the result)', () => {
    assert.equal(run.shiftOctaves, 3); // SP drift: one octave per doubling over 3 doublings
    assert.equal(run.transfers, null);
    assert.match(run.statusText, /^running: 156 trials/);
  });

  it('uses the engine result once it arrives', () => {
    const result: SweepResult = { trials: sp, optimum: [{ width: 64, lr: 2 ** -7, loss: 0.9 }, { width: 512, lr: 2 ** -10, loss: 0.8 }], shiftOctaves: 3, transfers: false, reused: 12 };
    const m = sweepModel(sweepView([sweepRun('sp', sp, { result, status: 'done' })]), 'light').runs[0];
    assert.equal(m.plot.markers.filter((x) => x.kind === 'optimum').length, 2);
    assert.equal(m.transfers, false);
    assert.match(m.statusText, /^done: 156 trials \(12 reused from the store\)/);
  });

  it("says where the optimum settles when a run does not transfer as a whole (issue 21), and ignores a malformed one", () => {
    const base: SweepResult = { trials: sp, optimum: [{ width: 64, lr: 2 ** -7, loss: 0.9 }, { width: 512, lr: 2 ** -10, loss: 0.8 }], shiftOctaves: 3, transfers: false, reused: 0 };
    const from = { width: 256, shift: { low: 0.01, high: 0.4 } };
    const at = (result: object) => sweepModel(sweepView([sweepRun('sp', sp, { result: result as SweepResult, status: 'done' })]), 'light').runs[0]!;
    assert.equal(
      at({ ...base, verdict: 'does-not-transfer', transfersFrom: from }).transfersFromText,
      'from width 256 up the best LR moves 0.01..0.4 octaves (95%): it transfers there; the move is at the narrow end, a finite-width effect',
    );
    assert.equal(at({ ...base, verdict: 'does-not-transfer', transfersFrom: null }).transfersFromText, null);
    assert.equal(at({ ...base, verdict: 'does-not-transfer', transfersFrom: { width: '256', shift: { low: 0, high: 1 } } }).transfersFromText, null);
    // inconclusive: it is among what would settle it already, not said twice
    assert.equal(at({ ...base, verdict: 'inconclusive', transfersFrom: from }).transfersFromText, null);
  });

  it('puts SP left of muP with a shared loss range, and compares their shifts', () => {
    const mup = sweepTrials(MUP_SWEEP, widths, log2Lrs, 3);
    // Finished runs: a running one concludes nothing, not even the comparison (issue 23.2).
    const live = sweepModel(sweepView([sweepRun('mup', mup), sweepRun('sp', sp)]), 'light');
    assert.equal(live.comparison, null);
    assert.ok(live.runs.every((r) => r.provisional));
    const both = sweepModel(sweepView([sweepRun('mup', mup, { status: 'done' }), sweepRun('sp', sp, { status: 'done' })]), 'light');
    assert.deepEqual(both.runs.map((r) => r.parametrization), ['sp', 'mup']);
    assert.ok(both.runs[0].plot.yRange);
    assert.deepEqual(both.runs[0].plot.yRange, both.runs[1].plot.yRange);
    assert.equal(both.comparison, 'Optimal LR moves 3.0 octaves across widths in SP and 0.0 in muP.');
  });

  it('recommends the widest width optimum when the optimum transfers (muP), and extrapolates when not (SP)', () => {
    const mup = sweepTrials(MUP_SWEEP, widths, log2Lrs, 3);
    const r1 = recommend(mup, 4096, 'mup')!;
    assert.ok(r1.transfer);
    assert.ok(Math.abs(Math.log2(r1.lr) - -7) < 0.05, `muP lr 2^${Math.log2(r1.lr)}`);
    const r2 = recommend(sp, 4096, 'sp')!;
    assert.equal(r2.transfer, false);
    // SP drifts one octave per doubling: 64 -> 4096 is 6 doublings, so 2^(-7-6)
    assert.ok(Math.abs(Math.log2(r2.lr) - -13) < 0.1, `SP lr 2^${Math.log2(r2.lr)}`);
    assert.match(r2.method, /extrapolated/);
    assert.equal(recommend([], 1024, 'mup'), null);
  });

  it('defaults the target width to the widest width swept, as `mup-lens sweep` does, and keeps a user-chosen one', () => {
    assert.equal(defaultTargetWidth(sweepView([sweepRun('sp', sp)])), 512);
    const m = sweepModel(sweepView([sweepRun('sp', sp)]), 'light');
    assert.equal(m.targetWidth, 512);
    assert.equal(m.runs[0].recommendation?.targetWidth, 512);
    // live, before the widest width has a trial: the planned grid's widest
    const planned = sweepRun('sp', sp.filter((t) => t.width === 64));
    planned.meta.widths = widths;
    assert.equal(defaultTargetWidth(sweepView([planned])), 512);
    assert.equal(sweepModel(sweepView([sweepRun('sp', sp)], 300), 'light').targetWidth, 300);
  });

  it('defaults the target width to the one the engine recommended for in a finished run (--target-width)', () => {
    const result = { trials: sp, optimum: [], shiftOctaves: 3, transfers: false, reused: 0, recommended: { targetWidth: 8192, lr: 2 ** -14, log2Lr: -14, method: 'extrapolated' as const } };
    const view = sweepView([sweepRun('mup', sweepTrials(MUP_SWEEP, widths, log2Lrs, 1)), sweepRun('sp', sp, { result, status: 'done' })]);
    assert.equal(defaultTargetWidth(view), 8192);
    const m = sweepModel(view, 'light');
    assert.equal(m.targetWidth, 8192);
    assert.ok(m.runs.every((r) => r.recommendation?.targetWidth === 8192));
    // the panel's LR for it is the engine's: SP extrapolated 64 -> 8192 (7 doublings), 2^(-7-7)
    assert.ok(Math.abs(Math.log2(m.runs.find((r) => r.parametrization === 'sp')!.recommendation!.lr) - -14) < 0.1);
    // a user-typed width still wins; a result without a recommendation falls back to the widest width
    assert.equal(sweepModel({ ...view, targetWidth: 300 }, 'light').targetWidth, 300);
    const noRec = sweepView([sweepRun('sp', sp, { result: { ...result, recommended: null }, status: 'done' })]);
    assert.equal(defaultTargetWidth(noRec), 512);
  });

  it('shows a cancelled sweep with its stored trials and an empty one without failing', () => {
    const part = sp.slice(0, 20);
    const m = sweepModel(sweepView([sweepRun('sp', part, { status: 'cancelled', message: 'by the user' })]), 'light').runs[0];
    assert.match(m.statusText, /^cancelled: by the user; showing the 20 stored trials/);
    assert.equal(m.plot.series.length, 1);
    const empty = sweepModel(sweepView([sweepRun('mup', [])]), 'light').runs[0];
    assert.equal(empty.plot.series.length, 0);
    assert.equal(empty.recommendation, null);
  });

  it('formats an LR with its power of two', () => {
    assert.equal(fmtLr(2 ** -8), '0.00391 (2^-8)');
  });
});
