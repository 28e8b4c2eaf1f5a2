// Backend selection against a real workspace folder: a @tensorflow/tfjs-node-gpu that is installed but cannot
// load (no CUDA libraries) is reported and skipped; one that hangs while loading is stopped at the time limit.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CoordJobParams } from '../../../src/protocol/jobs';
import { runCoordinateCheck } from '../../../src/host/coordCheck';
import { WorkerJobError } from '../../../src/host/workerClient';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A workspace whose node_modules holds a fake tfjs-node-gpu with `body` as its entry point. */
function workspace(body: string): string {
  const ws = mkdtempSync(join(tmpdir(), 'mup-ws-'));
  dirs.push(ws);
  const pkg = join(ws, 'node_modules/@tensorflow/tfjs-node-gpu');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node-gpu', version: '4.22.0', main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), body);
  copyFileSync(join(__dirname, '../../fixtures/models/mlp_sp.ts'), join(ws, 'model.ts'));
  return ws;
}

const params = (ws: string): CoordJobParams => ({
  file: join(ws, 'model.ts'),
  exportName: 'mlp',
  widths: [8, 16],
  steps: 2,
  seeds: 1,
  lr: 0.01,
  optimizer: 'adam',
  parametrization: 'sp',
});

test('an installed tfjs-node-gpu that fails to load: reported with its error, the next backend used', async () => {
  const ws = workspace("throw new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');\n");
  const { backend, result } = await runCoordinateCheck(params(ws), { backend: 'auto' });
  assert.equal(backend.name, 'wasm');
  assert.equal(result.backend, 'wasm');
  // webgpu comes between the two native packages under auto; this machine may or may not have an adapter for it
  // (the wasm backend on as many threads as this machine's cores give one worker: issue 25)
  assert.deepEqual(backend.reasons.filter((r) => !r.startsWith('webgpu: ')).map((r) => r.replace(/ on \d+ threads$/, '')), [
    'tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open shared object file: No such file or directory',
    'tfjs-node not installed in this workspace',
    'using the bundled wasm backend',
  ]);
  assert.match(backend.reasons[1], /^webgpu: /);
});

test('a tfjs-node-gpu that hangs while loading: stopped at the time limit, not forever', async () => {
  const ws = workspace('for (;;) {}\n');
  await assert.rejects(
    () => runCoordinateCheck(params(ws), { backend: 'auto', timeoutMs: 4000 }),
    (err: unknown) => err instanceof WorkerJobError && err.error.kind === 'timeout' && /the worker did not start within 4 s/.test(err.message),
  );
});

test("a workspace with its own @tensorflow/tfjs and wasm backend: the check runs on them", async () => {
  const ws = mkdtempSync(join(tmpdir(), 'mup-ws-tfjs-'));
  dirs.push(ws);
  mkdirSync(join(ws, 'node_modules/@tensorflow'), { recursive: true });
  // this checkout's own packages stand in for the workspace's (linked, as npm link or a pnpm store would)
  const ours = join(__dirname, '../../../node_modules/@tensorflow');
  for (const pkg of ['tfjs', 'tfjs-backend-wasm']) symlinkSync(join(ours, pkg), join(ws, 'node_modules/@tensorflow', pkg), 'dir');
  copyFileSync(join(__dirname, '../../fixtures/models/mlp_sp.ts'), join(ws, 'model.ts'));
  const { backend, result } = await runCoordinateCheck(params(ws), { backend: 'auto' });
  // its wasm backend on the threads this machine's cores give one worker (issue 25)
  assert.match(backend.label, /^wasm \(workspace tfjs(, \d+ threads)?\)$/);
  assert.match(backend.source, /node_modules\/@tensorflow\/tfjs\/dist\/tf\.node\.js$/);
  assert.match(backend.reasons.at(-1) ?? '', /^using the workspace's @tensorflow\/tfjs from .* with its wasm backend( on \d+ threads)?$/);
  assert.equal(result.backend, 'wasm');
  assert.deepEqual(result.widths, [8, 16]);
  assert.ok(result.records.length > 0 && result.records.every((r) => Number.isFinite(r.l1) && r.l1 > 0), 'trained and measured on it');
});

test('outside any tfjs install, an embedding model trains on the bundled wasm with the kernel mup-lens adds', async () => {
  // This repository's own node_modules has @tensorflow/tfjs, which fixtures inside it now run on: copy the
  // model out so that the combination users get (bundled tfjs + wasm + UnsortedSegmentSum) runs too.
  const ws = mkdtempSync(join(tmpdir(), 'mup-ws-bundled-'));
  dirs.push(ws);
  copyFileSync(join(__dirname, '../../fixtures/models/embedding.ts'), join(ws, 'embedding.ts'));
  const { backend, result, warnings } = await runCoordinateCheck({ ...params(ws), file: join(ws, 'embedding.ts'), exportName: 'tiny', widths: [8, 16, 32], steps: 3 }, { backend: 'auto' });
  assert.match(backend.label, /^wasm \(bundled(, \d+ threads)?\)$/);
  assert.deepEqual(warnings, [], 'no fallback to cpu');
  assert.equal(result.layers.find((l) => l.role === 'embedding')?.name, 'emb');
  // the embedding trained: its l1 moves with every step (the gradient kernel ran)
  const emb = result.records.filter((r) => r.layer === 'emb' && r.width === 8);
  assert.ok(emb.length === 3 && emb[1].l1 !== emb[0].l1 && emb[2].l1 !== emb[1].l1, JSON.stringify(emb));
});
