import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IN, batch, maxAbsDiff, mlp, mup, tf, useCpu } from './helpers';

before(useCpu);

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  // through JSON text, as a file on disk would be
  const topology = JSON.parse(JSON.stringify(saved!.modelTopology));
  return tf.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }));
}

function variance(t: tf.Tensor): number {
  return tf.tidy(() => tf.moments(t).variance.dataSync()[0]);
}

describe('MuReadout', () => {
  it('multiplies the matmul by outputMult / widthMult (widthMult = inputDim / baseWidth); bias added after', () => {
    const inDim = 16;
    const ro = new mup.MuReadout({ units: 3, baseWidth: 4, outputMult: 2, inputShape: [inDim] });
    const dense = tf.layers.dense({ units: 3, inputShape: [inDim] });
    const mu = tf.sequential({ layers: [ro] });
    const sp = tf.sequential({ layers: [dense] });
    const bias = tf.tensor1d([0.5, -1, 2]);
    mu.layers[0].setWeights([ro.getWeights()[0], bias]);
    sp.layers[0].setWeights([ro.getWeights()[0], bias]);
    assert.equal(ro.widthMult, 4);
    const x = tf.randomNormal([5, inDim], 0, 1, 'float32', 3);
    const got = (mu.predict(x) as tf.Tensor).dataSync();
    const ref = tf.tidy(() => tf.add(tf.mul(tf.sub(sp.predict(x) as tf.Tensor, bias), 2 / 4), bias)).dataSync();
    assert.ok(maxAbsDiff(got, ref) < 1e-5);
    // and it is not just the dense output
    assert.ok(maxAbsDiff(got, (sp.predict(x) as tf.Tensor).dataSync()) > 1e-2);
    tf.dispose([x, bias]);
    mu.dispose();
    sp.dispose();
  });

  it('applies over the last axis of a 3-D input (sequence models)', () => {
    const ro = new mup.MuReadout({ units: 2, baseWidth: 8, useBias: false, inputShape: [3, 8] });
    const m = tf.sequential({ layers: [ro] });
    const x = tf.randomNormal([2, 3, 8], 0, 1, 'float32', 4);
    const y = m.predict(x) as tf.Tensor;
    assert.deepEqual(y.shape, [2, 3, 2]);
    const ref = tf.tidy(() => tf.matMul(tf.reshape(x, [6, 8]), ro.getWeights()[0] as tf.Tensor2D).reshape([2, 3, 2]));
    assert.ok(maxAbsDiff(y.dataSync(), ref.dataSync()) < 1e-5, 'widthMult 1 at the base width');
    tf.dispose([x, y, ref]);
    m.dispose();
  });

  it('default init keeps the base width variance at every width; readoutZeroInit gives zeros', () => {
    const vars = [64, 256].map((w) => {
      const m = tf.sequential({ layers: [new mup.MuReadout({ units: 64, baseWidth: 64, inputShape: [w] })] });
      const v = variance(m.layers[0].getWeights()[0]);
      m.dispose();
      return v;
    });
    // uniform fan-in init at base fan-in 64: variance 1/64 (tfjs's dense default would give 2/(w+64))
    vars.forEach((v) => assert.ok(Math.abs(v - 1 / 64) < 0.15 / 64, `variance ${v}`));
    const z = tf.sequential({ layers: [new mup.MuReadout({ units: 3, baseWidth: 8, readoutZeroInit: true, inputShape: [32] })] });
    assert.equal(z.layers[0].getWeights().reduce((s, w) => s + tf.tidy(() => tf.abs(w).sum().dataSync()[0]), 0), 0);
    z.dispose();
  });

  it('without baseWidth learns widthMult from applyBaseShapes and rescales its init once, as mup does', () => {
    const factory = (w: number) =>
      tf.sequential({
        layers: [
          tf.layers.dense({ units: w, inputShape: [IN], kernelInitializer: mup.muFanIn({ seed: 1 }) }),
          new mup.MuReadout({ units: 64, kernelInitializer: mup.muReadoutInit({ seed: 2 }) }),
        ],
      });
    const bs = mup.inferBaseShapes(factory, { baseWidth: 32 });
    const m = factory(256);
    const x = tf.ones([1, IN]);
    assert.throws(() => m.predict(x), /does not know its width multiplier/);
    const v0 = variance(m.layers[1].getWeights()[0]);
    mup.applyBaseShapes(m, bs, 256);
    mup.applyBaseShapes(m, bs, 256); // idempotent
    const ro = m.layers[1] as InstanceType<typeof mup.MuReadout>;
    assert.equal(ro.widthMult, 8);
    const v1 = variance(m.layers[1].getWeights()[0]);
    assert.ok(Math.abs(v1 / v0 - 8) < 1e-3, `rescaled by m: ${v0} -> ${v1}`);
    assert.ok(Math.abs(v1 - 1 / 32) < 0.15 / 32);
    tf.dispose(m.predict(x) as tf.Tensor);
    x.dispose();
    m.dispose();
  });

  it('survives save and load: same outputs, and the loaded model trains with MuAdam', async () => {
    const model = mlp(32, { mu: true, baseWidth: 16 });
    const { x, y } = batch();
    const before = (model.predict(x) as tf.Tensor).dataSync();
    const loaded = await roundTrip(model);
    assert.equal(loaded.layers[2].getClassName(), 'MuReadout');
    assert.ok(maxAbsDiff((loaded.predict(x) as tf.Tensor).dataSync(), before) < 1e-6);
    const bs = mup.inferBaseShapes((w) => mlp(w, { mu: true, baseWidth: 16 }), { baseWidth: 16 });
    mup.applyBaseShapes(loaded, bs, 32);
    loaded.compile({ optimizer: new mup.MuAdam({ learningRate: 1e-2 }), loss: 'meanSquaredError' });
    const h = await loaded.fit(x, y, { epochs: 5, verbose: 0 });
    const loss = h.history.loss as number[];
    assert.ok(loss[4] < loss[0]);
    await assert.rejects(
      loaded.save(tf.io.withSaveHandler(async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })), { includeOptimizer: true }),
      /MuAdam cannot save its state yet: save the model without includeOptimizer/,
    );
    tf.dispose([x, y]);
    for (const m of [model, loaded]) m.dispose();
  });

  it('keeps a widthMult learnt from applyBaseShapes through save and load', async () => {
    const factory = (w: number) =>
      tf.sequential({ layers: [tf.layers.dense({ units: w, inputShape: [IN] }), new mup.MuReadout({ units: 3, outputMult: 3 })] });
    const bs = mup.inferBaseShapes(factory, { baseWidth: 8 });
    const m = factory(32);
    mup.applyBaseShapes(m, bs, 32);
    const x = tf.randomNormal([4, IN], 0, 1, 'float32', 5);
    const loaded = await roundTrip(m);
    const ro = loaded.layers[1] as InstanceType<typeof mup.MuReadout>;
    assert.deepEqual([ro.widthMult, ro.rescaled, ro.outputMult], [4, true, 3]);
    assert.ok(maxAbsDiff((loaded.predict(x) as tf.Tensor).dataSync(), (m.predict(x) as tf.Tensor).dataSync()) < 1e-6);
    x.dispose();
    m.dispose();
    loaded.dispose();
  });

  it("takes what a quick fix carries over from tf.layers.dense: activation, string initializers", async () => {
    // `tf.layers.dense({units: 3, activation: 'softmax', kernelInitializer: 'heNormal'})` -> `new MuReadout({...})`
    const m = tf.sequential({
      layers: [new mup.MuReadout({ units: 3, activation: 'softmax', kernelInitializer: 'heNormal' as never, biasInitializer: 'ones' as never, baseWidth: 4, inputShape: [8] })],
    });
    const x = tf.randomNormal([2, 8], 0, 1, 'float32', 9);
    const y = m.predict(x) as tf.Tensor;
    const sums = tf.tidy(() => y.sum(-1).dataSync());
    assert.ok(Math.abs(sums[0] - 1) < 1e-5 && Math.abs(sums[1] - 1) < 1e-5, 'softmax applied');
    assert.deepEqual([...m.layers[0].getWeights()[1].dataSync()], [1, 1, 1]);
    const loaded = await roundTrip(m);
    assert.ok(maxAbsDiff((loaded.predict(x) as tf.Tensor).dataSync(), y.dataSync()) < 1e-6);
    assert.throws(() => new mup.MuReadout({ units: 2, kernelInitializer: 'fancy' as never }), /unknown initializer 'fancy'/);
    assert.throws(() => new mup.MuReadout({ units: 2, kernelRegularizer: tf.regularizers.l2() } as never), /kernelRegularizer is not supported/);
    tf.dispose([x, y]);
    m.dispose();
    loaded.dispose();
  });

  it('rejects bad arguments with a clear message', () => {
    assert.throws(() => new mup.MuReadout({ units: 0 }), /units must be a positive integer/);
    assert.throws(() => new mup.MuReadout({ units: 2, baseWidth: -4 }), /baseWidth must be a positive number/);
    assert.throws(() => mup.muFanIn({ distribution: 'gaussian' as never }), /distribution must be/);
  });
});

describe('MuSharedReadout (tied embeddings)', () => {
  const V = 7;
  function tiedModel(w: number, baseWidth?: number) {
    const tokens = tf.input({ shape: [3], dtype: 'int32' });
    const emb = tf.layers.embedding({ inputDim: V, outputDim: w, name: 'tok_emb', embeddingsInitializer: tf.initializers.randomNormal({ seed: 3 }) });
    const h = tf.layers.dense({ units: w, activation: 'tanh' }).apply(emb.apply(tokens)) as tf.SymbolicTensor;
    const out = new mup.MuSharedReadout({ embedding: emb, baseWidth, outputMult: 2 }).apply(h) as tf.SymbolicTensor;
    return { model: tf.model({ inputs: tokens, outputs: out }), emb };
  }

  it('reads the embedding table: logits = outputMult/widthMult * h @ E^T + b, one shared weight', () => {
    const { model, emb } = tiedModel(16, 4);
    assert.equal(model.trainableWeights.filter((w) => w.shape.length === 2 && w.shape[0] === V).length, 1);
    const tokens = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
    const hModel = tf.model({ inputs: model.inputs, outputs: model.layers[2].output as tf.SymbolicTensor });
    const ref = tf.tidy(() => {
      const h = (hModel.predict(tokens) as tf.Tensor).reshape([3, 16]);
      return tf.mul(tf.matMul(h, emb.getWeights()[0], false, true), 2 / 4);
    });
    assert.ok(maxAbsDiff((model.predict(tokens) as tf.Tensor).dataSync(), ref.dataSync()) < 1e-5);
    tf.dispose([tokens, ref]);
    model.dispose();
  });

  it('relinks to its embedding by name after save and load', async () => {
    const { model } = tiedModel(8);
    const bs = mup.inferBaseShapes((w) => tiedModel(w).model, { baseWidth: 4 });
    mup.applyBaseShapes(model, bs, 8);
    const tokens = tf.tensor2d([[0, 4, 6]], [1, 3], 'int32');
    const loaded = await roundTrip(model);
    assert.ok(maxAbsDiff((loaded.predict(tokens) as tf.Tensor).dataSync(), (model.predict(tokens) as tf.Tensor).dataSync()) < 1e-6);
    tokens.dispose();
    model.dispose();
    loaded.dispose();
  });
});

describe('attentionScale', () => {
  it('is attnMult/dHead: 1/sqrt(d) at the base head size, 1/d scaling beyond', () => {
    assert.equal(mup.attentionScale(16, { baseHeadDim: 16 }), 1 / Math.sqrt(16));
    assert.equal(mup.attentionScale(64, { baseHeadDim: 16 }), 4 / 64);
    assert.equal(mup.attentionScale(64), 8 / 64, "mup's suggested 8/d");
    assert.equal(mup.attentionScale(32, { attnMult: 1 }), 1 / 32);
    assert.throws(() => mup.attentionScale(0), /dHead must be a positive number/);
  });
});
