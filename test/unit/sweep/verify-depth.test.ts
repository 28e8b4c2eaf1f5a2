// `transfer --verify` at a target depth (issue 22): the muP verification run trains with exactly what
// `createMup(tf).fromTransfer(file).adam(model)` applies at that depth: MuAdam's depth option (CompleteP: Adam
// epsilon x (L/L_proxy)^-1), every weight group at the file's Adam LR. Before, the verification's MuAdam had no
// depth option: the epsilon stayed the backend's and `depth` was undefined (and, for alpha < 1, the hidden weights'
// LR missed its depth factor). The trial job runs in-process on the shipped CompleteP twin, as the worker runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { main } from '../../../src/cli';
import { loadSweep, verifyMupTrial } from '../../../src/host/transfer';
import { createMup, type MuAdamOptimizer, type TransferFile } from '../../../src/mup';
import type { SweepTrial } from '../../../src/sweep/types';
import { runTrialJob } from '../../../src/worker/trialJob';
import { LRS, WIDTHS, modelAbs, residualStore, root } from './residualStore';

/** The epsilon the group's inner tf Adam steps with (LrGroup.epsilon is not filled in: what trains is the inner's). */
const innerEpsilon = (g: { inner: unknown }) => (g.inner as { epsilon: number }).epsilon;

/** A finished width-only muP sweep of the CompleteP twin (at its default depth 2): best LR 2^-9 at both widths. */
async function widthStore(dir: string): Promise<string> {
  const trials: SweepTrial[] = [];
  for (const width of WIDTHS) for (const [i, lr] of LRS.entries()) for (const seed of [0, 1]) {
    trials.push({ width, lr, seed, loss: 0.6 + 0.05 * (Math.log2(lr) + 9) ** 2 + (seed ? 1 : -1) * 0.0004 * Math.sin(i), diverged: false });
  }
  return residualStore(dir, trials, { backend: 'cpu' });
}

test('transfer --verify at a target depth trains the muP run with what fromTransfer applies: MuAdam depth option, epsilon and every group LR of the file', async () => {
  const base = mkdtempSync(join(tmpdir(), 'verify-depth-'));
  const dir = await widthStore(join(base, 'mup'));
  const out = join(base, 'resnet.transfer.json');
  let err = '';
  const code = await main(['transfer', dir, '--width', '128', '--depth', '8', '--proxy-depth', '2', '--batch', '128', '--proxy-batch', '32', '--out', out, '--backend', 'cpu', '-q'], { stdout: () => undefined, stderr: (s) => (err += s), cwd: root });
  assert.equal(code, 0, err);
  const file = JSON.parse(readFileSync(out, 'utf8')) as TransferFile;
  assert.deepEqual(file.depth, { baseDepth: 2, targetDepth: 8, alpha: 1, branchMultiplier: 1 / 4 });
  // tuned 2^-9, x sqrt(128/32) for the batch
  assert.ok(Math.abs(file.axes!.lr.value - 2 ** -9 * 2) < 1e-12, String(file.axes!.lr.value));

  // The muP verification trial, as runTransfer builds it, run by the worker's trial job in this process.
  const params = { ...verifyMupTrial(loadSweep(dir, root), file, 2, { depth: 8, batch: 128 }), seed: 0 };
  assert.deepEqual([params.width, params.lr, params.axes], [128, file.axes!.lr.value, { depth: 8, batch: 128 }]);
  await tf.setBackend('cpu');
  const mup = createMup(tf);
  // Every MuAdam that trains: its depth option, and each of the model's weights' group (LR, epsilon) while it trains.
  const used: { depth: unknown; groups: { lr: number; epsilon: number | undefined }[] }[] = [];
  let trained: tf.LayersModel | undefined;
  const proto = mup.MuAdam.prototype as unknown as { applyGradients(this: MuAdamOptimizer, g: unknown): void };
  const apply = proto.applyGradients;
  proto.applyGradients = function (this: MuAdamOptimizer, g: unknown) {
    if (used.length === 0) {
      used.push({ depth: this.depth, groups: trained!.trainableWeights.map((w) => this.groupOf(w.read() as tf.Variable)).map((x) => ({ lr: x.learningRate, epsilon: innerEpsilon(x) })) });
    }
    return apply.call(this, g);
  };
  const { resnet } = require(modelAbs) as { resnet: (w: number, o?: { depth?: number }) => tf.LayersModel };
  try {
    const res = await runTrialJob(params, {
      tf, mup: () => mup, progress: () => undefined,
      // the model the trial trains, kept to read its weights' groups while it trains
      loadModule: async () => ({ resnet: (w: number, o?: { depth?: number }) => (trained = resnet(w, o)) }),
    });
    assert.equal(res.losses?.length, 2);
  } finally {
    proto.applyGradients = apply;
  }
  assert.equal(used.length, 1, 'a MuAdam trained the muP run');
  const got = used[0]!;
  // what fromTransfer applies: the depth option of the file...
  assert.deepEqual(got.depth, { depth: 8, baseDepth: 2, alpha: 1 });
  assert.equal(got.groups.length, file.params.length);
  const t = mup.fromTransfer(file);
  const ref = resnet(128, t.hp as { depth: number });
  const refOpt = t.adam(ref);
  try {
    // ...and, weight by weight, the file's Adam LR and fromTransfer's epsilon (CompleteP: the backend's x 2/8)
    const eps = tf.backend().epsilon();
    got.groups.forEach((g, i) => {
      const name = file.params[i]!.name;
      const r = refOpt.groupOf(ref.trainableWeights[i]!.read() as tf.Variable);
      assert.ok(Math.abs(g.lr - file.params[i]!.adam.lr) < 1e-15, `${name}: lr ${g.lr} vs the file's ${file.params[i]!.adam.lr}`);
      assert.equal(g.lr, r.learningRate);
      assert.ok(g.epsilon !== undefined && Math.abs(g.epsilon - eps / 4) < 1e-15, `${name}: epsilon ${g.epsilon} vs ${eps / 4}`);
      assert.equal(g.epsilon, innerEpsilon(r));
    });
  } finally {
    refOpt.dispose();
    ref.dispose();
  }
});
