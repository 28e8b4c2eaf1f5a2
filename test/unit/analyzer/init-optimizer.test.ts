// mup/init-fan-avg, mup/init-constant-std and mup/optimizer-global-lr.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineOf, lint, only } from './helpers';

const mlp = (inputInit: string, hiddenInit: string, readoutInit: string, extra = '') => `import * as tf from '@tensorflow/tfjs';
export function mlp(width: number) {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [32], units: width${inputInit} }),
      tf.layers.dense({ units: width${hiddenInit} }),
      tf.layers.dense({ units: 10${readoutInit} }),
      tf.layers.rescaling({ scale: 64 / width }),
    ],
  });
${extra}  return model;
}`;

describe('mup/init-fan-avg', () => {
  it('flags input and readout layers on the glorot default, not the hidden one', () => {
    const text = mlp('', '', '');
    const f = only(lint(text), 'mup/init-fan-avg');
    assert.deepEqual(f.map((x) => x.line), [lineOf(text, 'inputShape'), lineOf(text, 'units: 10')]);
    assert.ok(f.every((x) => x.severity === 'warning'));
    assert.match(f[0].message, /input layer uses glorotUniform \(the tfjs default\)/);
    assert.match(f[1].message, /muP wants zeros/);
  });

  it('flags an explicit glorotNormal and a fanAvg varianceScaling', () => {
    const text = mlp(`, kernelInitializer: 'glorotNormal'`, '', `, kernelInitializer: tf.initializers.varianceScaling({ mode: 'fanAvg' })`);
    assert.equal(only(lint(text), 'mup/init-fan-avg').length, 2);
  });

  it('accepts fan-in inits and a zero readout (directly, through a constant, through a factory)', () => {
    for (const [i, r] of [
      [`, kernelInitializer: 'heNormal'`, `, kernelInitializer: 'zeros'`],
      [`, kernelInitializer: tf.initializers.varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' })`, `, kernelInitializer: tf.initializers.zeros()`],
    ]) {
      assert.deepEqual(only(lint(mlp(i, '', r)), 'mup/init-fan-avg'), []);
    }
    const viaConst = `const init = () => tf.initializers.leCunUniform({});\n` + mlp(`, kernelInitializer: init()`, '', `, kernelInitializer: 'zeros'`);
    assert.deepEqual(only(lint(viaConst), 'mup/init-fan-avg'), []);
  });
});

describe('mup/init-constant-std', () => {
  it('flags a hidden layer with stddev 0.02, stating the std', () => {
    const text = mlp(`, kernelInitializer: 'heNormal'`, `, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.02 })`, `, kernelInitializer: 'zeros'`);
    const f = only(lint(text), 'mup/init-constant-std');
    assert.deepEqual(f.map((x) => x.line), [lineOf(text, 'units: width, kernelInitializer: tf.initializers.randomNormal')]);
    assert.match(f[0].message, /randomNormal stddev 0\.02/);
  });

  it('accepts a fixed std on the input layer and on the readout (vector-like weights)', () => {
    const std = `, kernelInitializer: tf.initializers.truncatedNormal({ stddev: 0.02 })`;
    assert.deepEqual(only(lint(mlp(std, '', std)), 'mup/init-constant-std'), []);
  });

  it('accepts a std that depends on the width', () => {
    const text = mlp('', `, kernelInitializer: tf.initializers.randomNormal({ stddev: 1 / Math.sqrt(width) })`, '');
    assert.deepEqual(only(lint(text), 'mup/init-constant-std'), []);
  });
});

describe('mup/optimizer-global-lr', () => {
  it('flags one tf.train.adam LR for a model with hidden matrices', () => {
    const text = mlp('', '', '', `  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });\n`);
    const f = only(lint(text), 'mup/optimizer-global-lr');
    assert.deepEqual(f.map((x) => x.line), [lineOf(text, 'tf.train.adam')]);
    assert.equal(f[0].severity, 'warning');
    assert.match(f[0].message, /lr\/width_mult \(lr\*64\/width\)/);
  });

  it("flags compile({ optimizer: 'sgd' }) with SGD's muP rule", () => {
    const text = mlp('', '', '', `  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });\n`);
    const f = only(lint(text), 'mup/optimizer-global-lr');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /lr\*width_mult/);
  });

  it('does not flag a model without hidden matrices, or per-group width-dependent LRs', () => {
    const noHidden = `import * as tf from '@tensorflow/tfjs';
export function lin(width: number) {
  const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: width, kernelInitializer: 'heNormal' })] });
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  return m;
}`;
    assert.deepEqual(only(lint(noHidden), 'mup/optimizer-global-lr'), []);
    const perGroup = mlp('', '', '', `  const hiddenOpt = tf.train.adam(1e-3 * 64 / width);\n  const otherOpt = tf.train.adam(1e-3);\n`);
    assert.deepEqual(only(lint(perGroup), 'mup/optimizer-global-lr'), []);
  });
});

describe('severity options', () => {
  it("overrides a rule's severity and turns rules off", () => {
    const text = mlp('', '', '');
    const r = lint(text, 'm.ts', { rules: { 'mup/init-fan-avg': 'info' } });
    assert.ok(only(r, 'mup/init-fan-avg').every((f) => f.severity === 'info'));
    assert.deepEqual(only(lint(text, 'm.ts', { rules: { 'mup/init-fan-avg': 'off' } }), 'mup/init-fan-avg'), []);
  });
});
