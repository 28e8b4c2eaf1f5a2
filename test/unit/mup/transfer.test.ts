// The transfer file round trip on the cpu backend, in-process: the worker's `transfer` job on a fixture model (built
// with its tuned HP), the file composed from it, written as JSON text, read back by createMup(tf).fromTransfer, and a
// model built at the target width trained by the MuAdam it gives: every weight's LR is the file's, which is muP's rule
// (hidden: lr / width_mult; the rest: lr), and the file's init stds and readout multiplier are the model's.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createMup } from '../../../src/mup';
import { analyzeTrials } from '../../../src/sweep/optimum';
import { composeTransferFile, tunedAt, type TransferJobResult } from '../../../src/sweep/transfer';
import type { SweepReport, SweepTrial } from '../../../src/sweep/types';
import { runTransferJob } from '../../../src/worker/transferJob';

const fixture = join(__dirname, '../../fixtures/models/mlp_hp.ts');
const mup = createMup(tf);

/** A finished muP sweep of the fixture (widths 16, 32; LR best 2^-6; outputMult best at 2^0.5, fitted). */
function sweepReport(): SweepReport {
  const trials: SweepTrial[] = [];
  // Two seeds whose curves agree in shape (issue 21: one seed is inconclusive).
  for (const width of [16, 32]) for (const e of [-8, -7, -6, -5, -4]) for (const a of [-2, -1, 0, 1, 2]) for (const seed of [0, 1]) {
    trials.push({ width, lr: 2 ** e, seed, loss: 1 + 0.001 * seed + 0.05 * (e + 6) ** 2 + 0.04 * (a - 0.5) ** 2 - width / 1000, diverged: false, hp: { outputMult: 2 ** a } });
  }
  const grid = { widths: [16, 32], lrs: [-8, -7, -6, -5, -4].map((e) => 2 ** e), seeds: 2, hps: [{ name: 'outputMult', values: [-2, -1, 0, 1, 2].map((a) => 2 ** a) }] };
  const a = analyzeTrials(trials, grid);
  return {
    trials, optimum: a.optimum, shiftOctaves: a.shiftOctaves, transfers: a.transfers, reused: 0,
    model: { file: 'test/fixtures/models/mlp_hp.ts', exportName: 'mlp' }, parametrization: 'mup', widths: grid.widths, lrs: grid.lrs, seeds: 2, steps: 20, baseWidth: 16,
    fittedShiftOctaves: a.fittedShiftOctaves, everyAxisTransfers: a.everyAxisTransfers,
    hps: a.hps.map((h) => ({ name: h.name, values: grid.hps[0]!.values, optimum: h.optimum, shiftOctaves: h.shiftOctaves, fittedShiftOctaves: h.fittedShiftOctaves, transfers: h.transfers })),
    recommended: null, backends: ['cpu'], data: null, ran: 50, missing: 0, complete: true, missingTrials: [], failed: 0, cancelled: false, workers: 1, shard: null,
    storeDir: '/tmp/store', elapsedMs: 1, warnings: [],
  };
}

async function facts(target: number, hp: Record<string, number>): Promise<TransferJobResult> {
  return runTransferJob(
    { file: fixture, exportName: 'mlp', baseWidth: 16, targetWidth: target, hp },
    { tf, mup: () => mup, loadModule: async (f) => require(f) as Record<string, unknown>, progress: () => undefined },
  );
}

test('transfer file: composed from the model, written as JSON, read back by fromTransfer; MuAdam trains the target width with its LRs', async () => {
  await tf.setBackend('cpu');
  const r = sweepReport();
  assert.equal(r.everyAxisTransfers, true);
  const tuned = tunedAt(r, 32)!;
  assert.ok(Math.abs(Math.log2(tuned.lr) - -6) < 1e-9, `tuned lr 2^${Math.log2(tuned.lr)}`);
  assert.ok(Math.abs(Math.log2(tuned.hp.outputMult!) - 0.5) < 1e-9, 'the fitted best of the HP');
  const before = tf.memory().numTensors;
  const f = composeTransferFile({ report: r, modelSha256: 'abc', tuned, targetWidth: 128, facts: await facts(128, tuned.hp), version: 'test' });
  assert.equal(tf.memory().numTensors, before, 'the job disposes both models');
  assert.deepEqual(f.params.map((p) => `${p.name}:${p.role}:${p.adam.lrMult}:${p.sgd.lrMult}`), [
    'fc1/kernel:input:1:8', 'fc1/bias:bias:1:8', 'fc2/kernel:hidden:0.125:1', 'fc2/bias:bias:1:8', 'readout/kernel:readout:1:8', 'readout/bias:fixed:1:1',
  ]);
  // fan-in init: the input layer's std stays, the hidden layer's shrinks like 1/sqrt(width_mult); the model follows
  const fc2 = f.params.find((p) => p.name === 'fc2/kernel')!;
  assert.ok(Math.abs(fc2.init.muPStd - fc2.init.baseStd / Math.sqrt(8)) < 1e-12 && fc2.init.follows, JSON.stringify(fc2.init));
  assert.ok(f.params.every((p) => p.init.follows), 'the fixture is muP: every init follows the rule');
  // the readout's rescaling: outputMult at the base width, outputMult / 8 at 128
  assert.deepEqual(f.readouts.map((o) => [o.layer, o.via, Number(o.baseMult.toFixed(6)), Number(o.targetMult.toFixed(6)), o.follows]), [
    ['readout', 'rescaling readout_scale', Number((2 ** 0.5).toFixed(6)), Number((2 ** 0.5 / 8).toFixed(6)), true],
  ]);

  const text = JSON.stringify(f, null, 2);
  const t = mup.fromTransfer(text);
  assert.equal(t.width, 128);
  assert.equal(t.learningRate, tuned.lr);
  assert.deepEqual(t.hp, tuned.hp);
  const { mlp } = require(fixture) as { mlp: (w: number, hp?: Record<string, number>) => tf.LayersModel };
  const model = mlp(t.width, t.hp);
  const opt = t.adam(model);
  const x = tf.randomNormal([8, 32]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
  const loss = opt.step(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar);
  assert.ok(Number.isFinite(loss.dataSync()[0]!));
  model.trainableWeights.forEach((w, i) => {
    const lr = opt.groupOf(w.read() as tf.Variable).learningRate;
    assert.ok(Math.abs(lr - f.params[i]!.adam.lr) < 1e-15, `${f.params[i]!.name}: MuAdam ${lr}, file ${f.params[i]!.adam.lr}`);
  });
  tf.dispose([loss, x, y]);
  opt.dispose();
  model.dispose();
});

test('fromTransfer says what is wrong: another width, another model, an SP file, a damaged or foreign file', async () => {
  await tf.setBackend('cpu');
  const r = sweepReport();
  const tuned = tunedAt(r, 32)!;
  const f = composeTransferFile({ report: r, modelSha256: 'abc', tuned, targetWidth: 64, facts: await facts(64, tuned.hp), version: 'test' });
  const t = mup.fromTransfer(f);
  const { mlp } = require(fixture) as { mlp: (w: number, hp?: Record<string, number>) => tf.LayersModel };
  const wrong = mlp(128, t.hp);
  assert.throws(() => t.apply(wrong), /weight #0 \(fc1\/kernel\) is \[32, 128\], the file's is \[32, 64\] at width 64; build the model at width 64: mlp\(64, \{"outputMult":1\.41/);
  wrong.dispose();
  const other = tf.sequential({ layers: [tf.layers.dense({ units: 64, inputShape: [32] })] });
  assert.throws(() => t.apply(other), /the model has 2 trainable weights, the transfer file 6/);
  other.dispose();
  assert.throws(() => mup.fromTransfer({ ...f, parametrization: 'sp' as 'mup' }), /not from a muP sweep; SP values do not transfer/);
  assert.throws(() => mup.fromTransfer('{"format":"mup-lens/transfer","version":3}'), /transfer file version 3; this mup-lens reads versions 1 and 2/);
  assert.throws(() => mup.fromTransfer('{"a":1}'), /not a mup-lens transfer file/);
  assert.throws(() => mup.fromTransfer('{'), /fromTransfer: not JSON/);
  const { tuned: _t, ...broken } = f;
  assert.throws(() => mup.fromTransfer(broken as never), /incomplete or damaged/);
});
