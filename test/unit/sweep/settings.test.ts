// mupLens.sweep.targetWidth: the width a sweep from the editor recommends an LR for (as --target-width).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSweepSettings } from '../../../src/settings/sweep';

const withSetting = (k: string, v: unknown) => readSweepSettings((key) => (key === k ? v : undefined));
const problemsOf = (k: string, v: unknown) => withSetting(k, v).problems.join('\n');

test('settings: sweep.targetWidth defaults to 0 = the widest width swept (undefined for the engine)', () => {
  assert.equal(readSweepSettings(() => undefined).settings.targetWidth, undefined);
  assert.equal(withSetting('sweep.targetWidth', 0).settings.targetWidth, undefined);
});

test('settings: sweep.targetWidth passes a positive integer through', () => {
  assert.equal(withSetting('sweep.targetWidth', 4096).settings.targetWidth, 4096);
});

test('settings: a bad sweep.targetWidth names the setting', () => {
  for (const v of [-1, 1.5, '4096', true]) {
    assert.match(problemsOf('sweep.targetWidth', v), /mupLens\.sweep\.targetWidth must be an integer >= 0/);
  }
});

test('settings: sweep.hp takes the grids of --hp NAME=GRID; a wrong one names the setting and the HP', () => {
  assert.deepEqual(readSweepSettings(() => undefined).settings.hps, []);
  assert.deepEqual(withSetting('sweep.hp', { outputMult: '2^-1:2^1:1', initStd: '0.5,1' }).settings.hps, [
    { name: 'outputMult', values: [0.5, 1, 2] },
    { name: 'initStd', values: [0.5, 1] },
  ]);
  assert.match(problemsOf('sweep.hp', { outputMult: '2^-4' }), /^$/, 'one value is a fixed HP');
  assert.match(problemsOf('sweep.hp', { outputMult: 'x' }), /^mupLens\.sweep\.hp: outputMult: 'x' is not a number$/);
  assert.match(problemsOf('sweep.hp', { lr: '1,2' }), /^mupLens\.sweep\.hp: the learning rate is swept by --lrs or --lr-range, not --hp lr$/);
  assert.match(problemsOf('sweep.hp', '2^-4:2^4'), /^mupLens\.sweep\.hp: expected an object of grids/);
  assert.match(problemsOf('sweep.hp', { outputMult: true }), /^mupLens\.sweep\.hp: outputMult: expected a grid like "2\^-4:2\^4:1"/);
});
