// The LayerNormalization fast path (src/kernels/layerNorm.ts) gives what tfjs-layers' own layer gives, values and
// the gradients of the input, gamma and beta, on cpu and wasm: ranks 2-4, the last axis and other axes, several
// axes, without gamma or beta, another epsilon; inputs far from zero mean (the variance's cancellation). Its
// weights, config and serialisation are the layer's own; a rank the layer does not support still fails as before.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { registerFastPaths } from '../../../src/kernels/index';
import { BACKENDS, assertClose, randomTensor, setUp, tf, withAndWithout } from './helpers';

before(setUp);

interface Case {
  shape: number[];
  axis?: number | number[];
  center?: boolean;
  scale?: boolean;
  epsilon?: number;
  offset?: number;
}

const CASES: Case[] = [
  { shape: [8, 16] },
  { shape: [4, 6, 16] }, // a transformer's [batch, time, width]
  { shape: [2, 3, 4, 5] },
  { shape: [4, 6, 16], axis: 1 },
  { shape: [2, 3, 4, 5], axis: [1, 3] },
  { shape: [2, 3, 4, 5], axis: [-2, -1] },
  { shape: [4, 6, 16], center: false },
  { shape: [4, 6, 16], scale: false },
  { shape: [4, 6, 16], center: false, scale: false },
  { shape: [4, 1, 16], epsilon: 1e-5 },
  { shape: [3, 32], offset: 50 }, // mean 50, std ~0.6
  { shape: [5, 1] }, // one feature: xhat is 0
];

/**
 * The layer's output, and the gradients of a weighted sum of it for the input and every trainable weight.
 * `asReference`: tfjs-layers cannot train its own layer without gamma or beta (its gradient throws "Cannot read
 * properties of undefined", tfjs 4.22), so the reference for those is the full layer with beta held at 0 or gamma
 * at 1, which computes the same function; only the weights the case has are compared.
 */
function run(c: Case, seed: number, asReference: boolean) {
  return () => {
    const scale = c.scale ?? true;
    const center = c.center ?? true;
    const layer = tf.layers.layerNormalization({ axis: c.axis, epsilon: c.epsilon, ...(asReference ? {} : { center, scale }) });
    const x = tf.add(randomTensor(c.shape, seed), c.offset ?? 0);
    layer.build(c.shape);
    // gamma and beta away from their ones/zeros start, so that both enter the result
    const weights = layer.trainableWeights;
    const gamma = scale ? weights[0] : undefined;
    const beta = center ? weights[scale || asReference ? 1 : 0] : undefined;
    for (const [i, w] of [gamma, beta].entries()) w?.write(tf.add(w.read(), randomTensor(w.shape as number[], seed + 7 + i)));
    const w = randomTensor(c.shape, seed + 1);
    const f = (xv: tf.Tensor) => tf.sum(tf.mul(layer.apply(xv) as tf.Tensor, w));
    const vars = [gamma, beta].filter((v) => v !== undefined).map((v) => v.read() as tf.Variable);
    const { value, grads } = vars.length ? tf.variableGrads(() => f(x) as tf.Scalar, vars) : { value: f(x), grads: {} as tf.NamedTensorMap };
    const dx = tf.grad(f)(x);
    const out = [layer.apply(x) as tf.Tensor, value, dx, ...vars.map((v) => grads[v.name]!)];
    for (const v of layer.weights) v.dispose(); // a layer applied to tensors only cannot be disposed as a layer
    return out;
  };
}

for (const backend of BACKENDS) {
  test(`LayerNormalization on ${backend}: output and gradients equal tfjs-layers' own`, async () => {
    for (const [i, c] of CASES.entries()) {
      const { reference, fast, names } = await withAndWithout(backend, run(c, 100 + i, true), run(c, 100 + i, false));
      assert.ok(names.includes('LayerNormalization'));
      assertClose(fast, reference, `${backend} ${JSON.stringify(c)}`, 1e-5);
    }
  });
}

test('the fast layer makes no Tile kernel and fewer kernels per training step', async () => {
  await tf.setBackend('wasm');
  const step = () => run({ shape: [16, 32, 64] }, 1, false)();
  const profileOf = async () => {
    const p = await tf.profile(() => void tf.tidy(step));
    return { tiles: p.kernels.filter((k) => k.name === 'Tile').length, total: p.kernels.length };
  };
  const before = await profileOf();
  const paths = registerFastPaths(tf, 'wasm');
  try {
    const after = await profileOf();
    assert.ok(before.tiles >= 4, `tfjs-layers tiles mean, variance, gamma and beta (${before.tiles} tiles)`);
    assert.equal(after.tiles, 0);
    assert.ok(after.total < before.total / 2, `kernels ${before.total} -> ${after.total}`);
  } finally {
    paths.restore();
  }
});

test('the layer keeps its weights, config and class; rank 5 still fails as tfjs-layers fails', async () => {
  await tf.setBackend('cpu');
  const paths = registerFastPaths(tf, 'cpu');
  try {
    const layer = tf.layers.layerNormalization({ epsilon: 1e-4, name: 'ln' });
    layer.build([2, 8]);
    assert.equal(layer.getClassName(), 'LayerNormalization');
    assert.deepEqual(layer.trainableWeights.map((w) => w.shape), [[8], [8]]);
    assert.equal((layer.getConfig() as { epsilon: number }).epsilon, 1e-4);
    const big = tf.layers.layerNormalization({});
    assert.throws(() => tf.tidy(() => big.apply(tf.ones([1, 2, 2, 2, 3])) as tf.Tensor), /not implemented for array of rank 5/);
  } finally {
    paths.restore();
  }
});
