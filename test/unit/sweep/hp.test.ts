// Hyperparameter axes of a sweep (`--hp NAME=GRID`): parsing, the grid's order and size, the identity of a trial
// without HPs (unchanged: existing stores stay valid), and the rule for the optimum of one HP when several axes
// are swept (the slice through each width's joint optimum), judged like the LR, never from an incomplete grid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enumerateGrid, gridSize, hpKey, parseHpAxes, parseHpAxis, scheduleOrder, shardOf } from '../../../src/sweep/grid';
import { analyzeTrials, recommendLr } from '../../../src/sweep/optimum';
import { trialKey, TRIAL_FORMAT, type TrialIdentity } from '../../../src/host/sweepStore';
import type { SweepTrial } from '../../../src/sweep/types';

test('--hp NAME=GRID: a log2 range or a list; mistakes say what is wrong and name the flag', () => {
  assert.deepEqual(parseHpAxis('outputMult=2^-4:2^4:1'), { name: 'outputMult', values: [-4, -3, -2, -1, 0, 1, 2, 3, 4].map((e) => 2 ** e) });
  assert.deepEqual(parseHpAxis('initStd=2,0.5,1'), { name: 'initStd', values: [0.5, 1, 2] });
  assert.deepEqual(parseHpAxis('outputMult=2^-4'), { name: 'outputMult', values: [2 ** -4] }, 'one value: a fixed HP');
  assert.deepEqual(parseHpAxis(' attnMult = 2^-1:2^1:0.5 ').values.map((v) => Number(Math.log2(v).toFixed(9))), [-1, -0.5, 0, 0.5, 1]);
  const bad: [string, RegExp][] = [
    ['outputMult', /expected NAME=GRID, e\.g\. outputMult=2\^-4:2\^4:1/],
    ['=1,2', /expected NAME=GRID/],
    ['2x=1,2', /'2x' is not a name the factory can read/],
    ['lr=1,2', /the learning rate is swept by --lrs or --lr-range/],
    ['width=1,2', /'width' is already an axis of the grid/],
    ['outputMult=', /--hp outputMult: give the values/],
    ['outputMult=0.5,abc', /--hp outputMult: 'abc' is not a number$/],
    ['outputMult=0,1', /--hp outputMult: values must be > 0 \(got 0\)$/],
    ['outputMult=2^-4:2^4:0', /--hp outputMult: the step \(in octaves\) must be > 0/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseHpAxis(text), re, text);
  assert.throws(() => parseHpAxes(['a=1,2', 'b=1', 'a=3']), /--hp a is given twice/);
});

test('the grid is widths x LRs x HP values x seeds, in one fixed order; without HPs the points are as they were', () => {
  const axes = parseHpAxes(['a=1,2', 'b=2^0:2^2:1']);
  const grid = enumerateGrid([16, 32], [0.01, 0.1], 2, axes);
  assert.equal(grid.length, 2 * 2 * 2 * 3 * 2);
  assert.equal(gridSize(2, 2, 2, axes), grid.length);
  assert.deepEqual(grid.slice(0, 4), [
    { width: 16, lr: 0.01, seed: 0, hp: { a: 1, b: 1 } },
    { width: 16, lr: 0.01, seed: 1, hp: { a: 1, b: 1 } },
    { width: 16, lr: 0.01, seed: 0, hp: { a: 1, b: 2 } },
    { width: 16, lr: 0.01, seed: 1, hp: { a: 1, b: 2 } },
  ]);
  assert.equal(new Set(grid.map((p) => `${p.width}|${p.lr}|${p.seed}|${hpKey(p.hp)}`)).size, grid.length, 'every point distinct');
  // Shards still partition it, and the pool's order keeps every point.
  assert.equal(new Set([0, 1, 2].flatMap((i) => shardOf(grid, i, 3))).size, grid.length);
  assert.equal(scheduleOrder(grid)[0]!.width, 32);
  assert.equal(new Set(scheduleOrder(grid)).size, grid.length);
  assert.deepEqual(enumerateGrid([16], [0.1], 1), [{ width: 16, lr: 0.1, seed: 0 }], 'no hp key without HP axes');
  assert.equal(hpKey({ b: 2, a: 1 }), 'a=1;b=2');
});

test('a trial without HPs keeps its identity and key: stores written before HP axes existed stay valid', () => {
  const id: TrialIdentity = {
    modelSha256: 'abc', exportName: 'mlp', width: 64, lr: 0.01, seed: 0, steps: 10, parametrization: 'mup', baseWidth: 64,
    data: { kind: 'synthetic' }, format: TRIAL_FORMAT,
  };
  // The key this identity had before `hp` was added to TrialIdentity (computed with the code of that commit).
  assert.equal(trialKey(id), '39b7b0041cdcbfd8b6741af6757a0288');
  assert.equal(trialKey({ ...id, hp: undefined }), trialKey(id));
  assert.notEqual(trialKey({ ...id, hp: { outputMult: 1 } }), trialKey(id));
  assert.notEqual(trialKey({ ...id, hp: { outputMult: 1 } }), trialKey({ ...id, hp: { outputMult: 2 } }));
  assert.equal(trialKey({ ...id, hp: { a: 1, b: 2 } }), trialKey({ ...id, hp: { b: 2, a: 1 } }), 'HP order does not matter');
});

/** Loss of an LR x outputMult grid: a bowl in each, the HP's best at `bestAlpha(width)`, the LR's at 2^-8; two seeds
 *  offset by a constant (their curves agree in shape, so every bootstrap interval is the point: issue 21). */
function bowl(widths: number[], bestAlpha: (w: number) => number, alphas = [-4, -3, -2, -1, 0, 1, 2, 3, 4]): SweepTrial[] {
  const out: SweepTrial[] = [];
  for (const width of widths) for (const e of [-10, -9, -8, -7, -6]) for (const a of alphas) for (const seed of [0, 1]) {
    out.push({ width, lr: 2 ** e, seed, loss: 0.6 + 0.001 * seed + 0.02 * (e + 8) ** 2 + 0.03 * (a - bestAlpha(width)) ** 2, diverged: false, hp: { outputMult: 2 ** a } });
  }
  return out;
}
const grid = (widths: number[], alphas = [-4, -3, -2, -1, 0, 1, 2, 3, 4]) => ({ widths, lrs: [-10, -9, -8, -7, -6].map((e) => 2 ** e), seeds: 2, hps: [{ name: 'outputMult', values: alphas.map((a) => 2 ** a) }] });

test('SP-like: the best output multiplier moves with width (does not transfer); muP-like: it stays (transfers)', () => {
  const sp = analyzeTrials(bowl([64, 256, 1024], (w) => -Math.log2(w / 64)), grid([64, 256, 1024]));
  const h = sp.hps[0]!;
  assert.equal(h.name, 'outputMult');
  assert.deepEqual(h.optimum.map((o) => [o.width, o.log2Value]), [[64, 0], [256, -2], [1024, -4]]);
  assert.equal(h.shiftOctaves, 4);
  assert.equal(h.transfers, false);
  assert.ok(h.optimum[2]!.atEdge);
  assert.ok(sp.warnings.some((w) => /width 1024: the best outputMult is the smallest of its grid/.test(w)), sp.warnings.join('\n'));
  // The LR's own answer is unchanged by the HP axis: its best is 2^-8 at every width.
  assert.deepEqual(sp.optimum.map((o) => o.log2Lr), [-8, -8, -8]);
  assert.equal(sp.transfers, true);
  assert.equal(sp.everyAxisTransfers, false, 'one axis moves: the sweep does not transfer');

  const mup = analyzeTrials(bowl([64, 256, 1024], () => 0.3), grid([64, 256, 1024]));
  const m = mup.hps[0]!;
  assert.deepEqual(m.optimum.map((o) => o.log2Value), [0, 0, 0]);
  for (const o of m.optimum) assert.ok(Math.abs(o.fittedLog2Value - 0.3) < 1e-9 && Math.abs(o.fittedValue - 2 ** 0.3) < 1e-9, `fitted ${o.fittedLog2Value}`);
  assert.equal(m.shiftOctaves, 0);
  assert.equal(m.transfers, true);
  assert.equal(mup.everyAxisTransfers, true);
  assert.ok(Math.abs(recommendLr(mup, 4096)!.log2Lr - -8) < 1e-9);
});

test('several axes: each axis is the slice through the joint optimum, the other axes at the width\'s best cell', () => {
  // An interaction: at LR 2^-8 the best multiplier is 2^0, at 2^-6 it is 2^2; the joint best is (2^-8, 2^0).
  const trials: SweepTrial[] = [];
  for (const e of [-8, -6]) for (const a of [0, 1, 2]) {
    const loss = e === -8 ? 1 + 0.1 * a ** 2 : 1.05 + 0.1 * (a - 2) ** 2;
    trials.push({ width: 64, lr: 2 ** e, seed: 0, loss, diverged: false, hp: { outputMult: 2 ** a } });
  }
  const a = analyzeTrials(trials);
  const curve = a.hps[0]!.curves.get(64)!;
  // The HP's curve is the LR 2^-8 row (not the best over LRs per value, which would read 1, 1.1, 1.05).
  assert.deepEqual(curve.map((p) => [p.log2Value, Number(p.loss.toFixed(6))]), [[0, 1], [1, 1.1], [2, 1.4]]);
  assert.equal(a.hps[0]!.optimum[0]!.value, 1);
  // The LR's curve is at the best multiplier 2^0.
  assert.deepEqual(a.curves.get(64)!.map((p) => [p.log2Lr, Number(p.loss.toFixed(6))]), [[-8, 1], [-6, 1.45]]);
  assert.equal(a.optimum[0]!.log2Lr, -8);
  // Two HP axes: each curve holds the other HP at its best.
  const two: SweepTrial[] = [];
  for (const x of [1, 2, 4]) for (const y of [1, 2, 4]) two.push({ width: 64, lr: 0.01, seed: 0, loss: (Math.log2(x) - 1) ** 2 + (Math.log2(y) - 2) ** 2 + 0.5 * Math.log2(x) * Math.log2(y), diverged: false, hp: { x, y } });
  const b = analyzeTrials(two);
  const best = two.reduce((p, q) => (q.loss! < p.loss! ? q : p));
  assert.deepEqual(b.hps.map((h) => h.optimum[0]!.value), [best.hp!.x, best.hp!.y]);
  assert.deepEqual(b.hps[0]!.curves.get(64)!.map((p) => p.loss), two.filter((t) => t.hp!.y === best.hp!.y).map((t) => t.loss));
});

test('an HP sweep at one LR: the LR is not judged, the HP is; an incomplete grid concludes nothing for any axis', () => {
  const one = bowl([64, 256], () => 0).filter((t) => t.lr === 2 ** -8);
  const g = { ...grid([64, 256]), lrs: [2 ** -8] };
  const a = analyzeTrials(one, g);
  assert.equal(a.hps[0]!.transfers, true);
  assert.equal(a.everyAxisTransfers, true);
  const moving = analyzeTrials(bowl([64, 256], (w) => (w === 64 ? 0 : -3)).filter((t) => t.lr === 2 ** -8), g);
  assert.equal(moving.transfers, false, 'one LR: the LR never "transfers" (issue 28): it was not compared with anything');
  assert.equal(moving.lrVerdict, 'inconclusive');
  assert.equal(moving.everyAxisTransfers, false, 'and the sweep does not: its only swept axis moves 3 octaves');
  assert.equal(moving.verdict, 'does-not-transfer');

  const lost = one.filter((t) => !(t.width === 256 && t.hp!.outputMult === 1));
  const inc = analyzeTrials(lost, g);
  assert.equal(inc.complete, false);
  assert.equal(inc.hps[0]!.transfers, false);
  assert.equal(inc.everyAxisTransfers, false);
  assert.equal(recommendLr(inc, 1024), null);
  assert.ok(inc.warnings.some((w) => /transfer not judged: 2 of 36 trials of the grid have no result \(width 256: 2 of 18 trials \(LRs 2\^-8\)\)/.test(w)), inc.warnings.join('\n'));
  assert.deepEqual(inc.missing, [0, 1].map((seed) => ({ width: 256, lr: 2 ** -8, seed, hp: { outputMult: 1 } })));
});

test('text and HTML reports of an HP sweep: a table per HP, its optima, the verdict per axis; one LR is not recommended from', async () => {
  const { formatText, verdictLine } = await import('../../../src/sweep/report');
  const { renderSweepReport } = await import('../../../src/report/sweepHtml');
  const { hpResults } = await import('../../../src/host/sweep');
  const g = { ...grid([64, 256, 1024]), lrs: [2 ** -8] };
  const trials = bowl([64, 256, 1024], (w) => -Math.log2(w / 64)).filter((t) => t.lr === 2 ** -8);
  const a = analyzeTrials(trials, g);
  const r = {
    trials, optimum: a.optimum, shiftOctaves: a.shiftOctaves, transfers: a.transfers, reused: 0, model: { file: 'examples/mlp/sp.ts', exportName: 'mlp' },
    parametrization: 'sp' as const, widths: g.widths, lrs: g.lrs, seeds: 2, steps: 200, baseWidth: 64, fittedShiftOctaves: a.fittedShiftOctaves,
    hps: hpResults(a, g.hps), everyAxisTransfers: a.everyAxisTransfers, verdict: a.verdict, lrVerdict: a.lrVerdict, shiftInterval: a.shiftInterval, reasons: a.reasons, settle: a.settle, recommended: recommendLr(a, 1024), backends: ['wasm'], data: null, ran: 27, missing: 0,
    complete: true, missingTrials: [], failed: 0, cancelled: false, workers: 2, shard: null, storeDir: '/s', elapsedMs: 1, warnings: a.warnings,
  };
  const text = formatText(r);
  // The JSON's HP optima carry their bootstrap interval (issue 21); these two seeds agree, so it is the point.
  assert.deepEqual(r.hps[0]!.optimum.map((o) => o.interval), [0, -2, -4].map((x) => ({ low: x, high: x })));
  assert.match(text, /^outputMult\s+w=64\s+w=256\s+w=1024$/m);
  assert.match(text, /^2\^0\s+0\.601\u00b10\.001\*\s+0\.720\u00b10\.001 \s+1\.081\u00b10\.001 $/m);
  assert.match(text, /^2\^-4\s+1\.081\u00b10\.001 \s+0\.720\u00b10\.001 \s+0\.601\u00b10\.001\*$/m);
  assert.match(text, /^width 1024\s+best outputMult 2\^-4\s+.*\[at the edge of the grid\]$/m);
  assert.match(text, /^shift of the best outputMult across widths: 4 octaves \(fitted: 4\.00, 95% interval \[4, 4\]\): does NOT transfer$/m);
  assert.equal(verdictLine(r), "transfers: NO: outputMult NO (moves 4 octaves, fitted 4, 95% interval [4, 4], an optimum at its grid's edge); rule: each best value moves <= 1 octave across widths");
  assert.doesNotMatch(text, /recommended LR/, 'the LR was not swept');
  const html = renderSweepReport([r]);
  assert.equal(html.match(/<g data-plot="sweep-sp-hp-outputMult">/g)?.length, 1);
  assert.doesNotMatch(html, /data-plot="sweep-sp"/, 'no LR plot for one LR');
  assert.match(html, /<h3>outputMult: best value moves 4\.0 octaves across widths \(does not transfer\)<\/h3>/);
  assert.match(html, /The LR was not swept: every trial at 2\^-8\./);
});
