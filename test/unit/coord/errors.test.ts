// Everything a user's model can do wrong reaches them as one clear line (with their file:line when there is
// one), and none of it takes the host down: the worker is a separate process.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CoordJobParams } from '../../../src/protocol/jobs';
import { runCoordinateCheck } from '../../../src/host/coordCheck';
import { WorkerClient, WorkerJobError } from '../../../src/host/workerClient';

const models = join(__dirname, '../../fixtures/models');
const client = new WorkerClient({ init: { backend: 'cpu', workspaceDir: models } });
after(() => client.dispose());

const params = (file: string, exportName = 'mlp', extra: Partial<CoordJobParams> = {}): CoordJobParams => ({
  file: join(models, file),
  exportName,
  widths: [8, 16, 32],
  steps: 2,
  seeds: 1,
  lr: 0.01,
  optimizer: 'adam',
  parametrization: 'sp',
  ...extra,
});

function failsWith(kind: string, check: (e: WorkerJobError) => void) {
  return (err: unknown) => {
    assert.ok(err instanceof WorkerJobError, String(err));
    assert.equal(err.error.kind, kind, err.message);
    check(err);
    return true;
  };
}

test('a factory that throws: its message and the line in the user file that threw (through the source map)', async () => {
  await assert.rejects(
    () => runCoordinateCheck(params('throws.ts', 'mlp', { widths: [16, 32] }), { backend: 'cpu', client }),
    failsWith('user-code', (e) => {
      assert.equal(e.message, 'mlp(32) threw: width 32 is too wide for this model');
      assert.equal(e.error.file, join(models, 'throws_helper.ts'));
      assert.equal(e.error.line, 3);
    }),
  );
});

test('an export that is missing or not a function', async () => {
  await assert.rejects(
    () => runCoordinateCheck(params('throws.ts', 'nope'), { backend: 'cpu', client }),
    failsWith('usage', (e) => assert.equal(e.message, `export 'nope' not found in ${join(models, 'throws.ts')}; its exports: mlp, notAFunction`)),
  );
  await assert.rejects(
    () => runCoordinateCheck(params('throws.ts', 'notAFunction'), { backend: 'cpu', client }),
    failsWith('usage', (e) => assert.match(e.message, /export 'notAFunction' in .*throws\.ts is number, not a model factory/)),
  );
  await assert.rejects(
    () => runCoordinateCheck(params('missing.ts'), { backend: 'cpu', client }),
    failsWith('usage', (e) => assert.match(e.message, /model file not found: .*missing\.ts/)),
  );
});

test('a factory that hangs: stopped at the time limit, and the next job gets a fresh worker', async () => {
  await assert.rejects(
    () => runCoordinateCheck(params('hangs.js'), { backend: 'cpu', client, timeoutMs: 1500 }),
    failsWith('timeout', (e) => assert.match(e.message, /no result after 2 s: the worker was stopped/)),
  );
  const again = await runCoordinateCheck(params('object_form.mjs'), { backend: 'cpu', client });
  assert.equal(again.result.widths.length, 3);
});

test('training that diverges (NaN/inf) fails the check and says where', async () => {
  const { result } = await runCoordinateCheck(params('nan.ts', 'mlp', { optimizer: 'sgd', lr: 1 }), { backend: 'cpu', client });
  assert.equal(result.verdict.pass, false);
  assert.match(result.verdict.problems?.[0] ?? '', /^training diverged at width 8, seed 0, step [12]: (layer '.*' output|loss) is (NaN|Infinity|-Infinity)/);
});

test('out of memory at a large width: reported, the smaller widths are kept and judged', async () => {
  // The worker's heap is capped so that oom.ts's hoarding at width >= 256 kills it quickly.
  const { result, warnings } = await runCoordinateCheck(params('oom.ts', 'mlp', { widths: [32, 64, 128, 256] }), { backend: 'cpu', maxOldSpaceMb: 160 });
  assert.deepEqual(result.widths, [32, 64, 128]);
  assert.match(warnings.join('\n'), /the worker ran out of memory and died \((signal SIG[A-Z]+|exit code \d+)\) at width 256; judged on the 3 smaller widths/);
});

test('an ESM ({width}) factory with a data export of class ids', async () => {
  const { result, notes } = await runCoordinateCheck(params('object_form.mjs'), { backend: 'cpu', client });
  assert.deepEqual(result.layers.map((l) => [l.name, l.role]), [['inp', 'input'], ['out', 'readout']]);
  assert.match(notes.join('\n'), /data: data export 'data'\(0\), softmax cross-entropy/);
});

test('a backend that is not there: the reasons, before any model code runs', async () => {
  await assert.rejects(
    () => runCoordinateCheck(params('mlp_sp.ts'), { backend: 'tensorflow' }),
    failsWith('backend', (e) => assert.match(e.message, /tfjs-node-gpu not installed in this workspace; tfjs-node not installed in this workspace/)),
  );
});

test('an embedding model trains on wasm under auto: mup-lens adds the gradient kernel wasm lacks (UnsortedSegmentSum)', async () => {
  const p = params('embedding.ts', 'tiny', { widths: [8, 16] });
  const { result, backend, notes, warnings } = await runCoordinateCheck(p, { backend: 'auto' });
  assert.equal(backend.name, 'wasm');
  // no fallback to cpu; only the caveat that two widths make a noisy slope
  assert.deepEqual(warnings, ['slopes from 2 widths spanning 2x and one seed are noisy: a verdict near the thresholds may be noise; use at least 3 widths spanning 4x or more (e.g. 64,128,256,512)']);
  assert.deepEqual(result.layers.map((l) => [l.name, l.role]), [['emb', 'embedding'], ['flat', 'other'], ['head', 'readout']]);
  assert.match(notes.join('\n'), /token ids in \[0, 10\)/);
});

test('a model that needs a kernel wasm lacks: auto reruns on cpu and says so; --backend wasm says what to do', async () => {
  const p = params('conv.ts', 'tiny', { widths: [8, 16] });
  const { result, backend, warnings } = await runCoordinateCheck(p, { backend: 'auto' });
  assert.equal(backend.name, 'cpu');
  assert.equal(warnings[0], "the wasm backend has no 'Conv2DBackpropFilter' kernel, which this model needs: ran on cpu instead");
  assert.deepEqual(result.layers.map((l) => l.name), ['conv', 'flat', 'head']);
  await assert.rejects(
    () => runCoordinateCheck(p, { backend: 'wasm' }),
    failsWith('backend', (e) => assert.equal(e.message, "the wasm backend has no 'Conv2DBackpropFilter' kernel, which this model needs: run it with --backend cpu (or tensorflow)")),
  );
});

test('a worker that dies: its exit code, the finished widths kept; the host process is unaffected', async () => {
  const { result, warnings } = await runCoordinateCheck(params('exits.js', 'mlp', { widths: [8, 16, 32] }), { backend: 'cpu' });
  assert.deepEqual(result.widths, [8, 16]);
  assert.deepEqual(warnings, [
    'the worker died (exit code 7) at width 32; judged on the 2 smaller widths',
    'slopes from 2 widths spanning 2x and one seed are noisy: a verdict near the thresholds may be noise; use at least 3 widths spanning 4x or more (e.g. 64,128,256,512)',
  ]);
  await assert.rejects(
    () => runCoordinateCheck(params('exits.js', 'mlp', { widths: [32, 64] }), { backend: 'cpu' }),
    failsWith('crash', (e) => assert.equal(e.message, 'the worker died (exit code 7)')),
  );
});

test('cancelled part-way: judged on the widths every seed finished when asked to keep them, else cancelled', async () => {
  const p = params('mlp_sp.ts', 'mlp', { widths: [8, 16, 32, 64], seeds: 2 });
  const cancelAfter = (width: number, seed: number) => {
    const controller = new AbortController();
    return { signal: controller.signal, onRun: (r: { width: number; seed: number }) => (r.width === width && r.seed === seed ? controller.abort() : undefined) };
  };
  // width 32 has one of its two seeds done: it is left out with 64
  const kept = await runCoordinateCheck(p, { backend: 'cpu', workers: 1, keepPartialOnCancel: true, ...cancelAfter(32, 0) });
  assert.equal(kept.interrupted, true);
  assert.deepEqual(kept.result.widths, [8, 16]);
  assert.deepEqual(kept.warnings, [
    'interrupted at width 32; judged on the 2 smaller widths',
    'slopes from 2 widths spanning 2x are noisy: a verdict near the thresholds may be noise; use at least 3 widths spanning 4x or more (e.g. 64,128,256,512)',
  ]);
  await assert.rejects(() => runCoordinateCheck(p, { backend: 'cpu', workers: 1, ...cancelAfter(32, 0) }), failsWith('cancelled', () => undefined));
  await assert.rejects(
    () => runCoordinateCheck(p, { backend: 'cpu', workers: 1, keepPartialOnCancel: true, ...cancelAfter(8, 1) }),
    failsWith('cancelled', () => undefined),
    'one width finished: nothing to fit, still a cancel',
  );
});

test('few widths: the verdict comes with a caveat; three widths spanning 4x or more get none', async () => {
  const two = await runCoordinateCheck(params('mlp_sp.ts', 'mlp', { widths: [16, 32], seeds: 2 }), { backend: 'cpu', client });
  assert.deepEqual(two.warnings, ['slopes from 2 widths spanning 2x are noisy: a verdict near the thresholds may be noise; use at least 3 widths spanning 4x or more (e.g. 64,128,256,512)']);
  const narrow = await runCoordinateCheck(params('mlp_sp.ts', 'mlp', { widths: [16, 20, 24] }), { backend: 'cpu', client });
  assert.match(narrow.warnings.join('\n'), /^slopes from 3 widths spanning 1\.5x and one seed are noisy/);
  const fine = await runCoordinateCheck(params('mlp_sp.ts', 'mlp', { widths: [8, 16, 32] }), { backend: 'cpu', client });
  assert.deepEqual(fine.warnings, []);
});
