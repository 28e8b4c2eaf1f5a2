// mup/residual-depth-unscaled, the two defects the corpus labeller found (issue 22):
// 1. a loop to a depth fixed in the code (a local `const numLayers = 3`, as in test/fixtures/corpus/fast-chunk-gpt.js)
//    builds one depth, like the module constant docs/rules.md already exempts: no finding. A knob that comes from a
//    parameter, an option or a config object (even with a default) is still flagged.
// 2. each residual addition is judged by its own branch: in a pre-LN block whose FFN init std mentions the knob
//    (test/fixtures/corpus/optimal-gpt-char.js's pattern, with the knob a parameter here), the attention addition is
//    flagged and the FFN one is not; the carried stream `x` no longer leads the attention branch to the FFN's init.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { applyFix, lineOf, lint, only, preferred, syntaxErrors } from './helpers';
import { loadTranspiled } from './runFixed';

const RULE = 'mup/residual-depth-unscaled';
const HEAD = "import * as tf from '@tensorflow/tfjs';\n";
const lines = (text: string, file = 'model.ts') => only(lint(text, file), RULE).map((f) => f.line);

/** A pre-LN residual stack of dense blocks, its loop bound declared by `decl` (a statement, or a parameter list). */
function stack(opts: { params?: string; decl?: string; bound?: string } = {}): string {
  const { params = 'width: number', decl = '', bound = 'numLayers' } = opts;
  return (
    HEAD +
    `export function build(${params}) {\n` +
    (decl ? `  ${decl}\n` : '') +
    '  const input = tf.input({ shape: [width] });\n' +
    '  let x = input as tf.SymbolicTensor;\n' +
    `  for (let i = 0; i < ${bound}; i++) {\n` +
    '    const h = tf.layers.layerNormalization().apply(x) as tf.SymbolicTensor;\n' +
    "    const f = tf.layers.dense({ units: width, activation: 'relu' }).apply(h) as tf.SymbolicTensor;\n" +
    '    x = tf.layers.add().apply([x, f]) as tf.SymbolicTensor; // residual\n' +
    '  }\n' +
    '  return tf.model({ inputs: input, outputs: x });\n' +
    '}\n'
  );
}

describe('mup/residual-depth-unscaled: a depth fixed in the code is no knob', () => {
  it('a local literal const (fast-chunk-gpt.js pattern) is not flagged, in .js and .ts', () => {
    const local = stack({ decl: 'const numLayers = 3;' });
    assert.deepEqual(lines(local), []);
    const js = `const tf = require('@tensorflow/tfjs');\nfunction createModel(width) {\n  const numLayers = 3;\n  let x = tf.input({ shape: [width] });\n  for (let i = 0; i < numLayers; i++) {\n    const f = tf.layers.dense({ units: width }).apply(tf.layers.layerNormalization().apply(x));\n    x = tf.layers.add().apply([x, f]);\n  }\n  return x;\n}\nmodule.exports = { createModel };\n`;
    assert.deepEqual(lines(js, 'model.js'), []);
  });

  it('literal-only values: an unreassigned let, arithmetic of constants, a class field set to a module constant', () => {
    assert.deepEqual(lines(stack({ decl: 'let numLayers = 4;' })), []);
    assert.deepEqual(lines(stack({ decl: 'const numLayers = 2 * BLOCKS_PER_STAGE + 1;' }).replace(HEAD, `${HEAD}const BLOCKS_PER_STAGE = 2;\n`)), []);
    assert.deepEqual(lines(stack({ decl: 'const numLayers = Math.max(STAGE, 2) + STAGE;' }).replace(HEAD, `${HEAD}let STAGE = 3;\n`)), []);
    const cls = `${HEAD}const N_LAYER = 4;\nexport class Net {\n  nLayers: number;\n  constructor(private width: number) {\n    this.nLayers = N_LAYER;\n  }\n  build(x: tf.Tensor) {\n    for (let i = 0; i < this.nLayers; i++) x = tf.add(x, tf.relu(x));\n    return x;\n  }\n}\n`;
    assert.deepEqual(lines(cls), []);
    const field = cls.replace('  nLayers: number;\n', '  nLayers = 4;\n').replace('    this.nLayers = N_LAYER;\n', '');
    assert.deepEqual(lines(field), []);
  });

  it('still flags a knob from a parameter, an option or a config object, even with a default', () => {
    const at = (text: string) => lineOf(text, '// residual');
    const cases = [
      stack({ params: 'width: number, numLayers: number' }),
      stack({ params: 'width: number, numLayers = 3' }),
      stack({ params: 'width: number, { numLayers = 3 } = {}' }),
      stack({ params: 'width: number, cfg: { numLayers?: number }', decl: 'const numLayers = cfg.numLayers ?? 3;' }),
      stack({ params: 'width: number, cfg: { numLayers: number }', bound: 'cfg.numLayers' }),
      // a let that something reassigns is not fixed
      stack({ params: 'width: number, deep: boolean', decl: 'let numLayers = 2;\n  if (deep) numLayers = 8;' }),
      // a local constant shadowing the parameter would be fixed; here the parameter shadows a module constant
      stack({ params: 'width: number, numLayers: number' }).replace(HEAD, `${HEAD}const numLayers = 2;\n`),
    ];
    for (const text of cases) assert.deepEqual(lines(text), [at(text)], text);
    const cls = `${HEAD}export class Net {\n  nLayers: number;\n  constructor(config: { nLayers: number }) {\n    this.nLayers = config.nLayers;\n  }\n  build(x: tf.Tensor) {\n    for (let i = 0; i < this.nLayers; i++) x = tf.add(x, tf.relu(x)); // residual\n    return x;\n  }\n}\n`;
    assert.deepEqual(lines(cls), [at(cls)]);
    const ctorArg = cls.replace('config: { nLayers: number }', 'nLayers: number').replace('= config.nLayers', '= nLayers');
    assert.deepEqual(lines(ctorArg), [at(ctorArg)]);
    // a field that feeds on itself is not read as a literal (and does not loop the resolver)
    const selfRef = cls.replace('this.nLayers = config.nLayers;', 'this.nLayers = 2;\n    this.nLayers = this.nLayers * 2;');
    assert.deepEqual(lines(selfRef), [at(selfRef)]);
  });

  it('the quick fix on a defaulted option still applies: the knob over its default', () => {
    const text = stack({ params: 'width: number, { numLayers = 3 } = {}' });
    const [f] = only(lint(text), RULE);
    assert.ok(f);
    const fixed = applyFix(text, preferred(f));
    assert.deepEqual(syntaxErrors(fixed), []);
    assert.match(fixed, /x = tf\.layers\.add\(\)\.apply\(\[x, tf\.layers\.rescaling\(\{ scale: \(numLayers \/ 3\) \*\* -1 \}\)\.apply\(f\) as tf\.SymbolicTensor\]\)/);
    assert.deepEqual(only(lint(fixed), RULE), []);
  });

  it('the hover has no depth line for an addition in a loop of fixed depth', () => {
    const add = (text: string) => lint(text).layers.find((l) => l.kind === 'tf.layers.add')!;
    assert.equal(add(stack({ decl: 'const numLayers = 3;' })).depth, undefined);
    assert.match(add(stack({ params: 'width: number, numLayers = 3' })).depth!, /alpha = 0 \(SP in depth/);
  });
});

/** A pre-LN block over a `numLayers` parameter whose FFN down-projection's init std mentions the knob (GPT-2's
 *  0.02 / sqrt(2 * nLayers)), and whose attention branch (a dense stand-in) has nothing depth-scaled. */
const PRE_LN =
  HEAD +
  'export function gpt(width: number, { numLayers = 2 }: { numLayers?: number } = {}) {\n' +
  '  const input = tf.input({ shape: [width] });\n' +
  '  let x = input as tf.SymbolicTensor;\n' +
  '  const residualStddev = 0.02 / Math.sqrt(2 * numLayers);\n' +
  '  for (let i = 0; i < numLayers; i++) {\n' +
  '    const attnInput = tf.layers.layerNormalization().apply(x) as tf.SymbolicTensor;\n' +
  '    const attnOutput = tf.layers.dense({ units: width }).apply(attnInput) as tf.SymbolicTensor;\n' +
  '    x = tf.layers.add().apply([x, attnOutput]) as tf.SymbolicTensor; // attention residual\n' +
  '    const ffnInput = tf.layers.layerNormalization().apply(x) as tf.SymbolicTensor;\n' +
  "    let ffnOutput = tf.layers.dense({ units: 4 * width, activation: 'relu' }).apply(ffnInput) as tf.SymbolicTensor;\n" +
  '    ffnOutput = tf.layers.dense({\n' +
  '      units: width,\n' +
  '      kernelInitializer: tf.initializers.randomNormal({ stddev: residualStddev }),\n' +
  '    }).apply(ffnOutput) as tf.SymbolicTensor;\n' +
  '    x = tf.layers.add().apply([x, ffnOutput]) as tf.SymbolicTensor; // ffn residual\n' +
  '  }\n' +
  '  return tf.model({ inputs: input, outputs: x });\n' +
  '}\n';

const load = (text: string): Record<string, unknown> => loadTranspiled(text);

describe('mup/residual-depth-unscaled: each addition is judged by its own branch', () => {
  it('flags the attention addition, not the FFN one whose init std carries the depth', () => {
    assert.deepEqual(lines(PRE_LN), [lineOf(PRE_LN, '// attention residual')]);
  });

  it('the same with the std written into the initializer, and with tensor additions', () => {
    const inline = PRE_LN.replace('stddev: residualStddev', 'stddev: 0.02 / Math.sqrt(2 * numLayers)').replace('  const residualStddev = 0.02 / Math.sqrt(2 * numLayers);\n', '');
    assert.deepEqual(lines(inline), [lineOf(inline, '// attention residual')]);
    const ops =
      `${HEAD}export function f(x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, numLayers: number) {\n` +
      '  for (let i = 0; i < numLayers; i++) {\n' +
      '    const a = tf.matMul(tf.relu(x), w1);\n' +
      '    x = tf.add(x, a); // attention residual\n' +
      '    const m = tf.mul(tf.matMul(x, w2), 1 / Math.sqrt(numLayers));\n' +
      '    x = x.add(m); // ffn residual\n' +
      '  }\n' +
      '  return x;\n' +
      '}\n';
    assert.deepEqual(lines(ops), [lineOf(ops, '// attention residual')]);
    // the FFN branch scaled by its own multiplier still counts, and scaling both leaves nothing to flag
    const both = ops.replace('x = tf.add(x, a)', 'x = tf.add(x, tf.mul(a, 1 / Math.sqrt(numLayers)))');
    assert.deepEqual(lines(both), []);
  });

  it('the hover tells the two additions apart', () => {
    const adds = lint(PRE_LN).layers.filter((l) => l.kind === 'tf.layers.add');
    assert.equal(adds.length, 2);
    assert.match(adds[0]!.depth!, /its branch has no depth multiplier: alpha = 0/);
    assert.match(adds[1]!.depth!, /its branch is scaled with depth: alpha = 1\/2/);
  });

  it('the quick fix rescales the attention branch only; the fixed file lints clean and builds a model that runs', async () => {
    await tf.setBackend('cpu');
    const [f] = only(lint(PRE_LN), RULE);
    assert.ok(f);
    const fixed = applyFix(PRE_LN, preferred(f));
    assert.deepEqual(syntaxErrors(fixed), []);
    assert.match(fixed, /x = tf\.layers\.add\(\)\.apply\(\[x, tf\.layers\.rescaling\(\{ scale: \(numLayers \/ 2\) \*\* -1 \}\)\.apply\(attnOutput\) as tf\.SymbolicTensor\]\)/);
    assert.match(fixed, /x = tf\.layers\.add\(\)\.apply\(\[x, ffnOutput\]\) as tf\.SymbolicTensor; \/\/ ffn residual/);
    assert.deepEqual(only(lint(fixed), RULE), []);
    const m = (load(fixed).gpt as (w: number, o: { numLayers: number }) => tf.LayersModel)(16, { numLayers: 4 });
    const y = m.predict(tf.ones([2, 16])) as tf.Tensor;
    assert.deepEqual(y.shape, [2, 16]);
    assert.ok(Number.isFinite(y.sum().dataSync()[0]));
    assert.equal(m.layers.filter((l) => l.getClassName() === 'Rescaling').length, 4);
    m.dispose();
  });
});
