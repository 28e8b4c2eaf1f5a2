// Inputs too deep to analyse never come out clean (issue 16, item 3): the analyzer's own walks follow
// thousands of aliases and terms without recursion, and what it still cannot analyse whole (TypeScript's
// parser giving up, a bound of its own, an internal error) comes out as one mup/analysis-incomplete warning.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../../src/analyzer';
import { Shapes } from '../../../src/analyzer/shape';
import { WidthModel } from '../../../src/analyzer/width';
import { main } from '../../../src/cli';
import { fileSuppressionFix, lineSuppressionFix } from '../../../src/languageService/suppression';
import { applyFix, lineOf, lint, only, rulesOf } from './helpers';

const INCOMPLETE = 'mup/analysis-incomplete';
// Each case is bounded: a walk that went exponential or looped would fail here instead of hanging.
const BOUNDED = { timeout: 20_000 };

const MODEL = `import * as tf from '@tensorflow/tfjs';
export function mlp(width: number) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: width, inputShape: [8], kernelInitializer: 'heNormal' }));
  model.add(tf.layers.dense({ units: 10, kernelInitializer: 'zeros' }));
  return model;
}
`;
const READOUT_LINE = 5;
const DEEP = `const deep = ${'('.repeat(3000)}1${')'.repeat(3000)};\n`;

describe('inputs too deep to analyse', () => {
  it('a width alias chain of 1,500 lines is followed to its end: the readout it sizes is found', BOUNDED, () => {
    let text = `import * as tf from '@tensorflow/tfjs';\nexport function f(width: number) {\n  const a0 = width;\n`;
    for (let i = 1; i <= 1500; i++) text += `  const a${i} = a${i - 1} * 2;\n`;
    text += `  const model = tf.sequential();\n  model.add(tf.layers.dense({ units: a1500, inputShape: [4], kernelInitializer: 'heNormal' }));\n`;
    text += `  model.add(tf.layers.dense({ units: 10, kernelInitializer: 'zeros' }));\n  return model;\n}\n`;
    // strict: an internal error (the stack overflow there was) throws instead of being reported
    const r = lint(text);
    assert.deepEqual(rulesOf(r), [`${lineOf(text, 'units: 10')}:mup/readout-not-scaled`]);
    assert.equal(r.layers.find((l) => l.line === lineOf(text, 'units: a1500'))?.role, 'input');
  });

  it('an expression of 30,000 terms and a property chain 30,000 long do not stop the analysis', BOUNDED, () => {
    const sum = `const total = ${Array.from({ length: 30000 }, (_, i) => i).join(' + ')};\n`;
    const chain = `const deepName = cfg${'.a'.repeat(30000)};\nconst deepTf = tf${'.a'.repeat(30000)}();\n`;
    const text = MODEL + sum + chain;
    const r = lint(text);
    assert.deepEqual(rulesOf(r), [`${READOUT_LINE}:mup/readout-not-scaled`]);
  });

  it("nesting past TypeScript's parser limit: one warning at the deepest bracket, not a clean file", BOUNDED, () => {
    const text = MODEL + DEEP;
    const r = lint(text);
    assert.equal(r.findings.length, 1);
    const [f] = r.findings;
    assert.equal(f.rule, INCOMPLETE);
    assert.equal(f.severity, 'warning');
    assert.equal(f.line, lineOf(text, 'const deep'));
    assert.equal(f.column, 'const deep = '.length + 3000, 'at the innermost of the 3000 brackets');
    assert.match(f.message, /^this file could not be analysed: TypeScript's parser ran out of stack on nesting 3000 brackets deep \(here\), so no rule checked it; split the nested code up/);
  });

  it('the parser giving up mid-edit does not stick: the next text is analysed again', BOUNDED, () => {
    const name = 'editor/deep.ts';
    assert.deepEqual(rulesOf(analyze(MODEL, name)), [`${READOUT_LINE}:mup/readout-not-scaled`]);
    assert.deepEqual(rulesOf(analyze(MODEL + DEEP, name)), [`8:${INCOMPLETE}`]);
    assert.deepEqual(rulesOf(analyze(MODEL, name)), [`${READOUT_LINE}:mup/readout-not-scaled`]);
  });

  it('a chain of layers longer than the walk follows is reported where the bound was hit', BOUNDED, () => {
    // wrapped dropouts defined in the reverse of the order they are applied: each one's size is followed
    // back through all those applied before it
    const n = 300;
    let text = `import * as tf from '@tensorflow/tfjs';\nexport function m(width: number) {\n`;
    for (let i = n; i >= 1; i--) text += `  const w${i} = tf.layers.timeDistributed({ layer: tf.layers.dropout({ rate: 0.1 }) });\n`;
    text += `  let x = tf.input({ shape: [4, width] });\n`;
    for (let i = 1; i <= n; i++) text += `  x = w${i}.apply(x) as tf.SymbolicTensor;\n`;
    text += `  const y = tf.layers.dense({ units: 10 }).apply(x) as tf.SymbolicTensor;\n  return tf.model({ inputs: x, outputs: y });\n}\n`;
    const r = lint(text);
    const gaps = only(r, INCOMPLETE);
    assert.equal(gaps.length, 1);
    assert.match(gaps[0].message, /^this file was analysed in part \(findings may be missing\): the size of this layer depends on a chain of more than 120 layers before it/);
    assert.match(text.split('\n')[gaps[0].line - 1], /const w\d+ = tf\.layers\.timeDistributed/);
  });

  it('an internal error in the layer model is reported, not a clean file (and thrown in strict mode)', BOUNDED, () => {
    const fanIn = Shapes.prototype.fanIn;
    Shapes.prototype.fanIn = () => {
      throw new TypeError('forced for the test');
    };
    try {
      const r = analyze(MODEL, 'model.ts', { incremental: false });
      assert.deepEqual(rulesOf(r), [`1:${INCOMPLETE}`]);
      assert.equal(r.findings[0].message, 'this file was analysed in part (findings may be missing): an internal error in the layer model (TypeError: forced for the test); please report it');
      assert.equal(r.findings[0].endColumn, "import * as tf from '@tensorflow/tfjs';".length + 1, 'the first line, where no place is known');
      assert.throws(() => lint(MODEL), /forced for the test/);
    } finally {
      Shapes.prototype.fanIn = fanIn;
    }
  });

  it('an internal error in one rule loses only that rule, and says which', BOUNDED, () => {
    const text = MODEL.replace(", kernelInitializer: 'heNormal'", '');
    const widthNameIn = WidthModel.prototype.widthNameIn;
    WidthModel.prototype.widthNameIn = () => {
      throw new Error('forced for the test');
    };
    try {
      const r = analyze(text, 'model.ts', { incremental: false });
      assert.deepEqual(rulesOf(r), [`1:${INCOMPLETE}`, '4:mup/init-fan-avg']);
      assert.match(r.findings[0].message, /an internal error in the readout rule \(mup\/readout-not-scaled\) \(Error: forced for the test\)/);
    } finally {
      WidthModel.prototype.widthNameIn = widthNameIn;
    }
  });
});

describe('mup/analysis-incomplete: suppression and exit code', () => {
  const text = MODEL + DEEP;

  it('a bare mup-ignore-file or mup-ignore-next-line does not hide it; one that names it does', BOUNDED, () => {
    assert.deepEqual(rulesOf(lint(`// mup-ignore-file\n${text}`)), [`9:${INCOMPLETE}`]);
    assert.deepEqual(rulesOf(lint(text.replace('const deep', '// mup-ignore-next-line\nconst deep'))), [`9:${INCOMPLETE}`]);
    assert.deepEqual(rulesOf(lint(`// mup-ignore-file ${INCOMPLETE}\n${text}`)), []);
    assert.deepEqual(rulesOf(lint(text, 'model.ts', { rules: { [INCOMPLETE]: 'off' } })), []);
    // the "Suppress for this line" and "for this file" every front offers write directives that name it
    const f = lint(text).findings[0];
    const line = applyFix(text, lineSuppressionFix(f, text));
    assert.ok(line.includes(`// mup-ignore-next-line ${INCOMPLETE}\nconst deep`));
    assert.deepEqual(rulesOf(lint(line)), []);
    assert.deepEqual(rulesOf(lint(applyFix(text, fileSuppressionFix(f, text)))), []);
  });

  it('mup-lens lint prints it and exits 1', BOUNDED, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mup-incomplete-'));
    try {
      writeFileSync(join(dir, 'deep.ts'), text);
      let out = '';
      const code = await main(['lint', 'deep.ts'], { stdout: (s) => (out += s), stderr: (s) => (out += s), cwd: dir });
      assert.equal(code, 1);
      assert.match(out, /8:\d+ {2}warning {2}this file could not be analysed: TypeScript's parser ran out of stack.* {2}mup\/analysis-incomplete\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
