// The same runtime on the wasm backend (what the worker uses when no native tfjs is installed).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import '@tensorflow/tfjs-backend-wasm';
import { batch, mlp, mseLoss, mup, tf, weightsOf, maxAbsDiff } from './helpers';

before(async () => {
  assert.equal(await tf.setBackend('wasm'), true, 'the wasm backend initialises');
});

describe('runtime on wasm', () => {
  it('MuAdam moves the hidden kernel by lr/m and the rest by lr, without leaking tensors', () => {
    assert.equal(tf.getBackend(), 'wasm');
    const B = 8;
    const lr = 1e-2;
    const bs = mup.inferBaseShapes((w) => mlp(w, { mu: true, baseWidth: B }), { baseWidth: B });
    const model = mlp(2 * B, { mu: true, baseWidth: B });
    mup.applyBaseShapes(model, bs, 2 * B);
    const opt = new mup.MuAdam({ learningRate: lr });
    const { x, y } = batch();
    const w0 = weightsOf(model);
    tf.dispose(opt.step(mseLoss(model, x, y)));
    const moves = weightsOf(model).map((w, i) => maxAbsDiff(w, w0[i]));
    [lr, lr, lr / 2, lr, lr, lr].forEach((e, i) => assert.ok(Math.abs(moves[i] - e) < 1e-3 * e, `weight ${i}: ${moves[i]}`));
    const n = tf.memory().numTensors;
    for (let t = 0; t < 3; t++) tf.dispose(opt.step(mseLoss(model, x, y)));
    assert.equal(tf.memory().numTensors, n);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });
});
