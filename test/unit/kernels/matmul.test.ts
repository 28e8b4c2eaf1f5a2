// The matmul fast paths (src/kernels/wasmMatMul.ts on wasm, cpuMatMul.ts on cpu) give what the backends' own
// kernels give: every transpose combination, batched products (rank 3 and 4, as attention's), batches broadcast
// from one side, sizes of 1 and odd sizes, fused bias and activation, and the gradients of all of them (the
// backward pass is where the transposed products come from). Tensors they make are all disposed.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { registerFastPaths } from '../../../src/kernels/index';
import { chooseProduct } from '../../../src/kernels/wasmMatMul';
import { BACKENDS, assertClose, evaluate, randomTensor, setUp, tf, withAndWithout } from './helpers';

before(setUp);

interface Case {
  a: number[];
  b: number[];
  ta?: boolean;
  tb?: boolean;
  /** tfjs 4.22 has no gradient for a product whose batch is broadcast (its own gradient throws a shape error). */
  forwardOnly?: boolean;
}

const PRODUCTS: Case[] = [];
// every transpose combination, square and not, odd sizes, a row and a column
for (const [m, k, n] of [[7, 5, 3], [16, 16, 16], [1, 9, 4], [6, 1, 5], [5, 8, 1], [33, 17, 49]]) {
  for (const ta of [false, true]) {
    for (const tb of [false, true]) PRODUCTS.push({ a: ta ? [k!, m!] : [m!, k!], b: tb ? [n!, k!] : [k!, n!], ta, tb });
  }
}
PRODUCTS.push(
  { a: [3, 4, 5], b: [3, 5, 6] }, // batched
  { a: [3, 5, 4], b: [3, 6, 5], ta: true, tb: true },
  { a: [2, 4, 8, 16], b: [2, 4, 8, 16], tb: true }, // attention scores q k^T: [batch, heads, t, d_head]
  { a: [2, 4, 8, 8], b: [2, 4, 8, 16] }, // attention-weighted values
  { a: [2, 4, 8, 8], b: [2, 4, 8, 16], ta: true }, // their gradients
  { a: [1, 6, 5], b: [1, 5, 3] }, // batch of one, rank 3 (the dense layers' form inside tfjs)
  { a: [3, 6, 5], b: [5, 4], forwardOnly: true }, // b broadcast over a's batch
  { a: [6, 5], b: [4, 3, 5], tb: true, forwardOnly: true }, // a broadcast over b's batch
  { a: [4, 2, 6, 5], b: [2, 5, 3], forwardOnly: true }, // broadcast from a lower rank
  { a: [3, 6, 5], b: [1, 5, 4], ta: false, forwardOnly: true }, // a batch of one against three
);

/** The product, and the gradients of a weighted sum of it for both operands. */
function product(c: Case, seed: number) {
  return () => {
    const a = randomTensor(c.a, seed);
    const b = randomTensor(c.b, seed + 1);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, c.ta, c.tb);
    const out = f(a, b);
    if (c.forwardOnly) return [out];
    const w = randomTensor(out.shape, seed + 2);
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), w)))([a, b]);
    return [out, da!, db!];
  };
}

for (const backend of BACKENDS) {
  test(`matMul on ${backend}: products and gradients equal the backend's own kernels`, async () => {
    for (const [i, c] of PRODUCTS.entries()) {
      const { reference, fast, names } = await withAndWithout(backend, product(c, 200 + 3 * i));
      assert.ok(names.includes(`BatchMatMul (${backend})`), names.join(', '));
      assertClose(fast, reference, `${backend} matMul(${JSON.stringify(c)})`, 1e-5);
    }
  });

  // The reference is the cpu backend's own kernel: tfjs-backend-wasm 4.22's own fused product with a transposed
  // operand adds the wrong bias entries from the second row on (batch_mat_mul_impl.cc indexes a 1-d bias by
  // min(row * n + col, n - 1)); on XNNPACK, where the fast path runs it, the bias is right.
  test(`fused matMul (bias, relu/linear) on ${backend} with transposes: values and gradients equal the cpu backend's own`, async () => {
    const cases: (Case & { activation: 'relu' | 'linear' })[] = [
      { a: [9, 6], b: [6, 7], activation: 'relu' },
      { a: [6, 9], b: [6, 7], ta: true, activation: 'relu' },
      { a: [9, 6], b: [7, 6], tb: true, activation: 'linear' },
      { a: [6, 9], b: [7, 6], ta: true, tb: true, activation: 'relu' },
      { a: [2, 9, 6], b: [2, 6, 7], activation: 'relu' },
      { a: [3, 6, 9], b: [3, 7, 6], ta: true, tb: true, activation: 'linear' },
    ];
    for (const [i, c] of cases.entries()) {
      const f = () => {
        const a = randomTensor(c.a, 300 + i);
        const b = randomTensor(c.b, 301 + i);
        const bias = randomTensor([c.tb ? c.b[c.b.length - 2]! : c.b[c.b.length - 1]!], 302 + i);
        const g = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.fused.matMul({ a: x, b: y, transposeA: c.ta, transposeB: c.tb, bias: z, activation: c.activation });
        const out = g(a, b, bias);
        const w = randomTensor(out.shape, 303 + i);
        const grads = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(g(x, y, z), w)))([a, b, bias]);
        return [out, ...grads];
      };
      const reference = await evaluate('cpu', f);
      const paths = registerFastPaths(tf, backend);
      try {
        assertClose(await evaluate(backend, f), reference, `${backend} fused ${JSON.stringify(c)}`, 1e-5);
      } finally {
        paths.restore();
      }
    }
  });
}

test('shapes that do not fit still fail with tfjs\' own message, with the fast paths on', async () => {
  for (const backend of BACKENDS) {
    const paths = registerFastPaths(tf, backend);
    try {
      await assert.rejects(evaluate(backend, () => [tf.matMul(tf.ones([3, 4]), tf.ones([5, 2]))]), /inner shapes \(4\) and \(5\)/);
      // batches of the same size that do not broadcast ([2, 3] against [6])
      await assert.rejects(evaluate(backend, () => [tf.matMul(tf.ones([2, 3, 4, 5]), tf.ones([6, 5, 4]))]), /could not be broadcast/);
    } finally {
      paths.restore();
    }
  }
});

test('a product packs the smaller operand: the coordinate check\'s hidden layers swap, the GPT\'s do not', () => {
  // [64, 2048] x [2048, 2048]: packing 2048 x 2048 costs more than transposing it once
  assert.equal(chooseProduct(64, 2048, 2048, false, false), 'swapped');
  // its input gradient dy W^T: W is already stored the way the swapped form reads it
  assert.equal(chooseProduct(64, 2048, 2048, false, true), 'swapped');
  // its weight gradient x^T dy packs dy (64 x 2048) in the direct form
  assert.equal(chooseProduct(2048, 64, 2048, true, false), 'direct');
  // the GPT example at width 128: 512 tokens x 128 -> 512
  assert.equal(chooseProduct(512, 128, 512, false, false), 'direct');
  assert.equal(chooseProduct(512, 512, 128, false, true), 'direct');
});
