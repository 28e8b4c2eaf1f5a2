// `mup-lens sweep --hp` end to end (in-process CLI, real worker processes): the factory and the data export get the
// values, every trial carries them (JSON and store), the JSON's `hps` judges each axis, a rerun reuses the trials,
// the grid-size cap counts HP axes, and a swept HP the model never reads stops the sweep with one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli';
import { trialKey, type StoredTrial } from '../../../src/host/sweepStore';
import type { SweepReport } from '../../../src/sweep/types';

const root = join(__dirname, '../../..');
const model = 'test/fixtures/models/mlp_hp.ts';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: root });
  return { code, out, err };
}
const storeLines = (dir: string) => readFileSync(join(dir, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StoredTrial);
const tiny = ['--mup', '--base-width', '16', '--widths', '16,32', '--lrs', '2^-6', '--steps', '8', '--workers', '2', '--format', 'json'];

test('sweep --hp: the factory gets each value, trials and the store carry them, `hps` judges the axis, a rerun reuses them', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-hp-'));
  const args = ['sweep', `${model}#mlp`, ...tiny, '--hp', 'outputMult=2^-3:2^3:3', '--out', out];
  const first = await cli(args);
  assert.ok([0, 1, 4].includes(first.code), first.err);
  const r = JSON.parse(first.out) as SweepReport;
  assert.deepEqual(Object.keys(r).slice(0, 5), ['trials', 'optimum', 'shiftOctaves', 'transfers', 'reused']);
  assert.equal(r.trials.length, 2 * 3);
  assert.deepEqual([...new Set(r.trials.map((t) => t.hp!.outputMult))].sort((a, b) => a - b), [2 ** -3, 1, 8]);
  // The multiplier changes the model: three different losses per width.
  for (const w of [16, 32]) assert.equal(new Set(r.trials.filter((t) => t.width === w).map((t) => t.loss)).size, 3);
  assert.equal(r.hps!.length, 1);
  const h = r.hps![0]!;
  assert.equal(h.name, 'outputMult');
  assert.deepEqual(h.values, [2 ** -3, 1, 8]);
  assert.deepEqual(h.optimum.map((o) => o.width), [16, 32]);
  for (const o of h.optimum) {
    const best = Math.min(...r.trials.filter((t) => t.width === o.width).map((t) => t.loss!));
    assert.equal(o.loss, best, 'one LR: the HP optimum is the best trial of the width');
    assert.ok(o.fittedValue > 0 && typeof o.atEdge === 'boolean');
  }
  assert.equal(typeof h.shiftOctaves, 'number');
  assert.equal(r.everyAxisTransfers, h.transfers, 'one LR: only the HP is judged');
  assert.equal(first.code, r.verdict === 'transfers' ? 0 : r.verdict === 'does-not-transfer' ? 1 : 4);
  assert.equal(r.verdict, 'inconclusive', 'one seed cannot say (issue 21)');
  assert.equal(r.lrVerdict, 'inconclusive', 'one LR is never judged to transfer (issue 28)');
  assert.match(first.err, /^grid: widths 16,32 x 1 LRs \(2\^-6\.0\.\.2\^-6\.0\) x 3 outputMult \(2\^-3\.\.2\^3\) x 1 seed = 6 trials of 8 steps/m);
  assert.match(first.err, /\] width \d+ lr 2\^-6\.0 outputMult 2\^(-3|0|3) seed 0: loss/);
  const lines = storeLines(out);
  assert.equal(lines.length, 6);
  for (const l of lines) {
    assert.deepEqual(Object.keys(l.identity.hp!), ['outputMult']);
    assert.deepEqual(l.hpRead, ['outputMult']);
    assert.equal(l.key, trialKey(l.identity));
  }
  const sweepJson = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { hps: unknown };
  assert.deepEqual(sweepJson.hps, [{ name: 'outputMult', values: [2 ** -3, 1, 8] }]);

  const again = await cli(args);
  const r2 = JSON.parse(again.out) as SweepReport;
  assert.equal(r2.reused, 6);
  assert.equal(r2.ran, 0);
  assert.deepEqual(r2.trials, r.trials);
  // Widening the HP grid runs only the new values.
  const wider = await cli(['sweep', `${model}#mlp`, ...tiny, '--hp', 'outputMult=2^-3:2^3:3', '--hp', 'extra=1', '--out', out]);
  assert.equal(wider.code, 2, 'an HP the factory never reads stops the sweep');
  assert.match(wider.err, /^mup-lens sweep: hyperparameter 'extra' is never read: mlp was called with it \(width \d+, lr 2\^-6\) and neither the factory nor the data export read it/m);
  assert.equal(wider.err.trim().split('\n').filter((l) => l.startsWith('mup-lens sweep:')).length, 1);
});

test('sweep --hp: a config-object factory gets the values beside width, a layer that reads them only while training counts, so does the data export', async () => {
  for (const [spec, hp] of [[`${model}#mlpObject`, 'outputMult=0.25,4'], [`${model}#mlpLazy`, 'outputMult=0.25,4'], ['test/fixtures/models/mlp_hp_data.ts#mlp', 'inputScale=0.25,4']] as const) {
    const out = mkdtempSync(join(tmpdir(), 'sweep-hp-forms-'));
    const r = await cli(['sweep', spec, ...tiny, '--widths', '16', '--hp', hp, '--out', out]);
    assert.ok([0, 1, 4].includes(r.code), `${spec}: ${r.err}`);
    const rep = JSON.parse(r.out) as SweepReport;
    assert.equal(rep.trials.length, 2, spec);
    assert.notEqual(rep.trials[0]!.loss, rep.trials[1]!.loss, `${spec}: the two values train different models`);
    const name = hp.split('=')[0]!;
    for (const l of storeLines(out)) assert.deepEqual(l.hpRead, [name], spec);
  }
});

test('sweep --hp: a factory that never reads the HP stops at its first trial; --max-trials counts the HP axes', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-hp-unread-'));
  const r = await cli(['sweep', `${model}#ignores`, ...tiny, '--hp', 'outputMult=2^-4:2^4:1', '--out', out]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /hyperparameter 'outputMult' is never read: ignores was called with it .* so every value trains the same model\. Read it in the factory, e\.g\. `export function ignores\(width, \{ outputMult = 1 \} = \{\}\)`/);
  assert.ok(storeLines(out).length <= 2, 'stopped after the first trials (one per worker), not 18');

  const cap = await cli(['sweep', `${model}#mlp`, ...tiny, '--hp', 'outputMult=2^-4:2^4:1', '--hp', 'b=1,2,3', '--max-trials', '50']);
  assert.equal(cap.code, 2);
  assert.match(cap.err, /the grid has 54 trials \(2 widths x 1 LRs x 9 outputMult values x 3 b values x 1 seeds\), more than --max-trials 50/);
  const bad = await cli(['sweep', `${model}#mlp`, '--hp', 'lr=1,2']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^mup-lens sweep: --hp: the learning rate is swept by --lrs or --lr-range, not --hp lr$/m);
});

test('sweep without --hp: the stored identity has no hp, its key is what it was, the JSON trials have no hp', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-nohp-'));
  const r = await cli(['sweep', `${model}#mlp`, ...tiny, '--widths', '16', '--lrs', '2^-6,2^-5', '--out', out]);
  assert.ok([0, 1, 4].includes(r.code), r.err);
  const rep = JSON.parse(r.out) as SweepReport;
  for (const t of rep.trials) assert.equal('hp' in t, false);
  assert.deepEqual(rep.hps, []);
  for (const l of storeLines(out)) {
    assert.equal('hp' in l.identity, false);
    assert.equal('hpRead' in l, false);
    const { modelSha256, exportName, width, lr, seed, steps, parametrization, baseWidth, data, format } = l.identity;
    assert.equal(l.key, trialKey({ modelSha256, exportName, width, lr, seed, steps, parametrization, baseWidth, data, format }));
  }
});
