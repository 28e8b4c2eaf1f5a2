// `transfer --verify` with a statistic (issue 21): the paired difference over seeds with Student's t interval, by
// hand; the mean curve and the plot's band across seeds; a muP sweep that shows nothing is refused in one line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inconclusiveSweep, seedBand, summarizeSeeds, verifyDifference, type VerifySeedRun } from '../../../src/sweep/verify';
import { verifyPlot } from '../../../src/plot/transferModel';

const run = (seed: number, loss: number, losses = [1, loss]): VerifySeedRun => ({ seed, loss, losses, diverged: false });

test('the difference SP - muP paired by seed, its t interval by hand', () => {
  // d = 0.07, 0.06, 0.08: mean 0.07, SD 0.01, SE 0.01/sqrt(3); t(2) = 4.303: half-width 0.024843.
  const mup = [run(0, 0.7), run(1, 0.72), run(2, 0.71)];
  const sp = [run(0, 0.77), run(1, 0.78), run(2, 0.79)];
  const d = verifyDifference(mup, sp)!;
  assert.ok(Math.abs(d.muPBetterBy - 0.07) < 1e-12);
  assert.ok(Math.abs(d.halfWidth - 0.024843) < 1e-6, String(d.halfWidth));
  assert.ok(Math.abs(d.low - 0.045157) < 1e-6 && Math.abs(d.high - 0.094843) < 1e-6);
  assert.equal(d.verdict, 'mup-better');
  assert.equal(d.text, 'muP better by 0.070 +- 0.025 over 3 seeds (95% interval 0.045..0.095)');
  // Seeds that disagree: the interval includes 0, and it says so.
  const noisy = verifyDifference(mup, [run(0, 0.9), run(1, 0.6), run(2, 0.71)])!;
  assert.equal(noisy.verdict, 'no-difference');
  assert.match(noisy.text, /^no difference shown: SP - muP = 0\.027 \+- 0\.\d{3} over 3 seeds \(95% interval -0\.\d{3}\.\.0\.\d{3}\), which includes 0$/);
  // One pair: no interval, and what to do.
  assert.equal(verifyDifference([run(0, 0.7)], [run(0, 0.8)])!.text, 'muP lower by 0.100 on one seed: no interval (verify with --seeds 3)');
  // A diverged seed has no loss: it is left out of the pairs.
  assert.equal(verifyDifference(mup, [{ seed: 0, loss: null, losses: [1], diverged: true }, run(1, 0.78), run(2, 0.79)])!.seeds, 2);
});

test('mean curve, loss and SD over seeds; the verification plot carries the seeds\' band', () => {
  const seeds = [run(0, 0.7, [1.0, 0.8, 0.7]), run(1, 0.72, [1.2, 0.9, 0.72]), run(2, 0.74, [1.1, 0.85])];
  const s = summarizeSeeds(seeds);
  assert.deepEqual(s.losses.map((x) => Number(x.toFixed(6))), [1.1, 0.85, 0.71]);
  assert.ok(Math.abs(s.loss! - 0.72) < 1e-12 && Math.abs(s.lossSd! - 0.02) < 1e-12);
  const band = seedBand(seeds, 3);
  assert.ok(Math.abs(band.lo[0]! - 1.0) < 1e-12 && Math.abs(band.hi[0]! - 1.2) < 1e-12, 'step 1: 1.1 -/+ 0.1');
  const p = verifyPlot({ steps: 3, seeds: 3, note: null, runs: [{ label: 'muP, transferred', parametrization: 'mup', model: { file: 'm.ts', exportName: 'mlp' }, width: 512, lr: 2 ** -8, hp: {}, from: 'x', ...s, seeds }] }, 512);
  assert.deepEqual(p.series[0]!.lo, band.lo);
  assert.deepEqual(p.series[0]!.hi, band.hi);
  assert.match(p.title, /mean of 3 seeds/);
});

test('a muP sweep that sweeps nothing, or is inconclusive, cannot be transferred from; SP and incomplete grids are refusalOf\'s', () => {
  const base = { parametrization: 'mup', complete: true, lrs: [2 ** -8], hps: [{ values: [1] }] };
  assert.match(inconclusiveSweep(base)!, /^the sweep has one LR and no swept HP/);
  assert.equal(inconclusiveSweep({ ...base, hps: [{ values: [1, 2] }], verdict: 'transfers' }), null, 'the HP was swept and transfers');
  assert.equal(inconclusiveSweep({ ...base, lrs: [1, 2], verdict: 'inconclusive', reasons: ['one seed: nothing says how much of the shift is noise'], settle: ['add seeds (--seeds 3)'] }),
    'the sweep is inconclusive (one seed: nothing says how much of the shift is noise): nothing is shown to transfer; nothing written; to settle it: add seeds (--seeds 3)');
  assert.equal(inconclusiveSweep({ ...base, parametrization: 'sp' }), null);
  assert.equal(inconclusiveSweep({ ...base, complete: false }), null);
});
