// What a run from the editor picks (issue 23.1): the parametrization the file is written in, from the analyzer's
// own findings on the repository's examples, and a question instead of a silent muP run of an SP file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../src/analyzer';
import { planRun, writtenIn } from '../../../src/languageService/parametrization';

const root = join(__dirname, '..', '..', '..');
const of = (rel: string) => {
  const text = readFileSync(join(root, rel), 'utf8');
  return writtenIn(text, analyze(text, join(root, rel)).findings);
};

test('the examples: SP files are written in SP (with the readout named), muP files in muP', () => {
  const sp = of('examples/mlp/sp.ts');
  assert.equal(sp.parametrization, 'sp');
  assert.match(sp.reason, /readout-not-scaled at line \d+/);
  assert.equal(of('examples/mlp/mup.ts').parametrization, 'mup');
  const gptSp = of('examples/gpt/sp.ts');
  assert.equal(gptSp.parametrization, 'sp');
  assert.ok(gptSp.blockers.some((f) => f.rule === 'mup/attention-sqrt-scaling'), gptSp.reason);
  assert.equal(of('examples/gpt/mup.ts').parametrization, 'mup');
});

test('auto runs the file as written and says so for SP; an explicit muP run of an SP file is asked about', () => {
  const sp = of('examples/mlp/sp.ts');
  const auto = planRun('auto', 'mlp/sp.ts', sp);
  assert.deepEqual(auto.kind === 'run' && auto.parametrizations, ['sp']);
  assert.match(auto.kind === 'run' ? auto.note ?? '' : '', /^mlp\/sp\.ts is written in SP \(1 muP error \(readout-not-scaled at line \d+\)\): running it in SP/);
  const ask = planRun('mup', 'mlp/sp.ts', sp);
  assert.equal(ask.kind, 'ask');
  assert.match(ask.kind === 'ask' ? ask.detail : '', /says nothing about muP/);
  const both = planRun('both', 'mlp/sp.ts', sp);
  assert.deepEqual(both.kind === 'ask' && both.asked, ['sp', 'mup']);
  // SP asked of an SP file, and muP of a muP file: nothing to ask.
  assert.deepEqual(planRun('sp', 'mlp/sp.ts', sp), { kind: 'run', parametrizations: ['sp'], note: null });
  assert.deepEqual(planRun('auto', 'mlp/mup.ts', of('examples/mlp/mup.ts')), { kind: 'run', parametrizations: ['mup'], note: null });
  // A caller that names muP itself gets it, with the warning as the note.
  const explicit = planRun('mup', 'mlp/sp.ts', sp, true);
  assert.equal(explicit.kind === 'run' && /says nothing about muP/.test(explicit.note ?? ''), true);
});

test('the optimizer rule does not make a file SP (the engine uses its own optimizer); mup-lens/runtime is seen', () => {
  const f = { file: 'x.ts', line: 3, column: 1, endLine: 3, endColumn: 2, message: '', fixes: [] };
  const w = writtenIn("import { MuAdam } from 'mup-lens/runtime';", [{ ...f, rule: 'mup/optimizer-global-lr', severity: 'error' }]);
  assert.equal(w.parametrization, 'mup');
  assert.equal(w.usesRuntime, true);
  const bad = writtenIn("const m = await import('mup-lens/runtime');", [{ ...f, rule: 'mup/readout-not-scaled', severity: 'warning' }]);
  assert.equal(bad.parametrization, 'sp');
  assert.match(bad.reason, /although it imports mup-lens\/runtime/);
});
