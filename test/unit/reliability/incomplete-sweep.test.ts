// Issue 16 item 1: a sweep whose grid lacks trials (a store that lost half of them, a --merge-only after one shard
// of two, trials that failed) concludes nothing: no transfer, no recommended LR, exit 3, and it says what is missing
// and how to complete it; the panel says so as plainly as a verdict.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli';
import { sweepModel } from '../../../src/plot/sweepModel';
import { renderSweepReport, sweepViewOf } from '../../../src/report/sweepHtml';
import { analyzeTrials, recommendLr } from '../../../src/sweep/optimum';
import { formatText } from '../../../src/sweep/report';
import type { SweepReport, SweepTrial } from '../../../src/sweep/types';

const root = join(__dirname, '../../..');
const grid = { widths: [16, 32], lrs: [-10, -9, -8, -7, -6, -5, -4].map((e) => 2 ** e), seeds: 1 };
// Width 16's best LR is 2^-7, width 32's 2^-6 (a one-octave move: transfers when complete).
const loss = (w: number, e: number) => 1 + 0.1 * (e - (w === 16 ? -7 : -6)) ** 2;
const full: SweepTrial[] = grid.widths.flatMap((width) => grid.lrs.map((lr) => ({ width, lr, seed: 0, loss: loss(width, Math.log2(lr)), diverged: false })));

test('an incomplete grid is never said to transfer and gets no recommended LR, even where the trials left would say so', () => {
  // The issue's case: 7 of 14 trials lost, among them width 32's optimum.
  const kept = full.filter((t, i) => t.width === 16 || i % 2 === 0);
  const blind = analyzeTrials(kept);
  assert.equal(blind.optimum.find((o) => o.width === 32)!.log2Lr !== -6, true, 'without the grid the lost optimum is silently wrong');
  const a = analyzeTrials(kept, grid);
  assert.equal(a.complete, false);
  assert.equal(a.transfers, false);
  assert.equal(a.missing.length, 4);
  assert.deepEqual([...new Set(a.missing.map((p) => p.width))], [32]);
  assert.equal(recommendLr(a, 1024), null);
  assert.ok(a.warnings.some((w) => /transfer not judged: 4 of 14 trials of the grid have no result \(width 32: 4 of 7 LRs \(2\^-10\.\.2\^-4\)\)/.test(w)), a.warnings.join('\n'));
  const whole = analyzeTrials(full, grid);
  assert.equal(whole.complete, true);
  assert.equal(whole.pointTransfers, true, 'the point rule: a one-octave move');
  assert.equal(whole.verdict, 'inconclusive', 'one seed: nothing says how much of it is noise (issue 21)');
  assert.ok(recommendLr(whole, 1024));
});

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: root });
  return { code, out, err };
}

test('CLI: a store that lost half its trials exits 3 with what is missing; running again completes it', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-incomplete-'));
  const args = ['sweep', 'test/fixtures/models/mlp_sp.ts#mlp', '--sp', '--widths', '16,32', '--lrs', '2^-9,2^-7,2^-5', '--steps', '6', '--workers', '2', '--out', out, '--format', 'json'];
  const first = await cli(args);
  assert.ok([0, 1, 4].includes(first.code), first.err); // 4: one seed is inconclusive (issue 21)
  assert.equal((JSON.parse(first.out) as SweepReport).complete, true);
  const store = join(out, 'trials.jsonl');
  const lines = readFileSync(store, 'utf8').trim().split('\n');
  writeFileSync(store, lines.filter((_, i) => i % 2 === 0).join('\n') + '\n');

  const merged = await cli([...args, '--merge-only']);
  assert.equal(merged.code, 3, merged.err);
  const r = JSON.parse(merged.out) as SweepReport;
  assert.equal(r.complete, false);
  assert.equal(r.transfers, false);
  assert.equal(r.recommended, null);
  assert.equal(r.missing, 3);
  assert.equal(r.missingTrials.length, 3);
  assert.match(merged.err, /transfer not judged: 3 of 6 trials of the grid have no result \(width/);
  assert.match(merged.err, /to complete the grid, run the missing shards \(or this command without --merge-only\)/);
  const text = await cli([...args.filter((a) => a !== 'json' && a !== '--format'), '--merge-only']);
  assert.equal(text.code, 3);
  assert.match(text.out, /transfer: not judged: the grid is incomplete \(3 of 6 trials have no result\)/);

  const again = await cli(args);
  assert.ok([0, 1, 4].includes(again.code), again.err);
  const done = JSON.parse(again.out) as SweepReport;
  assert.equal(done.complete, true);
  assert.equal(done.ran, 3);
  assert.equal(done.reused, 3);
});

test('CLI: one shard of two, then --merge-only before the other ran: not judged', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-halfshard-'));
  const args = ['sweep', 'test/fixtures/models/mlp_sp.ts#mlp', '--sp', '--widths', '16,32', '--lrs', '2^-7,2^-5', '--steps', '4', '--workers', '1', '--out', out, '--format', 'json'];
  const s0 = await cli([...args, '--shard', '1/2']);
  assert.equal(s0.code, 0, s0.err);
  assert.match(s0.err, /shard 1\/2/);
  const merged = await cli([...args, '--merge-only']);
  assert.equal(merged.code, 3);
  assert.equal((JSON.parse(merged.out) as SweepReport).transfers, false);
});

test('report and panel: an incomplete result says "not judged" and recommends nothing', () => {
  const kept = full.filter((t, i) => t.width === 16 || i % 2 === 0);
  const a = analyzeTrials(kept, grid);
  const report: SweepReport = {
    trials: kept, optimum: a.optimum, shiftOctaves: a.shiftOctaves, transfers: a.transfers, reused: kept.length,
    model: { file: 'm.ts', exportName: 'mlp' }, parametrization: 'mup', widths: grid.widths, lrs: grid.lrs, seeds: 1, steps: 10,
    baseWidth: 16, fittedShiftOctaves: a.fittedShiftOctaves, recommended: recommendLr(a, 32), backends: ['cpu'], data: null,
    ran: 0, missing: a.missing.length, complete: a.complete, missingTrials: a.missing, failed: 0, cancelled: false, workers: 1,
    shard: null, storeDir: '/tmp/s', elapsedMs: 1, warnings: a.warnings,
  };
  assert.match(formatText(report), /transfer: not judged: the grid is incomplete \(4 of 14 trials have no result\)/);
  assert.match(renderSweepReport([report]), /transfer: not judged: the grid is incomplete/);
  const model = sweepModel(sweepViewOf([report]), 'light');
  const run = model.runs[0]!;
  assert.ok(run.incomplete);
  assert.equal(run.incomplete.missing, 4);
  assert.equal(run.transfers, null);
  assert.equal(run.recommendation, null);
});
