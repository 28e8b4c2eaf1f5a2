import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendTrial, readStore, storeFileName, trialKey, TRIAL_FORMAT, type StoredTrial, type TrialIdentity } from '../../../src/host/sweepStore';

function identity(width: number, lr: number, seed = 0): TrialIdentity {
  return {
    modelSha256: 'abc', exportName: 'mlp', width, lr, seed, steps: 10, parametrization: 'mup', baseWidth: 64,
    data: { kind: 'synthetic' }, format: TRIAL_FORMAT,
  };
}
function record(width: number, lr: number, loss: number | null, seed = 0): StoredTrial {
  const id = identity(width, lr, seed);
  return {
    v: 1, key: trialKey(id), identity: id, modelFile: 'm.ts', backend: 'cpu', version: '0.1.0',
    outcome: { loss, diverged: loss === null, initialLoss: 2.3, lastFiniteLoss: loss, divergedAtStep: null, stepsRun: 10, ms: 5 },
    finishedAt: new Date(0).toISOString(),
  };
}

test('a trial key depends on every setting that changes the result, not on key order', () => {
  const a = identity(64, 0.01);
  const reordered = Object.fromEntries(Object.entries(a).reverse()) as unknown as TrialIdentity;
  assert.equal(trialKey(a), trialKey(reordered));
  assert.notEqual(trialKey(a), trialKey({ ...a, lr: 0.02 }));
  assert.notEqual(trialKey(a), trialKey({ ...a, steps: 11 }));
  assert.notEqual(trialKey(a), trialKey({ ...a, parametrization: 'sp' }));
  assert.notEqual(trialKey(a), trialKey({ ...a, modelSha256: 'abd' }));
});

test('appended trials read back in order; a duplicate key keeps the first', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  appendTrial(dir, 'trials.jsonl', record(64, 0.01, 1.5));
  appendTrial(dir, 'trials.jsonl', record(128, 0.01, 1.2));
  appendTrial(dir, 'trials.jsonl', record(64, 0.01, 9.9));
  const { trials, warnings } = readStore(dir);
  assert.deepEqual(warnings, []);
  assert.deepEqual([...trials.values()].map((t) => [t.identity.width, t.outcome.loss]), [[64, 1.5], [128, 1.2]]);
  assert.equal(readFileSync(join(dir, 'trials.jsonl'), 'utf8').split('\n').length, 4);
});

test('a truncated last line (a crash mid-write) is skipped with a warning, and the next write starts a fresh line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  appendTrial(dir, 'trials.jsonl', record(64, 0.01, 1.5));
  const whole = JSON.stringify(record(64, 0.02, 1.4));
  appendFileSync(join(dir, 'trials.jsonl'), whole.slice(0, 40));
  let read = readStore(dir);
  assert.equal(read.trials.size, 1);
  assert.equal(read.warnings.length, 1);
  assert.match(read.warnings[0]!, /trials\.jsonl:2: skipped a truncated last line/);
  appendTrial(dir, 'trials.jsonl', record(64, 0.04, 1.3));
  read = readStore(dir);
  assert.deepEqual([...read.trials.values()].map((t) => t.identity.lr), [0.01, 0.04]);
  assert.match(read.warnings[0]!, /trials\.jsonl:2: skipped a line that is not JSON/);
});

test('shard files in the same directory are merged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  appendTrial(dir, storeFileName({ index: 0, count: 2 }), record(64, 0.01, 1.5));
  appendTrial(dir, storeFileName({ index: 1, count: 2 }), record(64, 0.02, 1.4));
  appendTrial(dir, storeFileName(), record(64, 0.04, 1.3));
  assert.deepEqual([...readStore(dir).trials.values()].map((t) => t.identity.lr).sort(), [0.01, 0.02, 0.04]);
  assert.equal(readStore(join(dir, 'missing')).trials.size, 0);
});

test('two processes appending to one store at once never interleave lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  const storeModule = join(__dirname, '../../../src/host/sweepStore.ts');
  const writer = (id: number) => `
    const s = require(${JSON.stringify(storeModule)});
    for (let i = 0; i < 300; i++) {
      const identity = { modelSha256: 'w${id}', exportName: 'mlp', width: 64, lr: i + 1, seed: ${id}, steps: 10,
        parametrization: 'sp', baseWidth: 64, data: { kind: 'synthetic' }, format: 1, pad: 'x'.repeat(1500) };
      s.appendTrial(${JSON.stringify(dir)}, 'trials.jsonl', { v: 1, key: s.trialKey(identity), identity, modelFile: 'm', backend: 'cpu',
        version: '0', outcome: { loss: i, diverged: false }, finishedAt: '' });
    }`;
  const run = (id: number) =>
    new Promise<number>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', '-e', writer(id)], { stdio: 'inherit' });
      p.on('exit', (code) => resolve(code ?? 1));
    });
  assert.deepEqual(await Promise.all([run(1), run(2)]), [0, 0]);
  const { trials, warnings } = readStore(dir);
  assert.deepEqual(warnings, []);
  assert.equal(trials.size, 600);
});
