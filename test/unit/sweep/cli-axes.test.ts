// `mup-lens sweep --depths` end to end (in-process CLI, real worker processes) on the shipped CompleteP twin
// (examples/residual/completep.ts): trials carry their depth (JSON and store keys), the depth axis is judged per
// value (at 200 steps and 4 seeds: the best LR 2^-10 at both depths and the best loss at depth 8 no worse than at
// depth 2: it transfers, where SP's loss is 6-9% worse), the text names it; and a
// factory that never reads `depth` stops the sweep with one line (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli';
import type { StoredTrial } from '../../../src/host/sweepStore';
import type { SweepReport } from '../../../src/sweep/types';

const root = join(__dirname, '../../..');

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: root });
  return { code, out, err };
}

test('sweep --depths 2,8 on the CompleteP twin: the best LR holds and the loss does not worsen with depth', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-depth-'));
  // The PyTorch reference's training length (200 steps; issue 22) and 4 seeds: at 150 steps and 2 seeds depth 8's
  // loss was 1-2% above depth 2's, inside the seeds' noise (inconclusive); here it is below it, and the axis passes.
  const args = ['sweep', 'examples/residual/completep.ts#resnet', '--depths', '2,8', '--widths', '128', '--lr-range', '2^-11:2^-7:1', '--steps', '200', '--seeds', '4', '--workers', '2', '-q', '--out', out];
  const r1 = await cli([...args, '--format', 'json']);
  assert.ok(r1.code === 0 || r1.code === 4, `exit ${r1.code}: ${r1.err}`);
  const r = JSON.parse(r1.out) as SweepReport;
  assert.equal(r.trials.length, 2 * 5 * 4);
  assert.deepEqual([...new Set(r.trials.map((t) => t.axes!.depth))].sort((a, b) => a! - b!), [2, 8]);
  const stored = readFileSync(join(out, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StoredTrial);
  assert.deepEqual([...new Set(stored.map((s) => s.identity.axes!.depth))].sort((a, b) => a! - b!), [2, 8]);
  const depth = r.axes!.find((a) => a.name === 'depth')!;
  assert.notEqual(depth.status, 'does-not-transfer', depth.verdict.join('\n'));
  assert.deepEqual(depth.worsens, []);
  const [d2, d8] = depth.slices[0]!.optimum;
  assert.deepEqual([d2!.value, d8!.value], [2, 8]);
  assert.ok(Math.abs(d8!.log2Lr - d2!.log2Lr) <= 1, `best LR 2^${d2!.log2Lr} -> 2^${d8!.log2Lr}`);
  // Measured (tfjs wasm): best LR 2^-10 at both depths, best loss 0.6566 -> 0.6508: the axis transfers.
  assert.equal(depth.status, 'transfers', depth.verdict.join('\n'));
  assert.equal(d2!.log2Lr, -10);
  assert.equal(d8!.log2Lr, -10);
  assert.ok(d8!.loss <= d2!.loss, `best loss ${d2!.loss} -> ${d8!.loss}: no worse at depth 8`);
  assert.ok(Math.abs(d2!.loss - 0.6566) < 0.01 && Math.abs(d8!.loss - 0.6508) < 0.01, `best losses ${d2!.loss}, ${d8!.loss}`);
  assert.ok(d8!.loss <= d2!.loss * 1.03, `best loss ${d2!.loss} -> ${d8!.loss}: less than SP's 6%`);
  assert.ok(d2!.loss > 0.5 && d2!.loss < 1, `depth 2 best loss ${d2!.loss} (the teacher task's range)`);
  assert.equal(r.everyAxisTransfers, depth.status === 'transfers');
  // The text, from the store (every trial reused).
  const text = await cli(args);
  assert.equal(text.code, r1.code);
  assert.match(text.out, /depth axis \(2, 8\):/);
  assert.match(text.out, /depth: transfers\n {2}depth at width 128: best LR moves 0 octaves over depth 2,8/);
});

test('sweep --depths on a factory that never reads depth: exit 2, one line', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-depth-unread-'));
  const r = await cli(['sweep', 'examples/mlp/mup.ts#mlp', '--depths', '2,4', '--widths', '16', '--lrs', '2^-6', '--steps', '4', '--workers', '1', '-q', '--out', out]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^mup-lens sweep: hyperparameter 'depth' is never read: mlp was called with it/m);
});

test('sweep axis flags: two or more positive integers; --steps-axis excludes --steps', async () => {
  for (const [flags, msg] of [
    [['--depths', '4'], /^mup-lens sweep: --depths: expected two or more different positive integers/m],
    [['--batches', '8,x'], /^mup-lens sweep: --batches: expected two or more/m],
    [['--steps-axis', '100,200', '--steps', '50'], /^mup-lens sweep: --steps-axis sets each trial's steps: leave out --steps/m],
  ] as const) {
    const r = await cli(['sweep', 'examples/residual/completep.ts#resnet', ...flags]);
    assert.equal(r.code, 2);
    assert.match(r.err, msg);
  }
});
