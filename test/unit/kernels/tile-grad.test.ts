// The Tile gradient fast path (src/kernels/tileGrad.ts) gives tfjs-core's gradient, on cpu and wasm, for every
// rank tfjs-core handles (1-4), repeats of 1, dimensions of 1 and repeats of 0; and at rank 5 and 6, where
// tfjs-core has none, the gradient is dy folded back onto x, computed here by hand.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { tileGradPlan } from '../../../src/kernels/tileGrad';
import { registerFastPaths } from '../../../src/kernels/index';
import { BACKENDS, assertClose, evaluate, randomTensor, randomValues, setUp, tf, withAndWithout } from './helpers';

before(setUp);

/** x, reps, and the gradient of sum(tile(x, reps) * w) with respect to x (w random: every position weighs differently). */
function tileGradOf(shape: number[], reps: number[], seed: number) {
  return () => {
    const x = randomTensor(shape, seed);
    const w = randomTensor(shape.map((d, i) => d * reps[i]!), seed + 1);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.tile(v, reps), w)))(x);
    return [tf.tile(x, reps), g];
  };
}

const CASES: { shape: number[]; reps: number[] }[] = [
  { shape: [5], reps: [3] },
  { shape: [5], reps: [1] },
  { shape: [1], reps: [7] },
  { shape: [3, 4], reps: [2, 3] },
  { shape: [1, 6], reps: [4, 1] }, // a bias row tiled over a batch
  { shape: [3, 1], reps: [1, 5] },
  { shape: [1, 1, 8], reps: [16, 32, 1] }, // LayerNormalization's gamma, as tfjs-layers tiles it
  { shape: [2, 3, 1], reps: [2, 1, 4] },
  { shape: [2, 1, 3, 2], reps: [1, 3, 2, 2] },
  { shape: [3, 2], reps: [0, 2] }, // zero repeats: dy is empty, the gradient zero
];

for (const backend of BACKENDS) {
  test(`Tile gradient on ${backend} equals tfjs-core's: ranks 1-4, repeats of 1 and 0, dimensions of 1`, async () => {
    for (const [i, c] of CASES.entries()) {
      const { reference, fast, names } = await withAndWithout(backend, tileGradOf(c.shape, c.reps, 10 + i));
      assert.ok(names.includes('Tile gradient'));
      assertClose(fast, reference, `${backend} tile([${c.shape}], [${c.reps}])`, 1e-6);
    }
  });

  test(`Tile gradient on ${backend} at ranks 5 and 6 (tfjs-core has none) is dy folded onto x`, async () => {
    const cases: [number[], number[]][] = [
      [[2, 1, 3, 1, 2], [2, 3, 1, 2, 2]],
      [[1, 2, 1, 2, 1, 2], [2, 1, 3, 2, 1, 2]],
    ];
    for (const [shape, reps] of cases) {
      const dyShape = shape.map((d, i) => d * reps[i]!);
      const dyValues = randomValues(dyShape.reduce((a, b) => a * b, 1), 3);
      const paths = registerFastPaths(tf, backend);
      let got;
      try {
        got = await evaluate(backend, () => {
          const x = tf.zeros(shape);
          return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.tile(v, reps), tf.tensor(dyValues, dyShape))))(x)];
        });
      } finally {
        paths.restore();
      }
      // by hand: every position of dy adds into the x position it was copied from
      const expected = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0);
      const dyStrides = dyShape.map((_, i) => dyShape.slice(i + 1).reduce((a, b) => a * b, 1));
      const xStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
      for (let f = 0; f < dyValues.length; f++) {
        let xi = 0;
        dyShape.forEach((_, d) => (xi += (Math.floor(f / dyStrides[d]!) % dyShape[d]! % shape[d]!) * xStrides[d]!));
        expected[xi]! += dyValues[f]!;
      }
      assertClose(got, [{ shape, values: expected }], `${backend} rank ${shape.length}`, 1e-5);
    }
  });
}

test('the plan splits only the repeated dimensions and sums only the repeat axes', () => {
  assert.deepEqual(tileGradPlan([1, 1, 8], [16, 32, 1]), { split: [16, 32, 8], sumAxes: [0, 1] });
  assert.deepEqual(tileGradPlan([3, 4], [2, 3]), { split: [2, 3, 3, 4], sumAxes: [0, 2] });
  assert.deepEqual(tileGradPlan([3, 4], [1, 1]), { split: [3, 4], sumAxes: [] });
  assert.throws(() => tileGradPlan([3, 4], [2]), /one entry per dimension/);
});

test('the gradient of a tiled bias runs no Slice per repeat', async () => {
  await tf.setBackend('wasm');
  const count = async () => {
    const x = tf.variable(tf.ones([1, 8]));
    const prof = await tf.profile(() => tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.tile(v, [64, 1])))(x)));
    x.dispose();
    return prof.kernels.filter((k) => k.name === 'Slice').length;
  };
  const slicesBefore = await count();
  const paths = registerFastPaths(tf, 'wasm');
  try {
    assert.equal(slicesBefore, 64);
    assert.equal(await count(), 0);
  } finally {
    paths.restore();
  }
});
