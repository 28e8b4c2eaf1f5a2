// The coordinate-check view's data: one subplot per step, one line per layer, the spread band, failing layers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coordModel, coordRows, fmtSlope } from '../../../src/plot/coordModel';
import { coordFixture, MUP_LAWS, SP_LAWS } from './fixtures';

const meta = { title: 'mlp', modelFile: 'examples/mlp.ts', exportName: 'mlp', parametrization: 'sp' as const };

describe('coordinate-check plots', () => {
  const result = coordFixture(SP_LAWS);
  const model = coordModel(result, meta);

  it('draws one subplot per step t, each with one line per layer over the sorted widths', () => {
    assert.deepEqual(model.plots.map((p) => p.title), ['t = 1', 't = 2', 't = 3']);
    for (const p of model.plots) {
      assert.equal(p.series.length, 4);
      assert.deepEqual(p.xs, [64, 128, 256, 512, 1024]);
      assert.equal(p.xLog, 2);
      assert.equal(p.yLog, 10);
    }
  });

  it('plots each record at its width, and l1 = 0 as a gap on the log axis', () => {
    const t2 = model.plots[1];
    const h1 = t2.series.find((s) => s.key === 'dense_h1')!;
    const rec = result.records.find((r) => r.layer === 'dense_h1' && r.t === 2 && r.width === 256)!;
    assert.equal(h1.ys[2], rec.l1);
    assert.equal(h1.lo![2], rec.l1 - rec.l1Std);
    assert.equal(h1.hi![2], rec.l1 + rec.l1Std);
    const readoutInit = model.plots[0].series.find((s) => s.key === 'readout')!;
    assert.deepEqual(readoutInit.ys, [null, null, null, null, null]);
  });

  it('is robust to records given out of order and to a missing point', () => {
    const r = coordFixture(SP_LAWS);
    r.records.reverse();
    r.records = r.records.filter((x) => !(x.layer === 'dense_in' && x.t === 1 && x.width === 128));
    const m = coordModel(r, meta);
    const s = m.plots[0].series.find((x) => x.key === 'dense_in')!;
    assert.equal(s.ys[1], null);
    assert.ok(s.ys[0]! > 0 && s.ys[2]! > 0);
  });

  it('fails the layers whose largest |slope| over t >= 2 exceeds the threshold, and draws them thicker', () => {
    const failing = model.rows.filter((r) => r.fails).map((r) => r.layer);
    assert.deepEqual(failing, ['dense_h1', 'dense_h2', 'readout']);
    const h2 = model.rows.find((r) => r.layer === 'dense_h2')!;
    assert.equal(h2.worst!.t, 2);
    assert.ok(Math.abs(h2.worst!.slope - 1.29) < 1e-9);
    for (const p of model.plots) {
      assert.equal(p.series.find((s) => s.key === 'dense_in')!.emphasis, 'normal');
      assert.equal(p.series.find((s) => s.key === 'readout')!.emphasis, 'fail');
    }
    assert.equal(model.pass, false);
    assert.match(model.verdictText, /^Fail: worst: readout at t = 2, slope \+1\.300/);
  });

  it('does not judge t = 1 when there are later steps, and reports a zero-initialised readout', () => {
    const r = coordFixture([{ layer: 'x', role: 'hidden', slopes: [2, 0.01], line: 1 }, { layer: 'readout', role: 'readout', slopes: [null, 0.02], line: 2 }]);
    const rows = coordRows(r);
    assert.equal(rows[0].fails, false);
    assert.equal(rows[0].worst!.t, 2);
    assert.equal(rows[1].zeroAtInit, true);
    assert.equal(rows[1].slopes[0], null);
  });

  it('passes muP with every layer flat', () => {
    const m = coordModel(coordFixture(MUP_LAWS), { ...meta, parametrization: 'mup' });
    assert.equal(m.pass, true);
    assert.equal(m.rows.filter((r) => r.fails).length, 0);
    assert.match(m.subtitle, /muP · backend wasm/);
  });

  it("shows the engine's warn level and its problems", () => {
    const r = coordFixture(MUP_LAWS);
    r.verdict.level = 'warn';
    r.verdict.problems = ['training diverged at width 1024 (NaN loss at step 3)'];
    const m = coordModel(r, meta);
    assert.equal(m.level, 'warn');
    assert.match(m.verdictText, /^Warning: /);
    assert.deepEqual(m.problems, ['training diverged at width 1024 (NaN loss at step 3)']);
    assert.equal(coordModel(coordFixture(SP_LAWS), meta).level, 'fail');
  });

  it('gives every layer its own colour and keeps the source location for the click', () => {
    assert.equal(new Set(model.rows.map((r) => r.color)).size, 4);
    assert.deepEqual(model.plots[2].series[3].source, { file: 'examples/mlp.ts', line: 15 });
  });

  it('formats slopes with a sign', () => {
    assert.equal(fmtSlope(0.5), '+0.500');
    assert.equal(fmtSlope(-0.25), '\u22120.250');
    assert.equal(fmtSlope(null), '—');
  });
});
