// The forms fresh public code showed (issue 24), each pinned to the line of its finding: models passed to
// helpers that add layers (interprocedural flow of the model), the stream through block helpers and residual
// adds (a seq2seq transformer's feed-forward is not a readout, its vocabulary projection is), the attention
// scale given to a layer class of the file's own, and scale expressions in any algebraic spelling.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineOf, lint, only } from './helpers';

const READOUT = 'mup/readout-not-scaled';
const ATTN = 'mup/attention-sqrt-scaling';
const head = `import * as tf from '@tensorflow/tfjs';\n`;
const lines = (text: string, rule: typeof READOUT | typeof ATTN, file = 'model.ts') => only(lint(text, file), rule).map((f) => f.line);

describe('interprocedural: a model passed to helpers that add its layers', () => {
  const helpers = `${head}function addHidden(model, n, first) {
  model.add(tf.layers.dense({ units: n, activation: 'relu', inputShape: first ? [8] : undefined }));
}
function addBlock(model, n, first) {
  addHidden(model, n, first);
  addHidden(model, n, false);
}
function addHead(model, classes) {
  model.add(tf.layers.dense({ units: classes }));
}
`;

  it('the readout the caller adds after helpers called in a loop, nested two levels, is width-fed', () => {
    const text = `${helpers}export function build(hiddenUnits) {
  const model = tf.sequential();
  for (let i = 0; i < 3; i++) addBlock(model, hiddenUnits, i === 0);
  model.add(tf.layers.dense({ units: 4 }));
  return model;
}`;
    assert.deepEqual(lines(text, READOUT, 'm.js'), [lineOf(text, 'units: 4')]);
  });

  it('a readout added by a helper after the hidden helpers is found in the caller\'s model', () => {
    const text = `${helpers}export function build(hiddenUnits) {
  const model = tf.sequential();
  for (let i = 0; i < 3; i++) addBlock(model, hiddenUnits, i === 0);
  addHead(model, 3);
  return model;
}`;
    assert.deepEqual(lines(text, READOUT, 'm.js'), [lineOf(text, 'units: classes')]);
  });

  it('not flagged: the helper is given a fixed size, or the caller rescales after the helper', () => {
    const fixed = `${helpers}export function build() {
  const model = tf.sequential();
  addBlock(model, 32, true);
  model.add(tf.layers.dense({ units: 4 }));
  return model;
}`;
    assert.deepEqual(lines(fixed, READOUT, 'm.js'), []);
    const scaled = `${helpers}export function build(hiddenUnits) {
  const model = tf.sequential();
  for (let i = 0; i < 3; i++) addBlock(model, hiddenUnits, i === 0);
  model.add(tf.layers.dense({ units: 4 }));
  model.add(tf.layers.rescaling({ scale: 64 / hiddenUnits }));
  return model;
}`;
    assert.deepEqual(lines(scaled, READOUT, 'm.js'), []);
  });
});

describe('interprocedural: the stream through block helpers (seq2seq transformer)', () => {
  const text = `${head}type T = tf.SymbolicTensor;
function feedForward(x: T, intermediateSize: number): T {
  const h = tf.layers.dense({ units: intermediateSize, activation: 'relu' }).apply(x) as T;
  const out = tf.layers.dense({ units: x.shape[x.shape.length - 1] as number }).apply(h) as T;
  return tf.layers.layerNormalization().apply(tf.layers.add().apply([x, out])) as T;
}
function decoderLayer(enc: T, x: T, intermediateSize: number): T {
  const a = tf.layers.layerNormalization().apply(tf.layers.add().apply([x, enc])) as T;
  return feedForward(a, intermediateSize);
}
export function seq2seq(dModel: number, vocab: number) {
  const src = tf.input({ shape: [8] });
  const tgt = tf.input({ shape: [8] });
  const enc = tf.layers.embedding({ inputDim: vocab, outputDim: dModel }).apply(src) as T;
  let y = tf.layers.embedding({ inputDim: vocab, outputDim: dModel }).apply(tgt) as T;
  for (let i = 0; i < 2; i++) y = decoderLayer(enc, y, 4 * dModel);
  const logits = tf.layers.dense({ units: vocab }).apply(y) as T;
  return tf.model({ inputs: [src, tgt], outputs: logits });
}`;

  it('the feed-forward dense back to the stream size (added to the residual) is not a readout; the vocabulary projection after the decoder helper is', () => {
    assert.deepEqual(lines(text, READOUT), [lineOf(text, 'units: vocab')]);
    const ff = lint(text).layers.find((l) => l.line === lineOf(text, 'x.shape[x.shape.length - 1]'));
    assert.equal(ff?.role, 'hidden');
  });

  it('the stream given to a helper in another argument than the first, through a config object', () => {
    const t2 = `${head}type T = tf.SymbolicTensor;
function decoder(cfg: { layers: number }, enc: T, x: T): T {
  for (let i = 0; i < cfg.layers; i++) x = tf.layers.add().apply([x, enc]) as T;
  return tf.layers.layerNormalization().apply(x) as T;
}
export function seq2seq(dModel: number, vocab: number) {
  const src = tf.input({ shape: [8] });
  const enc = tf.layers.embedding({ inputDim: vocab, outputDim: dModel }).apply(src) as T;
  const y = tf.layers.embedding({ inputDim: vocab, outputDim: dModel }).apply(src) as T;
  const logits = tf.layers.dense({ units: vocab }).apply(decoder({ layers: 2 }, enc, y)) as T;
  return tf.model({ inputs: src, outputs: logits });
}`;
    assert.deepEqual(lines(t2, READOUT), [lineOf(t2, 'units: vocab')]);
  });
});

describe('custom layer classes carrying the attention scale', () => {
  it('a tf.layers.Layer subclass whose call() multiplies by a config value, given Math.pow(d, -0.5)', () => {
    const text = `${head}class ScaleLayer extends tf.layers.Layer {
  private readonly scale: number;
  constructor(config: { scale: number }) { super({}); this.scale = config.scale; }
  call(x: tf.Tensor | tf.Tensor[]) { const t = Array.isArray(x) ? x[0] : x; return t.mul(this.scale); }
  computeOutputShape(s: tf.Shape) { return s; }
  static get className() { return 'ScaleLayer'; }
}
export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, headDim: number) {
  const s = new ScaleLayer({ scale: Math.pow(headDim, -0.5) });
  return tf.matMul(tf.softmax(s.apply(tf.matMul(q, k, false, true)) as tf.Tensor), v);
}`;
    assert.deepEqual(lines(text, ATTN), [lineOf(text, 'Math.pow(headDim, -0.5)')]);
  });

  it('a plain scaler class whose forward() divides by a constructor parameter property: sqrt(d) flagged, d/8 not', () => {
    const cls = `${head}class Divider {
  constructor(private readonly d: number) {}
  forward(x: tf.Tensor) { return tf.div(x, this.d); }
}
`;
    const sqrt = `${cls}export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, keyDim: number) {
  const div = new Divider(Math.sqrt(keyDim));
  return tf.matMul(tf.softmax(div.forward(tf.matMul(q, k, false, true))), v);
}`;
    assert.deepEqual(lines(sqrt, ATTN), [lineOf(sqrt, 'new Divider(')]);
    const mup = sqrt.replace('Math.sqrt(keyDim)', 'keyDim / 8');
    assert.deepEqual(lines(mup, ATTN), []);
  });
});

describe('custom layer classes on the stream', () => {
  it('a layer whose computeOutputShape returns its input shape keeps the width: the readout after it is width-fed; it is no hidden matrix', () => {
    const text = `${head}class Scale extends tf.layers.Layer {
  constructor(private readonly factor: number) { super({}); }
  call(x: tf.Tensor | tf.Tensor[]) { return tf.mul(Array.isArray(x) ? x[0] : x, this.factor); }
  computeOutputShape(s: tf.Shape) { return s; }
  static get className() { return 'Scale'; }
}
export function net(dModel: number) {
  const inp = tf.input({ shape: [12] });
  const h = tf.layers.dense({ units: dModel, activation: 'relu' }).apply(inp) as tf.SymbolicTensor;
  const s = new Scale(0.5).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5 }).apply(s) as tf.SymbolicTensor;
  const model = tf.model({ inputs: inp, outputs: out });
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  return model;
}`;
    const r = lint(text);
    assert.deepEqual(only(r, READOUT).map((f) => f.line), [lineOf(text, 'units: 5')]);
    assert.deepEqual(only(r, 'mup/optimizer-global-lr'), [], 'no width x width matrix in this model');
  });
});

describe('scale expressions in their algebraic normal form', () => {
  const attend = (name: string, scores: string) => `export function ${name}(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, headDim: number) {
  const scores = ${scores};
  return tf.matMul(tf.softmax(scores), v);
}
`;
  it('every spelling of d^-1/2 is flagged on its line, d^-1 and d^+1/2 multiplied in are not', () => {
    const flagged = [
      'tf.mul(tf.matMul(q, k, false, true), Math.sqrt(1.0 / headDim))',
      'tf.matMul(q, k, false, true).mul(1 / headDim ** 0.5)',
      'tf.matMul(q, k, false, true).mul(Math.pow(headDim, -0.5))',
      'tf.matMul(q, k, false, true).mul(headDim ** -0.5)',
      'tf.matMul(q, k, false, true).div(Math.sqrt(headDim * 1.0))',
      'tf.matMul(q, k, false, true).mul(Math.sqrt(2) * Math.pow(headDim, -1) * Math.sqrt(headDim))',
      'tf.matMul(q, k, false, true).div(tf.pow(tf.scalar(headDim), 0.5))',
    ];
    const ok = [
      'tf.matMul(q, k, false, true).mul(8 / headDim)',
      'tf.matMul(q, k, false, true).mul(Math.sqrt(headDim))',
      'tf.matMul(q, k, false, true).div(Math.pow(headDim, -0.5))',
      'tf.matMul(q, k, false, true).mul(Math.sqrt(attnMult) / headDim)',
    ];
    const text = head + 'const attnMult = 64;\n' + [...flagged, ...ok].map((s, i) => attend(`a${i}`, s)).join('');
    assert.deepEqual(lines(text, ATTN), flagged.map((s) => lineOf(text, s)));
  });

  it('a field is read in its own class: another class with a field of the same name and a muP scale does not hide it', () => {
    const cls = (name: string, scale: string) => `class ${name} {
  private readonly scale: number;
  constructor(private readonly dHead: number) { this.scale = ${scale}; }
  call(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) { return tf.matMul(tf.softmax(tf.mul(tf.matMul(q, k, false, true), this.scale)), v); }
}
`;
    const text = head + cls('MuAttn', '4 / this.dHead') + cls('SpAttn', '1 / Math.sqrt(this.dHead)');
    assert.deepEqual(lines(text, ATTN), [lineOf(text, '1 / Math.sqrt(this.dHead)')]);
  });
});
