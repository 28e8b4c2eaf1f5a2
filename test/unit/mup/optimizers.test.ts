import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { batch, maxAbsDiff, mlp, mseLoss, mup, tf, useCpu, weightsOf } from './helpers';

before(useCpu);

const B = 16;
const shapesOf = () => mup.inferBaseShapes((w) => mlp(w, { mu: true, baseWidth: B }), { baseWidth: B });

/** Max |w1 - w0| per trainable weight after one step. */
function firstStepMoves(model: tf.LayersModel, step: (lossFn: () => tf.Scalar) => void): number[] {
  const { x, y } = batch();
  const w0 = weightsOf(model);
  step(mseLoss(model, x, y));
  const w1 = weightsOf(model);
  tf.dispose([x, y]);
  return w0.map((a, i) => maxAbsDiff(a, w1[i]));
}

describe('MuAdam', () => {
  it('at the base width trains exactly like tf.train.adam on the SP twin (same init, same updates)', () => {
    const mu = mlp(B, { mu: true, baseWidth: B });
    const sp = mlp(B, { mu: false, baseWidth: B });
    assert.equal(maxAbsDiff(weightsOf(mu).flatMap((a) => [...a]), weightsOf(sp).flatMap((a) => [...a])), 0, 'same init');
    mup.applyBaseShapes(mu, shapesOf(), B);
    const muOpt = new mup.MuAdam({ learningRate: 1e-2 });
    const spOpt = tf.train.adam(1e-2);
    const { x, y } = batch();
    for (let t = 0; t < 3; t++) {
      tf.dispose(muOpt.step(mseLoss(mu, x, y)));
      tf.dispose(spOpt.minimize(mseLoss(sp, x, y), true) ?? undefined);
    }
    const a = weightsOf(mu);
    const b = weightsOf(sp);
    a.forEach((w, i) => assert.ok(maxAbsDiff(w, b[i]) < 1e-6, `weight ${i} differs by ${maxAbsDiff(w, b[i])}`));
    const fresh = mlp(B, { mu: false, baseWidth: B });
    assert.ok(maxAbsDiff(a[2], weightsOf(fresh)[2]) > 1e-3, 'the weights did move');
    fresh.dispose();
    tf.dispose([x, y]);
    mu.dispose();
    sp.dispose();
    muOpt.dispose();
    spOpt.dispose();
  });

  it("moves each group by its own LR on the first step at 4x width: hidden lr/4, the rest lr", () => {
    const lr = 1e-2;
    const model = mlp(4 * B, { mu: true, baseWidth: B });
    mup.applyBaseShapes(model, shapesOf(), 4 * B);
    const opt = new mup.MuAdam({ learningRate: lr });
    const moves = firstStepMoves(model, (f) => tf.dispose(opt.step(f)));
    // Adam's first step is lr * g / (|g| + eps) ~ lr * sign(g): the largest move of a weight is its group's LR.
    const expected = [lr, lr, lr / 4, lr, lr, lr];
    moves.forEach((m, i) => assert.ok(Math.abs(m - expected[i]) < 1e-3 * expected[i], `weight ${i}: moved ${m}, want ${expected[i]}`));
    assert.deepEqual(opt.groups.map((g) => g.learningRate).sort(), [lr / 4, lr].sort());
    opt.dispose();
    model.dispose();
  });

  it('scales L2 and AdamW weight decay by widthMult on matrix-like weights, not an LR-independent decay', () => {
    const model = mlp(2 * B, { mu: true, baseWidth: B });
    const applied = mup.applyBaseShapes(model, shapesOf(), 2 * B);
    const coupled = new mup.MuAdam({ learningRate: 1e-3, weightDecay: 0.1 });
    const decoupled = new mup.MuAdam({ learningRate: 1e-3, weightDecay: 0.1, decoupledWeightDecay: true });
    const independent = new mup.MuAdam({ learningRate: 1e-3, weightDecay: 0.1, independentWeightDecay: true });
    const hidden = applied.params[2].variable;
    const input = applied.params[0].variable;
    assert.deepEqual([coupled.groupOf(hidden).learningRate, coupled.groupOf(hidden).weightDecay], [5e-4, 0.2]);
    assert.deepEqual([coupled.groupOf(input).learningRate, coupled.groupOf(input).weightDecay], [1e-3, 0.1]);
    // microsoft/mup's MuAdamW: the matrix group gets lr / m and weight_decay * m
    assert.deepEqual([decoupled.groupOf(hidden).learningRate, decoupled.groupOf(hidden).weightDecay], [5e-4, 0.2]);
    assert.deepEqual([independent.groupOf(hidden).learningRate, independent.groupOf(hidden).weightDecay], [5e-4, 0.1]);
    assert.throws(() => new mup.MuAdam({ learningRate: 1e-3, weightDecay: 0.1, decoupledWeightDecay: true, independentWeightDecay: true }), /choose one/);
    for (const o of [coupled, decoupled, independent]) o.dispose();
    model.dispose();
  });

  // microsoft/mup's MuAdamW (MuAdam with impl=torch.optim.AdamW, decoupled_wd=False): the matrix-like group's lr is
  // lr / m and its weight_decay wd * m, and torch's AdamW multiplies each weight by 1 - lr_group * wd_group before the
  // step, so every weight decays by 1 - lr * wd at every width multiplier m.
  for (const m of [1, 4, 16]) {
    it(`decoupledWeightDecay decays every weight by lr * wd per step at width multiplier ${m}, as MuAdamW does`, () => {
      const lr = 1e-2;
      const wd = 0.1;
      const model = mlp(m * B, { mu: true, baseWidth: B });
      const applied = mup.applyBaseShapes(model, shapesOf(), m * B);
      const check = (opts: { decoupledWeightDecay?: boolean; independentWeightDecay?: boolean }, want: number) => {
        const opt = new mup.MuAdam({ learningRate: lr, weightDecay: wd, ...opts });
        const vars = applied.params.map((p) => p.variable);
        const before = vars.map((v) => v.dataSync().slice());
        // A zero gradient: Adam's own update is 0, so what changes is the decay alone.
        opt.applyGradients(vars.map((v) => ({ name: v.name, tensor: tf.zerosLike(v) })));
        vars.forEach((v, k) => {
          const after = v.dataSync();
          const i = before[k].findIndex((x) => Math.abs(x) > 1e-3);
          if (i < 0) return; // a zero-initialised weight (the readout) cannot show a factor
          const factor = after[i] / before[k][i];
          assert.ok(Math.abs(factor - want) < 1e-6, `${applied.params[k].name} at m=${m}: factor ${factor}, want ${want}`);
        });
        opt.dispose();
      };
      check({ decoupledWeightDecay: true }, 1 - lr * wd); // 0.999 at every m (it was 1 - lr * wd / m before)
      check({ independentWeightDecay: true }, 1 - wd);
      model.dispose();
    });
  }

  it('trains through model.compile + fit, and the loss falls', async () => {
    const model = mlp(2 * B, { mu: true, baseWidth: B });
    mup.applyBaseShapes(model, shapesOf(), 2 * B);
    const opt = new mup.MuAdam({ learningRate: 1e-2 });
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    const { x, y } = batch(32);
    const h = await model.fit(x, y, { epochs: 15, batchSize: 32, verbose: 0 });
    const loss = h.history.loss as number[];
    assert.ok(loss[loss.length - 1] < 0.7 * loss[0], `loss ${loss[0]} -> ${loss[loss.length - 1]}`);
    assert.equal(opt.groups.length, 2, 'hidden group and the rest');
    tf.dispose([x, y]);
    model.dispose();
  });

  it('does not leak tensors across steps (variableGrads and fit)', async () => {
    const model = mlp(2 * B, { mu: true, baseWidth: B });
    mup.applyBaseShapes(model, shapesOf(), 2 * B);
    const opt = new mup.MuAdam({ learningRate: 1e-2, weightDecay: 1e-2 });
    const { x, y } = batch();
    tf.dispose(opt.step(mseLoss(model, x, y))); // the first step creates Adam's moments
    const n = tf.memory().numTensors;
    for (let t = 0; t < 5; t++) tf.dispose(opt.step(mseLoss(model, x, y)));
    assert.equal(tf.memory().numTensors, n);
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    const m = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 3, verbose: 0 });
    assert.equal(tf.memory().numTensors, m);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('trains a tied-embedding model with fit: the shared table is one vector-like weight at lr', async () => {
    const V = 6;
    const factory = (w: number) => {
      const tokens = tf.input({ shape: [4], dtype: 'int32' });
      const emb = tf.layers.embedding({ inputDim: V, outputDim: w, embeddingsInitializer: tf.initializers.randomNormal({ seed: 1 }) });
      const h = tf.layers.dense({ units: w, activation: 'tanh', kernelInitializer: mup.muFanIn({ seed: 2 }) }).apply(emb.apply(tokens)) as tf.SymbolicTensor;
      const logits = new mup.MuSharedReadout({ embedding: emb }).apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: tokens, outputs: logits });
    };
    const bs = mup.inferBaseShapes(factory, { baseWidth: 8 });
    const model = factory(32);
    const applied = mup.applyBaseShapes(model, bs, 32);
    const opt = new mup.MuAdam({ learningRate: 1e-2 });
    assert.equal(opt.groupOf(applied.params[0].variable).learningRate, 1e-2, 'table: lr');
    assert.equal(opt.groupOf(applied.params[1].variable).learningRate, 1e-2 / 4, 'hidden: lr / 4');
    model.compile({ optimizer: opt, loss: (yt: tf.Tensor, yp: tf.Tensor) => tf.losses.softmaxCrossEntropy(yt, yp) });
    const tokens = tf.tensor2d([[1, 2, 3, 4], [5, 0, 1, 2]], [2, 4], 'int32');
    const target = tf.oneHot(tf.tensor2d([[2, 3, 4, 5], [0, 1, 2, 3]], [2, 4], 'int32'), V);
    const table0 = applied.params[0].variable.dataSync().slice();
    const h = await model.fit(tokens, target, { epochs: 20, verbose: 0 });
    const loss = h.history.loss as number[];
    assert.ok(loss[loss.length - 1] < 0.85 * loss[0], `loss ${loss[0]} -> ${loss[loss.length - 1]}`);
    assert.ok(maxAbsDiff(table0, applied.params[0].variable.dataSync()) > 1e-2, 'the tied table trains');
    tf.dispose([tokens, target]);
    model.dispose();
  });

  it('says how to fix a model without base shapes, and rejects bad options', () => {
    const model = mlp(B, { mu: true, baseWidth: B });
    const opt = new mup.MuAdam({ learningRate: 1e-3 });
    const { x, y } = batch();
    assert.throws(() => opt.step(mseLoss(model, x, y)), /has no muP base shape\. Call applyBaseShapes/);
    assert.throws(() => new mup.MuAdam({ learningRate: -1 }), /learningRate must be a positive finite number/);
    assert.throws(() => new mup.MuAdam(undefined as never), /pass options/);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('MuSGD', () => {
  it('vector-like lr*m, matrix-like lr, fixed lr (first SGD step = lr * g)', () => {
    const lr = 0.1;
    const m = 4;
    const model = mlp(m * B, { mu: true, baseWidth: B });
    const applied = mup.applyBaseShapes(model, shapesOf(), m * B);
    const opt = new mup.MuSGD({ learningRate: lr });
    assert.deepEqual(applied.params.map((p) => opt.groupOf(p.variable).learningRate), [lr * m, lr * m, lr, lr * m, lr * m, lr]);
    // the update really is lr_group * g: compare with the gradient
    const { x, y } = batch();
    const { grads, value } = tf.variableGrads(mseLoss(model, x, y));
    const g = grads[applied.params[4].variable.name].dataSync().slice();
    const w0 = applied.params[4].variable.dataSync().slice();
    opt.applyGradients(grads);
    const w1 = applied.params[4].variable.dataSync();
    const i = g.findIndex((v) => Math.abs(v) > 1e-4);
    assert.ok(Math.abs((w0[i] - w1[i]) - lr * m * g[i]) < 1e-6);
    tf.dispose([x, y, value, grads]);
    opt.dispose();
    model.dispose();
  });

  it('with momentum, runs tf.train.momentum per group; setLearningRate keeps the multipliers', () => {
    const model = mlp(2 * B, { mu: true, baseWidth: B });
    const applied = mup.applyBaseShapes(model, shapesOf(), 2 * B);
    const opt = new mup.MuSGD({ learningRate: 0.1, momentum: 0.9, params: applied });
    const { x, y } = batch();
    const first = opt.step(mseLoss(model, x, y)).dataSync()[0];
    for (let t = 0; t < 10; t++) tf.dispose(opt.step(mseLoss(model, x, y)));
    const later = tf.tidy(() => mseLoss(model, x, y)().dataSync()[0]);
    assert.ok(later < first, `loss ${first} -> ${later}`);
    assert.ok(opt.groups.every((g) => g.inner.getClassName() === 'Momentum'));
    opt.setLearningRate(0.01);
    assert.deepEqual(applied.params.map((p) => opt.groupOf(p.variable).learningRate), [0.02, 0.02, 0.01, 0.02, 0.02, 0.01]);
    assert.ok(opt.groups.every((g) => (g.inner as unknown as { learningRate: number }).learningRate === g.learningRate));
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });

  it('round-trips its config through tf serialization', () => {
    const opt = new mup.MuSGD({ learningRate: 0.5, momentum: 0.9, weightDecay: 1e-4 });
    const entry = tf.serialization.SerializationMap.getMap().classNameMap['MuSGD'];
    const back = entry[1](entry[0], opt.getConfig()) as InstanceType<typeof mup.MuSGD>;
    assert.deepEqual([back.learningRate, back.momentum, back.weightDecay], [0.5, 0.9, 1e-4]);
  });
});
