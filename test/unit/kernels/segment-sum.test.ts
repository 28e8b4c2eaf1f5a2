// The cpu UnsortedSegmentSum fast path (src/kernels/cpuSegmentSum.ts) gives tfjs-backend-cpu's own sums: repeated
// ids, ids out of range (dropped), empty segments, rows of any rank, and the gradient of an embedding lookup.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { assertClose, randomTensor, setUp, tf, withAndWithout } from './helpers';

before(setUp);

test('UnsortedSegmentSum on cpu equals tfjs-backend-cpu: repeats, out-of-range ids, empty segments', async () => {
  const cases: { xShape: number[]; ids: number[]; n: number }[] = [
    { xShape: [7, 5], ids: [2, 0, 2, 2, 4, 0, 1], n: 5 }, // segment 3 empty
    { xShape: [6, 3, 2], ids: [1, 1, 1, 0, -1, 9], n: 3 }, // -1 and 9 dropped
    { xShape: [4], ids: [3, 3, 0, 3], n: 4 },
    { xShape: [3, 2], ids: [0, 1, 0], n: 1 }, // one segment (tfjs' own throws on zero segments)
  ];
  for (const [i, c] of cases.entries()) {
    const { reference, fast, names } = await withAndWithout('cpu', () => [tf.unsortedSegmentSum(randomTensor(c.xShape, 400 + i), tf.tensor1d(c.ids, 'int32'), c.n)]);
    assert.ok(names.includes('UnsortedSegmentSum (cpu)'));
    assertClose(fast, reference, `x [${c.xShape}] ids [${c.ids}]`, 1e-6);
  }
});

test('the gradient of an embedding lookup on cpu equals tfjs-backend-cpu, repeated tokens included', async () => {
  const f = () => {
    const table = randomTensor([11, 6], 410);
    const tokens = tf.tensor2d([3, 7, 3, 0, 10, 3, 7, 5, 5, 1, 3, 9], [3, 4], 'int32');
    const w = randomTensor([3, 4, 6], 411);
    return [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tokens), w)))(table)];
  };
  const { reference, fast } = await withAndWithout('cpu', f);
  assertClose(fast, reference, 'embedding gradient', 1e-6);
});
