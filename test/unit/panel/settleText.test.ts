// What would settle an inconclusive sweep, as the editor says it (src/plot/settleText.ts): every flag the engine's
// settle lines name (src/sweep/uncertainty.ts) becomes the mupLens.sweep setting that does the same; none is left.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inconclusiveText, settleInEditor } from '../../../src/plot/settleText';
import { judgeAxis } from '../../../src/sweep/uncertainty';
import { inconclusiveSweep } from '../../../src/sweep/verify';

test('each CLI flag of a settle line becomes the setting that does the same', () => {
  assert.equal(settleInEditor('add seeds (--seeds 6)'), 'add seeds (set mupLens.sweep.seeds to 6)');
  assert.equal(settleInEditor('sweep a range (--lr-range 2^-14:2^-4:1)'), 'sweep a range (set mupLens.sweep.lrRange to "2^-14:2^-4:1")');
  assert.equal(settleInEditor('sweep a range (--hp outputMult=2^-4:2^4:1)'), 'sweep a range (set mupLens.sweep.hp to {"outputMult": "2^-4:2^4:1"})');
  assert.equal(settleInEditor('refine around 2^-8 (--refine)'), 'refine around 2^-8 (set mupLens.sweep.lrRange to "2^-10:2^-6:0.25")');
  assert.equal(settleInEditor('run the same command again to complete it'), 'run the sweep again to complete it');
  assert.equal(settleInEditor('lower the LR range'), 'lower the LR range (mupLens.sweep.lrRange)');
  assert.equal(settleInEditor('extend the range to 2^-2'), 'extend the range to 2^-2');
  assert.equal(settleInEditor('something new (--flag-without-setting 3)'), 'something new');
});

test("the engine's own settle lines and the transfer's refusal carry no CLI flag once rephrased", () => {
  const boot = { shift: null, intervals: new Map() };
  const one = judgeAxis({ name: 'LR', values: 1, complete: true, optima: [], xs: [-8], seeds: 1, rule: 1, boot } as never);
  const seeds = judgeAxis({ name: 'LR', values: 5, complete: true, optima: [{ width: 64, fitted: -8, atEdge: false }, { width: 128, fitted: -8, atEdge: false }], xs: [-10, -9, -8, -7, -6], seeds: 1, rule: 1, boot } as never);
  assert.equal(seeds.verdict, 'inconclusive');
  for (const j of [one, seeds]) {
    assert.ok(j.settle.some((s) => /\(--/.test(s)), `the CLI's words name a flag: ${j.settle.join('; ')}`);
    for (const s of j.settle) assert.doesNotMatch(settleInEditor(s), /--[a-z]/);
  }
  assert.equal(inconclusiveText(seeds.reasons, seeds.settle), 'inconclusive: one seed: nothing says how much of the shift is noise. To settle it: add seeds (set mupLens.sweep.seeds to 3).');
  const refusal = inconclusiveSweep({ parametrization: 'mup', lrs: [2 ** -8], hps: [] })!;
  assert.match(refusal, /--lr-range/);
  assert.match(settleInEditor(refusal), /to settle it: sweep a range \(set mupLens\.sweep\.lrRange to "2\^-14:2\^-4:1"\)$/);
});
