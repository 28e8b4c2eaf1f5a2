// A sweep with fewer than two optima (interrupted, all diverged, all timed out) must not print a "0 octaves"
// shift, which reads as a perfect transfer; one with no trials says so instead of an empty table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTrials, recommendLr } from '../../../src/sweep/optimum';
import { renderSweepReport as formatHtml } from '../../../src/report/sweepHtml';
import { formatText } from '../../../src/sweep/report';
import type { SweepReport } from '../../../src/sweep/types';
import type { SweepTrial } from '../../../src/sweep/types';

function report(trials: SweepTrial[], missing: number): SweepReport {
  const a = analyzeTrials(trials);
  return {
    trials, optimum: a.optimum, shiftOctaves: a.shiftOctaves, transfers: a.transfers, reused: 0,
    model: { file: 'm.ts', exportName: 'mlp' }, parametrization: 'mup', widths: [32, 64],
    lrs: [2 ** -8, 2 ** -6], seeds: 1, steps: 3, baseWidth: 32,
    fittedShiftOctaves: a.fittedShiftOctaves, recommended: recommendLr(a, 64), backends: [],
    data: null, ran: trials.length, missing, complete: missing === 0, missingTrials: [], failed: missing, cancelled: false, workers: 2, shard: null,
    storeDir: '/tmp/s', elapsedMs: 1, warnings: a.warnings,
  };
}

test('one width with an optimum: no shift line, transfer not judged', () => {
  const text = formatText(report([{ width: 64, lr: 2 ** -8, seed: 0, loss: 2.1, diverged: false }], 3));
  assert.doesNotMatch(text, /shift of the best LR/);
  assert.match(text, /transfer: not judged/);
});

test('every trial diverged or missing: no shift line; no trials at all: said in words', () => {
  const div = formatText(report([{ width: 32, lr: 2 ** -6, seed: 0, loss: null, diverged: true }, { width: 64, lr: 2 ** -6, seed: 0, loss: null, diverged: true }], 2));
  assert.doesNotMatch(div, /shift of the best LR/);
  assert.match(div, /^2\^-6\s+div\s+div\s*$/m);
  const none = formatText(report([], 4));
  assert.match(none, /^no trial has a result/m);
  assert.doesNotMatch(none, /^lr\s*$/m);
  assert.match(none, /0 trials .* 4 missing/);
});

test('html optimum table: a note column only when an optimum is at the grid edge', () => {
  const t = (width: number, e: number, loss: number): SweepTrial => ({ width, lr: 2 ** e, seed: 0, loss, diverged: false });
  const inner = formatHtml([report([t(32, -9, 1), t(32, -8, 0.5), t(32, -7, 1), t(64, -9, 1), t(64, -8, 0.6), t(64, -7, 1)], 0)]);
  const table = (html: string) => /<table><thead>(.*?)<\/thead><tbody>(.*?)<\/tbody><\/table>/s.exec(html)!;
  assert.equal((table(inner)[1].match(/<th>/g) ?? []).length, 5, "width, best LR, fitted, its 95% interval, loss");
  assert.doesNotMatch(table(inner)[2], /<td><\/td>/);
  const edge = formatHtml([report([t(32, -9, 1), t(32, -8, 0.5), t(64, -9, 1), t(64, -8, 0.6)], 0)]);
  assert.match(table(edge)[1], /<th>note<\/th>/);
  assert.match(table(edge)[2], /<td>at grid edge<\/td>/);
});
