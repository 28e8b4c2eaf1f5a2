// The Adam fast path (src/kernels/adam.ts) updates variables and moments bit for bit as tf.train.adam does, on
// cpu and wasm: several steps, several shapes (a scalar, a vector, a matrix), gradients given as a map or as a
// list, a learning rate and betas other than the defaults; its optimizer state (getWeights) is the same too.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { BACKENDS, assertClose, randomTensor, setUp, tf, withAndWithout } from './helpers';

before(setUp);

type Grads = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/** Variables after `steps` Adam steps on a fixed quadratic-ish loss, and the optimizer's moments. */
function train(opts: { lr: number; beta1?: number; beta2?: number; asList: boolean; steps: number }) {
  return () => {
    // [300, 300] is above the size that wasm leaves to tfjs' own ops: both kinds of update in one optimizer
    const vars = [tf.variable(randomTensor([], 500)), tf.variable(randomTensor([7], 501)), tf.variable(randomTensor([300, 300], 502))];
    const target = randomTensor([300, 300], 503);
    const opt = tf.train.adam(opts.lr, opts.beta1, opts.beta2);
    for (let s = 0; s < opts.steps; s++) {
      const { grads } = tf.variableGrads(() =>
        tf.addN([tf.square(vars[0]!), tf.sum(tf.sin(tf.mul(vars[1]!, s + 1))), tf.sum(tf.square(tf.sub(tf.mul(vars[2]!, vars[0]!), target)))]) as tf.Scalar,
      );
      opt.applyGradients(opts.asList ? Object.entries(grads).map(([name, tensor]) => ({ name, tensor })) : (grads as Grads));
      tf.dispose(grads);
    }
    const state = (opt as unknown as { accumulatedFirstMoment: { variable: tf.Tensor }[]; accumulatedSecondMoment: { variable: tf.Tensor }[] });
    const out = [...vars, ...state.accumulatedFirstMoment.map((x) => x.variable), ...state.accumulatedSecondMoment.map((x) => x.variable)].map((t) => t.clone());
    opt.dispose();
    tf.dispose(vars);
    return out;
  };
}

for (const backend of BACKENDS) {
  test(`tf.train.adam on ${backend}: variables and moments bit for bit as tfjs' own`, async () => {
    for (const opts of [
      { lr: 0.01, asList: false, steps: 6 },
      { lr: 2 ** -7, beta1: 0.8, beta2: 0.95, asList: true, steps: 4 },
    ]) {
      const { reference, fast, names } = await withAndWithout(backend, train(opts));
      assert.ok(names.includes(`Adam update (${backend})`), names.join(', '));
      assertClose(fast, reference, `${backend} ${JSON.stringify(opts)}`, 0);
    }
  });
}

test('the Adam fast path makes one kernel per variable instead of thirteen', async () => {
  await tf.setBackend('wasm');
  const count = async () => {
    const vars = [tf.variable(tf.ones([4])), tf.variable(tf.ones([2, 2]))];
    const opt = tf.train.adam(0.1);
    const grads = { [vars[0]!.name]: tf.ones([4]), [vars[1]!.name]: tf.ones([2, 2]) } as Grads;
    opt.applyGradients(grads); // first step creates the moments
    const p = await tf.profile(() => opt.applyGradients(grads));
    opt.dispose();
    tf.dispose([...vars, ...(Object.values(grads) as tf.Tensor[])]);
    return p.kernels.length;
  };
  const before = await count();
  const { registerFastPaths } = await import('../../../src/kernels/index');
  const paths = registerFastPaths(tf, 'wasm');
  try {
    const after = await count();
    assert.ok(before >= 26, `tfjs' own: ${before} kernels`);
    assert.ok(after <= 2 + 4, `fast: ${after} kernels (one per variable, and the accBeta updates)`);
  } finally {
    paths.restore();
  }
});
