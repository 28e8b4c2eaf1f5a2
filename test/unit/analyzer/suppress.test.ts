// Suppression comments: `// mup-ignore-next-line [rule ...]`, `// mup-ignore-file [rule ...]`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lint, rulesOf } from './helpers';

const model = (before: string, top = '') => `import * as tf from '@tensorflow/tfjs';
${top}export function mlp(width: number) {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [8], units: width, kernelInitializer: 'heNormal' }),
${before}      tf.layers.dense({ units: 3 }),
    ],
  });
}`;

describe('suppression', () => {
  it('without a directive both readout findings are there', () => {
    assert.deepEqual(rulesOf(lint(model(''))), ['6:mup/init-fan-avg', '6:mup/readout-not-scaled']);
  });

  it('mup-ignore-next-line with no rule silences every rule on the next line', () => {
    assert.deepEqual(rulesOf(lint(model('      // mup-ignore-next-line\n'))), []);
  });

  it('mup-ignore-next-line with a rule silences only that rule', () => {
    assert.deepEqual(rulesOf(lint(model('      // mup-ignore-next-line mup/readout-not-scaled\n'))), ['7:mup/init-fan-avg']);
    assert.deepEqual(rulesOf(lint(model('      // mup-ignore-next-line mup/readout-not-scaled, mup/init-fan-avg\n'))), []);
  });

  it('mup-ignore-next-line applies to the next line only', () => {
    assert.deepEqual(rulesOf(lint(model('      // mup-ignore-next-line\n\n'))), ['8:mup/init-fan-avg', '8:mup/readout-not-scaled']);
  });

  it('mup-ignore-file silences the file, or the listed rules', () => {
    assert.deepEqual(rulesOf(lint(model('', '// mup-ignore-file\n'))), []);
    assert.deepEqual(rulesOf(lint(model('', '/* mup-ignore-file mup/init-fan-avg */\n'))), ['7:mup/readout-not-scaled']);
  });
});
