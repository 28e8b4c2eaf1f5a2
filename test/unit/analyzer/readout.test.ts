// mup/readout-not-scaled: positives in each model-building style, negatives for each accepted scaling.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineOf, lint, only } from './helpers';

const RULE = 'mup/readout-not-scaled';
const head = `import * as tf from '@tensorflow/tfjs';\n`;

function readoutLines(text: string, fileName = 'model.ts'): number[] {
  return only(lint(text, fileName), RULE).map((f) => f.line);
}

describe('mup/readout-not-scaled', () => {
  it('flags a readout added with model.add, on the layer call line, as an error with the numbers', () => {
    const text = `${head}export function mlp(hiddenSize: number) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [16], units: hiddenSize }));
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}`;
    const [f] = only(lint(text), RULE);
    assert.equal(f.line, lineOf(text, 'units: 10'));
    assert.equal(f.column, text.split('\n')[f.line - 1].indexOf('tf.layers.dense') + 1);
    assert.equal(f.severity, 'error');
    assert.match(f.message, /1\/width_mult \(base 64: scale 64\/hiddenSize\)/);
  });

  it('uses the configured base width in the message', () => {
    const text = `${head}export const m = (width: number) => tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: width }), tf.layers.dense({ units: 2 })] });`;
    assert.match(only(lint(text, 'm.ts', { baseWidth: 128 }), RULE)[0].message, /base 128: scale 128\/width/);
  });

  it('flags a functional readout applied into tf.model', () => {
    const text = `${head}export function net(dModel: number) {
  const inp = tf.input({ shape: [12] });
  const h = tf.layers.dense({ units: 4 * dModel, activation: 'relu' }).apply(inp) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5 }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}`;
    assert.deepEqual(readoutLines(text), [lineOf(text, 'units: 5')]);
  });

  it('follows width through config objects and local constants', () => {
    const text = `${head}export function gpt(cfg: { nEmbd: number; vocab: number }) {
  const w = cfg.nEmbd;
  const inp = tf.input({ shape: [8] });
  const h = tf.layers.dense({ units: w }).apply(inp);
  return tf.model({ inputs: inp, outputs: tf.layers.dense({ units: cfg.vocab }).apply(h) as tf.SymbolicTensor });
}`;
    assert.deepEqual(readoutLines(text), [lineOf(text, 'units: cfg.vocab')]);
  });

  it('flags a readout held in a field of a custom layer and applied in call()', () => {
    const text = `${head}class Head extends tf.layers.Layer {
  private proj: tf.layers.Layer;
  constructor(private readonly dModel: number) {
    super({});
    this.proj = tf.layers.dense({ units: 7 });
  }
  call(x: tf.Tensor) { return this.proj.apply(x) as tf.Tensor; }
}
export function model(width: number) { return new Head(width); }`;
    assert.deepEqual(readoutLines(text), [lineOf(text, 'units: 7')]);
  });

  it('a `// @mup width=<name>` annotation makes any name a width knob', () => {
    const text = `${head}// @mup width=n
export function mlp(n: number) {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: n }), tf.layers.dense({ units: 2 })] });
}`;
    assert.deepEqual(readoutLines(text), [lineOf(text, 'units: 2')]);
    assert.deepEqual(readoutLines(text.replace('// @mup width=n\n', '')), [], 'without the annotation `n` is no width knob');
  });

  it('a model with no width knob has no readout findings', () => {
    const text = `${head}export function mlp() {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 256 }), tf.layers.dense({ units: 256 }), tf.layers.dense({ units: 2 })] });
}`;
    assert.deepEqual(readoutLines(text), []);
  });

  const scaled: [string, string][] = [
    ['a width rescaling after it (sequential)', `tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: width }), tf.layers.dense({ units: 2 }), tf.layers.rescaling({ scale: BASE_WIDTH / width })] })`],
    ['a width rescaling right before it (sequential)', `tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: width }), tf.layers.rescaling({ scale: 64 / width }), tf.layers.dense({ units: 2 })] })`],
    ['a rescaling wrapping the apply chain', `tf.model({ inputs: inp, outputs: tf.layers.rescaling({ scale: BASE_WIDTH / width }).apply(tf.layers.dense({ units: 2 }).apply(tf.layers.dense({ units: width }).apply(inp))) as tf.SymbolicTensor })`],
    ['tf.mul of its output by a width-derived value', `tf.mul(tf.layers.dense({ units: 2 }).apply(tf.layers.dense({ units: width }).apply(inp)) as tf.Tensor, BASE_WIDTH / width)`],
    ['.div of its output by width_mult', `(tf.layers.dense({ units: 2 }).apply(tf.layers.dense({ units: width }).apply(inp)) as tf.Tensor).div(width / BASE_WIDTH)`],
    ['its input divided by width_mult', `tf.layers.dense({ units: 2 }).apply(tf.div(tf.layers.dense({ units: width }).apply(inp) as tf.Tensor, width / 64))`],
  ];
  for (const [name, expr] of scaled) {
    it(`accepts ${name}`, () => {
      const text = `${head}const BASE_WIDTH = 64;
export function f(width: number, inp: tf.SymbolicTensor) {
  return ${expr};
}`;
      const r = lint(text);
      assert.deepEqual(only(r, RULE), []);
      const ro = r.layers.find((l) => l.role === 'readout');
      assert.ok(ro, 'the readout is found');
      assert.equal(ro.outputScaled, true);
    });
  }

  it('accepts a readout whose output variable is rescaled later', () => {
    const text = `${head}export function f(width: number) {
  const inp = tf.input({ shape: [3] });
  const h = tf.layers.dense({ units: width }).apply(inp);
  const logits = tf.layers.dense({ units: 2 }).apply(h);
  const out = tf.layers.rescaling({ scale: 64 / width }).apply(logits) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}`;
    assert.deepEqual(readoutLines(text), []);
  });

  it('still flags a rescaling whose scale does not depend on width', () => {
    const text = `${head}export function f(width: number) {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: width }), tf.layers.dense({ units: 2 }), tf.layers.rescaling({ scale: 0.5 })] });
}`;
    assert.deepEqual(readoutLines(text), [lineOf(text, 'units: 2')]);
  });

  it('a bottleneck dense(16) after a width-sized layer is a readout too (docs/mup.md)', () => {
    const text = `${head}export function f(width: number) {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: width }), tf.layers.dense({ units: 16 }), tf.layers.dense({ units: width })] });
}`;
    const r = lint(text);
    assert.deepEqual(r.layers.map((l) => l.role), ['input', 'readout', 'input']);
    assert.deepEqual(readoutLines(text), [2 + 1]);
  });
});
