// A stored trial's identity covers the model file and the local files it imports: editing a helper makes the
// old trials stale (they are not reused), while a single-file model hashes as it always did (old stores stay).
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSweep } from '../../../src/host/sweep';
import { localSources, sourceHash } from '../../../src/host/sourceHash';
import { sha256 } from '../../../src/host/sweepStore';

const models = join(__dirname, '../../fixtures/models');

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'mup-srchash-'));
  for (const f of ['helper_model.ts', 'helper_blocks.ts', 'mlp_sp.ts']) copyFileSync(join(models, f), join(ws, f));
  return ws;
}

test('the hash covers the local imports; npm packages are not files of the model', async () => {
  const ws = workspace();
  assert.deepEqual(await localSources(join(ws, 'helper_model.ts')), [join(ws, 'helper_model.ts'), join(ws, 'helper_blocks.ts')]);
  // one file: its own bytes, as stores written before imports were hashed
  assert.equal(await sourceHash(join(ws, 'mlp_sp.ts')), sha256(readFileSync(join(ws, 'mlp_sp.ts'))));
  const before = await sourceHash(join(ws, 'helper_model.ts'));
  appendFileSync(join(ws, 'helper_blocks.ts'), '\n// a comment is an edit too\n');
  assert.notEqual(await sourceHash(join(ws, 'helper_model.ts')), before);
  // a file that does not bundle still hashes (the worker reports the error)
  writeFileSync(join(ws, 'broken.ts'), "import { x } from './missing';\nexport const y = x(;\n");
  assert.equal(await sourceHash(join(ws, 'broken.ts')), sha256(readFileSync(join(ws, 'broken.ts'))));
});

test('a sweep reuses its trials until a helper the model imports is edited', async () => {
  const ws = workspace();
  const opts = {
    modelFile: join(ws, 'helper_model.ts'), exportName: 'mlp', widths: [8, 16], lrs: [0.01], seeds: 1, steps: 3,
    parametrization: 'sp' as const, baseWidth: 8, data: null, outDir: join(ws, 'store'), backend: 'cpu' as const,
    workers: 1, version: 'test', cores: 1, cwd: ws,
  };
  const first = await runSweep(opts);
  assert.equal(first.ran, 2);
  const again = await runSweep(opts);
  assert.equal(again.reused, 2);
  writeFileSync(join(ws, 'helper_blocks.ts'), readFileSync(join(ws, 'helper_blocks.ts'), 'utf8').replace("activation: 'relu'", "activation: 'tanh'"));
  const edited = await runSweep(opts);
  assert.equal(edited.reused, 0, 'the helper changed: the old trials are another experiment');
  assert.equal(edited.ran, 2);
});
