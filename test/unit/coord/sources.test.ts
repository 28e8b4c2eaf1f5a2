// Every recorded layer points at the line that built it, through the worker: layers built in a helper file the
// model imports, and layers without names, included (the worker notes each tf.layers call's stack).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCoordinateCheck } from '../../../src/host/coordCheck';

const models = join(__dirname, '../../fixtures/models');

test('layers built in a helper file get the helper file and line; the failing layer has its line', async () => {
  const { result } = await runCoordinateCheck(
    { file: join(models, 'helper_model.ts'), exportName: 'mlp', widths: [16, 32, 64], steps: 3, seeds: 1, lr: 0.01, optimizer: 'adam', parametrization: 'sp' },
    { backend: 'cpu' },
  );
  const at = (l: { source: { file: string; line: number } | null }) => (l.source ? `${l.source.file.slice(models.length + 1)}:${l.source.line}` : null);
  assert.deepEqual(
    result.layers.map((l) => [l.role, at(l)]),
    [
      ['input', 'helper_model.ts:6'],
      ['hidden', 'helper_blocks.ts:6'],
      ['hidden', 'helper_blocks.ts:7'],
      ['readout', 'helper_model.ts:7'],
    ],
  );
  // SP fails, and the layer the verdict names has its line ("Go to layer" opens it), wherever it was built
  assert.equal(result.verdict.pass, false);
  const worst = result.layers.find((l) => l.name === result.verdict.worst?.layer);
  assert.match((worst && at(worst)) ?? 'none', /^helper_(model|blocks)\.ts:[67]$/);
});
