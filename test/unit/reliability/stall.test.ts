// Issue 16 item 4: a factory that never returns no longer hangs a sweep: the trial is stopped after the stall
// timeout (no training step finished), said in one line, and the rest of the grid goes on.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSweep } from '../../../src/host/sweep';

const root = join(__dirname, '../../..');

test('a stuck trial is stopped after --stall-timeout; the others are stored; nothing is concluded', { timeout: 90_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'sweep-stall-'));
  const started = Date.now();
  const r = await runSweep({
    modelFile: join(root, 'test/fixtures/models/hangs_wide.js'), exportName: 'mlp', widths: [16, 32], lrs: [0.01, 0.02], seeds: 1, steps: 3,
    parametrization: 'sp', baseWidth: 16, data: null, outDir: out, workers: 1, backend: 'cpu', version: 'test', cores: 1, cwd: root,
    stallTimeoutMs: 1500,
  });
  assert.deepEqual(r.trials.map((t) => t.width), [16, 16]);
  assert.equal(r.failed, 2);
  assert.equal(r.complete, false);
  assert.equal(r.transfers, false);
  assert.ok(r.warnings.some((w) => /width 32, lr 0\.01, seed 0: no progress for 2 s \(no training step finished\): the worker was stopped/.test(w)), r.warnings.join('\n'));
  assert.ok(Date.now() - started < 60_000);
});
