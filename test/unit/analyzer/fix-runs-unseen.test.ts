// The fixes of the forms of issue 24 RUN (runFixed.ts: the worker's loader, tfjs on the CPU): readouts fed
// through helpers that add layers to a model passed in and after a seq2seq decoder helper (the fixed model's
// output is the plain one's times base/width at two widths), and attention scales given to a layer class of
// the file's own or written in other algebraic spellings (the fixed multiplier on q.k is M/d_head, measured
// from the softmax weights as in fix-runs-attention.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Attend, multiplier } from './attentionProbe';
import { applyFix, lint, only, preferred } from './helpers';
import { exported, forward, fixedLoader, rms, type tf } from './runFixed';

const head = `import * as tf from '@tensorflow/tfjs';\n`;
const load = fixedLoader();

/** The text with the preferred fix of every finding of `rule` applied, one at a time; how many there were. */
function fixAll(text: string, name: string, rule: 'mup/readout-not-scaled' | 'mup/attention-sqrt-scaling'): { fixed: string; count: number } {
  let fixed = text;
  let count = 0;
  for (; count < 8; count++) {
    const [f] = only(lint(fixed, name), rule);
    if (!f) break;
    fixed = applyFix(fixed, preferred(f));
  }
  assert.deepEqual(only(lint(fixed, name), rule), [], 'the fixes clear every finding');
  return { fixed, count };
}

/** Plain and fixed model at widths 8 and 32: the fixed output is finite and the plain one times 64/width. */
async function checkReadout(text: string, name: string, factory: string, expectFix: RegExp): Promise<void> {
  const { fixed, count } = fixAll(text, name, 'mup/readout-not-scaled');
  assert.equal(count, 1, 'one readout');
  assert.match(fixed, expectFix);
  const plain = exported<(w: number) => tf.LayersModel>(await load(text, name), factory);
  const fixedF = exported<(w: number) => tf.LayersModel>(await load(fixed, name), factory);
  for (const width of [8, 32]) {
    const a = rms(forward(plain(width))[0]);
    const b = rms(forward(fixedF(width))[0]);
    assert.ok(a > 0, `width ${width}: the plain output is not all zeros`);
    assert.ok(Math.abs(b / a - 64 / width) < 1e-4 * (64 / width), `width ${width}: output ratio ${b / a}, expected ${64 / width}`);
  }
}

const seeded = (seed: number) => `kernelInitializer: tf.initializers.randomNormal({ stddev: 0.5, seed: ${seed} })`;

describe('readout fixes run: models passed to helpers, a seq2seq decoder helper', () => {
  const helpers = `${head}function addHidden(model, n, first) {
  model.add(tf.layers.dense({ units: n, activation: 'relu', inputShape: first ? [8] : undefined, ${seeded(1)} }));
}
function addBlock(model, n, first) {
  addHidden(model, n, first);
  addHidden(model, n, false);
}
function addHead(model, classes) {
  model.add(tf.layers.dense({ units: classes, ${seeded(2)} }));
}
`;

  it('the readout after nested helpers called in a loop: a rescaling by 64 / hiddenUnits after it', async () => {
    const text = `${helpers}export function build(hiddenUnits) {
  const model = tf.sequential();
  for (let i = 0; i < 2; i++) addBlock(model, hiddenUnits, i === 0);
  model.add(tf.layers.dense({ units: 4, ${seeded(3)} }));
  return model;
}`;
    await checkReadout(text, 'helpers.js', 'build', /model\.add\(tf\.layers\.dense\(\{ units: 4, [^\n]*\n {2}model\.add\(tf\.layers\.rescaling\(\{ scale: 64 \/ hiddenUnits \}\)\);/);
  });

  it('a readout added last by a helper that cannot name the width: the rescaling goes after the helper call', async () => {
    const text = `${helpers}export function build(hiddenUnits) {
  const model = tf.sequential();
  for (let i = 0; i < 2; i++) addBlock(model, hiddenUnits, i === 0);
  addHead(model, 3);
  return model;
}`;
    await checkReadout(text, 'head.js', 'build', /addHead\(model, 3\);\n {2}model\.add\(tf\.layers\.rescaling\(\{ scale: 64 \/ hiddenUnits \}\)\);/);
  });

  it('the vocabulary projection after a decoder helper (the feed-forward back to d_model left alone)', async () => {
    const text = `${head}type T = tf.SymbolicTensor;
function feedForward(x: T, intermediateSize: number): T {
  const h = tf.layers.dense({ units: intermediateSize, activation: 'relu', ${seeded(4)} }).apply(x) as T;
  const out = tf.layers.dense({ units: x.shape[x.shape.length - 1] as number, ${seeded(5)} }).apply(h) as T;
  return tf.layers.add().apply([x, out]) as T;
}
function decoderLayer(enc: T, x: T, intermediateSize: number): T {
  return feedForward(tf.layers.add().apply([x, enc]) as T, intermediateSize);
}
export function seq2seq(dModel: number) {
  const src = tf.input({ shape: [4], dtype: 'int32' });
  const tgt = tf.input({ shape: [4], dtype: 'int32' });
  const enc = tf.layers.embedding({ inputDim: 2, outputDim: dModel, embeddingsInitializer: tf.initializers.randomNormal({ seed: 6 }) }).apply(src) as T;
  let y = tf.layers.embedding({ inputDim: 2, outputDim: dModel, embeddingsInitializer: tf.initializers.randomNormal({ seed: 7 }) }).apply(tgt) as T;
  for (let i = 0; i < 2; i++) y = decoderLayer(enc, y, 2 * dModel);
  const logits = tf.layers.dense({ units: 5, ${seeded(8)} }).apply(y) as T;
  return tf.model({ inputs: [src, tgt], outputs: logits });
}`;
    await checkReadout(text, 's2s.ts', 'seq2seq', /tf\.layers\.rescaling\(\{ scale: 64 \/ dModel \}\)\.apply\(tf\.layers\.dense\(\{ units: 5/);
  });
});

/** The original's multiplier on q.k is `before(d)`; after the fix it is `afterFix(d)` (M = 8: base head size 64). */
async function checkScale(text: string, name: string, before: (d: number) => number, afterFix: (d: number) => number, expectFix: RegExp): Promise<void> {
  const { fixed, count } = fixAll(text, name, 'mup/attention-sqrt-scaling');
  assert.ok(count >= 1, 'the original is flagged');
  assert.match(fixed, expectFix);
  const a = (await load(text, name)).attend as Attend;
  const b = (await load(fixed, name)).attend as Attend;
  for (const d of [16, 32]) {
    assert.ok(Math.abs(multiplier(a, d, 'btd') - before(d)) < 1e-4, `the probe reads the original's multiplier at d=${d}`);
    const c = multiplier(b, d, 'btd');
    assert.ok(Math.abs(c - afterFix(d)) < 1e-4, `fixed: multiplier ${c} at d_head=${d}, want ${afterFix(d)}`);
  }
}

const attendWith = (scores: string) => `${head}export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, headDim: number) {
  const scores = ${scores};
  return tf.matMul(tf.softmax(scores), v);
}`;
const inv = (d: number) => 1 / Math.sqrt(d);
const mup = (d: number) => 8 / d;

describe('attention fixes run: other spellings of d^-1/2, a scale given to a layer class', () => {
  it('Math.sqrt(1.0 / headDim), 1 / headDim ** 0.5 and Math.pow(headDim, -0.5) become 8 / headDim', async () => {
    await checkScale(attendWith('tf.mul(tf.matMul(q, k, false, true), Math.sqrt(1.0 / headDim))'), 'n1.ts', inv, mup, /Math\.sqrt|8 \/ headDim/);
    await checkScale(attendWith('tf.matMul(q, k, false, true).mul(1 / headDim ** 0.5)'), 'n2.ts', inv, mup, /\.mul\(8 \/ headDim\)/);
    await checkScale(attendWith('tf.matMul(q, k, false, true).mul(Math.pow(headDim, -0.5))'), 'n3.ts', inv, mup, /\.mul\(8 \/ headDim\)/);
  });

  it('a constant beside the root is kept: Math.sqrt(2 / headDim) becomes 11.3137 / headDim', async () => {
    await checkScale(attendWith('tf.matMul(q, k, false, true).mul(Math.sqrt(2 / headDim))'), 'n4.ts', (d) => Math.sqrt(2 / d), (d) => (8 * Math.SQRT2) / d, /\.mul\(11\.3137 \/ headDim\)/);
  });

  it('a tf.layers.Layer subclass scaling by a config value: the argument at the new becomes 8 / headDim', async () => {
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
    await checkScale(text, 'layer.ts', inv, mup, /new ScaleLayer\(\{ scale: 8 \/ headDim \}\)/);
  });

  it('a scaler class dividing by a constructor parameter: new Divider(Math.sqrt(headDim)) becomes headDim / 8', async () => {
    const text = `${head}class Divider {
  constructor(private readonly d: number) {}
  forward(x: tf.Tensor) { return tf.div(x, this.d); }
}
export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, headDim: number) {
  const div = new Divider(Math.sqrt(headDim));
  return tf.matMul(tf.softmax(div.forward(tf.matMul(q, k, false, true))), v);
}`;
    await checkScale(text, 'divider.ts', inv, mup, /new Divider\(headDim \/ 8\)/);
  });
});
