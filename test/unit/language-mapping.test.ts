// Analyzer data -> what the editor shows: diagnostic ranges and severities, quick fixes and the text after them,
// the layer under the cursor, CodeLenses above exported factories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding, ModelFactory } from '../../src/analyzer/types';
import { parseLintSettings } from '../../src/settings/lint';
import {
  problemsMessage,
  applyEdits,
  codeActionsForFinding,
  codeLensesForFactories,
  findingForDiagnostic,
  toDiagnostics,
  toRange0,
} from '../../src/languageService/mapping';

const source = [
  "import * as tf from '@tensorflow/tfjs';", // 1
  'export function mlp(width: number) {', // 2
  '  const model = tf.sequential();', // 3
  '  model.add(tf.layers.dense({ units: width, inputShape: [32] }));', // 4
  '  model.add(tf.layers.dense({ units: 10 }));', // 5
  '  return model;', // 6
  '}', // 7
].join('\n');

/** Where `needle` is in the source, as an analyzer Range (1-based). */
function rangeOf(needle: string, text = source) {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  const column = lines[i].indexOf(needle) + 1;
  return { line: i + 1, column, endLine: i + 1, endColumn: column + needle.length };
}

const readoutCall = 'tf.layers.dense({ units: 10 })';
const readout: Finding = {
  file: 'mlp.ts',
  rule: 'mup/readout-not-scaled',
  severity: 'error',
  message: 'readout output must be multiplied by 1/width_mult (base 64: scale 64/width)',
  ...rangeOf(readoutCall),
  fixes: [
    {
      title: 'Switch to MuReadout',
      edits: [{ ...rangeOf(readoutCall), newText: 'new MuReadout({ units: 10 })' }],
    },
    {
      title: 'Insert tf.layers.rescaling({ scale: 64 / width }) after the readout',
      isPreferred: true,
      edits: [{ ...rangeOf('  return model;'), endColumn: 1, column: 1, newText: '  model.add(tf.layers.rescaling({ scale: 64 / width }));\n' }],
    },
    { title: 'A second one marked preferred', isPreferred: true, edits: [{ ...rangeOf('10'), newText: '10' }] },
  ],
};


/** The suppressions a user gets among a finding's quick fixes (src/languageService/suppression.ts through mapping). */
function suppressionAction(f: Finding, text: string) {
  return codeActionsForFinding(f, text).find((a) => a.title === `Suppress ${f.rule} for this line`)!;
}
function fileSuppressionAction(f: Finding, text: string) {
  return codeActionsForFinding(f, text).find((a) => a.title === `Suppress ${f.rule} for this file`)!;
}

test('a finding becomes a diagnostic on the same text, 0-based, with the rule as code and a docs link', () => {
  const [d] = toDiagnostics([readout], parseLintSettings({}).settings, (r) => `https://docs.example/${r}`);
  const lines = source.split('\n');
  assert.equal(lines[d.range.start.line].slice(d.range.start.character, d.range.end.character), readoutCall);
  assert.equal(d.source, 'muP');
  assert.equal(d.rule, 'mup/readout-not-scaled');
  assert.equal(d.severity, 'error');
  // The Problems line: what is wrong and what muP wants; the why is in the hover (issue 23.8).
  assert.equal(d.message, problemsMessage(readout.message));
  assert.equal(d.message, readout.message, 'a short message stays whole');
  assert.equal(d.docUrl, 'https://docs.example/mup/readout-not-scaled');
});

test('Problems lines are what is wrong and what muP wants, never over ~160 characters, on the examples', () => {
  const said = (m: string) => problemsMessage(m);
  assert.equal(
    said("input layer 'input' uses glorotUniform (the tfjs default), a fan-average init: its variance 2/(fan_in+fan_out) changes as width grows; muP wants variance 1/fan_in, constant in width"),
    "input layer 'input' uses glorotUniform (the tfjs default), a fan-average init; muP wants variance 1/fan_in",
  );
  assert.equal(
    said('attention logits scaled by 1/sqrt(d_head); muP wants attn_mult/d_head (4/d_head equals 1/sqrt(d_head) at d_head=16, the head size at base width 64): with 1/sqrt(d_head) the logits grow like sqrt(width) after training'),
    'attention logits scaled by 1/sqrt(d_head); muP wants attn_mult/d_head',
  );
  assert.equal(
    said("readout 'readout' (fan-in grows with width, fan-out OUT_DIM) is not muP-scaled: its output must be multiplied by 1/width_mult (base 64: scale 64/width), else its output grows with width after the first update"),
    "readout 'readout' (fan-in grows with width, fan-out OUT_DIM) is not muP-scaled; its output must be multiplied by 1/width_mult (base 64: scale 64/width)",
  );
  assert.equal(said('short message: stays as it is'), 'short message: stays as it is');
});

test('severity comes from mupLens.rules; off drops the diagnostic', () => {
  const asInfo = toDiagnostics([readout], parseLintSettings({ rules: { 'mup/readout-not-scaled': 'info' } }).settings);
  assert.equal(asInfo[0].severity, 'info');
  assert.deepEqual(toDiagnostics([readout], parseLintSettings({ rules: { 'mup/readout-not-scaled': 'off' } }).settings), []);
});

test('the default docs link points at the rule in docs/rules.md', () => {
  const [d] = toDiagnostics([readout], parseLintSettings({}).settings);
  assert.match(d.docUrl, /^https:\/\/.*docs\/rules\.md#mupreadout-not-scaled$/);
});

test('a diagnostic finds its finding by rule and range only', () => {
  const range = toRange0(readout);
  assert.equal(findingForDiagnostic([readout], 'mup/readout-not-scaled', range), readout);
  assert.equal(findingForDiagnostic([readout], 'mup/init-fan-avg', range), undefined);
  assert.equal(findingForDiagnostic([readout], 'eslint/no-unused-vars', range), undefined);
  const moved = { ...range, start: { ...range.start, line: range.start.line + 1 } };
  assert.equal(findingForDiagnostic([readout], 'mup/readout-not-scaled', moved), undefined);
});

test('quick fixes: analyzer fixes in order, exactly one preferred, then the suppression', () => {
  const actions = codeActionsForFinding(readout, source);
  assert.deepEqual(
    actions.map((a) => [a.title, a.isPreferred, a.kind]),
    [
      ['Switch to MuReadout', false, 'fix'],
      ['Insert tf.layers.rescaling({ scale: 64 / width }) after the readout', true, 'fix'],
      ['A second one marked preferred', false, 'fix'],
      ['Suppress mup/readout-not-scaled for this line', false, 'suppress'],
      ['Suppress mup/readout-not-scaled for this file', false, 'suppress'],
    ],
  );
  const afterSwitch = applyEdits(source, actions[0].edits).split('\n');
  assert.equal(afterSwitch[4], '  model.add(new MuReadout({ units: 10 }));');
  const afterRescale = applyEdits(source, actions[1].edits).split('\n');
  assert.deepEqual(afterRescale.slice(4, 7), [
    '  model.add(tf.layers.dense({ units: 10 }));',
    '  model.add(tf.layers.rescaling({ scale: 64 / width }));',
    '  return model;',
  ]);
});

test('suppression: an indented directive line above the finding', () => {
  const after = applyEdits(source, suppressionAction(readout, source).edits).split('\n');
  assert.deepEqual(after.slice(3, 6), [
    '  model.add(tf.layers.dense({ units: width, inputShape: [32] }));',
    '  // mup-ignore-next-line mup/readout-not-scaled',
    '  model.add(tf.layers.dense({ units: 10 }));',
  ]);
});

test('suppression keeps CRLF line ends', () => {
  const crlf = source.replace(/\n/g, '\r\n');
  const after = applyEdits(crlf, suppressionAction(readout, crlf).edits);
  assert.ok(after.includes('\r\n  // mup-ignore-next-line mup/readout-not-scaled\r\n  model.add(tf.layers.dense({ units: 10 }));'));
  assert.ok(!/[^\r]\n/.test(after), 'no bare LF');
});

test('suppression adds the rule to a directive already above the line', () => {
  const text = source.replace('  model.add(tf.layers.dense({ units: 10 }));', '  // mup-ignore-next-line mup/init-fan-avg  \n  model.add(tf.layers.dense({ units: 10 }));');
  const f = { ...readout, ...rangeOf(readoutCall, text) };
  const after = applyEdits(text, suppressionAction(f, text).edits).split('\n');
  assert.equal(after[4], '  // mup-ignore-next-line mup/init-fan-avg mup/readout-not-scaled  ');
  assert.equal(after[5], '  model.add(tf.layers.dense({ units: 10 }));');
  const commas = text.replace('mup/init-fan-avg', 'mup/init-fan-avg, mup/init-constant-std');
  const after2 = applyEdits(commas, suppressionAction(f, commas).edits).split('\n');
  assert.equal(after2[4].trimEnd(), '  // mup-ignore-next-line mup/init-fan-avg, mup/init-constant-std, mup/readout-not-scaled');
});

test('file suppression: a directive at the top, below a shebang, or added to an existing one', () => {
  const top = applyEdits(source, fileSuppressionAction(readout, source).edits).split('\n');
  assert.equal(top[0], '// mup-ignore-file mup/readout-not-scaled');
  assert.equal(top[1], source.split('\n')[0]);
  const shebang = `#!/usr/bin/env node\n${source}`;
  const below = applyEdits(shebang, fileSuppressionAction(readout, shebang).edits).split('\n');
  assert.deepEqual(below.slice(0, 2), ['#!/usr/bin/env node', '// mup-ignore-file mup/readout-not-scaled']);
  const existing = `// header\n// mup-ignore-file mup/init-fan-avg\n${source}`;
  const added = applyEdits(existing, fileSuppressionAction(readout, existing).edits).split('\n');
  assert.equal(added[1], '// mup-ignore-file mup/init-fan-avg mup/readout-not-scaled');
  assert.equal(added.length, existing.split('\n').length);
});

test('a rule is added before the " -- " reason of a directive (a new line between would move the directive)', () => {
  const text = source.replace('  model.add(tf.layers.dense({ units: 10 }));', '  // mup-ignore-next-line mup/init-fan-avg -- zero init\n  model.add(tf.layers.dense({ units: 10 }));');
  const f = { ...readout, ...rangeOf(readoutCall, text) };
  const after = applyEdits(text, suppressionAction(f, text).edits).split('\n');
  assert.deepEqual(after.slice(4, 6), [
    '  // mup-ignore-next-line mup/init-fan-avg mup/readout-not-scaled -- zero init',
    '  model.add(tf.layers.dense({ units: 10 }));',
  ]);
  const file = `// mup-ignore-file mup/init-fan-avg, mup/init-constant-std -- legacy model\n${source}`;
  const afterFile = applyEdits(file, fileSuppressionAction(readout, file).edits).split('\n');
  assert.equal(afterFile[0], '// mup-ignore-file mup/init-fan-avg, mup/init-constant-std, mup/readout-not-scaled -- legacy model');
});

test('a suppression the analyzer itself offers is replaced by the one implementation (CRLF-aware, merging)', () => {
  const own: Finding = {
    ...readout,
    fixes: [{ title: 'Ignore this readout', edits: [{ ...rangeOf('  model.add(tf.layers.dense({ units: 10 }));'), endColumn: 1, column: 1, newText: '  // mup-ignore-next-line mup/readout-not-scaled\n' }] }],
  };
  const actions = codeActionsForFinding(own, source);
  assert.deepEqual(actions.map((a) => [a.title, a.kind, a.isPreferred]), [
    ['Suppress mup/readout-not-scaled for this line', 'suppress', false],
    ['Suppress mup/readout-not-scaled for this file', 'suppress', false],
  ]);
});

test('CodeLenses: two per exported factory, with {uri, exportName}; none for local factories', () => {
  const factories: ModelFactory[] = [
    { name: 'mlp', exported: true, widthParam: 'width', ...rangeOf('export function mlp(width: number) {') },
    { name: 'helper', exported: false, widthParam: 'w', line: 9, column: 1, endLine: 12, endColumn: 2 },
  ];
  const lenses = codeLensesForFactories(factories, 'file:///ws/mlp.ts');
  assert.deepEqual(
    lenses.map((l) => [l.range.start.line, l.title, l.command, l.arguments]),
    [
      [1, '$(beaker) Coordinate check', 'mupLens.runCoordinateCheck', [{ uri: 'file:///ws/mlp.ts', exportName: 'mlp' }]],
      [1, 'LR sweep', 'mupLens.runSweep', [{ uri: 'file:///ws/mlp.ts', exportName: 'mlp' }]],
    ],
  );
});

test("suppression fixes read the text they are given, whichever text was asked about before (the lines and line ending are kept for the last text only)", async () => {
  const { lineSuppressionFix, fileSuppressionFix } = await import('../../src/languageService/suppression');
  const a = ['function f() {', '    model.add(x);', '}'].join('\n');
  const b = ['function f() {', '\tmodel.add(y);', '}'].join('\r\n');
  const f = { rule: 'mup/readout-not-scaled' as const, line: 2 };
  // (the fix is one insertion at a 1-based line and column)
  const insert = (text: string, fix: { edits: { line: number; column: number; newText: string }[] }): string => {
    const [e] = fix.edits;
    let at = 0;
    for (let l = 1; l < e!.line; l++) at = text.indexOf('\n', at) + 1;
    at += e!.column - 1;
    return text.slice(0, at) + e!.newText + text.slice(at);
  };
  // alternating between two files, as `mup-lens lint` over a folder and an editor with two documents do
  for (let i = 0; i < 3; i++) {
    assert.equal(insert(a, lineSuppressionFix(f, a)), ['function f() {', '    // mup-ignore-next-line mup/readout-not-scaled', '    model.add(x);', '}'].join('\n'));
    assert.equal(insert(b, lineSuppressionFix(f, b)), ['function f() {', '\t// mup-ignore-next-line mup/readout-not-scaled', '\tmodel.add(y);', '}'].join('\r\n'));
    assert.equal(fileSuppressionFix(f, b).edits[0]!.newText, '// mup-ignore-file mup/readout-not-scaled\r\n');
    assert.equal(fileSuppressionFix(f, a).edits[0]!.newText, '// mup-ignore-file mup/readout-not-scaled\n');
  }
});
