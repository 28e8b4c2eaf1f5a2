// Issue 21 (and 28.2): a sweep's verdict with its uncertainty. The bootstrap's bounds are pinned against values
// computed by hand on a small table; the three verdicts, and what would settle an inconclusive one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeTrials } from '../../../src/sweep/optimum';
import { verdictLine } from '../../../src/sweep/report';
import { judgeAxis, vertexOf } from '../../../src/sweep/uncertainty';
import type { SweepTrial } from '../../../src/sweep/types';

const xs = [-10, -9, -8, -7, -6];
/** Two widths x five LRs x two seeds: each seed's loss at x = -10..-6. */
const table: Record<number, number[][]> = {
  64: [[1.0, 0.6, 0.5, 0.7, 1.1], [1.0, 0.5, 0.62, 0.7, 1.1]],
  256: [[1.2, 0.9, 0.7, 0.6, 0.9], [1.2, 0.9, 0.7, 0.62, 0.8]],
};
function trialsOf(t: Record<number, number[][]>, x = xs): SweepTrial[] {
  return Object.entries(t).flatMap(([w, seeds]) => seeds.flatMap((ls, seed) => ls.map((loss, i) => ({ width: Number(w), lr: 2 ** x[i]!, seed, loss, diverged: false }))));
}
const grid = { widths: [64, 256], lrs: xs.map((x) => 2 ** x), seeds: 2 };
const near = (a: number | undefined, b: number, tol = 1e-4) => assert.ok(a !== undefined && Math.abs(a - b) < tol, `${a} != ${b}`);

test('the bootstrap interval of each optimum and of the shift, by hand', () => {
  // Vertex through the argmin and its neighbours (spacing 1): x1 - (y2 - y0) / (2 (y0 - 2 y1 + y2)).
  // Width 64: seed 0 alone -8 - 0.1/0.6 = -8.16667; seed 1 alone -9 + 0.38/1.24 = -8.69355; both -9 + 0.44/0.92 = -8.52174.
  // Width 256: seed 0 -7 - 0.2/0.8 = -7.25; seed 1 -7 - 0.1/0.52 = -7.19231; both -7 - 0.15/0.66 = -7.22727.
  near(vertexOf(xs, table[64]![0]!)!, -8.16667);
  near(vertexOf(xs, table[64]![1]!)!, -8.69355);
  // A replicate draws two seeds with replacement: one seed twice (1/4 each) or both (1/2). The 2.5% and 97.5%
  // quantiles are the extreme outcomes (each has 1/4 >= 2.5% of the mass): the single-seed vertices.
  const a = analyzeTrials(trialsOf(table), grid);
  const [o64, o256] = a.optimum;
  near(o64!.fittedLog2Lr, -8.52174);
  near(o64!.interval?.low, -8.69355);
  near(o64!.interval?.high, -8.16667);
  near(o256!.interval?.low, -7.25);
  near(o256!.interval?.high, -7.19231);
  // The shift v256 - v64: its extremes have probability 1/16 = 6.25% each, so they are the bounds:
  // -7.25 + 8.16667 = 0.91667 and -7.19231 + 8.69355 = 1.50124. The point: -7.22727 + 8.52174 = 1.29447.
  near(a.fittedShiftOctaves, 1.29447);
  near(a.shiftInterval?.low, 0.91667);
  near(a.shiftInterval?.high, 1.50124);
  // It straddles the rule (<= 1 octave): inconclusive, and a one-octave grid is refined.
  assert.equal(a.verdict, 'inconclusive');
  assert.equal(a.lrVerdict, 'inconclusive');
  assert.equal(a.transfers, false);
  assert.match(a.reasons[0]!, /^the shift's 95% interval \[0\.92, 1\.5\] octaves straddles the rule \(<= 1\)$/);
  assert.deepEqual(a.settle, ['refine around 2^-7.75 (--refine)']);
  // The same trials deterministically give the same intervals.
  assert.deepEqual(analyzeTrials(trialsOf(table), grid).shiftInterval, a.shiftInterval);
});

test('transfers: the whole shift interval within the rule; does not transfer: the whole interval above it', () => {
  const still = { 64: table[64]!, 256: table[64]!.map((ls) => ls.map((l) => l + 0.1)) };
  const t = analyzeTrials(trialsOf(still), grid);
  assert.equal(t.verdict, 'transfers');
  assert.equal(t.transfers, true);
  assert.ok(t.shiftInterval!.high <= 1, JSON.stringify(t.shiftInterval));
  // Width 64's best at 2^-9 (fitted -8.67, -8.64), width 256's at 2^-7 (-7.25, -7.19): every replicate's shift is over 1.
  const moved = { 64: [[1.0, 0.5, 0.6, 0.9, 1.1], [1.0, 0.52, 0.6, 0.9, 1.1]], 256: table[256]! };
  const m = analyzeTrials(trialsOf(moved), grid);
  assert.equal(m.verdict, 'does-not-transfer');
  assert.ok(m.shiftInterval!.low > 1, JSON.stringify(m.shiftInterval));
  assert.match(verdictLine({ ...report(m), transfers: m.transfers }), /^transfers: NO \(the best LR moves 2 octaves across widths, fitted [\d.]+, 95% interval \[[\d.]+, [\d.]+\]; rule: <= 1\)$/);
});

test('a one-LR "sweep" and a one-seed sweep are inconclusive, with the reason and what settles it', () => {
  // Issue 28: one LR was never compared with anything.
  const one = trialsOf({ 64: [[0.5], [0.51]], 256: [[0.4], [0.41]] }, [-8]);
  const a = analyzeTrials(one, { widths: [64, 256], lrs: [2 ** -8], seeds: 2 });
  assert.equal(a.verdict, 'inconclusive');
  assert.equal(a.transfers, false);
  assert.equal(a.everyAxisTransfers, false);
  assert.deepEqual(a.reasons, ['one LR value: nothing to compare it with, so no transfer can be shown']);
  assert.deepEqual(a.settle, ['sweep a range (--lr-range 2^-14:2^-4:1)']);
  assert.equal(verdictLine(report(a)), 'transfers: INCONCLUSIVE (the best LR moves 0 octaves across widths; rule: <= 1)\ninconclusive: one LR value: nothing to compare it with, so no transfer can be shown\nto settle it: sweep a range (--lr-range 2^-14:2^-4:1)');
  // One seed: the point says 1 octave, nothing says how much of it is noise.
  const single = trialsOf({ 64: [table[64]![0]!], 256: [table[256]![0]!] });
  const s = analyzeTrials(single, { ...grid, seeds: 1 });
  assert.equal(s.verdict, 'inconclusive');
  assert.equal(s.shiftInterval, null);
  assert.equal(s.optimum[0]!.interval, null);
  assert.deepEqual(s.settle, ['add seeds (--seeds 3)']);
});

test('an optimum at the grid edge: inconclusive with the range to extend to; a flat bottom asks for seeds', () => {
  const edge = judgeAxis({
    name: 'LR', values: 9, complete: true, seeds: 3, rule: 1, xs: [-13, -12, -11, -10, -9, -8, -7, -6, -5],
    optima: [{ width: 64, fitted: -8, atEdge: false, side: null }, { width: 1024, fitted: -13, atEdge: true, side: 'low' }],
    boot: { intervals: new Map(), shift: { low: 0.5, high: 5 } },
  });
  assert.equal(edge.verdict, 'inconclusive');
  assert.deepEqual(edge.settle, ['extend the range to 2^-15']);
  const flat = judgeAxis({
    name: 'LR', values: 9, complete: true, seeds: 3, rule: 1, xs: [-9, -8.75, -8.5, -8.25, -8, -7.75, -7.5],
    optima: [{ width: 64, fitted: -8, atEdge: false, side: null }, { width: 256, fitted: -8.5, atEdge: false, side: null }],
    boot: { intervals: new Map([[64, { low: -8.1, high: -7.9 }], [256, { low: -9, high: -7.6 }]]), shift: { low: 0.1, high: 1.3 } },
  });
  assert.equal(flat.verdict, 'inconclusive');
  assert.match(flat.reasons[1]!, /^width 256: the bottom is flat within noise \(its optimum anywhere in 2\^-9\.\.2\^-7\.6\)$/);
  assert.deepEqual(flat.settle, ['add seeds (--seeds 6)']);
});

function report(a: ReturnType<typeof analyzeTrials>) {
  return {
    trials: [], optimum: a.optimum, shiftOctaves: a.shiftOctaves, transfers: a.transfers, reused: 0, model: { file: 'm.ts', exportName: 'mlp' },
    parametrization: 'mup' as const, widths: [64, 256], lrs: [], seeds: 2, steps: 10, baseWidth: 64, fittedShiftOctaves: a.fittedShiftOctaves,
    hps: [], everyAxisTransfers: a.everyAxisTransfers, verdict: a.verdict, lrVerdict: a.lrVerdict, shiftInterval: a.shiftInterval, reasons: a.reasons,
    settle: a.settle, recommended: null, backends: [], data: null, ran: 0, missing: 0, complete: true, missingTrials: [], failed: 0, cancelled: false,
    workers: 1, shard: null, storeDir: '/s', elapsedMs: 0, warnings: [],
  };
}

test('the optimum moves at the narrow end only: inconclusive, and it names the narrowest proxy that transfers', () => {
  // Width 64's best near 2^-7.2 (table[256]'s curves), widths 256 and 1024 near 2^-8.5 (table[64]'s, the same two
  // seeds each). Whole set: every replicate's shift lies in [-7.25 + 8.16667, -7.19231 + 8.69355] = [0.92, 1.50],
  // across the rule. From 256 up: two widths with the same seed curves, each drawn on its own: the shift is 0 when
  // both draw alike, and at most |-8.16667 + 8.69355| = 0.52688 (both single-seed extremes: 2 x 1/16 = 12.5% of the
  // mass, so that is the 97.5% quantile); 0 has 3/8 of the mass, so it is the 2.5% quantile.
  const three = { 64: table[256]!, 256: table[64]!, 1024: table[64]! };
  const g3 = { widths: [64, 256, 1024], lrs: xs.map((x) => 2 ** x), seeds: 2 };
  const a = analyzeTrials(trialsOf(three), g3);
  assert.equal(a.verdict, 'inconclusive');
  assert.ok(a.shiftInterval!.low >= 0.91666 && a.shiftInterval!.high <= 1.50125 && a.shiftInterval!.low <= 1 && a.shiftInterval!.high > 1, JSON.stringify(a.shiftInterval));
  assert.equal(a.transfersFrom?.width, 256);
  near(a.transfersFrom?.shift.low, 0);
  near(a.transfersFrom?.shift.high, 0.52688);
  const text = verdictLine({ ...report(a), widths: [64, 256, 1024], transfersFrom: a.transfersFrom });
  assert.match(text, /\nto settle it: .*tune on a proxy of width >= 256 \(from width 256 up the best LR moves 0\.\.0\.53 octaves \(95%\): it transfers there; the move is at the narrow end, a finite-width effect\)$/);

  // SP's pattern: the optimum keeps moving above the narrow end too (256 -> 1024 straddles the rule): no such width.
  const sp = { 64: [[1.0, 0.5, 0.6, 0.9, 1.1], [1.0, 0.52, 0.6, 0.9, 1.1]], 256: table[64]!, 1024: table[256]! };
  const s = analyzeTrials(trialsOf(sp), g3);
  assert.equal(s.verdict, 'does-not-transfer');
  assert.equal(s.transfersFrom, null);
  assert.doesNotMatch(verdictLine({ ...report(s), widths: [64, 256, 1024], transfersFrom: s.transfersFrom }), /proxy of width|from width/);

  // Does not transfer as a whole, but from 256 up it does: the verdict stays NO (tuned at 64 it does not carry
  // over) and the line after it says where it holds.
  const far = { 64: [[0.5, 0.7, 0.9, 1.0, 1.2], [0.52, 0.7, 0.9, 1.0, 1.2]].map((ls) => [...ls]), 256: table[256]!, 1024: table[256]! };
  const f = analyzeTrials(trialsOf(far), g3);
  // (width 64's best is at the grid's low edge; the others' shift over it is still over the rule: does not transfer)
  assert.equal(f.verdict, 'does-not-transfer');
  assert.equal(f.transfersFrom?.width, 256);
  assert.match(verdictLine({ ...report(f), widths: [64, 256, 1024], transfersFrom: f.transfersFrom }), /^transfers: NO .*\nfrom width 256 up the best LR moves 0\.\.0\.06 octaves \(95%\): it transfers there/);
});
