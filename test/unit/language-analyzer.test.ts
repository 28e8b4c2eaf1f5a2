// The editor pipeline on the real analyzer and the project's examples: what a user sees in VS Code for the SP
// and muP models, and that every quick fix offered leaves a file that parses and no longer has that finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import * as analyzer from '../../src/analyzer';
import type { AnalyzerApi } from '../../src/languageService/analyzerApi';
import { analyzeOptions, parseLintSettings } from '../../src/settings/lint';
import { applyEdits, codeActionsForFinding, codeLensesForFactories, findingForDiagnostic, toDiagnostics } from '../../src/languageService/mapping';

const root = join(__dirname, '..', '..');
const api: AnalyzerApi = analyzer; // the bundle's contract holds for the module itself
const examples = ['mlp/sp.ts', 'mlp/mup.ts', 'gpt/sp.ts', 'gpt/mup.ts'].map((p) => ({ path: p, text: readFileSync(join(root, 'examples', p), 'utf8') }));
const settings = parseLintSettings({}).settings;
let n = 0;
/** A fresh file name per call: the analyzer re-parses incrementally per file name. */
const analyze = (text: string, name: string) => api.analyze(text, `/ws/${n++}-${name.replace('/', '-')}`, analyzeOptions(settings));

function parseErrors(text: string): number {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return (sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length;
}

test('SP examples get diagnostics, muP examples none', () => {
  for (const ex of examples) {
    const diags = toDiagnostics(analyze(ex.text, ex.path).findings, settings);
    if (ex.path.endsWith('mup.ts')) assert.deepEqual(diags.map((d) => `${d.rule}@${d.range.start.line + 1}`), [], ex.path);
    else assert.ok(diags.some((d) => d.rule === 'mup/readout-not-scaled' && d.severity === 'error'), `${ex.path} has an unscaled readout`);
  }
});

test('the readout diagnostic of the SP MLP sits on the readout layer call', () => {
  const ex = examples[0];
  const [d] = toDiagnostics(analyze(ex.text, ex.path).findings, settings).filter((x) => x.rule === 'mup/readout-not-scaled');
  const line = ex.text.split('\n')[d.range.start.line];
  assert.match(line.slice(d.range.start.character), /^tf\.layers\.dense\(\{ units: OUT_DIM, name: 'readout' \}\)/);
});

test('every quick fix on the SP examples parses and removes its finding; one is preferred per fixable finding', () => {
  for (const ex of examples.filter((e) => e.path.endsWith('sp.ts'))) {
    const findings = analyze(ex.text, ex.path).findings;
    assert.ok(findings.length > 0);
    for (const f of findings) {
      const actions = codeActionsForFinding(f, ex.text);
      assert.ok(actions.filter((a) => a.isPreferred).length <= 1, `${ex.path} ${f.rule}: at most one preferred`);
      assert.deepEqual(actions.slice(-2).map((a) => a.title), [`Suppress ${f.rule} for this line`, `Suppress ${f.rule} for this file`]);
      for (const a of actions) {
        const after = applyEdits(ex.text, a.edits);
        const what = `${ex.path}:${f.line} ${f.rule} "${a.title}"`;
        assert.equal(parseErrors(after), 0, `${what}: the result parses`);
        const same = (g: analyzer.Finding) => g.rule === f.rule;
        const before = findings.filter(same).length;
        const remaining = analyze(after, ex.path).findings.filter(same).length;
        assert.ok(remaining < before, `${what}: ${before} -> ${remaining} ${f.rule} findings`);
      }
    }
  }
});

test('each diagnostic maps back to its finding in the analysis it came from (code actions do not re-analyse)', () => {
  const ex = examples[0];
  const { findings } = analyze(ex.text, ex.path);
  const diags = toDiagnostics(findings, settings);
  assert.equal(diags.length, findings.length);
  for (const d of diags) assert.equal(findingForDiagnostic(findings, d.rule, d.range)?.rule, d.rule);
});

test('CodeLenses above the exported factories of the examples, hovers on their layers', () => {
  const ex = examples[0];
  const result = analyze(ex.text, ex.path);
  const lenses = codeLensesForFactories(result.factories, 'file:///ws/examples/mlp/sp.ts');
  assert.deepEqual(lenses.map((l) => [ex.text.split('\n')[l.range.start.line], l.command, l.arguments[0].exportName]), [
    ['export function mlp(width: number, { outputMult = 1 }: { outputMult?: number } = {}): tf.LayersModel {', 'mupLens.runCoordinateCheck', 'mlp'],
    ['export function mlp(width: number, { outputMult = 1 }: { outputMult?: number } = {}): tf.LayersModel {', 'mupLens.runSweep', 'mlp'],
  ]);
  // With the findings, the lens says what a run will train (issue 23.1): this SP file, in SP, and why.
  const told = codeLensesForFactories(result.factories, 'file:///ws/examples/mlp/sp.ts', result.findings);
  assert.ok(told.every((l) => /^Runs in SP \(parametrization auto\): the file has 1 muP error \(readout-not-scaled at line \d+\)/.test(l.tooltip ?? '')), JSON.stringify(told.map((l) => l.tooltip)));
  const lines = ex.text.split('\n');
  const readoutLine = lines.findIndex((l) => l.includes("name: 'readout'"));
  const layer = api.layerAt(result, readoutLine + 1, lines[readoutLine].indexOf('units') + 1);
  assert.equal(layer?.role, 'readout');
  const md = api.describeLayer(layer!, settings.baseWidth).markdown;
  assert.match(md, /readout/);
  assert.match(md, /64\/width/);
});
