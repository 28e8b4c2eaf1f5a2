// The language server's analyses (src/server/analyses.ts): one per document version; a failing analyzer or a
// file too large costs findings, never an exception; superseded versions are dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisResult, AnalyzeOptions } from '../../../src/analyzer/types';
import { analyzerFileName, type DocumentSnapshot } from '../../../src/languageService/analysisCache';
import type { AnalyzerApi } from '../../../src/languageService/analyzerApi';
import { Analyses, Superseded } from '../../../src/server/analyses';
import { InlineRunner } from '../../../src/server/runner';

/** Analyses on the calling thread, of an analyzer (or of one that throws when asked). */
function analyses(api: Pick<AnalyzerApi, 'analyze'>, log = recordingLog(), maxChars?: number): Analyses {
  const runner = new InlineRunner({ analyze: (t, f, o) => api.analyze(t, f, o), layerAt: () => undefined, describeLayer: () => ({ markdown: '' }) as never });
  return new Analyses(runner, log, undefined, maxChars);
}

function recordingLog() {
  const lines: string[] = [];
  return { lines, info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) };
}

/** An analyzer that reports one finding per line containing "dense", and records its calls. */
function countingAnalyzer() {
  const calls: Array<{ fileName: string; options?: AnalyzeOptions }> = [];
  const api: Pick<AnalyzerApi, 'analyze'> = {
    analyze(text, fileName, options): AnalysisResult {
      calls.push({ fileName, options });
      const findings = text.split('\n').flatMap((l, i) =>
        l.includes('dense') ? [{ file: fileName, rule: 'mup/readout-not-scaled' as const, severity: 'error' as const, message: 'm', line: i + 1, column: 1, endLine: i + 1, endColumn: 2, fixes: [] }] : [],
      );
      return { findings, layers: [], factories: [] };
    },
  };
  return { api, calls };
}

function doc(text: string, version = 1, uri = 'file:///w/m.ts'): DocumentSnapshot {
  return { uri, version, fileName: '/w/m.ts', languageId: 'typescript', getText: () => text };
}

test('the same version is analysed once, even when asked for again while it runs; a new version again', async () => {
  const { api, calls } = countingAnalyzer();
  const a = analyses(api);
  const v1 = doc('dense\n');
  const [first, again] = await Promise.all([a.get(v1), a.get(v1)]); // diagnostics and a hover at once
  assert.equal(first.result.findings.length, 1);
  assert.equal(again, first);
  assert.equal((await a.get(v1)).result.findings.length, 1); // code actions, lenses of the same version
  assert.equal(calls.length, 1);
  assert.equal((await a.get(doc('dense\ndense\n', 2))).result.findings.length, 2);
  assert.equal(calls.length, 2);
  assert.equal(a.peek('file:///w/m.ts', 1), undefined, 'only the latest version is kept');
});

test('a version superseded while queued is dropped: only the newest is analysed', async () => {
  const { api, calls } = countingAnalyzer();
  const a = analyses(api);
  const other = a.get(doc('dense', 1, 'file:///w/other.ts')); // runs first
  const v1 = a.get(doc('dense', 1));
  const v2 = a.get(doc('dense\ndense', 2));
  await assert.rejects(v1, Superseded);
  assert.equal((await v2).result.findings.length, 2);
  await other;
  assert.equal(calls.length, 2, 'the other document and version 2; never version 1');
});

test('new options (settings changed) invalidate and reach the analyzer', async () => {
  const { api, calls } = countingAnalyzer();
  const a = analyses(api);
  await a.get(doc('dense'));
  a.setOptions({ baseWidth: 128 });
  await a.get(doc('dense'));
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[1].options, { baseWidth: 128 });
});

test('a throwing analyzer gives an empty result and one log line per distinct failure', async () => {
  const log = recordingLog();
  const a = analyses({ analyze: () => { throw new Error('boom'); } }, log);
  for (let v = 1; v <= 3; v++) {
    const out = await a.get(doc('x', v));
    assert.deepEqual(out.result, { findings: [], layers: [], factories: [] });
    assert.equal(out.skipped, 'analyzer-failed');
  }
  assert.equal(log.lines.filter((l) => l.startsWith('error') && l.includes('boom')).length, 1);
  assert.match(log.lines[0], /^error analysis of file:\/\/\/w\/m\.ts \(version 1\) failed: Error: boom/);
});

test('a file over the size limit is skipped and said so once', async () => {
  const { api, calls } = countingAnalyzer();
  const log = recordingLog();
  const a = analyses(api, log, 100);
  const big = 'dense\n'.repeat(50);
  assert.equal((await a.get(doc(big, 1))).skipped, 'too-large');
  assert.equal((await a.get(doc(big + 'x', 2))).skipped, 'too-large');
  assert.equal(calls.length, 0);
  assert.equal(log.lines.length, 1);
  assert.match(log.lines[0], /skipped file:\/\/\/w\/m\.ts: 300 characters is more than the 100 analysed .* `mup-lens lint`/);
  assert.equal((await a.get(doc('dense', 3))).result.findings.length, 1, 'analysed again once it is small');
});

test('the analyzer sees a file name whose extension matches the language mode', () => {
  assert.equal(analyzerFileName('/w/model.ts', 'typescript'), '/w/model.ts');
  assert.equal(analyzerFileName('/w/model.mjs', 'javascript'), '/w/model.mjs');
  assert.equal(analyzerFileName('Untitled-1', 'typescriptreact'), 'Untitled-1.tsx');
  assert.equal(analyzerFileName('Untitled-2', 'javascript'), 'Untitled-2.js');
  assert.equal(analyzerFileName('/w/view.ts', 'typescriptreact'), '/w/view.ts.tsx');
  assert.equal(analyzerFileName('/w/model.jsx', 'javascriptreact'), '/w/model.jsx');
});
