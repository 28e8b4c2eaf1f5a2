// Issue 20 items 2 and 8 (values read back): a store line or a result.json holding what no trial or analysis writes
// (a negative or non-numeric loss, an LR <= 0, 1e300 or a string, an HP value off its axis) is refused in one line,
// never concluded from: `transfer` exits 2 and writes nothing; the store skips the line (the trial runs again).
// `fromTransfer` refuses an LR no sweep finds, a negative HP, per-weight LRs that do not follow from the file, and a
// model whose weights are not the file's.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { main } from '../../../src/cli';
import { readStore } from '../../../src/host/sweepStore';
import { createMup } from '../../../src/mup';
import { composeTransferFile, tunedAt } from '../../../src/sweep/transfer';
import { runTransferJob } from '../../../src/worker/transferJob';
import { sweepStore } from './sweepStoreFixture';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tampering with parsed JSON, any shape
type Json = any;

const root = join(__dirname, '../../..');
const modelAbs = join(root, 'test/fixtures/models/mlp_hp.ts');

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), cwd: root });
  return { code, out, err };
}

const edits: [string, (r: Record<string, Json>) => void, RegExp][] = [
  ['fitted LR -0.05', (r) => (r.optimum[1].fittedLr = -0.05), /optimum\[1\]: fittedLr -0\.05 is not between the grid's ends/],
  ['fitted LR 0', (r) => (r.optimum[1].fittedLr = 0), /optimum\[1\]: fittedLr 0 is not between/],
  ['fitted LR 1e300', (r) => (r.optimum[1].fittedLr = 1e300), /optimum\[1\]: fittedLr 1e\+300 is not between/],
  ['fitted LR "abc"', (r) => (r.optimum[1].fittedLr = 'abc'), /optimum\[1\]: fittedLr "abc" is not between/],
  ['grid LR null', (r) => (r.optimum[1].lr = null), /optimum\[1\]: lr null is not one of the swept LRs/],
  ['negative HP optimum', (r) => (r.hps[0].optimum[1].fittedValue = -2), /hps outputMult optimum\[1\]: fittedValue -2 is not between the axis's ends/],
  ['negative trial loss', (r) => (r.trials[3].loss = -5), /trials\[3\]: the loss is -5 \(a trial's loss is a finite number >= 0, or it diverged\)/],
];

for (const [what, edit, message] of edits) {
  test(`transfer: a result.json with ${what} is refused in one line, exit 2, nothing written`, async () => {
    const base = mkdtempSync(join(tmpdir(), 'tampered-'));
    const dir = join(base, 'store');
    await sweepStore(dir);
    const r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as Record<string, Json>;
    edit(r);
    writeFileSync(join(dir, 'result.json'), JSON.stringify(r));
    const before = readdirSync(dir).sort();
    const out = join(base, 'out.transfer.json');
    const got = await cli(['transfer', dir, '--width', '128', '--out', out]);
    assert.equal(got.code, 2, got.err);
    assert.equal(got.out, '');
    assert.equal(got.err.split('\n').length, 2, got.err);
    assert.match(got.err, /^mup-lens transfer: .*result\.json: /);
    assert.match(got.err, message);
    assert.match(got.err, /not what a sweep writes \(edited or damaged\); run the sweep again to rewrite it\n$/);
    assert.ok(!existsSync(out), 'no transfer file');
    assert.deepEqual(readdirSync(dir).sort(), before, 'nothing written in the store');
    assert.deepEqual(readdirSync(base).sort(), ['store']);
  });
}

test('store: a valid-JSON trial line with a negative or non-numeric loss is skipped with a warning, never an optimum', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-values-'));
  const identity = (lr: number) => ({ modelSha256: 'm', exportName: 'mlp', width: 16, lr, seed: 0, steps: 4, parametrization: 'sp', baseWidth: 64, data: { kind: 'default' }, format: 1 });
  const line = (key: string, lr: number, outcome: object) => JSON.stringify({ v: 1, key, identity: identity(lr), modelFile: 'm.ts', backend: 'cpu', version: '0', outcome, finishedAt: '' });
  writeFileSync(join(dir, 'trials.jsonl'), [
    line('a', 0.01, { loss: -5, diverged: false }),
    line('b', 0.02, { loss: 'low', diverged: false }),
    line('c', 0.04, { loss: 2.3, diverged: false }),
    line('d', 0, { loss: 2.3, diverged: false }),
  ].join('\n') + '\n');
  const { trials, warnings } = readStore(dir);
  assert.deepEqual([...trials.keys()], ['c']);
  assert.deepEqual(warnings, [
    "trials.jsonl:1: skipped a trial record that no trial writes: the loss is -5 (a trial's loss is a finite number >= 0, or it diverged)",
    `trials.jsonl:2: skipped a trial record that no trial writes: the loss is "low" (a trial's loss is a finite number >= 0, or it diverged)`,
    'trials.jsonl:4: skipped a trial record that no trial writes: its lr is 0, not a number > 0',
  ]);
});

test('fromTransfer: refuses lr 1e300, a negative HP, per-weight LRs that do not follow, and weights that are not the model\'s', async () => {
  await tf.setBackend('cpu');
  const mup = createMup(tf);
  const report = await sweepStore(mkdtempSync(join(tmpdir(), 'transfer-file-')));
  const tuned = tunedAt(report, 32)!;
  const facts = await runTransferJob(
    { file: modelAbs, exportName: 'mlp', baseWidth: 16, targetWidth: 64, hp: tuned.hp },
    { tf, mup: () => mup, loadModule: async (f) => require(f) as Record<string, unknown>, progress: () => undefined },
  );
  const good = composeTransferFile({ report, modelSha256: 'abc', tuned, targetWidth: 64, facts, version: 'test' });
  const text = JSON.stringify(good);
  const edited = (edit: (f: Record<string, Json>) => void) => {
    const f = JSON.parse(text) as Record<string, Json>;
    edit(f);
    return JSON.stringify(f);
  };
  const { mlp } = require(modelAbs) as { mlp: (w: number, hp?: Record<string, number>) => tf.LayersModel };
  // the file as written trains
  mup.fromTransfer(text).adam(mlp(64, tuned.hp));
  assert.throws(() => mup.fromTransfer(edited((f) => (f.tuned.lr = 1e300))), /^Error: fromTransfer: tuned\.lr is 1e\+300, more than any Adam LR a sweep finds \(at most 10\)/);
  assert.throws(() => mup.fromTransfer(edited((f) => (f.tuned.hp.outputMult = -1))), /fromTransfer: tuned\.hp\.outputMult is -1; a swept hyperparameter is a number > 0/);
  const hidden = good.params.findIndex((p) => p.role === 'hidden');
  const lrEdited = mup.fromTransfer(edited((f) => (f.params[hidden].adam.lr *= 100)));
  assert.throws(() => lrEdited.adam(mlp(64, tuned.hp)), new RegExp(`fromTransfer: weight #${hidden} \\(${good.params[hidden]!.name}\\) would train at lr .*, the file's params\\[${hidden}\\]\\.adam\\.lr is`));
  const renamed = mup.fromTransfer(edited((f) => (f.params[0].name = 'encoder/kernel')));
  assert.throws(() => renamed.apply(mlp(64, tuned.hp)), /fromTransfer: weight #0 is '.*' in the model and 'encoder\/kernel' in the transfer file: this is not the model the file was written for/);
});
