// `mup-lens transfer` to a target that differs on every axis (issue 22), end to end (in-process CLI, a real worker
// building the shipped CompleteP twin at the target width and depth): every factor of the LR written out with its
// source, the far-outside warning, a version 2 file, and the runtime reading it back (the factory gets the depth,
// MuAdam the depth option, every group's LR is the file's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { main } from '../../../src/cli';
import { createMup } from '../../../src/mup';
import type { SweepTrial } from '../../../src/sweep/types';
import { LRS, WIDTHS, modelAbs, residualStore, root } from './residualStore';


async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: root });
  return { code, out, err };
}


/** A finished depth x steps sweep's store, as src/host/sweep.ts writes it: best LR 2^-9 at 100 steps, 2^-10 at 400
 *  (horizon exponent -0.5), the same at every width and depth, a flat loss across depth. */
async function axisStore(dir: string): Promise<string> {
  const trials: SweepTrial[] = [];
  for (const width of WIDTHS) for (const depth of [2, 8]) for (const steps of [100, 400]) for (const [i, lr] of LRS.entries()) for (const seed of [0, 1]) {
    const c = -9 - 0.5 * Math.log2(steps / 100);
    trials.push({ width, lr, seed, loss: 0.6 + 0.05 * (Math.log2(lr) - c) ** 2 + (seed ? 1 : -1) * 0.0004 * Math.sin(i), diverged: false, axes: { depth, steps } });
  }
  return residualStore(dir, trials, { axes: [{ name: 'depth', values: [2, 8] }, { name: 'steps', values: [100, 400] }], analyzeAxes: true, backend: 'wasm' });
}

test('transfer --width --depth --batch --steps: every factor with its source, a far-outside warning, a file the runtime reads', async () => {
  const base = mkdtempSync(join(tmpdir(), 'transfer-axes-'));
  const dir = await axisStore(join(base, 'mup'));
  const out = join(base, 'resnet.transfer.json');
  const r = await cli(['transfer', dir, '--width', '256', '--depth', '48', '--batch', '512', '--proxy-batch', '64', '--steps', '100000', '--seq-len', '2048', '--out', out, '--backend', 'wasm', '-q']);
  assert.equal(r.code, 0, r.err);
  // tuned 2^-9 at width 128, depth 2, 100 steps; x sqrt(512/64) x (100000/100)^-0.5
  const want = 2 ** -9 * Math.sqrt(8) * 1000 ** -0.5;
  assert.match(r.out, /^LR at the target: the tuned 0\.00195 x every factor = 0\.000175 \(base LR; the width and depth factors apply per weight group\):$/m);
  assert.match(r.out, /^ {2}width +x1 +per weight \(the table\): hidden \(width x width\) weights lr \/ width_mult, the others lr; width 128 -> 256 \[muP, Tensor Programs V \(arXiv 2203\.03466\)\]$/m);
  assert.match(r.out, /^ {2}depth +x1 +depth 2 -> 48 \(x24\), alpha 1: hidden weights' Adam LR x \(L\/L_proxy\)\^\(alpha-1\) = 1 .*Adam epsilon x \(L\/L_proxy\)\^-alpha = 0\.0417.* \[CompleteP \(arXiv 2505\.01618\)\]$/m);
  assert.match(r.out, /^ {2}batch +x2\.83 +batch 64 -> 512: Adam LR x sqrt\(B\/B_proxy\) = 2\.83 .*\[Malladi et al\. 2022 \(arXiv 2205\.10287\)\]$/m);
  assert.match(r.out, /^ {2}steps +x0\.0316 +steps 100 -> 100000: LR x \(S\/S_proxy\)\^beta, beta = -0\.5 measured by the sweep's steps axis.*\[measured here \(the power law of arXiv 2409\.19913\)\]$/m);
  assert.match(r.out, /^ {2}seqLen +x1 \(n\/a\) sequence length \(proxy unknown\) -> 2048: not measured: sweep --seq-lens/m);
  assert.match(r.out, /^warning: the target's steps \(100000\) is 250x the largest steps the sweep trained \(400\): far outside what was measured/m);
  // the page written beside the store lists the same factors with their sources
  const page = readFileSync(join(dir, 'transfer-w256.html'), 'utf8');
  assert.match(page, /<h2>The LR at the target, factor by factor<\/h2><p>LR at the target: the tuned 0\.00195 x every factor = 0\.000175 /);
  assert.match(page, /<li>batch +x2\.83 +batch 64 -&gt; 512: Adam LR x sqrt\(B\/B_proxy\) = 2\.83 .*\[Malladi et al\. 2022 \(arXiv 2205\.10287\)\]<\/li>/);
  const file = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(file.version, 2);
  assert.deepEqual(file.depth, { baseDepth: 2, targetDepth: 48, alpha: 1, branchMultiplier: 1 / 24 });
  assert.ok(Math.abs(file.axes.lr.value - want) < 1e-12);
  assert.deepEqual(file.axes.target, { width: 256, depth: 48, batch: 512, steps: 100000, seqLen: 2048 });
  // 48 blocks x (LayerNorm gamma, beta; two kernels, two biases) + input (2) + final norm (2) + readout (2)
  assert.equal(file.params.length, 48 * 6 + 6);

  // The runtime: the factory at the target depth, MuAdam with the file's depth, every group at the file's LR.
  await tf.setBackend('cpu');
  const t = createMup(tf).fromTransfer(readFileSync(out, 'utf8'));
  assert.deepEqual(t.hp, { depth: 48 });
  assert.ok(Math.abs(t.learningRate - want) < 1e-12);
  const { resnet } = require(modelAbs) as { resnet: (w: number, o: { depth: number }) => tf.LayersModel };
  const model = resnet(t.width, t.hp as { depth: number });
  const opt = t.adam(model);
  assert.deepEqual(opt.depth, { depth: 48, baseDepth: 2, alpha: 1 });
  const lrs = model.trainableWeights.map((w) => opt.groupOf(w.read() as tf.Variable).learningRate);
  lrs.forEach((lr, i) => assert.ok(Math.abs(lr - file.params[i].adam.lr) < 1e-15, `weight ${i}: ${lr} vs ${file.params[i].adam.lr}`));
  // hidden kernels at lr / width_mult (256/64 = 4), the rest at lr
  assert.ok(Math.abs(Math.min(...lrs) - want / 4) < 1e-12 && Math.abs(Math.max(...lrs) - want) < 1e-12);
  opt.dispose();
  model.dispose();
});
