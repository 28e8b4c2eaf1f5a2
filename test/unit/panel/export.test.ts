// What the exported files hold: CSV rows, the JSON view, and the SVG drawn from the same plot data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coordModel } from '../../../webview/src/model/coordModel';
import { coordCsv, sweepCsv, toCsv, viewJson } from '../../../webview/src/model/exportData';
import { makeAxis, plotsToSvg } from '../../../webview/src/model/svg';
import { sweepModel } from '../../../webview/src/model/sweepModel';
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

  it('says "no data yet" for an empty plot instead of drawing NaN', () => {
    const m = sweepModel(sweepView([sweepRun('mup', [])]), 'light');
    const svg = plotsToSvg([m.runs[0].plot], svgOpts);
    assert.ok(svg.includes('no data yet'));
    assert.ok(!/NaN/.test(svg));
  });
});
