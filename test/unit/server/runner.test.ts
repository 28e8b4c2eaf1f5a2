// The worker runner of the built server (dist/analysisWorker.js + dist/analyzer.js): analyses and hovers on an
// analysis thread; an analysis stopped before it reached a thread leaves the thread alone; a slow file gets a
// second thread, so that the next version does not wait for a stale analysis; an analysis past the timeout
// is stopped with a message, and the next one runs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generatedFactory } from '../../../bench/_lintCorpus';
import { AnalysisCancelled, WorkerRunner } from '../../../src/server/runner';

const root = join(__dirname, '..', '..', '..');
const workerFile = join(root, 'dist', 'analysisWorker.js');
const SP_MLP = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');
const skip = existsSync(workerFile) ? false : 'not built (npm run build)';

function recording() {
  const loaded: string[] = [];
  let onLoaded = () => {};
  const threadsLoaded = (n: number) =>
    new Promise<void>((resolve) => {
      onLoaded = () => void (loaded.length >= n && resolve());
      onLoaded();
    });
  const log = {
    info: (m: string) => {
      if (m.startsWith('analyzer loaded')) loaded.push(m);
      onLoaded();
    },
    warn() {},
    error: (m: string) => assert.fail(m),
  };
  return { loaded, threadsLoaded, log };
}

test('analyses and hovers on the thread; stopped ones reject, the next one runs; a slow file gets a second thread', { skip }, async () => {
  const { loaded, threadsLoaded, log } = recording();
  const runner = new WorkerRunner(workerFile, {}, log);
  try {
    // Stopped while the thread still loads the analyzer: dropped, the thread stays.
    const early = runner.analyze(SP_MLP, '/ws/sp.ts', { baseWidth: 64 });
    runner.cancel();
    await assert.rejects(early, AnalysisCancelled);
    const first = await runner.analyze(SP_MLP, '/ws/sp.ts', { baseWidth: 64 });
    assert.deepEqual(first.findings.map((f) => f.rule).sort(), ['mup/init-fan-avg', 'mup/init-fan-avg', 'mup/readout-not-scaled']);
    assert.equal(loaded.length, 1, 'one thread so far');

    // A large file: slow enough to start a second thread (warmed up on it).
    const factory = generatedFactory(1000);
    assert.equal((await runner.analyze(factory, '/ws/big.ts', { baseWidth: 64 })).layers.length, 1002);
    await threadsLoaded(2);

    // Stale while inside a thread: the caller is released at once and the next version runs.
    const stale = runner.analyze(`${factory}\n`, '/ws/big.ts', { baseWidth: 64 });
    runner.cancel();
    await assert.rejects(stale, AnalysisCancelled);
    const next = await runner.analyze(SP_MLP, '/ws/sp.ts', { baseWidth: 128 });
    assert.match(next.findings.find((f) => f.rule === 'mup/readout-not-scaled')!.message, /128\/width/);
    const readout = next.layers.find((l) => l.name === 'readout')!;
    assert.match((await runner.hover(next.layers, readout.line, readout.column + 3, 128))!.markdown, /readout/);
    assert.equal(await runner.hover(next.layers, 1, 1, 128), null);
    assert.equal(loaded.length, 2, 'never more than two threads');
  } finally {
    runner.dispose();
  }
});

test('an analysis past the timeout is stopped (its thread terminated) with a one-line message', { skip }, async () => {
  const { log } = recording();
  const runner = new WorkerRunner(workerFile, {}, log, 20);
  try {
    await runner.analyze(SP_MLP, '/ws/sp.ts', {}).catch(() => {}); // (the first may include loading: not timed)
    await assert.rejects(runner.analyze(generatedFactory(2000), '/ws/huge.ts', {}), /the analysis took more than 0.02 s and was stopped; run `mup-lens lint` on the file/);
  } finally {
    runner.dispose();
  }
  const patient = new WorkerRunner(workerFile, {}, recording().log);
  try {
    assert.equal((await patient.analyze(SP_MLP, '/ws/sp.ts', {})).findings.length, 3);
  } finally {
    patient.dispose();
  }
});
