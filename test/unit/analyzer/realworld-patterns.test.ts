// The patterns of real tfjs code (test/fixtures/realworld/) that the analyzer got wrong, each reduced to a
// few lines: layer wrappers, layers picked in if/else and switch branches, reshape to a fixed size, a knob
// read from a config object, tensor-valued attention scales, and width names seen in the wild.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, lineOf, lint, only, rulesOf, syntaxErrors } from './helpers';

const head = `import * as tf from '@tensorflow/tfjs';\n`;
const READOUT = 'mup/readout-not-scaled';
const FAN_AVG = 'mup/init-fan-avg';
const ATTN = 'mup/attention-sqrt-scaling';

describe('real-world patterns: layer wrappers', () => {
  const text = `${head}export function rnn(hiddenSize: number, vocab: number) {
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: hiddenSize, inputShape: [8, vocab], kernelInitializer: 'leCunNormal' }));
  model.add(tf.layers.lstm({ units: hiddenSize, returnSequences: true }));
  model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: vocab, kernelInitializer: 'zeros' }) }));
  return model;
}`;

  it('a dense inside timeDistributed after width-sized layers is the readout, flagged on its own line', () => {
    assert.deepEqual(rulesOf(lint(text)), [`${lineOf(text, 'timeDistributed')}:${READOUT}`]);
    const f = only(lint(text), READOUT)[0];
    assert.equal(f.column, text.split('\n')[f.line - 1].indexOf('tf.layers.dense') + 1);
  });

  it('its fix adds the rescaling after the wrapper, which clears the finding', () => {
    const f = only(lint(text), READOUT)[0];
    const after = applyFix(text, f.fixes[0]);
    assert.match(after, /\}\) \}\)\);\n {2}model\.add\(tf\.layers\.rescaling\(\{ scale: 64 \/ hiddenSize \}\)\);\n {2}return model;/);
    assert.deepEqual(only(lint(after), READOUT), []);
  });

  it('a bidirectional LSTM reads the width from the layer before the wrapper', () => {
    const t = `${head}export function enc(embeddingSize: number) {
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: 1000, outputDim: embeddingSize }));
  model.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 32, kernelInitializer: 'zeros' }), mergeMode: 'concat' }));
  return model;
}`;
    const [f] = only(lint(t), READOUT);
    assert.equal(f.line, lineOf(t, 'bidirectional'));
    assert.match(f.message, /fan-out 32\)/);
  });

  it('a wrapper around a hidden layer passes the width on to the next layer', () => {
    const t = `${head}export function m(width: number) {
  const inp = tf.input({ shape: [5, 3] });
  const h = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: width, kernelInitializer: 'leCunNormal' }) }).apply(inp) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, kernelInitializer: 'zeros' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}`;
    assert.deepEqual(rulesOf(lint(t)), [`${lineOf(t, 'units: 2')}:${READOUT}`]);
  });
});

describe('real-world patterns: layers added in branches', () => {
  it('a layer right after the width-sized one in its own branch is a readout, even with other branches between', () => {
    const t = `${head}export function build(kind: string, embeddingSize: number) {
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: 1000, outputDim: embeddingSize }));
  if (kind === 'cnn') {
    model.add(tf.layers.conv1d({ filters: 8, kernelSize: 3, kernelInitializer: 'zeros' }));
  } else if (kind === 'rnn') {
    model.add(tf.layers.simpleRNN({ units: 4, kernelInitializer: 'zeros' }));
  }
  return model;
}`;
    assert.deepEqual(only(lint(t), READOUT).map((f) => f.line), [lineOf(t, 'conv1d'), lineOf(t, 'simpleRNN')]);
  });

  it('switch cases are alternatives: the readout after them is flagged when one case is width-sized', () => {
    const t = `${head}export function build(kind: string, width: number) {
  const model = tf.sequential();
  switch (kind) {
    case 'wide':
      model.add(tf.layers.dense({ units: width, inputShape: [3], kernelInitializer: 'leCunNormal' }));
      break;
    default:
      model.add(tf.layers.dense({ units: 16, inputShape: [3], kernelInitializer: 'leCunNormal' }));
  }
  model.add(tf.layers.dense({ units: 2, kernelInitializer: 'zeros' }));
  return model;
}`;
    assert.deepEqual(only(lint(t), READOUT).map((f) => f.line), [lineOf(t, 'units: 2')]);
  });

  it('an add that always runs hides the layers before it (no finding through a branch it follows)', () => {
    const t = `${head}export function build(deep: boolean, width: number) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: width, inputShape: [3], kernelInitializer: 'leCunNormal' }));
  if (deep) {
    model.add(tf.layers.dense({ units: width, kernelInitializer: 'leCunNormal' }));
  }
  model.add(tf.layers.dense({ units: 16, kernelInitializer: 'zeros' }));
  model.add(tf.layers.dense({ units: 2, kernelInitializer: 'zeros' }));
  return model;
}`;
    // dense(16) reads the width on both paths (with or without the branch); dense(2) only ever follows dense(16).
    assert.deepEqual(only(lint(t), READOUT).map((f) => f.line), [lineOf(t, 'units: 16')]);
  });

  it('an if without braces is a branch too: the layer after it can follow the width-sized one directly', () => {
    const t = `${head}export function build(width: number, extra: boolean) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: width, inputShape: [8], kernelInitializer: 'leCunNormal' }));
  if (extra) model.add(tf.layers.dense({ units: 4, kernelInitializer: 'zeros' }));
  model.add(tf.layers.dense({ units: 10, kernelInitializer: 'zeros' }));
  return model;
}`;
    assert.deepEqual(only(lint(t), READOUT).map((f) => f.line), [lineOf(t, 'units: 4'), lineOf(t, 'units: 10')]);
  });

  it('if/else without braces: each arm follows the layer before the if, not the other arm', () => {
    const t = `${head}export function build(width: number, kind: string) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: width, inputShape: [8], kernelInitializer: 'leCunNormal' }));
  if (kind === 'a') model.add(tf.layers.dense({ units: 4, kernelInitializer: 'zeros' }));
  else model.add(tf.layers.dense({ units: 10, kernelInitializer: 'zeros' }));
  return model;
}`;
    assert.deepEqual(only(lint(t), READOUT).map((f) => f.line), [lineOf(t, 'units: 4'), lineOf(t, 'units: 10')]);
  });

  it("a rescaling in one branch scales only that branch's readout, not the next branch's", () => {
    const t = `${head}export function build(width: number, kind: string) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: width, inputShape: [8], kernelInitializer: 'leCunNormal' }));
  if (kind === 'a') {
    model.add(tf.layers.dense({ units: 4, kernelInitializer: 'zeros' }));
    model.add(tf.layers.rescaling({ scale: 64 / width }));
  } else {
    model.add(tf.layers.dense({ units: 5, kernelInitializer: 'zeros' }));
  }
  return model;
}`;
    assert.deepEqual(only(lint(t), READOUT).map((f) => f.line), [lineOf(t, 'units: 5')]);
  });

  it('a rescaling inside an if after the readout does not always run: the readout is still flagged', () => {
    const t = `${head}export function build(width: number, scaled: boolean) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: width, inputShape: [8], kernelInitializer: 'leCunNormal' }));
  model.add(tf.layers.dense({ units: 4, kernelInitializer: 'zeros' }));
  if (scaled) model.add(tf.layers.rescaling({ scale: 64 / width }));
  return model;
}`;
    assert.deepEqual(only(lint(t), READOUT).map((f) => f.line), [lineOf(t, 'units: 4')]);
  });

  it('wrappers that wrap each other do not send the analysis round forever (findings for the rest of the file stay)', () => {
    const t = `${head}export function build(width: number) {
  var a = tf.layers.timeDistributed({ layer: b });
  var b = tf.layers.bidirectional({ layer: a });
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: width, inputShape: [8] }));
  model.add(a);
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}`;
    // lint() runs with debug: true, which rethrows: a stack overflow here would fail the test
    assert.deepEqual(only(lint(t), READOUT).map((f) => f.line), [lineOf(t, 'units: 10')]);
  });
});

describe('real-world patterns: shapes and knobs', () => {
  it('a reshape to a fixed last dimension makes the next layer an input layer (fixed fan-in)', () => {
    const t = `${head}export class Mix {
  toOut: tf.layers.Layer;
  constructor(readonly dim: number, readonly heads = 4, readonly dimHead = 16) {
    this.toOut = tf.layers.dense({ units: dim });
  }
  forward(x: tf.Tensor): tf.Tensor {
    const merged = tf.reshape(x, [-1, x.shape[1]!, 4 * 16]);
    return this.toOut.apply(merged) as tf.Tensor;
  }
}`;
    const r = lint(t);
    assert.deepEqual(r.layers.map((l) => `${l.name}:${l.role}`), ['toOut:input']);
    assert.deepEqual(rulesOf(r), [`${lineOf(t, 'units: dim')}:${FAN_AVG}`]);
  });

  it('a reshape to a width-sized last dimension keeps the width (the next layer is hidden)', () => {
    const t = `${head}export function f(x: tf.Tensor, width: number) {
  return tf.layers.dense({ units: width }).apply(x.reshape([-1, width])) as tf.Tensor;
}`;
    assert.deepEqual(lint(t).layers.map((l) => l.role), ['hidden']);
  });

  it('a knob read from a config object the factory copies: the readout fix and message name it', () => {
    const t = `${head}export function GPT(conf: { nEmbd: number; vocabSize: number }) {
  const config = Object.assign({}, conf);
  const inputs = tf.input({ shape: [config.nEmbd] });
  const x = tf.layers.dense({ units: config.vocabSize, inputDim: config.nEmbd, kernelInitializer: 'zeros' }).apply(inputs);
  return tf.model({ inputs, outputs: x as tf.SymbolicTensor });
}`;
    const [f] = only(lint(t), READOUT);
    assert.match(f.message, /scale 64\/config\.nEmbd\)/);
    const after = applyFix(t, f.fixes[0]);
    assert.match(after, /const x = tf\.layers\.rescaling\(\{ scale: 64 \/ config\.nEmbd \}\)\.apply\(tf\.layers\.dense/);
    assert.deepEqual(only(lint(after), READOUT), []);
  });

  it('a knob listing every layer size (lstmLayerSizes): elements are widths, the readout scales by the last', () => {
    const t = `${head}export function createModel(charSetSize: number, lstmLayerSizes: number[]) {
  const model = tf.sequential();
  for (let i = 0; i < lstmLayerSizes.length; ++i) {
    const lstmLayerSize = lstmLayerSizes[i];
    model.add(tf.layers.lstm({ units: lstmLayerSize, kernelInitializer: 'leCunNormal', inputShape: i === 0 ? [40, charSetSize] : undefined }));
  }
  model.add(tf.layers.dense({ units: charSetSize, kernelInitializer: 'zeros' }));
  return model;
}`;
    const [f] = only(lint(t), READOUT);
    assert.equal(f.line, lineOf(t, 'units: charSetSize'));
    const after = applyFix(t, f.fixes[0]);
    assert.match(after, /model\.add\(tf\.layers\.rescaling\(\{ scale: 64 \/ lstmLayerSizes\[lstmLayerSizes\.length - 1\] \}\)\);/);
    assert.deepEqual(only(lint(after), READOUT), []);
  });

  it('intermediateDim is a width; outputLayerSize and inputLayerSize are not', () => {
    const vae = `${head}export function decoder(opts: { intermediateDim: number; originalDim: number }) {
  const { intermediateDim, originalDim } = opts;
  const dec = tf.sequential();
  dec.add(tf.layers.dense({ units: intermediateDim, inputShape: [2], kernelInitializer: 'leCunNormal' }));
  dec.add(tf.layers.dense({ units: originalDim, kernelInitializer: 'zeros' }));
  return dec;
}`;
    assert.deepEqual(rulesOf(lint(vae)), [`${lineOf(vae, 'units: originalDim')}:${READOUT}`]);
    const notKnobs = `${head}export function m(outputLayerSize: number, inputLayerSize: number) {
  return tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [inputLayerSize] }), tf.layers.dense({ units: outputLayerSize })] });
}`;
    assert.deepEqual(lint(notKnobs).findings, []);
  });

  it("an initializer given by its class name ('GlorotUniform') is the fan-average default too", () => {
    const t = `${head}export function m(width: number) {
  return tf.sequential({ layers: [tf.layers.dense({ units: width, inputShape: [3], kernelInitializer: 'GlorotUniform' })] });
}`;
    const [f] = only(lint(t), FAN_AVG);
    assert.match(f.message, /uses glorotUniform/);
  });
});

describe('real-world patterns: tensor-valued attention scales', () => {
  const attn = (scale: string) => `${head}export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor {
  let att = tf.mul(tf.matMul(q, k, false, true), ${scale});
  att = tf.softmax(att, -1);
  return tf.matMul(att, v);
}`;

  it("tf.div(1, tf.sqrt(tf.cast(k.shape[3], 'float32'))) becomes tf.div(8, tf.cast(...)), not a Tensor / 8", () => {
    const t = attn("tf.div(1, tf.sqrt(tf.cast(k.shape[3], 'float32')))");
    const [f] = only(lint(t), ATTN);
    assert.equal(f.line, lineOf(t, 'tf.div(1'));
    const after = applyFix(t, f.fixes[0]);
    assert.match(after, /tf\.mul\(tf\.matMul\(q, k, false, true\), tf\.div\(8, tf\.cast\(k\.shape\[3\], 'float32'\)\)\);/);
    assert.deepEqual(syntaxErrors(after), []);
    assert.deepEqual(only(lint(after), ATTN), []);
  });

  it('a method sqrt of a tensor (dk.sqrt()) becomes tf.div(dk, 8); a named import of div is added when needed', () => {
    const t = `import { matMul, softmax, scalar } from '@tensorflow/tfjs';
export function attend(q: any, k: any, dHead: number) {
  const dk = scalar(dHead);
  return softmax(matMul(q, k, false, true).div(dk.sqrt()));
}`;
    const [f] = only(lint(t), ATTN);
    const after = applyFix(t, f.fixes[0]);
    assert.match(after, /^import \{ matMul, softmax, scalar, div \} from '@tensorflow\/tfjs';/);
    assert.match(after, /\.div\(div\(dk, 8\)\)\);/);
    assert.deepEqual(only(lint(after), ATTN), []);
  });

  it('tf.sqrt of a plain number keeps the number form (tf.scalar unwrapped as before)', () => {
    const t = attn('tf.rsqrt(tf.scalar(dHead))').replace('v: tf.Tensor)', 'v: tf.Tensor, dHead: number)');
    const after = applyFix(t, only(lint(t), ATTN)[0].fixes[0]);
    assert.match(after, /tf\.mul\(tf\.matMul\(q, k, false, true\), 8 \/ dHead\);/);
  });
});
