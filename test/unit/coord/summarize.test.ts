import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CoordRun } from '../../../src/protocol/jobs';
import { FAIL_FROM, PASS_BELOW, logLogSlope, summarize, verdictLevel } from '../../../src/coord/summarize';

const layers = [
  { name: 'fc1', role: 'input', source: { file: '/m.ts', line: 4 } },
  { name: 'readout', role: 'readout', source: null },
];

/** l1[t][layer] = c * width^exp(t, layer), two seeds with a small spread. */
function runs(widths: number[], steps: number, exp: (t: number, layer: number) => number): CoordRun[] {
  return widths.flatMap((width) =>
    [0, 1].map((seed) => ({
      width,
      seed,
      l1: Array.from({ length: steps }, (_, i) => layers.map((_, j) => (exp(i + 1, j) === -Infinity ? 0 : 0.5 * width ** exp(i + 1, j) * (1 + 0.01 * (seed - 0.5))))),
    })),
  );
}

test('logLogSlope recovers a power law and refuses zeros', () => {
  const w = [64, 128, 256, 512];
  assert.ok(Math.abs((logLogSlope(w, w.map((x) => 3 * x ** 0.5)) ?? NaN) - 0.5) < 1e-12);
  assert.ok(Math.abs((logLogSlope(w, w.map((x) => 2 / x)) ?? NaN) + 1) < 1e-12);
  assert.equal(logLogSlope(w, [1, 0, 1, 1]), null);
  assert.equal(logLogSlope([64], [1]), null);
});

test('slopes per layer and step, zero at init not fitted, worst over t >= 2 decides', () => {
  // readout: zero at t = 1 (zero-init), then grows like width^1 at t = 2 and flattens at t = 3.
  const r = summarize({
    backend: 'cpu',
    steps: 3,
    seeds: 2,
    layers,
    runs: runs([64, 128, 256], 3, (t, j) => (j === 0 ? 0.02 : t === 1 ? -Infinity : t === 2 ? 1 : 0.1)),
  });
  assert.deepEqual(r.widths, [64, 128, 256]);
  const slope = (layer: string, t: number) => r.slopes.find((s) => s.layer === layer && s.t === t)?.slope;
  assert.equal(slope('readout', 1), null);
  assert.ok(Math.abs((slope('readout', 2) ?? NaN) - 1) < 1e-6);
  assert.ok(Math.abs((slope('fc1', 3) ?? NaN) - 0.02) < 1e-6);
  assert.equal(r.verdict.pass, false);
  assert.equal(r.verdict.level, 'fail');
  assert.deepEqual({ layer: r.verdict.worst?.layer, t: r.verdict.worst?.t }, { layer: 'readout', t: 2 });
  assert.equal(r.verdict.threshold, FAIL_FROM);
  // Records: mean and spread over the two seeds.
  const rec = r.records.find((x) => x.layer === 'fc1' && x.t === 1 && x.width === 128);
  assert.ok(rec && Math.abs(rec.l1 - 0.5 * 128 ** 0.02) < 1e-9 && rec.l1Std > 0);
  assert.equal(r.layers[0].source?.line, 4);
});

test('a large slope at init alone passes: the verdict is about training', () => {
  const r = summarize({ backend: 'cpu', steps: 2, seeds: 2, layers, runs: runs([64, 256], 2, (t) => (t === 1 ? -0.44 : 0.05)) });
  assert.equal(r.verdict.pass, true);
  assert.equal(r.verdict.level, 'pass');
  assert.equal(r.verdict.worst?.t, 2);
});

test('thresholds: pass, warn, fail', () => {
  assert.equal(verdictLevel(0.1), 'pass');
  assert.equal(verdictLevel(PASS_BELOW), 'warn');
  assert.equal(verdictLevel(0.3), 'warn');
  assert.equal(verdictLevel(FAIL_FROM), 'fail');
  assert.equal(verdictLevel(null), 'pass');
  const warn = summarize({ backend: 'cpu', steps: 2, seeds: 2, layers, runs: runs([64, 256], 2, () => 0.3) });
  assert.equal(warn.verdict.pass, true);
  assert.equal(warn.verdict.level, 'warn');
});

test('a width missing a seed is left out of the fit; a divergence fails the check', () => {
  const all = runs([64, 128, 256], 2, () => 0);
  const partial = all.filter((r) => !(r.width === 256 && r.seed === 1));
  const r = summarize({ backend: 'cpu', steps: 2, seeds: 2, layers, runs: partial, problems: ['training diverged at width 256'] });
  assert.deepEqual(r.widths, [64, 128]);
  assert.ok(!r.records.some((x) => x.width === 256));
  assert.equal(r.verdict.pass, false);
  assert.deepEqual(r.verdict.problems, ['training diverged at width 256']);
});

test('splitting a check over workers: every (width, seed) once, balanced by width^2, each share in width order', async () => {
  const { splitRuns } = await import('../../../src/host/coordCheck');
  const shares = splitRuns([64, 128, 256, 512, 1024, 2048], 3, 2);
  const all = shares.flat().map((r) => `${r.width}|${r.seed}`).sort();
  assert.equal(all.length, 18);
  assert.equal(new Set(all).size, 18);
  const load = shares.map((s) => s.reduce((n, r) => n + r.width ** 2, 0));
  assert.ok(Math.max(...load) / Math.min(...load) < 1.2, `loads ${load}`);
  for (const s of shares) assert.deepEqual(s, [...s].sort((a, b) => a.width - b.width || a.seed - b.seed));
  assert.equal(splitRuns([8, 16], 1, 4).length, 2, 'never more workers than runs');
});
