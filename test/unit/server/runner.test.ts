// The worker runner of the built server (dist/analysisWorker.js + dist/analyzer.js): analyses and hovers on the
// analysis thread, and a stopped analysis: its promise rejects at once, the thread is replaced, and the next
// analysis runs on the new one.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AnalysisCancelled, WorkerRunner } from '../../../src/server/runner';

const root = join(__dirname, '..', '..', '..');
const workerFile = join(root, 'dist', 'analysisWorker.js');
const SP_MLP = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');
const log = { info() {}, warn() {}, error: (m: string) => assert.fail(m) };

test('analyses run on the thread; a stopped one rejects, and the next runs on a fresh thread', { skip: existsSync(workerFile) ? false : 'not built (npm run build)' }, async () => {
  const runner = new WorkerRunner(workerFile, {}, log);
  try {
    const first = await runner.analyze(SP_MLP, '/ws/sp.ts', { baseWidth: 64 });
    assert.deepEqual(first.findings.map((f) => f.rule).sort(), ['mup/init-fan-avg', 'mup/init-fan-avg', 'mup/readout-not-scaled']);

    const stale = runner.analyze(SP_MLP.replace('OUT_DIM, name', 'OUT_DIM + 0, name'), '/ws/sp.ts', { baseWidth: 64 });
    // Stopped before the thread can have answered (it has not even read the message yet).
    runner.cancel();
    await assert.rejects(stale, AnalysisCancelled);
    assert.equal(runner.cancelled, 1);

    const next = await runner.analyze(SP_MLP, '/ws/sp.ts', { baseWidth: 128 });
    assert.match(next.findings.find((f) => f.rule === 'mup/readout-not-scaled')!.message, /128\/width/);
    const readout = next.layers.find((l) => l.name === 'readout')!;
    const hover = await runner.hover(next.layers, readout.line, readout.column + 3, 128);
    assert.match(hover!.markdown, /readout/);
    assert.equal(await runner.hover(next.layers, 1, 1, 128), null);
  } finally {
    runner.dispose();
  }
});
