import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COORD_DEFAULTS, readCoordSettings } from '../../../src/settings/coord';

test('unset settings give the CLI defaults of docs/contracts.md', () => {
  assert.deepEqual(readCoordSettings(() => undefined), { settings: COORD_DEFAULTS, problems: [] });
});

test('widths are sorted and deduplicated; every wrong value is named with what it must be', () => {
  const ok = readCoordSettings((k) => (k === 'coordCheck.widths' ? [256, 64, 64, 128] : undefined));
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(ok.settings.widths, [64, 128, 256]);
  const values: Record<string, unknown> = { widths: [64], steps: 1, lr: 0, optimizer: 'adamw', backend: 'gpu' };
  const bad = readCoordSettings((k) => values[k.replace(/^coordCheck\./, '')]);
  assert.deepEqual(bad.problems, [
    'mupLens.coordCheck.widths must be a list of at least two different positive integers, got [64]',
    'mupLens.coordCheck.steps must be an integer >= 2, got 1',
    'mupLens.coordCheck.lr must be a positive number, got 0',
    "mupLens.coordCheck.optimizer must be 'adam' or 'sgd', got \"adamw\"",
    "mupLens.coordCheck.backend must be 'auto', 'tensorflow', 'webgpu', 'wasm' or 'cpu', got \"gpu\"",
  ]);
});
