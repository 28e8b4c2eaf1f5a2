// One analysis per document version; a failing or slow analyzer costs findings, never an exception in the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisResult, AnalyzeOptions } from '../../src/analyzer/types';
import { AnalysisCache, analyzerFileName, type DocumentSnapshot } from '../../src/language/analysisCache';
import type { AnalyzerApi } from '../../src/language/analyzerApi';

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

test('the same version is analysed once; a new version again', () => {
  const { api, calls } = countingAnalyzer();
  const cache = new AnalysisCache(() => api, recordingLog());
  const v1 = doc('dense\n');
  assert.equal(cache.get(v1).result.findings.length, 1);
  assert.equal(cache.get(v1).result.findings.length, 1); // hover, code actions, lenses of the same version
  assert.equal(calls.length, 1);
  assert.equal(cache.get(doc('dense\ndense\n', 2)).result.findings.length, 2);
  assert.equal(calls.length, 2);
  assert.equal(cache.peek('file:///w/m.ts', 1), undefined, 'only the latest version is kept');
});

test('new options (settings changed) invalidate and reach the analyzer', () => {
  const { api, calls } = countingAnalyzer();
  const cache = new AnalysisCache(() => api, recordingLog());
  cache.get(doc('dense'));
  cache.setOptions({ baseWidth: 128, rules: { 'mup/init-fan-avg': 'off' } });
  cache.get(doc('dense'));
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[1].options, { baseWidth: 128, rules: { 'mup/init-fan-avg': 'off' } });
});

test('a throwing analyzer gives an empty result and one log line per distinct failure', () => {
  const log = recordingLog();
  const cache = new AnalysisCache(() => ({ analyze: () => { throw new Error('boom'); } }), log);
  for (let v = 1; v <= 3; v++) {
    const out = cache.get(doc('x', v));
    assert.deepEqual(out.result, { findings: [], layers: [], factories: [] });
    assert.equal(out.skipped, 'analyzer-failed');
  }
  assert.equal(log.lines.filter((l) => l.startsWith('error') && l.includes('boom')).length, 1);
});

test('an analyzer that cannot even load is reported the same way', () => {
  const log = recordingLog();
  const cache = new AnalysisCache(() => { throw new Error('Cannot find module analyzer.js'); }, log);
  assert.equal(cache.get(doc('x')).skipped, 'analyzer-failed');
  assert.match(log.lines[0], /^error analysis of file:\/\/\/w\/m\.ts \(version 1\) failed: Error: Cannot find module/);
});

test('a file over the size limit is skipped and said so once', () => {
  const { api, calls } = countingAnalyzer();
  const log = recordingLog();
  const cache = new AnalysisCache(() => api, log, 100);
  const big = 'dense\n'.repeat(50);
  assert.equal(cache.get(doc(big, 1)).skipped, 'too-large');
  assert.equal(cache.get(doc(big + 'x', 2)).skipped, 'too-large');
  assert.equal(calls.length, 0);
  assert.equal(log.lines.length, 1);
  assert.match(log.lines[0], /skipped file:\/\/\/w\/m\.ts: 300 characters is more than the 100 analysed .* `mup-lens lint`/);
  assert.equal(cache.get(doc('dense', 3)).result.findings.length, 1, 'analysed again once it is small');
});

test('the analyzer sees a file name whose extension matches the language mode', () => {
  assert.equal(analyzerFileName('/w/model.ts', 'typescript'), '/w/model.ts');
  assert.equal(analyzerFileName('/w/model.mjs', 'javascript'), '/w/model.mjs');
  assert.equal(analyzerFileName('Untitled-1', 'typescriptreact'), 'Untitled-1.tsx');
  assert.equal(analyzerFileName('Untitled-2', 'javascript'), 'Untitled-2.js');
  assert.equal(analyzerFileName('/w/view.ts', 'typescriptreact'), '/w/view.ts.tsx');
  assert.equal(analyzerFileName('/w/model.jsx', 'javascriptreact'), '/w/model.jsx');
});
