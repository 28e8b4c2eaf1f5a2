// What the exported files hold: CSV rows, the JSON view, and the SVG drawn from the same plot data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coordModel } from '../../../src/plot/coordModel';
import { coordCsv, sweepCsv, toCsv, viewJson } from '../../../src/plot/exportData';
import { logTicks, makeAxis, plotsToSvg } from '../../../src/plot/svg';
import { sweepModel } from '../../../src/plot/sweepModel';
import { coordFixture, range, SP_LAWS, SP_SWEEP, sweepRun, sweepTrials, sweepView } from './fixtures';

const meta = { title: 'mlp', modelFile: 'examples/mlp.ts', exportName: 'mlp', parametrization: 'sp' as const };
const svgOpts = { plotWidth: 400, plotHeight: 300, columns: 3, foreground: '#000000', background: '#ffffff', grid: '#cccccc', title: 'x' };

describe('CSV and JSON export', () => {
  it('writes one coord row per (layer, t, width) with its slope', () => {
    const result = coordFixture(SP_LAWS);
    const lines = coordCsv({ kind: 'coord', meta, result }).trim().split('\n');
    assert.equal(lines[0], 'layer,role,t,width,l1,l1_std,slope');
    assert.equal(lines.length, 1 + result.records.length);
    const row = lines.find((l) => l.startsWith('dense_h2,hidden,2,1024,'))!;
    assert.ok(row, 'row for dense_h2 t=2 w=1024');
    assert.ok(Math.abs(Number(row.split(',')[6]) - 1.29) < 1e-9);
    // the zero-init readout has no slope at t = 1: an empty cell, not "null"
    assert.match(lines.find((l) => l.startsWith('readout,readout,1,64,'))!, /,$/);
  });

  it('writes every sweep trial, diverged ones with an empty loss, and log2 lr', () => {
    const trials = sweepTrials(SP_SWEEP, [64, 128], range(-10, -2), 2);
    const csv = sweepCsv(sweepView([sweepRun('sp', trials)])).trim().split('\n');
    assert.equal(csv[0], 'parametrization,width,lr,log2_lr,seed,loss,diverged');
    assert.equal(csv.length, 1 + trials.length);
    const div = csv.filter((l) => l.endsWith(',true'));
    assert.equal(div.length, trials.filter((t) => t.diverged).length);
    assert.ok(div.every((l) => l.split(',')[5] === ''));
    assert.equal(csv[1].split(',')[3], '-10');
  });

  it('quotes cells with commas or quotes', () => {
    assert.equal(toCsv(['a'], [['x,"y"']]), 'a\n"x,""y"""\n');
  });

  it('round-trips the view as JSON', () => {
    const result = coordFixture(SP_LAWS);
    const back = JSON.parse(viewJson({ kind: 'coord', meta, result }));
    assert.deepEqual(back.records, result.records);
    assert.equal(back.meta.exportName, 'mlp');
  });
});

describe('SVG export', () => {
  it('draws one polyline per layer in each step subplot, and no markers', () => {
    const m = coordModel(coordFixture(SP_LAWS), meta);
    const svg = plotsToSvg(m.plots, svgOpts);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="1200" height="324"/);
    assert.equal((svg.match(/<g data-plot=/g) ?? []).length, 3);
    // readout at t = 1 is all gaps: 4 layers x 3 steps - 1 lines
    assert.equal((svg.match(/<polyline data-series=/g) ?? []).length, 11);
    assert.equal((svg.match(/data-series="readout"[^>]*stroke-width="3"/g) ?? []).length, 2);
    assert.ok(!svg.includes('data-marker'));
    assert.ok(svg.includes('>1024<'), 'width tick labels are plain numbers');
  });

  it('draws the optima and the diverged markers of a sweep, with 2^k LR ticks', () => {
    const trials = sweepTrials(SP_SWEEP, [64, 128, 256], range(-12, -2), 3);
    const m = sweepModel(sweepView([sweepRun('sp', trials)]), 'light');
    const svg = plotsToSvg(m.runs.map((r) => r.plot), svgOpts);
    assert.equal((svg.match(/data-marker="optimum"/g) ?? []).length, 3);
    assert.equal((svg.match(/data-marker="diverged"/g) ?? []).length, m.runs[0].plot.markers.filter((x) => x.kind === 'diverged').length);
    assert.ok(svg.includes('>2^-8<'));
    assert.ok(!/NaN|undefined|Infinity/.test(svg));
  });

  it('maps a log2 axis so that each octave has the same length', () => {
    const a = makeAxis(2 ** -12, 2 ** -2, 2, 0, 100);
    const step = a.toPx(2 ** -7) - a.toPx(2 ** -8);
    assert.ok(Math.abs(a.toPx(2 ** -3) - a.toPx(2 ** -4) - step) < 1e-9);
    assert.ok(a.ticks.length <= 11 && a.ticks.every((t) => /^2\^-\d+$/.test(t.label)));
  });

  it('ticks log axes at powers of two, and at 1-2-5 on short log10 ranges', () => {
    assert.deepEqual(logTicks(2 ** -14.3, 2 ** -1.7, 2).map(Math.log2), [-14, -12, -10, -8, -6, -4, -2]);
    assert.deepEqual(logTicks(50, 3000, 2), [64, 128, 256, 512, 1024, 2048]);
    assert.deepEqual(logTicks(0.39, 1.3, 10), [0.5, 1]);
    assert.deepEqual(logTicks(0.4, 130, 10), [1, 10, 100]);
    assert.deepEqual(logTicks(0.3, 25, 10), [0.5, 1, 2, 5, 10, 20]);
    assert.deepEqual(logTicks(0, 1, 10), []);
  });

  it('keeps the legend beside the plot area, clear of the data', () => {
    const m = coordModel(coordFixture(SP_LAWS), meta);
    const svg = plotsToSvg([m.plots[1]], { ...svgOpts, columns: 1 });
    const frame = svg.match(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/)!;
    const right = Number(frame[1]) + Number(frame[2]);
    const legendXs = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" font-size="10">(dense|readout)/g)].map((x) => Number(x[1]));
    assert.equal(legendXs.length, 4);
    assert.ok(legendXs.every((x) => x > right), 'legend right of the frame');
  });

  it('says "no data yet" for an empty plot instead of drawing NaN', () => {
    const m = sweepModel(sweepView([sweepRun('mup', [])]), 'light');
    const svg = plotsToSvg([m.runs[0].plot], svgOpts);
    assert.ok(svg.includes('no data yet'));
    assert.ok(!/NaN/.test(svg));
  });
});
