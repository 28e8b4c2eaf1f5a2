// What the user sees of a sweep: the text table, the plot's data and SVG, and the settings' messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTrials, recommendLr } from '../../../src/sweep/optimum';
import { sweepModel } from '../../../src/plot/sweepModel';
import { renderSweepReport as formatHtml, sweepPlotsSvg, sweepViewOf } from '../../../src/report/sweepHtml';
import { formatText } from '../../../src/sweep/report';
import { readSweepSettings } from '../../../src/settings/sweep';
import type { SweepReport } from '../../../src/sweep/types';
import type { SweepTrial } from '../../../src/sweep/types';

function report(trials: SweepTrial[]): SweepReport {
  const a = analyzeTrials(trials);
  return {
    trials, optimum: a.optimum, shiftOctaves: a.shiftOctaves, transfers: a.transfers, reused: 0,
    model: { file: 'examples/mlp/sp.ts', exportName: 'mlp' }, parametrization: 'sp', widths: [64, 256],
    lrs: [...new Set(trials.map((t) => t.lr))], seeds: 1, steps: 10, baseWidth: 64,
    fittedShiftOctaves: a.fittedShiftOctaves, recommended: recommendLr(a, 1024), backends: ['wasm (bundled)'],
    data: null, ran: trials.length, missing: 0, complete: true, missingTrials: [], failed: 0, cancelled: false, workers: 2, shard: null,
    storeDir: '/tmp/s', elapsedMs: 1, warnings: a.warnings,
  };
}
const t = (width: number, e: number, loss: number | null): SweepTrial => ({ width, lr: 2 ** e, seed: 0, loss, diverged: loss === null });
const sp = report([
  t(64, -10, 1.2), t(64, -9, 0.9), t(64, -8, 0.8), t(64, -7, 0.95), t(64, -6, null),
  t(256, -10, 0.7), t(256, -9, 0.75), t(256, -8, 0.9), t(256, -7, null), t(256, -6, null),
]);

test('text: a loss table with the best per width starred, diverged cells, shift and verdict', () => {
  const text = formatText(sp);
  assert.match(text, /^2\^-8\s+0\.800\*\s+0\.900 $/m);
  assert.match(text, /^2\^-10\s+1\.200 \s+0\.700\*$/m);
  assert.match(text, /^2\^-6\s+div \s+div $/m);
  assert.match(text, /shift of the best LR across widths: 2 octaves/);
  assert.match(text, /transfers: NO/);
  assert.match(text, /recommended LR at width 1024: .*extrapolated/);
});

test('plot: one series per width, finite points only, the optimum marked, diverged LRs as markers', () => {
  // The HTML page draws the panel's plot model (src/plot/sweepModel.ts): its data is what the SVG shows.
  const plot = sweepModel(sweepViewOf([sp]), 'light').runs[0]!.plot;
  const log2 = (lr: number) => Math.round(Math.log2(lr));
  const s = plot.series.map((x) => ({
    key: x.key,
    colour: x.color,
    points: plot.xs.filter((_, i) => x.ys[i] !== null).map(log2),
    optimum: plot.markers.filter((m) => m.kind === 'optimum' && m.seriesKey === x.key).map((m) => ({ x: log2(m.x), y: m.y })),
    diverged: plot.markers.filter((m) => m.kind === 'diverged' && m.seriesKey === x.key).map((m) => log2(m.x)).sort((a, b) => a - b),
  }));
  assert.deepEqual(s.map((x) => x.key), ['w64', 'w256']);
  assert.deepEqual(s[0]!.points, [-10, -9, -8, -7]);
  assert.deepEqual(s[0]!.optimum, [{ x: -8, y: 0.8 }]);
  assert.deepEqual(s[1]!.optimum, [{ x: -10, y: 0.7 }]);
  assert.deepEqual(s[0]!.diverged, [-6]);
  assert.deepEqual(s[1]!.diverged, [-7, -6]);
  assert.notEqual(s[0]!.colour, s[1]!.colour);
  const [svg] = sweepPlotsSvg([sp]);
  assert.equal(new Set(svg!.match(/<polyline data-series="[^"]+"/g)).size, 2);
  assert.equal(svg!.match(/data-marker="optimum"/g)?.length, 2);
  assert.equal(svg!.match(/data-marker="diverged"/g)?.length, 3);
});

test('html: self-contained (no remote loads), escapes names', () => {
  const html = formatHtml([{ ...sp, model: { file: '<x>.ts', exportName: 'mlp' } }]);
  assert.doesNotMatch(html, /<script|src=|href=|@import|url\(/);
  assert.match(html, /&lt;x&gt;\.ts#mlp/);
  assert.match(html, /default-src 'none'/);
});

test('settings: defaults, and a bad value names the setting', () => {
  const none = readSweepSettings(() => undefined).settings;
  assert.deepEqual(none.widths, [64, 128, 256]);
  assert.equal(none.lrs.length, 11);
  assert.equal(none.workers, undefined);
  assert.equal(none.parametrization, 'auto'); // the file's own parametrization (issue 23.1)
  const bad = (k: string, v: unknown) => readSweepSettings((key) => (key === k ? v : undefined)).problems.join('\n');
  assert.match(bad('sweep.widths', [64, 'x']), /mupLens\.sweep\.widths must be a list of positive integers/);
  assert.match(bad('sweep.lrRange', '2^-4'), /mupLens\.sweep\.lrRange: expected start:stop/);
  assert.match(bad('sweep.steps', 0), /mupLens\.sweep\.steps must be an integer >= 1/);
  assert.match(bad('sweep.parametrization', 'ntk'), /mupLens\.sweep\.parametrization must be auto, mup, sp or both/);
  assert.equal(readSweepSettings((k) => (k === 'sweep.workers' ? 3 : undefined)).settings.workers, 3);
});
