// The trial loop on the cpu backend, in-process: what a trial reports, and divergence handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { isDivergence, reportedLoss, runTrial, type TrialSetup } from '../../../src/worker/trial';
import { makeTeacher, teacherBatchArrays } from '../../../src/job/data/teacher';
import { charCorpus, charCorpusData } from '../../../src/job/data/tokens';

function mlp(width: number): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [32], units: width, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10 }));
  return m;
}
const setup = (): TrialSetup => ({ tf, build: mlp, data: null, loss: 'softmax-cross-entropy', optimizer: (_m, lr) => tf.train.adam(lr) });

test('reported loss is the mean of the last 10% of steps; divergence is NaN/inf or 3x the start', () => {
  assert.equal(reportedLoss([5, 4, 3, 2, 1, 1, 1, 1, 1, 3], 10), 3);
  assert.equal(reportedLoss([4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20], 20), 19);
  assert.equal(isDivergence(NaN, 2), true);
  assert.equal(isDivergence(Infinity, null), true);
  assert.equal(isDivergence(6.1, 2), true);
  assert.equal(isDivergence(5.9, 2), false);
});

test('the teacher task is deterministic per (seed, step) and uses every class', () => {
  const t = makeTeacher(32, 10);
  const a = teacherBatchArrays(t, 0, 7);
  assert.deepEqual(teacherBatchArrays(t, 0, 7).labels, a.labels);
  assert.notDeepEqual(teacherBatchArrays(t, 0, 8).labels, a.labels);
  const classes = new Set<number>();
  for (let s = 0; s < 20; s++) teacherBatchArrays(t, 0, s).labels.forEach((c) => classes.add(c));
  assert.ok(classes.size >= 8, `classes seen: ${classes.size}`);
});

test('a trial learns the teacher task at a sane LR, reproducibly, without leaking tensors', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const a = await runTrial(setup(), { width: 32, lr: 1e-2, seed: 0, steps: 40 });
  const b = await runTrial(setup(), { width: 32, lr: 1e-2, seed: 0, steps: 40 });
  assert.equal(a.diverged, false);
  assert.ok(a.initialLoss! > 2 && a.initialLoss! < 3.2, `initial loss ${a.initialLoss} near ln 10 (chance)`);
  assert.ok(a.loss! < a.initialLoss! - 0.5, `loss ${a.loss} well below the start ${a.initialLoss}`);
  assert.equal(a.loss, b.loss, 'same seed, same width: same result');
  assert.equal(tf.memory().numTensors, before);
});

test('a huge LR diverges: stopped early, loss null, how far it got kept', async () => {
  await tf.setBackend('cpu');
  const r = await runTrial(setup(), { width: 32, lr: 50, seed: 0, steps: 40 });
  assert.equal(r.diverged, true);
  assert.equal(r.loss, null);
  assert.ok(r.divergedAtStep !== null && r.divergedAtStep < 40);
  assert.equal(r.stepsRun, r.divergedAtStep! + 1);
  assert.ok(Number.isFinite(r.lastFiniteLoss));
});

test('char corpus batches: next-character targets of the same window', () => {
  const corpus = charCorpus('In the beginning God created the heaven and the earth.\n'.repeat(4));
  const batch = charCorpusData(tf, corpus, { seqLen: 8, seed: 0, batch: 2 })(3);
  const xs = batch.xs.arraySync() as number[][];
  const ys = (batch.ys.argMax(-1).arraySync() as number[][]);
  assert.deepEqual(batch.ys.shape, [2, 8, 96]);
  for (let b = 0; b < 2; b++) assert.deepEqual(xs[b]!.slice(1), ys[b]!.slice(0, 7));
  const text = corpus.decode(xs[0]!);
  assert.ok('In the beginning God created the heaven and the earth.\n'.repeat(4).includes(text), text);
});
