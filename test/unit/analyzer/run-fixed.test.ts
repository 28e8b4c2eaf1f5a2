// The harness that runs fixed files (runFixed.ts) itself: a fixed model builds and runs at two widths, and a
// file that computes NaN at run time (what a wrong fix writes) fails with the value it produced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, lint, only, preferred } from './helpers';
import { exported, finiteValues, forward, loadFixed, rms, type tf } from './runFixed';

describe('runFixed', () => {
  it("the readout fix of a sequential MLP runs, and its output is the unfixed one's times base/width", async () => {
    const text = `import * as tf from '@tensorflow/tfjs';
export function mlp(width: number) {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [16], units: width, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
      tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.randomNormal({ stddev: 1, seed: 3 }) }),
    ],
  });
}`;
    const f = only(lint(text), 'mup/readout-not-scaled');
    assert.equal(f.length, 1);
    const fixed = applyFix(text, preferred(f[0]));
    const fixedRun = await loadFixed(fixed);
    const plainRun = await loadFixed(text);
    try {
      const fixedMlp = exported<(w: number) => tf.LayersModel>(fixedRun.exports, 'mlp');
      const plainMlp = exported<(w: number) => tf.LayersModel>(plainRun.exports, 'mlp');
      // Same seeds, same weights: the fixed model's output is the plain one's times 64/width, at each width.
      for (const width of [64, 256]) {
        const ratio = rms(forward(fixedMlp(width))[0]) / rms(forward(plainMlp(width))[0]);
        assert.ok(Math.abs(ratio - 64 / width) < 1e-5, `width ${width}: output ratio ${ratio}, expected ${64 / width}`);
      }
    } finally {
      fixedRun.dispose();
      plainRun.dispose();
    }
  });

  it('a file that divides a tensor by a number in plain JS fails with the NaN it produced', async () => {
    const text = `import * as tf from '@tensorflow/tfjs';
export function scores(d: number) {
  const dk = tf.scalar(d);
  const q = tf.ones([2, d]);
  return tf.matMul(q, q, false, true).div((dk as unknown as number) / 8);
}`;
    const { exports, dispose } = await loadFixed(text);
    try {
      const scores = exported<(d: number) => tf.Tensor>(exports, 'scores');
      assert.throws(() => finiteValues(scores(8)), /non-finite output NaN/);
    } finally {
      dispose();
    }
  });

  it('a browser-global file runs with the global tf, which is removed afterwards', async () => {
    const { exports, dispose } = await loadFixed(`export function m(width) { return tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: width })] }); }`, 'page.js', { globalTf: true });
    const [out] = forward(exported<(w: number) => tf.LayersModel>(exports, 'm')(5));
    assert.equal(out.length, 15);
    dispose();
    assert.equal('tf' in globalThis, false);
  });
});

