// The kernels mup-lens adds to the bundled wasm backend (src/backend/wasmKernels.ts): their results equal the cpu
// backend's on random inputs (repeated and out-of-range segment ids included), the embedding gradient through
// tf.grad included; and the GPT example, whose embedding needs one of them, trains on wasm through the real
// worker with the same numbers as on cpu.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerMissingWasmKernels } from '../../../src/backend/wasmKernels';
import { runCoordinateCheck } from '../../../src/host/coordCheck';
import type { CoordJobParams } from '../../../src/protocol/jobs';
import { WorkerClient } from '../../../src/host/workerClient';
import { mulberry32 } from '../../../src/job/seed';

const root = join(__dirname, '../../..');

before(async () => {
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  registerMissingWasmKernels(tf);
  assert.equal(await tf.setBackend('wasm'), true);
});

/** A small deterministic PRNG, so that a failure reproduces: the one the synthetic data uses. */
const rng = mulberry32;

/** Runs `f` on a backend and returns its result's values (the tensors it made are disposed). */
async function on(backend: 'wasm' | 'cpu', f: () => tf.Tensor): Promise<{ shape: number[]; values: number[] }> {
  assert.equal(await tf.setBackend(backend), true);
  const r = tf.tidy(() => {
    const t = f();
    return { shape: t.shape, values: Array.from(t.dataSync()) };
  });
  await tf.setBackend('wasm');
  return r;
}

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-5 * (1 + Math.abs(expected[i])), `${what}[${i}]: wasm ${actual[i]} vs cpu ${expected[i]}`);
  }
}

test('registerMissingWasmKernels adds UnsortedSegmentSum to wasm once', () => {
  assert.ok(tf.getKernel('UnsortedSegmentSum', 'wasm'));
  assert.deepEqual(registerMissingWasmKernels(tf), []); // already there: idempotent
});

test('UnsortedSegmentSum on wasm equals cpu: repeated ids, ids out of range, 1-d and 2-d segment ids', async () => {
  const r = rng(1);
  const cases: { xShape: number[]; ids: number[]; n: number }[] = [
    { xShape: [7, 5], ids: [2, 0, 2, 2, 4, 0, 1], n: 5 }, // repeats, segment 3 empty
    { xShape: [6, 3, 2], ids: [1, 1, 1, 0, -1, 9], n: 3 }, // -1 and 9 are dropped
    { xShape: [4], ids: [3, 3, 0, 3], n: 4 }, // scalar rows
  ];
  for (const c of cases) {
    const x = Array.from({ length: c.xShape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);
    const f = () => tf.unsortedSegmentSum(tf.tensor(x, c.xShape), tf.tensor1d(c.ids, 'int32'), c.n);
    const w = await on('wasm', f);
    const cpu = await on('cpu', f);
    assert.deepEqual(w.shape, cpu.shape);
    assertClose(w.values, cpu.values, `x[${c.xShape}] ids [${c.ids}]`);
  }
  // 2-d ids (a prefix of x's shape; tfjs types them 1-d and tfjs-backend-cpu's kernel cannot broadcast them): as the flattened 1-d ids on cpu.
  const x = Array.from({ length: 24 }, () => r() * 2 - 1);
  const ids = [0, 2, 0, 1, 1, 2];
  const w = await on('wasm', () => tf.unsortedSegmentSum(tf.tensor3d(x, [2, 3, 4]), tf.tensor2d(ids, [2, 3], 'int32') as unknown as tf.Tensor1D, 3));
  const cpu = await on('cpu', () => tf.unsortedSegmentSum(tf.tensor2d(x, [6, 4]), tf.tensor1d(ids, 'int32'), 3));
  assert.deepEqual(w.shape, [3, 4]);
  assertClose(w.values, cpu.values, '2-d ids');
});

test('the gradient of an embedding lookup (tf.gather) through tf.grad on wasm equals cpu, repeated tokens included', async () => {
  const r = rng(2);
  const vocab = 11;
  const dim = 6;
  const table = Array.from({ length: vocab * dim }, () => r() * 2 - 1);
  const tokens = [3, 7, 3, 0, 10, 3, 7, 5, 5, 1, 3, 9]; // 3 four times, 7 and 5 twice, most of the vocabulary unused
  const upstream = Array.from({ length: tokens.length * dim }, () => r() * 2 - 1);
  const f = () => {
    const g = tf.grad((emb: tf.Tensor) => tf.gather(emb, tf.tensor2d(tokens, [3, 4], 'int32')).mul(tf.tensor3d(upstream, [3, 4, dim])).sum());
    return g(tf.tensor2d(table, [vocab, dim]));
  };
  const w = await on('wasm', f);
  const cpu = await on('cpu', f);
  assert.deepEqual(w.shape, [vocab, dim]);
  assertClose(w.values, cpu.values, 'd/d table');
  // Row 3 (used four times) is the sum of its four upstream rows; row 2 (unused) is zero.
  const row = (v: number[], i: number) => v.slice(i * dim, (i + 1) * dim);
  const expected3 = Array.from({ length: dim }, (_, j) => [0, 2, 5, 10].reduce((s, p) => s + upstream[p * dim + j], 0));
  assertClose(row(w.values, 3), expected3, 'row 3');
  assert.deepEqual(row(w.values, 2), Array(dim).fill(0));
});

test('the GPT example trains on wasm (no cpu fallback) with the same numbers as on cpu', async () => {
  const params: CoordJobParams = {
    file: join(root, 'examples/gpt/mup.ts'),
    exportName: 'gpt',
    widths: [16, 32],
    steps: 3,
    seeds: 1,
    lr: 0.01,
    optimizer: 'adam',
    parametrization: 'mup',
  };
  const wasm = new WorkerClient({ init: { backend: 'wasm', workspaceDir: root } });
  const cpu = new WorkerClient({ init: { backend: 'cpu', workspaceDir: root } });
  after(() => {
    wasm.dispose();
    cpu.dispose();
  });
  const w = await runCoordinateCheck(params, { backend: 'wasm', client: wasm });
  assert.equal(w.backend.name, 'wasm');
  assert.deepEqual(w.warnings.filter((m) => !m.startsWith('slopes from 2 widths')), [], 'no fallback to cpu');
  const c = await runCoordinateCheck(params, { backend: 'cpu', client: cpu });
  // The readout starts at zero, so the first Adam step moves only the readout; the second (t = 3) moves the
  // embedding too, through its gradient (the kernel above).
  const emb = w.result.layers.find((l) => l.role === 'embedding' || /emb|tok/i.test(l.name));
  assert.ok(emb, `an embedding layer among ${w.result.layers.map((l) => l.name)}`);
  const at = (r: typeof w.result, t: number) => r.records.filter((x) => x.layer === emb.name && x.t === t).map((x) => x.l1);
  assert.notDeepEqual(at(w.result, 3), at(w.result, 2));
  assert.equal(w.result.records.length, c.result.records.length);
  for (let i = 0; i < w.result.records.length; i++) {
    const a = w.result.records[i];
    const b = c.result.records[i];
    assert.equal(`${a.layer}@${a.width}/t${a.t}`, `${b.layer}@${b.width}/t${b.t}`);
    assert.ok(Math.abs(a.l1 - b.l1) <= 1e-3 * Math.abs(b.l1), `${a.layer}@${a.width}/t${a.t}: wasm ${a.l1} vs cpu ${b.l1}`);
  }
});
