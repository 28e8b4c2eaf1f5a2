// `sweep --refine` (issue 21): quarter-octave LRs around each width's fitted optimum, run after the grid with every
// seed, every stored trial reused; the verdict judged on the grid and the refined LRs together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli';
import { refineLrs } from '../../../src/sweep/refine';
import { fmtLr } from '../../../src/sweep/report';
import type { SweepReport } from '../../../src/sweep/types';

const root = join(__dirname, '../../..');

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: root });
  return { code, out, err };
}

test('refined LRs: quarter octaves within 0.75 of each fitted optimum, inside the grid, none the grid has; none at an edge', () => {
  const lrs = [-10, -9, -8, -7, -6].map((e) => 2 ** e);
  const r = refineLrs([
    { width: 64, fittedLog2Lr: -8.3, atEdge: false },
    { width: 256, fittedLog2Lr: -6.1, atEdge: false },
    { width: 1024, fittedLog2Lr: -10, atEdge: true },
  ], lrs);
  // -8.3 -+ 0.75 = [-9.05, -7.55]: -9 and -8 are in the grid.
  assert.deepEqual(r['64']!.map(Math.log2), [-8.75, -8.5, -8.25, -7.75]);
  // -6.1 -+ 0.75 = [-6.85, -5.35], cut at the grid's top -6.
  assert.deepEqual(r['256']!.map(Math.log2), [-6.75, -6.5, -6.25]);
  assert.equal(r['1024'], undefined);
  assert.equal(fmtLr(2 ** -8.25), '2^-8.25');
});

test('sweep --refine: the second pass runs the refined LRs with every seed; a rerun reuses all of it', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-refine-'));
  const args = ['sweep', 'test/fixtures/models/mlp_mup.ts#mlp', '--mup', '--base-width', '16', '--widths', '16,32', '--lrs', '2^-9,2^-7,2^-5,2^-3', '--steps', '8', '--seeds', '2', '--workers', '2', '--format', 'json', '--refine', '--out', out];
  const first = await cli(args);
  assert.ok([0, 1, 4].includes(first.code), first.err);
  const r = JSON.parse(first.out) as SweepReport;
  assert.ok(r.refine && r.refine.step === 0.25, JSON.stringify(r.refine));
  const extra = Object.values(r.refine.lrs).flat();
  assert.ok(extra.length > 0, 'some width has an optimum inside the grid to refine around');
  for (const [w, lrs] of Object.entries(r.refine.lrs)) {
    const o = r.optimum.find((x) => x.width === Number(w))!;
    for (const lr of lrs) {
      assert.equal(r.trials.filter((t) => t.width === Number(w) && t.lr === lr).length, 2, 'every seed of a refined LR');
      assert.ok(Number.isInteger(Math.log2(lr) * 4));
    }
    assert.ok(o.interval === null || o.interval!.low <= o.interval!.high);
  }
  assert.equal(r.ran, 2 * 4 * 2 + 2 * extra.length, 'the grid, then the refined LRs x seeds');
  assert.match(first.err, /^refine: width \d+ \+ \d+ LRs/m);
  assert.equal(readFileSync(join(out, 'trials.jsonl'), 'utf8').trim().split('\n').length, r.ran);
  const again = JSON.parse((await cli(args)).out) as SweepReport;
  assert.equal(again.ran, 0);
  assert.deepEqual(again.refine, r.refine);
  assert.deepEqual(again.shiftInterval, r.shiftInterval);
  const usage = await cli(['sweep', 'test/fixtures/models/mlp_mup.ts#mlp', '--lrs', '2^-8', '--refine', '--out', out]);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /^mup-lens sweep: --refine refines around each width's optimum on an LR grid: give at least 3 LRs \(got 1\)$/m);
});
