// The coordinate check across depth (issue 22): what is judged at every depth (src/coord/depthLayers.ts), the fit
// along depth (src/coord/axes.ts), and the shipped residual twins end to end in-process on the cpu backend, beside
// the PyTorch reference of /docs/mup.md "Depth" (SP 0.66-0.79, branch x L^-1/2 0.14-0.28, CompleteP -0.05).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { summarizeAlong } from '../../../src/coord/axes';
import { LAST_STREAM, matchAcrossDepths, streamName, type DepthPlannedLayer } from '../../../src/coord/depthLayers';
import { formatText, verdictLine } from '../../../src/coord/format';
import { createMup } from '../../../src/mup/index';
import type { CoordJobParams } from '../../../src/protocol/jobs';
import { runCoordCheck } from '../../../src/worker/coordJob';
import { loadUserModule } from '../../../src/worker/loadModule';

const root = join(__dirname, '../../..');
const src = (line: number) => ({ file: 'm.ts', line });

function plan(depth: number): DepthPlannedLayer[] {
  const out: DepthPlannedLayer[] = [{ name: 'input', role: 'input', source: src(1), className: 'Dense' }];
  for (let i = 0; i < depth; i++) {
    out.push({ name: `ln_${i}`, role: 'norm', source: src(3), className: 'LayerNormalization' });
    out.push({ name: `fc_${i}`, role: 'hidden', source: src(4), className: 'Dense' });
    out.push({ name: `res_${i}`, role: 'other', source: src(5), className: 'Add' });
  }
  out.push({ name: 'final_norm', role: 'norm', source: src(7), className: 'LayerNormalization' });
  out.push({ name: 'readout', role: 'readout', source: src(8), className: 'Dense' });
  return out;
}

test('matchAcrossDepths: the layers outside the blocks and the stream at matching relative depths', () => {
  const m = matchAcrossDepths([2, 8], [plan(2), plan(8)]);
  assert.deepEqual(m.layers.map((l) => l.name), ['input', 'final_norm', 'readout', streamName('1/4'), streamName('1/2'), streamName('3/4'), LAST_STREAM]);
  // depth 2: additions at plan positions 3 and 6; depth 8: 3, 6, ..., 24
  assert.deepEqual(m.pick.get(2), [0, 7, 8, 3, 3, 6, 6]);
  assert.deepEqual(m.pick.get(8), [0, 25, 26, 6, 12, 18, 24]);
  assert.equal(m.layers[6]!.role, 'residual');
});

test('matchAcrossDepths without additions judges only the outside layers, and says so', () => {
  const strip = (p: DepthPlannedLayer[]) => p.filter((l) => l.className !== 'Add');
  const m = matchAcrossDepths([2, 4], [strip(plan(2)), strip(plan(4))]);
  assert.deepEqual(m.layers.map((l) => l.name), ['input', 'final_norm', 'readout']);
  assert.match(m.notes.join('\n'), /no residual addition \(tf\.layers\.add\) at every depth/);
});

test('summarizeAlong depth: slope against depth per width, verdict with the fix', () => {
  // stream l1 = depth^0.5 at width 64, depth^0.1 at width 128; the readout flat
  const runs = [64, 128].flatMap((width) => [2, 4, 8].map((depth) => ({ width, depth, seed: 0, l1: [1, 2].map(() => [1, depth ** (width === 64 ? 0.5 : 0.1)]) })));
  const r = summarizeAlong({ axis: 'depth', backend: 'cpu', steps: 2, seeds: 1, layers: [{ name: 'readout', role: 'readout', source: null }, { name: LAST_STREAM, role: 'residual', source: null }], runs });
  assert.equal(r.axis, 'depth');
  assert.deepEqual(r.depths, [2, 4, 8]);
  assert.deepEqual(r.widths, [64, 128]);
  const s = (w: number) => r.slopes.find((x) => x.layer === LAST_STREAM && x.t === 2 && x.width === w)!.slope!;
  assert.ok(Math.abs(s(64) - 0.5) < 1e-9 && Math.abs(s(128) - 0.1) < 1e-9);
  assert.equal(r.verdict.level, 'fail');
  assert.equal(r.verdict.worst!.width, 64);
  assert.match(r.verdict.fix!, /multiply every residual branch by \(depth \/ baseDepth\)\^-alpha/);
  assert.equal(r.records.find((x) => x.width === 128 && x.depth === 8 && x.t === 2 && x.layer === LAST_STREAM)!.l1, 8 ** 0.1);
});

async function depthCheck(file: string, parametrization: 'sp' | 'mup') {
  const params: CoordJobParams = { file: join(root, file), exportName: 'resnet', widths: [128], depths: [2, 4, 8, 16, 32], steps: 5, seeds: 3, lr: 0.01, optimizer: 'adam', parametrization };
  const exports = await loadUserModule(params.file, { tf, runtime: () => createMup(tf) });
  const job = await runCoordCheck(tf, params, { exports, sourceLayers: null, mup: () => createMup(tf) as never, progress: () => undefined });
  return summarizeAlong({ axis: 'depth', backend: 'cpu', steps: 5, seeds: 3, layers: job.layers, runs: job.runs });
}

test('examples/residual: SP fails on the residual stream (slope >= 0.4), CompleteP passes with every slope < 0.2', async () => {
  await tf.setBackend('cpu');
  const sp = await depthCheck('examples/residual/sp.ts', 'sp');
  const slope = (r: typeof sp, layer: string, t: number) => r.slopes.find((s) => s.layer === layer && s.t === t)!.slope!;
  assert.equal(sp.verdict.level, 'fail');
  assert.equal(sp.verdict.worst!.layer, LAST_STREAM);
  // tfjs defaults (glorot) here; the PyTorch reference (kaiming-uniform init, no final norm) is 0.28 at t = 1, 0.77 at t = 2
  assert.ok(slope(sp, LAST_STREAM, 1) > 0.3 && slope(sp, LAST_STREAM, 1) < 0.6, `SP t=1 ${slope(sp, LAST_STREAM, 1)}`);
  assert.ok(slope(sp, LAST_STREAM, 2) > 0.6 && slope(sp, LAST_STREAM, 2) < 1.1, `SP t=2 ${slope(sp, LAST_STREAM, 2)}`);
  assert.ok(Math.abs(slope(sp, 'final_norm', 5)) < 0.1, 'the final norm hides the growth from the readout');
  const line = verdictLine(sp, root);
  assert.match(line, /^FAIL: 'residual stream \(last addition\)' slope \+1\.\d\d against log depth at t = \d, width 128/);
  assert.match(line, /fix: multiply every residual branch by \(depth \/ baseDepth\)\^-alpha with the file's depth knob/);

  const cp = await depthCheck('examples/residual/completep.ts', 'mup');
  assert.equal(cp.verdict.level, 'pass');
  const all = cp.slopes.filter((s) => s.t >= 2 && s.slope !== null).map((s) => Math.abs(s.slope!));
  assert.ok(all.length >= 28 && Math.max(...all) < 0.2, `CompleteP max |slope| ${Math.max(...all)}`);
  assert.ok(Math.abs(slope(cp, LAST_STREAM, 5)) < 0.15, `CompleteP stream t=5 ${slope(cp, LAST_STREAM, 5)} (PyTorch -0.05)`);
  assert.match(formatText(cp, 'h', root), /slope of log l1 against log depth, depths 2,4,8,16,32 at width 128/);
});

test('the plot and the HTML report of a depth check draw l1 against depth at the judged width', async () => {
  const { coordPlots, coordRows } = await import('../../../src/plot/coordModel');
  const { renderCoordReport } = await import('../../../src/report/coordHtml');
  const runs = [2, 4, 8].map((depth) => ({ width: 128, depth, seed: 0, l1: [1, 2].map(() => [1, depth ** 0.6]) }));
  const r = summarizeAlong({ axis: 'depth', backend: 'cpu', steps: 2, seeds: 1, layers: [{ name: 'readout', role: 'readout', source: null }, { name: LAST_STREAM, role: 'residual', source: null }], runs });
  const plots = coordPlots(r, coordRows(r));
  assert.deepEqual(plots[1]!.xs, [2, 4, 8]);
  assert.equal(plots[1]!.xLabel, 'depth (width 128)');
  const ys = plots[1]!.series.find((s) => s.key === LAST_STREAM)!.ys;
  assert.deepEqual(ys, [2 ** 0.6, 4 ** 0.6, 8 ** 0.6]);
  assert.equal(plots[1]!.series.find((s) => s.key === LAST_STREAM)!.emphasis, 'fail');
  const html = renderCoordReport(r, { title: 't', notes: [] });
  assert.match(html, /against depth at layer <b>residual stream \(last addition\)<\/b>/);
  assert.match(html, /fix: multiply every residual branch/);
});

test('coord --depths: one width is enough, two depths are needed, the params carry them', async () => {
  const { parseCoordArgs } = await import('../../../src/cli/coord');
  const { UsageError } = await import('../../../src/cli/io');
  const ok = parseCoordArgs(['examples/residual/sp.ts#resnet', '--sp', '--depths', '32,2,4,8,16', '--widths', '128'], root);
  assert.ok(ok !== 'help');
  assert.deepEqual(ok.params.depths, [2, 4, 8, 16, 32]);
  assert.deepEqual(ok.params.widths, [128]);
  assert.throws(() => parseCoordArgs(['examples/residual/sp.ts#resnet', '--depths', '4'], root), (e: unknown) => e instanceof UsageError && /--depths needs at least two different depths/.test(e.message));
  assert.throws(() => parseCoordArgs(['examples/residual/sp.ts#resnet', '--depths', '2,x'], root), /--depths must be a comma-separated list of positive integers/);
  assert.throws(() => parseCoordArgs(['examples/residual/sp.ts#resnet', '--widths', '128'], root), /--widths needs at least two different widths/);
});
