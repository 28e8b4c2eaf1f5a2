// Issue 21: a coordinate check's slopes carry their standard error across seeds, and a slope whose 95% interval
// crosses the fail threshold is "inconclusive" (exit 4), never a confident pass or fail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slopeError, slopeStatus, summarize } from '../../../src/coord/summarize';
import { formatText, verdictLine } from '../../../src/coord/format';
import { coordModel } from '../../../src/plot/coordModel';
import type { CoordRun } from '../../../src/protocol/jobs';
import { renderCoordReport } from '../../../src/report/coordHtml';

const layers = [{ name: 'readout', role: 'readout', source: { file: '/m.ts', line: 7 } }];

/** Width 64: l1 over three seeds a; width 256: b (the same at t = 1 and 2). */
function runs(a: number[], b: number[]): CoordRun[] {
  return [
    ...a.map((v, seed) => ({ width: 64, seed, l1: [[v], [v]] })),
    ...b.map((v, seed) => ({ width: 256, seed, l1: [[v], [v]] })),
  ];
}

test('the SE of a slope by hand: delta method over seeds, Welch-Satterthwaite df, t quantile', () => {
  // Means 1.1 and 2.2 at widths 64 and 256: slope log(2)/log(4) = 0.5. Relative SD 0.1/1.1 at both widths, so
  // se = sqrt(2 * (1/ln 4)^2 * (0.1/1.1)^2 / 3) = 0.0535434 with df = 4 (t = 2.776): 0.5 -+ 0.14864.
  const err = slopeError([64, 256], [[1, 1.2, 1.1], [2, 2.4, 2.2]]);
  assert.ok(err);
  assert.ok(Math.abs(err.se - 0.0535434) < 1e-6, String(err.se));
  assert.ok(Math.abs(err.df - 4) < 1e-9);
  const r = summarize({ backend: 'cpu', steps: 2, seeds: 3, layers, runs: runs([1, 1.2, 1.1], [2, 2.4, 2.2]) });
  const s = r.slopes.find((x) => x.t === 2)!;
  assert.ok(Math.abs(s.slope! - 0.5) < 1e-12);
  assert.ok(Math.abs(s.low! - 0.35136) < 1e-4 && Math.abs(s.high! - 0.64864) < 1e-4, `${s.low} ${s.high}`);
  // 0.5 alone would fail; its interval crosses 0.4, so the check is inconclusive and says what settles it.
  assert.equal(s.status, 'inconclusive');
  assert.equal(r.verdict.level, 'inconclusive');
  assert.equal(r.verdict.pass, false);
  assert.deepEqual(r.verdict.inconclusive && { layer: r.verdict.inconclusive.layer, t: r.verdict.inconclusive.t }, { layer: 'readout', t: 2 });
  assert.match(r.verdict.settle ?? '', /^add seeds \(--seeds 6\)/);
  assert.match(verdictLine(r, '/'), /^INCONCLUSIVE: largest \|slope\| 0\.50 at layer 'readout', t = 2 .*; slope \+0\.50 \+- 0\.15 \(95%, 3 seeds\); add seeds/);
  assert.match(formatText(r, 'h', '/'), /^readout\s+readout\s+\+0\.50\s+\+0\.50\?/m);
  const model = coordModel(r, { title: 't', modelFile: '/m.ts', exportName: 'mlp', parametrization: 'mup' });
  assert.equal(model.level, 'inconclusive');
  assert.deepEqual(model.rows[0]!.intervals[1]!.map((x) => Number(x.toFixed(4))), [0.3514, 0.6486]);
  assert.match(model.verdictText, /^Inconclusive: .*slope \+0\.500 \u00b1 0\.149/);
  const html = renderCoordReport(r, { title: 't', notes: [] } as never);
  assert.match(html, /<div class="verdict inconclusive" id="verdict"><b>INCONCLUSIVE<\/b>: .*slope \+0\.500 &plusmn; 0\.149 \(95% interval across seeds\); inconclusive: add seeds/);
  assert.match(html, /<td class="unsure worst">\+0\.500 &plusmn; 0\.149<\/td>/);
});

test('seeds that agree make the same slope a fail; one seed keeps the point verdict', () => {
  const tight = summarize({ backend: 'cpu', steps: 2, seeds: 3, layers, runs: runs([1, 1.01, 1.005], [2, 2.02, 2.01]) });
  assert.equal(tight.verdict.level, 'fail');
  assert.equal(tight.slopes.find((x) => x.t === 2)?.status, 'fail');
  const one = summarize({ backend: 'cpu', steps: 2, seeds: 1, layers, runs: runs([1], [2]) });
  assert.equal(one.verdict.level, 'fail');
  assert.equal(one.slopes.find((x) => x.t === 2)?.se, null);
  assert.equal(one.verdict.seMethod, null);
});

test('an interval across the pass threshold only warns: the check passes with the slope marked', () => {
  assert.equal(slopeStatus(0.1, 0.3), 'inconclusive');
  assert.equal(slopeStatus(-0.15, 0.1), 'pass');
  assert.equal(slopeStatus(-0.7, -0.45), 'fail');
  assert.equal(slopeStatus(0.25, 0.35), 'warn');
  // Width 64 -> 256 with means 1 and 1.2: slope 0.13; the spread puts its interval across 0.2, not 0.4.
  const r = summarize({ backend: 'cpu', steps: 2, seeds: 3, layers, runs: runs([0.92, 1.08, 1], [1.104, 1.296, 1.2]) });
  assert.equal(r.slopes.find((x) => x.t === 2)?.status, 'inconclusive');
  assert.ok(r.slopes.find((x) => x.t === 2)!.high! < 0.4);
  assert.equal(r.verdict.level, 'warn');
  assert.equal(r.verdict.pass, true);
});
