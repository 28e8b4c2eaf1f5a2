import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTrials, parabolaMin, recommendLr } from '../../../src/sweep/optimum';
import type { SweepTrial } from '../../../src/sweep/types';

/** Loss curves shaped like a parabola in log2 LR with its minimum at `best(width)`, seeds jittered. */
function bowl(widths: number[], exps: number[], best: (w: number) => number, seeds = 2): SweepTrial[] {
  const out: SweepTrial[] = [];
  for (const width of widths) for (const e of exps) for (let seed = 0; seed < seeds; seed++) {
    out.push({ width, lr: 2 ** e, seed, loss: 0.5 + 0.05 * (e - best(width)) ** 2 + 0.001 * seed, diverged: false });
  }
  return out;
}
const exps = [-12, -11, -10, -9, -8, -7, -6, -5];

test('parabola vertex: exact for a parabola, null when not convex', () => {
  const f = (x: number) => 3 * (x + 7.3) ** 2 + 1;
  assert.ok(Math.abs(parabolaMin(-8, f(-8), -7, f(-7), -6, f(-6))! - -7.3) < 1e-9);
  assert.equal(parabolaMin(-8, 1, -7, 2, -6, 1), null);
});

test('SP-like sweep: the optimum halves per width doubling, shift 2 octaves, does not transfer', () => {
  const a = analyzeTrials(bowl([64, 128, 256], exps, (w) => -7 - Math.log2(w / 64)));
  assert.deepEqual(a.optimum.map((o) => [o.width, o.log2Lr]), [[64, -7], [128, -8], [256, -9]]);
  assert.equal(a.shiftOctaves, 2);
  assert.equal(a.transfers, false);
  const rec = recommendLr(a, 1024)!;
  assert.equal(rec.method, 'extrapolated');
  assert.ok(Math.abs(rec.log2Lr - -11) < 1e-6, `log2 LR at 1024: ${rec.log2Lr}`);
});

test('muP-like sweep: the fitted minimum finds an optimum between grid points; it transfers', () => {
  const a = analyzeTrials(bowl([64, 128, 256], exps, () => -8.3));
  assert.equal(a.shiftOctaves, 0);
  assert.equal(a.transfers, true);
  for (const o of a.optimum) {
    assert.equal(o.log2Lr, -8);
    assert.ok(Math.abs(o.fittedLog2Lr - -8.3) < 1e-6);
  }
  const rec = recommendLr(a, 4096)!;
  assert.equal(rec.method, 'transfer');
  assert.ok(Math.abs(rec.log2Lr - -8.3) < 1e-6);
});

test('diverged trials are kept, never win, and a diverged seed disqualifies its cell', () => {
  const trials = bowl([64], exps, () => -5);
  // the true bowl minimum (-5) diverged on one seed: the optimum moves to the next-best LR
  for (const t of trials) if (t.lr === 2 ** -5 && t.seed === 1) Object.assign(t, { loss: null, diverged: true });
  trials.push({ width: 64, lr: 2 ** -4, seed: 0, loss: null, diverged: true });
  const a = analyzeTrials(trials);
  const curve = a.curves.get(64)!;
  assert.equal(curve.length, exps.length + 1);
  assert.equal(curve.find((p) => p.log2Lr === -5)!.diverged, 1);
  assert.equal(curve.find((p) => p.log2Lr === -5)!.loss, Infinity);
  assert.equal(a.optimum[0]!.log2Lr, -6);
  assert.equal(a.optimum[0]!.fittedLog2Lr, -6, 'no parabola through a diverged neighbour');
});

test('an optimum at the edge of the grid is flagged; all-diverged widths get no optimum', () => {
  const trials = bowl([64], exps, () => -3);
  trials.push(...exps.map((e) => ({ width: 128, lr: 2 ** e, seed: 0, loss: null, diverged: true })));
  const a = analyzeTrials(trials);
  assert.equal(a.optimum.length, 1);
  assert.equal(a.optimum[0]!.atEdge, true);
  assert.ok(a.warnings.some((w) => /width 64: the best LR is the largest of the grid/.test(w)));
  assert.ok(a.warnings.some((w) => /width 128: every LR diverged/.test(w)));
  assert.equal(a.transfers, false);
});

test('no transfer is claimed when the optima sit at the edge of the grid, even with a zero shift', () => {
  // Both widths' losses still fall at the largest LR: the shift reads 0, but the optima may lie beyond the grid.
  const a = analyzeTrials(bowl([64, 256], exps, () => 0));
  assert.equal(a.shiftOctaves, 0);
  assert.ok(a.optimum.every((o) => o.atEdge));
  assert.equal(a.transfers, false);
  assert.ok(a.warnings.some((w) => /transfer not claimed: the best LR of width 64, 256 is at the grid's edge/.test(w)), a.warnings.join('\n'));
});
