// Issue 20 item 8 (the smaller ones; the language server's are in lsp-stdio.test.ts, the trial line's loss in
// stored-values.test.ts): a model that leaks tensors every step is warned about; a/model.ts#mlp and b/model.ts#mlp
// keep their own coordinate-check folders; a trial record over 4096 bytes is stored; `lint` of a folder without
// files says so.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli';
import { appendTrial, readStore, trialKey, type StoredTrial, type TrialIdentity } from '../../../src/host/sweepStore';

const root = join(__dirname, '../../..');

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd });
  return { code, out, err };
}

const model = (leak: boolean) => `import * as tf from '@tensorflow/tfjs';
const kept: tf.Tensor[] = [];
export const loss = 'mse';
export function mlp(width: number): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ units: width, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 2 })] });
}
export function data(step: number) {
  ${leak ? 'kept.push(tf.ones([256]), tf.zeros([256]));' : ''}
  return { xs: tf.randomNormal([8, 4], 0, 1, 'float32', step), ys: tf.randomNormal([8, 2], 0, 1, 'float32', step + 1) };
}
`;

test('sweep: a model that leaks tensors every step gets a warning; one that does not, none', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-'));
  writeFileSync(join(dir, 'leaky.ts'), model(true));
  writeFileSync(join(dir, 'tidy.ts'), model(false));
  const args = ['--sp', '--widths', '8,16', '--lrs', '2^-6', '--steps', '20', '--workers', '1', '--backend', 'cpu'];
  const leaky = await cli(['sweep', 'leaky.ts#mlp', ...args, '--out', 'a'], dir);
  assert.notEqual(leaky.code, 2, leaky.err);
  assert.match(leaky.err, /^warning: mlp leaks tensors: 2 more alive after every training step \(tf\.memory\(\)\.numTensors \d+ -> \d+ over 18 steps at width \d+\), so memory grows until the run dies: dispose what the data export or a layer creates each step, or make it inside tf\.tidy$/m);
  assert.equal(leaky.err.match(/leaks tensors/g)!.length, 1, 'once per sweep');
  const tidy = await cli(['sweep', 'tidy.ts#mlp', ...args, '--out', 'b'], dir);
  assert.notEqual(tidy.code, 2, tidy.err);
  assert.doesNotMatch(tidy.err, /leaks tensors/);
});

test('coord: a/model.ts#mlp and b/model.ts#mlp keep their own output folders', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'two-models-'));
  for (const sub of ['a', 'b']) {
    mkdirSync(join(dir, sub));
    cpSync(join(root, 'test/fixtures/models/mlp_sp.ts'), join(dir, sub, 'model.ts'));
  }
  const args = ['--widths', '16,32', '--steps', '2', '--seeds', '1', '--backend', 'cpu', '--format', 'html'];
  const a = await cli(['coord', 'a/model.ts#mlp', ...args], dir);
  const b = await cli(['coord', 'b/model.ts#mlp', ...args], dir);
  assert.ok([0, 1].includes(a.code) && [0, 1].includes(b.code), a.err + b.err);
  const pageA = a.out.trim();
  const pageB = b.out.trim();
  assert.notEqual(pageA, pageB);
  const metaOf = (page: string) => (JSON.parse(readFileSync(join(page, '..', 'result.json'), 'utf8')) as { meta: { modelFile: string } }).meta.modelFile;
  assert.equal(metaOf(pageA), join(dir, 'a/model.ts'));
  assert.equal(metaOf(pageB), join(dir, 'b/model.ts'));
  // a's check again goes to a's folder
  const again = await cli(['coord', 'a/model.ts#mlp', ...args], dir);
  assert.equal(again.out.trim(), pageA);
});

test('store: a trial record over 4096 bytes is stored whole and read back (a regular file takes any line in one write)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'big-record-'));
  const identity: TrialIdentity = { modelSha256: 'm', exportName: 'mlp', width: 16, lr: 0.01, seed: 0, steps: 4, parametrization: 'sp', baseWidth: 64, data: { kind: 'default' }, format: 1 };
  const reads = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`/work/project/data/shard-${String(i).padStart(4, '0')}.json`, 'f'.repeat(64)]));
  const record: StoredTrial = { v: 1, key: trialKey(identity), identity, modelFile: 'm.ts', backend: 'cpu', version: '0', outcome: { loss: 1, diverged: false, initialLoss: 2, lastFiniteLoss: 1, divergedAtStep: null, stepsRun: 4, ms: 1 }, finishedAt: new Date().toISOString(), reads };
  assert.ok(JSON.stringify(record).length > 4096);
  appendTrial(dir, 'trials.jsonl', record);
  const { trials, warnings } = readStore(dir);
  assert.deepEqual(warnings, []);
  assert.deepEqual(trials.get(record.key)?.reads, reads);
});

test('lint of a folder without files says so, exit 2 (as ESLint)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'empty-lint-'));
  mkdirSync(join(dir, 'src'));
  const r = await cli(['lint', 'src'], dir);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(r.err, 'mup-lens lint: no files to lint in src (.ts .tsx .mts .cts .js .jsx .mjs .cjs; node_modules, dot folders and linked folders are skipped)\n');
  assert.ok(existsSync(join(dir, 'src')));
});
