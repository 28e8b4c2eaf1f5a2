// The headline comparison's data (src/sweep/headline.ts): each route's tuning cost, the paired interval and its
// verdict, muP's loss per width, and the lines `npm run headline` prints. Hand-computed numbers throughout.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bestLossPerWidth, formatHeadline, headlineReport, pairedDifference, t975, tuningCost, type TargetRuns } from '../../../src/sweep/headline';
import type { SweepReport } from '../../../src/sweep/types';

/** A sweep result with just what the headline reads: trials, steps, widths and each width's optimum. */
function sweep(steps: number, trials: { width: number; lr: number; seed?: number; loss: number }[]): SweepReport {
  const widths = [...new Set(trials.map((t) => t.width))].sort((a, b) => a - b);
  const optimum = widths.map((w) => {
    const best = trials.filter((t) => t.width === w).sort((a, b) => a.loss - b.loss)[0]!;
    return { width: w, lr: best.lr, loss: best.loss, log2Lr: Math.log2(best.lr), fittedLr: best.lr, fittedLog2Lr: Math.log2(best.lr), atEdge: false };
  });
  return {
    trials: trials.map((t) => ({ width: t.width, lr: t.lr, seed: t.seed ?? 0, loss: t.loss, diverged: false })),
    optimum, widths, steps, lrs: [...new Set(trials.map((t) => t.lr))], seeds: 1, baseWidth: 64, shiftOctaves: 0, fittedShiftOctaves: 0, transfers: true, reused: 0,
  } as unknown as SweepReport;
}

const runs = (label: string, losses: (number | null)[], seeds = losses.map((_, i) => i)): TargetRuns => ({ label, width: 128, lr: 2 ** -8, hp: {}, from: 'test', seeds, losses });

describe('headline: tuning cost', () => {
  it('counts trial-steps x width (and x width^2) over every trial of every sweep of a route', () => {
    const proxy = [sweep(400, [{ width: 32, lr: 1e-3, loss: 2 }, { width: 32, lr: 2e-3, loss: 2 }, { width: 64, lr: 1e-3, loss: 2 }]), sweep(100, [{ width: 64, lr: 1e-3, loss: 2 }])];
    const c = tuningCost(proxy);
    assert.equal(c.trials, 4);
    assert.equal(c.trialSteps, 400 * 3 + 100);
    assert.equal(c.stepWidth, 400 * (32 + 32 + 64) + 100 * 64); // 57,600
    assert.equal(c.stepWidth2, 400 * (1024 + 1024 + 4096) + 100 * 4096);
    assert.equal(c.cpuMs, null, 'no measured times given');
  });

  it('sums measured times, and says none when one trial has none', () => {
    const s = sweep(10, [{ width: 8, lr: 1, loss: 1 }, { width: 8, lr: 2, loss: 1 }]);
    assert.equal(tuningCost([s], (_r, i) => [1500, 2500][i]).cpuMs, 4000);
    assert.equal(tuningCost([s], (_r, i) => (i === 0 ? 1500 : undefined)).cpuMs, null);
  });

  it('the ratio: a proxy at 1/4 of the width with the same grid costs 25%', () => {
    const grid = [2 ** -10, 2 ** -9, 2 ** -8];
    const mup = sweep(400, grid.map((lr) => ({ width: 32, lr, loss: 2 })));
    const sp = sweep(400, grid.map((lr) => ({ width: 128, lr, loss: 2 })));
    const r = headlineReport({ mupTuning: [mup], spTuning: [sp], mup: runs('muP', [2, 2]), sp: runs('SP', [2, 2]) });
    assert.equal(r.cost.ratio, 0.25);
    assert.equal(r.cost.ratio2, 1 / 16);
  });
});

describe('headline: the paired interval and the verdict', () => {
  it('pairedDifference: mean and t-interval of the per-seed differences', () => {
    // differences -0.1, -0.2, -0.3: mean -0.2, sd 0.1, half = 4.303 * 0.1 / sqrt(3) = 0.24844
    const d = pairedDifference([1.9, 1.8, 1.7], [2.0, 2.0, 2.0]);
    assert.equal(d.n, 3);
    assert.ok(Math.abs(d.mean + 0.2) < 1e-12);
    assert.ok(Math.abs(d.half! - (4.303 * 0.1) / Math.sqrt(3)) < 1e-9);
    assert.ok(Math.abs(d.lo! - (-0.2 - 0.248434)) < 1e-5 && Math.abs(d.hi! - (-0.2 + 0.248434)) < 1e-5);
    assert.equal(pairedDifference([1], [2]).half, null);
    assert.throws(() => pairedDifference([1, 2], [1]), /equally long/);
    assert.equal(t975(2), 4.303);
    assert.equal(t975(100), 1.96);
  });

  const tuning = [sweep(400, [{ width: 32, lr: 1e-3, loss: 2.3 }, { width: 64, lr: 1e-3, loss: 2.2 }])];
  const spTuning = [sweep(400, [{ width: 128, lr: 1e-3, loss: 2.1 }])];

  it('muP better when the whole interval is below 0', () => {
    const r = headlineReport({ mupTuning: tuning, spTuning, mup: runs('muP', [2.0, 2.01, 1.99]), sp: runs('SP', [2.1, 2.12, 2.08]) });
    assert.equal(r.verdict, 'mup-better');
    assert.ok(r.difference!.hi! < 0);
    assert.match(r.summary, /muP transferred 2\.0000 vs SP tuned at width 128 2\.1000: muP - SP = -0\.1000 \+- 0\.\d{4} \(95%, 3 seeds, paired\): muP is better/);
  });

  it('SP better when the whole interval is above 0; no difference when it straddles 0', () => {
    const worse = headlineReport({ mupTuning: tuning, spTuning, mup: runs('muP', [2.2, 2.21, 2.19]), sp: runs('SP', [2.1, 2.12, 2.08]) });
    assert.equal(worse.verdict, 'sp-better');
    assert.match(worse.summary, /SP is better$/);
    const tie = headlineReport({ mupTuning: tuning, spTuning, mup: runs('muP', [2.1, 2.0, 2.2]), sp: runs('SP', [2.05, 2.1, 2.1]) });
    assert.equal(tie.verdict, 'no-difference');
    assert.ok(tie.difference!.lo! < 0 && tie.difference!.hi! > 0);
    assert.match(tie.summary, /no difference resolved: muP is no worse within the interval/);
  });

  it('not judged with one seed, with different seeds, or when both diverged; a route that diverged loses', () => {
    assert.equal(headlineReport({ mupTuning: tuning, spTuning, mup: runs('muP', [2.0]), sp: runs('SP', [2.1]) }).verdict, 'not-judged');
    const other = headlineReport({ mupTuning: tuning, spTuning, mup: runs('muP', [2.0, 2.0], [0, 1]), sp: runs('SP', [2.1, 2.1], [1, 2]) });
    assert.equal(other.verdict, 'not-judged');
    assert.match(other.summary, /different seeds/);
    const div = headlineReport({ mupTuning: tuning, spTuning, mup: runs('muP', [2.0, null]), sp: runs('SP', [2.1, 2.1]) });
    assert.equal(div.verdict, 'sp-better');
    assert.equal(div.mup.mean, null);
    assert.equal(headlineReport({ mupTuning: tuning, spTuning, mup: runs('muP', [null, 2]), sp: runs('SP', [2.1, null]) }).verdict, 'not-judged');
  });

  it('refuses routes run at different widths', () => {
    assert.throws(() => headlineReport({ mupTuning: tuning, spTuning, mup: runs('muP', [2]), sp: { ...runs('SP', [2]), width: 256 } }), /different widths/);
  });
});

describe("headline: muP's loss per width, and the printed lines", () => {
  it("each proxy width's best over its sweeps, then the target's mean; improves only if below every proxy", () => {
    const lr = sweep(400, [{ width: 32, lr: 1e-3, loss: 2.4 }, { width: 64, lr: 1e-3, loss: 2.3 }]);
    const hp = sweep(400, [{ width: 32, lr: 1e-3, loss: 2.35 }, { width: 64, lr: 1e-3, loss: 2.32 }]);
    assert.deepEqual(bestLossPerWidth([lr, hp]), [{ width: 32, loss: 2.35 }, { width: 64, loss: 2.3 }]);
    const spTuning = [sweep(400, [{ width: 128, lr: 1e-3, loss: 2.1 }])];
    const good = headlineReport({ mupTuning: [lr, hp], spTuning, mup: runs('muP, transferred', [2.2, 2.2]), sp: runs('SP', [2.1, 2.1]) });
    assert.deepEqual(good.mupByWidth, [{ width: 32, loss: 2.35, where: 'proxy' }, { width: 64, loss: 2.3, where: 'proxy' }, { width: 128, loss: 2.2, where: 'target' }]);
    assert.equal(good.mupImprovesWithWidth, true);
    assert.deepEqual(good.proxyWidths, [32, 64]);
    const flat = headlineReport({ mupTuning: [lr, hp], spTuning, mup: runs('muP', [2.31, 2.31]), sp: runs('SP', [2.1, 2.1]) });
    assert.equal(flat.mupImprovesWithWidth, false);
    const lines = formatHeadline(flat);
    assert.equal(lines[0], 'headline at width 128 (muP tuned at widths 32, 64):');
    assert.match(lines.join('\n'), /muP's best loss by width: 32: 2\.3500, 64: 2\.3000, 128 \(transferred\): 2\.3100 \(does NOT improve with width\)/);
    // cost: muP 400 x (32 + 64) x 2 sweeps = 76,800; SP 400 x 128 = 51,200: 150%; x width^2: 4,096,000 / 6,553,600 = 62.5%
    assert.match(lines.join('\n'), /muP on the proxy: 4 trials, 76,800 trial-steps x width/);
    assert.match(lines.join('\n'), /muP's tuning cost \/ SP's: 150% in trial-steps x width, 63% in x width\^2/);
  });
});
