// The engine in-process on the cpu backend (no worker): nothing leaks across checks (a data export's fresh batch
// included), and tensors a data export keeps for itself survive the check (the worker reuses the module).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runCoordCheck } from '../../../src/worker/coordJob';
import type { CoordJobParams } from '../../../src/protocol/jobs';
import { createMup } from '../../../src/mup/index';
import { loadUserModule } from '../../../src/worker/loadModule';

const models = join(__dirname, '../../fixtures/models');

async function check(file: string, exportName: string, parametrization: 'sp' | 'mup') {
  const params: CoordJobParams = { file: join(models, file), exportName, widths: [8, 16], steps: 3, seeds: 2, lr: 0.01, optimizer: 'adam', parametrization };
  const exports = await loadUserModule(params.file, { tf, runtime: () => createMup(tf) });
  const phases: string[] = [];
  const result = await runCoordCheck(tf, params, {
    exports,
    sourceLayers: null,
    mup: () => createMup(tf) as never,
    progress: (p) => phases.push(p.phase === 'step' ? `${p.width}/${p.seed}/${p.step}` : p.phase),
  });
  return { result, phases, exports };
}

test('progress: the layer list first, then every (width, seed, step), a run after each seed', async () => {
  await tf.setBackend('cpu');
  const { result, phases } = await check('mlp_sp.ts', 'mlp', 'sp');
  assert.deepEqual(phases, ['layers', '8/0/1', '8/0/2', '8/0/3', 'run', '8/1/1', '8/1/2', '8/1/3', 'run', '16/0/1', '16/0/2', '16/0/3', 'run', '16/1/1', '16/1/2', '16/1/3', 'run']);
  assert.equal(result.runs.length, 4);
  assert.ok(result.runs.every((r) => r.l1.length === 3 && r.l1.every((row) => row.length === 4 && row.every((v) => v > 0))));
});

test('no tensors leak across checks, in SP and with the muP optimizers', async () => {
  await tf.setBackend('cpu');
  for (const [file, p] of [['mlp_sp.ts', 'sp'], ['mlp_mup.ts', 'mup'], ['mureadout.ts', 'mup']] as const) {
    await check(file, 'mlp', p); // first run: module-level and optimizer set-up
    const before = tf.memory().numTensors;
    await check(file, 'mlp', p);
    assert.equal(tf.memory().numTensors, before, `${file} --${p}`);
  }
});

test("tensors a data export keeps across calls are not disposed by the check", async () => {
  await tf.setBackend('cpu');
  const { exports } = await check('cached_data.ts', 'mlp', 'sp');
  const batch = (exports.data as (s: number) => { xs: tf.Tensor; ys: tf.Tensor })(0);
  assert.equal(batch.xs.isDisposed, false);
  assert.equal(batch.ys.isDisposed, false);
  const again = await check('cached_data.ts', 'mlp', 'sp');
  assert.equal(again.result.runs.length, 4);
});
