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
