import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OUT, IN, mlp, mup, tf, useCpu } from './helpers';

before(useCpu);

describe('inferBaseShapes', () => {
  it('classifies an MLP: input and readout kernels vector-like, hidden kernel matrix-like, readout bias fixed', () => {
    const before = tf.memory().numTensors;
    const bs = mup.inferBaseShapes((w) => mlp(w, { mu: true, baseWidth: 16 }), { baseWidth: 16, deltaWidth: 32 });
    assert.equal(tf.memory().numTensors, before, 'probe models are disposed');
    assert.deepEqual(
      bs.params.map((p) => [p.baseShape, p.kind, p.infDims]),
      [
        [[IN, 16], 'vector', [false, true]],
        [[16], 'vector', [true]],
        [[16, 16], 'matrix', [true, true]],
        [[16], 'vector', [true]],
        [[16, OUT], 'vector', [true, false]],
        [[OUT], 'fixed', [false]],
      ],
    );
  });

  it('gives each weight of a model at 4x the base width its multipliers, by position', () => {
    const bs = mup.inferBaseShapes((w) => mlp(w, { mu: true, baseWidth: 16 }), { baseWidth: 16 });
    assert.equal(bs.deltaWidth, 32);
    const model = mlp(64, { mu: true, baseWidth: 16 });
    const applied = mup.applyBaseShapes(model, bs, 64);
    assert.deepEqual(
      applied.params.map((p) => [p.widthMult, p.fanInMult, p.fanOutMult]),
      [[4, 1, 4], [4, 1, 4], [4, 4, 4], [4, 1, 4], [4, 4, 1], [1, 1, 1]],
    );
    // by object: what the optimizers see
    const hidden = model.trainableWeights[2].read() as tf.Variable;
    assert.equal(applied.byVariable.get(hidden)?.kind, 'matrix');
    assert.equal(mup.paramInfoOf(hidden)?.index, 2);
    assert.equal(mup.paramInfoOf(model.trainableWeights[2])?.widthMult, 4);
    model.dispose();
  });

  it('classifies an embedding model: table vector-like, hidden matrix-like, norm gains vector-like', () => {
    const V = 11;
    const factory = (w: number) => {
      const tokens = tf.input({ shape: [5], dtype: 'int32' });
      const emb = tf.layers.embedding({ inputDim: V, outputDim: w });
      let h = emb.apply(tokens) as tf.SymbolicTensor;
      h = tf.layers.dense({ units: 2 * w, activation: 'relu' }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.dense({ units: w }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.layerNormalization().apply(h) as tf.SymbolicTensor;
      const logits = new mup.MuSharedReadout({ embedding: emb }).apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: tokens, outputs: logits });
    };
    const bs = mup.inferBaseShapes(factory, { baseWidth: 8, deltaWidth: 12 });
    assert.deepEqual(
      bs.params.map((p) => [p.baseShape, p.kind]),
      [
        [[V, 8], 'vector'], // tied table
        [[8, 16], 'matrix'],
        [[16], 'vector'],
        [[16, 8], 'matrix'],
        [[8], 'vector'],
        [[8], 'vector'], // layer norm gamma, beta
        [[8], 'vector'],
        [[V], 'fixed'], // shared readout bias
      ],
    );
    const model = factory(32);
    const applied = mup.applyBaseShapes(model, bs, 32);
    assert.equal(applied.params[0].widthMult, 4);
    assert.equal(applied.params[1].widthMult, 4, 'hidden 32 -> 64: fan-in multiplier');
    model.dispose();
  });

  it('says clearly when the factory or the model does not fit', () => {
    assert.throws(() => mup.inferBaseShapes((w) => mlp(w, { mu: true, baseWidth: 16 }), { baseWidth: 16, deltaWidth: 16 }), /deltaWidth \(16\) must differ/);
    assert.throws(() => mup.inferBaseShapes((() => null) as never, { baseWidth: 4 }), /must return a tf.LayersModel/);
    assert.throws(
      () => mup.inferBaseShapes((w) => (w === 4 ? mlp(w, { mu: true, baseWidth: 4 }) : tf.sequential({ layers: [tf.layers.dense({ units: w, inputShape: [3] })] })), { baseWidth: 4 }),
      /6 trainable weights at width 4 but 2 at width 8/,
    );
    const bs = mup.inferBaseShapes((w) => mlp(w, { mu: true, baseWidth: 16 }), { baseWidth: 16 });
    const other = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] })] });
    assert.throws(() => mup.applyBaseShapes(other, bs, 16), /the model has 2 trainable weights, the base shapes describe 6/);
    other.dispose();
  });
});
