import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COORD_DEFAULTS, readCoordSettings } from '../../../src/coord/settings';

test('unset settings give the CLI defaults of DESIGN.md', () => {
  assert.deepEqual(readCoordSettings(() => undefined), COORD_DEFAULTS);
});

test('widths are sorted and deduplicated; every wrong value is named with what it must be', () => {
  const ok = readCoordSettings((k) => (k === 'widths' ? [256, 64, 64, 128] : undefined));
  assert.ok(!('errors' in ok));
  assert.deepEqual(ok.widths, [64, 128, 256]);
  const values: Record<string, unknown> = { widths: [64], steps: 1, lr: 0, optimizer: 'adamw', backend: 'gpu' };
  const bad = readCoordSettings((k) => values[k]);
  assert.ok('errors' in bad);
  assert.deepEqual(bad.errors, [
    'mupLens.coordCheck.widths must be a list of at least two different positive integers, got [64]',
    'mupLens.coordCheck.steps must be an integer >= 2, got 1',
    'mupLens.coordCheck.lr must be a positive number, got 0',
    "mupLens.coordCheck.optimizer must be 'adam' or 'sgd', got \"adamw\"",
    "mupLens.coordCheck.backend must be 'auto', 'tensorflow', 'webgpu', 'wasm' or 'cpu', got \"gpu\"",
  ]);
});
