// Issue 21: what the plots draw of the seeds: a band (mean -/+ SD over seeds) around each width's loss curve, and
// each optimum's 95% interval as a bar on the LR axis; the SVG of the HTML reports draws both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeTrials } from '../../../src/sweep/optimum';
import { sweepModel } from '../../../src/plot/sweepModel';
import { plotsToSvg } from '../../../src/plot/svg';
import type { SweepTrial } from '../../../src/sweep/types';
import { sweepRun, sweepView } from './fixtures';

const xs = [-10, -9, -8, -7, -6];
const table: Record<number, number[][]> = {
  64: [[1.0, 0.6, 0.5, 0.7, 1.1], [1.0, 0.5, 0.62, 0.7, 1.1]],
  256: [[1.2, 0.9, 0.7, 0.6, 0.9], [1.2, 0.9, 0.7, 0.62, 0.8]],
};
const trials: SweepTrial[] = Object.entries(table).flatMap(([w, seeds]) => seeds.flatMap((ls, seed) => ls.map((loss, i) => ({ width: Number(w), lr: 2 ** xs[i]!, seed, loss, diverged: false }))));

test('a sweep plot carries the seeds\' band and each optimum\'s interval on the LR axis', () => {
  const m = sweepModel(sweepView([sweepRun('mup', trials)]), 'light').runs[0]!;
  const w64 = m.plot.series.find((s) => s.key === 'w64')!;
  // At 2^-9: seeds 0.6 and 0.5, mean 0.55, sample SD 0.0707107.
  const i = m.plot.xs.indexOf(2 ** -9);
  assert.ok(Math.abs(w64.ys[i]! - 0.55) < 1e-12);
  assert.ok(Math.abs(w64.lo![i]! - (0.55 - 0.0707107)) < 1e-6 && Math.abs(w64.hi![i]! - (0.55 + 0.0707107)) < 1e-6);
  // At 2^-6 both seeds agree: a band of zero width.
  assert.equal(w64.lo![4], w64.hi![4]);
  // The optimum marker's bar: 2^-8.69355 .. 2^-8.16667 (test/unit/sweep/uncertainty.test.ts has the arithmetic).
  const opt = m.plot.markers.find((k) => k.kind === 'optimum' && k.seriesKey === 'w64')!;
  assert.ok(opt.interval);
  assert.ok(Math.abs(Math.log2(opt.interval[0]) - -8.69355) < 1e-4 && Math.abs(Math.log2(opt.interval[1]) - -8.16667) < 1e-4, String(opt.interval));
  assert.match(opt.label, /95% interval/);
  const svg = plotsToSvg([m.plot], { plotWidth: 640, plotHeight: 380, columns: 1, background: '#fff', foreground: '#222', grid: '#eee' });
  assert.equal((svg.match(/<polygon /g) ?? []).length, 2, 'one band per width');
  assert.equal((svg.match(/data-interval="w/g) ?? []).length, 2, 'one interval bar per optimum');
});

test('one seed: no band and no interval (nothing to show the spread of)', () => {
  const one = trials.filter((t) => t.seed === 0);
  const m = sweepModel(sweepView([sweepRun('sp', one)]), 'light').runs[0]!;
  assert.ok(m.plot.series.every((s) => s.lo === undefined && s.hi === undefined));
  assert.ok(m.plot.markers.filter((k) => k.kind === 'optimum').every((k) => k.interval === null));
  // The engine's verdict reaches the panel's model once a result is there.
  const a = analyzeTrials(trials, { widths: [64, 256], lrs: xs.map((x) => 2 ** x), seeds: 2 });
  const done = sweepModel(sweepView([sweepRun('mup', trials, { status: 'done', result: { trials, optimum: a.optimum, shiftOctaves: a.shiftOctaves, transfers: a.transfers, reused: 0, verdict: a.verdict, shiftInterval: a.shiftInterval, settle: a.settle, complete: true } })]), 'light').runs[0]!;
  assert.equal(done.verdict, 'inconclusive');
  assert.deepEqual(done.settle, ['refine around 2^-7.75 (--refine)']);
  assert.ok(done.shiftInterval && done.shiftInterval.low < 1 && done.shiftInterval.high > 1);
});

test('refined LRs of one width are absent from the other width\'s line, which joins over them (no gap)', () => {
  const refined = [...trials, ...[0, 1].map((seed) => ({ width: 64, lr: 2 ** -8.75, seed, loss: 0.52 + 0.01 * seed, diverged: false }))];
  const m = sweepModel(sweepView([sweepRun('mup', refined)]), 'light').runs[0]!;
  const i = m.plot.xs.indexOf(2 ** -8.75);
  const w256 = m.plot.series.find((s) => s.key === 'w256')!;
  assert.equal(w256.absent?.[i], true);
  assert.equal(m.plot.series.find((s) => s.key === 'w64')!.absent, undefined, 'width 64 has every x');
  const svg = plotsToSvg([m.plot], { plotWidth: 640, plotHeight: 380, columns: 1, background: '#fff', foreground: '#222', grid: '#eee' });
  assert.equal((svg.match(/<polyline data-series="w256"/g) ?? []).length, 1, 'one unbroken line');
});
