// Shared by the fast-path tests: both backends set up as the worker sets them up, deterministic inputs, and a
// comparison of a computation with tfjs' own implementation against the same computation with the fast paths.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerMissingWasmKernels } from '../../../src/backend/wasmKernels';
import { mulberry32 } from '../../../src/job/seed';
import { registerFastPaths } from '../../../src/kernels/index';

export { tf };
export const BACKENDS = ['cpu', 'wasm'] as const;
export type Backend = (typeof BACKENDS)[number];

let ready = false;
export async function setUp(): Promise<void> {
  if (ready) return;
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  registerMissingWasmKernels(tf);
  assert.equal(await tf.setBackend('wasm'), true);
  assert.equal(await tf.setBackend('cpu'), true);
  ready = true;
}

/** Values in [-1, 1) from a seeded generator: a failure reproduces. */
export function randomValues(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape);
}

export interface Result {
  shape: number[];
  values: number[];
}

/** Runs `f` on `backend` and reads back every tensor it returns (all it made is disposed). */
export async function evaluate(backend: Backend, f: () => tf.Tensor[]): Promise<Result[]> {
  assert.equal(await tf.setBackend(backend), true);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => f().map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) })));
  assert.equal(tf.memory().numTensors, before, 'the computation leaks no tensors');
  return out;
}

/**
 * `f` with tfjs as it is, then `fastF` (default `f`) with the fast paths registered for `backend` (and restored
 * after).
 */
export async function withAndWithout(backend: Backend, f: () => tf.Tensor[], fastF = f): Promise<{ reference: Result[]; fast: Result[]; names: string[] }> {
  const reference = await evaluate(backend, f);
  const paths = registerFastPaths(tf, backend);
  try {
    return { reference, fast: await evaluate(backend, fastF), names: paths.names };
  } finally {
    paths.restore();
  }
}

/** |a - b| <= tol * (1 + |b|) elementwise, shapes equal. */
export function assertClose(actual: Result[], expected: Result[], what: string, tol = 1e-5): void {
  assert.equal(actual.length, expected.length, `${what}: number of outputs`);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    assert.deepEqual(a.shape, e.shape, `${what}: output ${i} shape`);
    for (let j = 0; j < a.values.length; j++) {
      const x = a.values[j]!;
      const y = e.values[j]!;
      assert.ok(Math.abs(x - y) <= tol * (1 + Math.abs(y)), `${what}: output ${i}[${j}] = ${x}, tfjs' own gives ${y}`);
    }
  });
}
