// Backend selection against a real workspace folder: a @tensorflow/tfjs-node-gpu that is installed but cannot
// load (no CUDA libraries) is reported and skipped; one that hangs while loading is stopped at the time limit.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CoordJobParams } from '../../../src/coord/job';
import { runCoordinateCheck } from '../../../src/coord/run';
import { WorkerJobError } from '../../../src/worker/client';

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
  assert.deepEqual(backend.reasons, [
    'tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open shared object file: No such file or directory',
    'tfjs-node not installed in this workspace',
    'using the bundled wasm backend',
  ]);
});

test('a tfjs-node-gpu that hangs while loading: stopped at the time limit, not forever', async () => {
  const ws = workspace('for (;;) {}\n');
  await assert.rejects(
    () => runCoordinateCheck(params(ws), { backend: 'auto', timeoutMs: 4000 }),
    (err: unknown) => err instanceof WorkerJobError && err.error.kind === 'timeout' && /the worker did not start within 4 s/.test(err.message),
  );
});
