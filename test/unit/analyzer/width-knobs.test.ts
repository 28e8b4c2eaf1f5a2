// Width knobs as real tfjs code spells them (issue 10, docs/rules.md "The width knob"): the *Units family,
// lists of layer sizes and their loop variables, config objects and arrays of them, literal-valued
// constants, form input, channelCount; the data sizes that are never widths; sizes that reach a layer
// through an apply-helper or a block called on the stream; and the optimizer rule judged per model. Each
// case pins the exact line of every finding (`line:rule`, in the analyzer's order).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, lineOf, lint, only, preferred, rulesOf } from './helpers';

const head = `import * as tf from '@tensorflow/tfjs';\n`;
const READOUT = 'mup/readout-not-scaled';
const FAN_AVG = 'mup/init-fan-avg';
const GLOBAL_LR = 'mup/optimizer-global-lr';

/** The rescaling scale the preferred readout fix writes (the finding on `needle`'s line). */
function fixScale(text: string, needle: string): string {
  const f = only(lint(text), READOUT).find((x) => x.line === lineOf(text, needle));
  assert.ok(f, `no readout finding on the line of ${needle}`);
  const after = applyFix(text, preferred(f));
  const m = /rescaling\(\{ scale: ([^}]*) \}\)|tf\.mul\([^,]*, ([^)]*\)?)\)/.exec(after.slice(0, after.length));
  assert.ok(m, `no rescaling in:\n${after}`);
  assert.deepEqual(only(lint(after), READOUT).filter((x) => x.line === f.line), [], 'the fix clears its finding');
  return (m[1] ?? m[2]).trim();
}

describe('width knobs: the *Units family', () => {
  it('rnnUnits = 32 (a literal-valued constant named like a width) makes the GRU the input layer and dense(1) the readout', () => {
    const t = `${head}export function gru(inputShape: number[]) {
  const model = tf.sequential();
  const rnnUnits = 32;
  model.add(tf.layers.gru({ units: rnnUnits, inputShape }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ loss: 'meanAbsoluteError', optimizer: 'rmsprop' });
  return model;
}`;
    assert.deepEqual(rulesOf(lint(t)), [
      `${lineOf(t, 'tf.layers.gru')}:${FAN_AVG}`,
      `${lineOf(t, 'units: 1')}:${FAN_AVG}`,
      `${lineOf(t, 'units: 1')}:${READOUT}`,
      // the GRU's recurrent kernel is rnnUnits x 3*rnnUnits: one string-'rmsprop' LR is global
      `${lineOf(t, "optimizer: 'rmsprop'")}:${GLOBAL_LR}`,
    ]);
    assert.equal(fixScale(t, 'units: 1'), '64 / rnnUnits');
  });

  it('config.units of a custom layer: the score vector V = dense(1) on the units-wide tanh features is a readout', () => {
    const t = `${head}export class Additive extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.units = config.units;
    this.W1 = tf.layers.dense({ units: this.units, kernelInitializer: 'leCunNormal' });
    this.V = tf.layers.dense({ units: 1, kernelInitializer: 'zeros' });
  }
  call(input) {
    return this.V.apply(tf.tanh(this.W1.apply(input[0])));
  }
}`;
    assert.deepEqual(rulesOf(lint(t)), [`${lineOf(t, 'units: 1')}:${READOUT}`]);
    assert.equal(fixScale(t, 'units: 1'), '64 / this.units');
  });

  it('lstmUnits, hiddenUnits, numUnits, encoderUnits, numHidden, _inputLayerUnits are widths', () => {
    for (const name of ['lstmUnits', 'hiddenUnits', 'numUnits', 'encoderUnits', 'numHidden', '_inputLayerUnits', 'hidden_units']) {
      const t = `${head}export function m(${name}: number) {
  return tf.sequential({ layers: [
    tf.layers.dense({ units: ${name}, inputShape: [4], kernelInitializer: 'leCunNormal' }),
    tf.layers.dense({ units: 3, kernelInitializer: 'zeros' }),
  ] });
}`;
      assert.deepEqual(rulesOf(lint(t)), [`${lineOf(t, 'units: 3')}:${READOUT}`], name);
    }
  });

  it('data sizes are not widths: inputUnits, outputUnits, groupOutputUnits, outputLayerUnits, latentDim, imageSize, w, ui.getDenseUnits()', () => {
    for (const size of ['inputUnits', 'outputUnits', 'groupOutputUnits', 'outputLayerUnits', 'latentDim', 'imageSize', 'w', 'inputLayerSize']) {
      const t = `${head}export function m(${size}: number) {
  return tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [${size}] }), tf.layers.dense({ units: ${size} })] });
}`;
      assert.deepEqual(lint(t).findings, [], size);
    }
    const call = `${head}export function m(ui: { getDenseUnits(): number }) {
  return tf.sequential({ layers: [tf.layers.dense({ units: ui.getDenseUnits(), inputShape: [3] }), tf.layers.dense({ units: 1 })] });
}`;
    assert.deepEqual(lint(call).findings, []);
  });

  it('parseInt(form.value) assigned to a width-named variable is the knob', () => {
    const t = `${head}export function build(form: { units: { value: string } }) {
  const hiddenUnits = parseInt(form.units.value, 10);
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: hiddenUnits, inputShape: [6], activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  return model;
}`;
    assert.deepEqual(rulesOf(lint(t)), [
      `${lineOf(t, 'units: hiddenUnits')}:${FAN_AVG}`,
      `${lineOf(t, 'units: 1')}:${FAN_AVG}`,
      `${lineOf(t, 'units: 1')}:${READOUT}`,
    ]);
    assert.equal(fixScale(t, 'units: 1'), '64 / hiddenUnits');
  });

  it('channelCount is a width (the channels family); a reshape layer to [channelCount, 1] ends in a fixed size', () => {
    const t = `${head}export function linear(channelCount: number) {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [channelCount], units: 2, kernelInitializer: 'zeros' })] });
}
export function cnn(channelCount: number) {
  return tf.sequential({ layers: [
    tf.layers.reshape({ inputShape: [channelCount], targetShape: [channelCount, 1] }),
    tf.layers.conv1d({ filters: 16, kernelSize: 3, kernelInitializer: 'zeros' }),
    tf.layers.globalAveragePooling1d({}),
    tf.layers.dense({ units: 2, kernelInitializer: 'zeros' }),
  ] });
}`;
    assert.deepEqual(rulesOf(lint(t)), [`${lineOf(t, 'inputShape: [channelCount], units: 2')}:${READOUT}`]);
  });
});

describe('width knobs: lists of layer sizes and config objects', () => {
  it('hiddenLayerSizes.forEach: the first iteration is the input layer, the dense after the loop the readout, scaled by the last size', () => {
    const t = `${head}export class Policy {
  build(hiddenLayerSizes: number[]) {
    this.model = tf.sequential();
    hiddenLayerSizes.forEach((hiddenLayerSize, i) => {
      this.model.add(tf.layers.dense({ units: hiddenLayerSize, inputShape: i === 0 ? [4] : undefined }));
    });
    this.model.add(tf.layers.dense({ units: 1 }));
  }
  model: tf.Sequential;
}`;
    assert.deepEqual(rulesOf(lint(t)), [
      `${lineOf(t, 'units: hiddenLayerSize,')}:${FAN_AVG}`,
      `${lineOf(t, 'units: 1')}:${FAN_AVG}`,
      `${lineOf(t, 'units: 1')}:${READOUT}`,
    ]);
    assert.equal(fixScale(t, 'units: 1'), '64 / hiddenLayerSizes[hiddenLayerSizes.length - 1]');
  });

  it('a loop variable not named like a width (layerSizes.forEach((units) => ...), for...of) is an element of the list', () => {
    const forEach = `${head}export function build(layerSizes: number[], lr: number) {
  const m = tf.sequential();
  layerSizes.forEach((size, i) => {
    m.add(tf.layers.dense({ ...(i === 0 ? { inputShape: [2] } : {}), units: size, kernelInitializer: 'glorotUniform' }));
  });
  m.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  m.compile({ optimizer: tf.train.adam(lr), loss: 'binaryCrossentropy' });
  return m;
}`;
    assert.deepEqual(rulesOf(lint(forEach)), [
      `${lineOf(forEach, 'units: size')}:${FAN_AVG}`,
      `${lineOf(forEach, 'units: 1')}:${FAN_AVG}`,
      `${lineOf(forEach, 'units: 1')}:${READOUT}`,
      // later iterations map layerSizes[i-1] to layerSizes[i]: hidden matrices under one Adam LR
      `${lineOf(forEach, 'tf.train.adam')}:${GLOBAL_LR}`,
    ]);
    assert.equal(fixScale(forEach, 'units: 1'), '64 / layerSizes[layerSizes.length - 1]');
    const forOf = `${head}export function build(hiddenLayers: number[]) {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: hiddenLayers[0], inputShape: [2], kernelInitializer: 'leCunNormal' }));
  for (const n of hiddenLayers.slice(1)) m.add(tf.layers.dense({ units: n, kernelInitializer: 'leCunNormal' }));
  m.add(tf.layers.dense({ units: 1, kernelInitializer: 'zeros' }));
  return m;
}`;
    assert.deepEqual(rulesOf(lint(forOf)), [`${lineOf(forOf, 'units: 1')}:${READOUT}`]);
    // the size of \`for (const [i, size] of units.slice(1).entries())\` is an element too: width -> width
    const entries = `${head}export const getModel = (inputDim: number, units: number[]) => {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputDim, units: units[0] }));
  for (const [i, size] of units.slice(1).entries()) model.add(tf.layers.dense({ units: size, activation: i > 0 ? 'tanh' : 'relu' }));
  return model;
};`;
    assert.deepEqual(rulesOf(lint(entries)), [`${lineOf(entries, 'units: units[0]')}:${FAN_AVG}`]);
    assert.equal(fixScale(forOf, 'units: 1'), '64 / hiddenLayers[hiddenLayers.length - 1]');
  });

  it('a list of one-element lists (e[0]) beside _inputLayerUnits and an _outputLayerUnits output size', () => {
    const t = `${head}export class TfModel {
  constructor(inputLayerUnits, hiddenLayer, outputLayerUnits) {
    this._inputLayerUnits = inputLayerUnits;
    this._hiddenLayer = hiddenLayer;
    this._outputLayerUnits = outputLayerUnits;
  }
  createModel() {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: this._inputLayerUnits, inputShape: [1] }));
    this._hiddenLayer.forEach((e) => {
      model.add(tf.layers.dense({ units: e[0], kernelInitializer: 'leCunNormal' }));
    });
    model.add(tf.layers.dense({ units: this._outputLayerUnits }));
    return model;
  }
}`;
    assert.deepEqual(rulesOf(lint(t, 'model.js')), [
      `${lineOf(t, 'this._inputLayerUnits, inputShape')}:${FAN_AVG}`,
      `${lineOf(t, 'units: this._outputLayerUnits')}:${FAN_AVG}`,
      `${lineOf(t, 'units: this._outputLayerUnits')}:${READOUT}`,
    ]);
  });

  it('the units of config objects in an array (this.lstmLayers[i].units): the readout scales by the last one', () => {
    const t = `${head}export class Forecast {
  lstmLayers = [{ units: 64 }, { units: 64 }];
  outputSize = 1;
  build() {
    const model = tf.sequential();
    model.add(tf.layers.lstm({ units: this.lstmLayers[0].units, inputShape: [50, 1], returnSequences: true, kernelInitializer: 'leCunNormal' }));
    for (let i = 1; i < this.lstmLayers.length; i++) {
      model.add(tf.layers.lstm({ units: this.lstmLayers[i].units, returnSequences: i < this.lstmLayers.length - 1 }));
    }
    model.add(tf.layers.dense({ units: this.outputSize, kernelInitializer: 'zeros' }));
    model.compile({ optimizer: tf.train.adam(0.001), loss: 'meanSquaredError' });
    return model;
  }
}`;
    assert.deepEqual(rulesOf(lint(t)), [`${lineOf(t, 'units: this.outputSize')}:${READOUT}`, `${lineOf(t, 'tf.train.adam')}:${GLOBAL_LR}`]);
    assert.equal(fixScale(t, 'units: this.outputSize'), '64 / this.lstmLayers[this.lstmLayers.length - 1].units');
  });

  it('config.intermediateDim and CONFIG.D_MODEL from config objects', () => {
    const vae = `${head}export function encoder(config: { originalDim: number; intermediateDim: number; latentDim: number }) {
  const inputs = tf.input({ shape: [config.originalDim] });
  const x = tf.layers.dense({ units: config.intermediateDim, activation: 'relu', kernelInitializer: 'leCunNormal' }).apply(inputs) as tf.SymbolicTensor;
  const zMean = tf.layers.dense({ units: config.latentDim, kernelInitializer: 'zeros' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs, outputs: zMean });
}`;
    assert.deepEqual(rulesOf(lint(vae)), [`${lineOf(vae, 'config.latentDim')}:${READOUT}`]);
    assert.equal(fixScale(vae, 'config.latentDim'), '64 / config.intermediateDim');
    const gpt = `${head}const CONFIG = { D_MODEL: 128, VOCAB: 50 };
export function lmHead() {
  const inp = tf.input({ shape: [16, CONFIG.D_MODEL] });
  const out = tf.layers.dense({ units: CONFIG.VOCAB, kernelInitializer: 'zeros' }).apply(inp) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}`;
    assert.deepEqual(rulesOf(lint(gpt)), [`${lineOf(gpt, 'CONFIG.VOCAB')}:${READOUT}`]);
    assert.equal(fixScale(gpt, 'CONFIG.VOCAB'), '64 / CONFIG.D_MODEL');
  });

  it('an array-valued hiddenDim (params.hiddenDim.forEach): the fix divides by its last element, never by the list', () => {
    const t = `${head}export function mlp(params: { hiddenDim: number[]; classes: number }) {
  const model = tf.sequential();
  params.hiddenDim.forEach((units, i) => model.add(tf.layers.dense({ units, inputShape: i === 0 ? [8] : undefined, kernelInitializer: 'leCunNormal' })));
  model.add(tf.layers.dense({ units: params.classes, kernelInitializer: 'zeros' }));
  return model;
}`;
    assert.deepEqual(rulesOf(lint(t)), [`${lineOf(t, 'units: params.classes')}:${READOUT}`]);
    assert.equal(fixScale(t, 'units: params.classes'), '64 / params.hiddenDim[params.hiddenDim.length - 1]');
  });
});

describe('width knobs: sizes through helpers and forward()', () => {
  it('a layer applied inside a small closure gets the size of the tensor the closure is called with', () => {
    // Without following the helper, a layer whose input is unknown inside width-configured code counts as
    // width-sized: the first dense (on a fixed 16-wide input) would be hidden, not the input layer.
    const t = `${head}const project = (layer, x) => layer.apply(x);
export function build(width: number) {
  const inp = tf.input({ shape: [16] });
  const h = project(tf.layers.dense({ units: width }), inp);
  const out = project(tf.layers.dense({ units: 10, kernelInitializer: 'zeros' }), h);
  return tf.model({ inputs: inp, outputs: out });
}`;
    assert.deepEqual(rulesOf(lint(t, 'model.js')), [`${lineOf(t, 'units: width')}:${FAN_AVG}`, `${lineOf(t, 'units: 10')}:${READOUT}`]);
  });

  it('fan-in only visible through forward(): embedding -> blocks from another file -> layer norm -> lm head', () => {
    const t = `${head}import Block from './block';
export class GPT {
  constructor(config) {
    this.config = config;
    this.build();
  }
  build() {
    // (nothing in this method or its class's fields names the width: only the tensor flow shows it)
    this.wte = tf.layers.embedding({ inputDim: this.config.vocabSize, outputDim: this.config.nEmbed });
    this.blocks = [new Block(this.config), new Block(this.config)];
    this.lnF = tf.layers.layerNormalization({ axis: -1 });
    this.lmHead = tf.layers.dense({ units: this.config.vocabSize, useBias: false, kernelInitializer: 'zeros' });
  }
  forward(idx) {
    let x = this.wte.apply(idx);
    for (const block of this.blocks) x = block.call(x);
    x = this.lnF.apply(x);
    return this.lmHead.apply(x);
  }
}`;
    assert.deepEqual(rulesOf(lint(t, 'model.js')), [`${lineOf(t, 'units: this.config.vocabSize')}:${READOUT}`]);
    // the fix in forward() names the knob the stream's size comes from, not a bare `width`
    const [f] = only(lint(t, 'model.js'), READOUT);
    assert.match(applyFix(t, preferred(f)), /return tf\.mul\(this\.lmHead\.apply\(x\), 64 \/ this\.config\.nEmbed\);/);
    // a block that is known to map the stream to a fixed size would make the head fixed -> fixed
    const fixed = t.replace('for (const block of this.blocks) x = block.call(x);', 'x = tf.layers.dense({ units: 8 }).apply(x);');
    assert.deepEqual(only(lint(fixed, 'model.js'), READOUT).map((f) => f.line), [lineOf(fixed, 'units: 8')]);
  });
});

describe('optimizer-global-lr: each optimizer judged by the model it trains', () => {
  const t = `${head}export function linear(channelCount: number) {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [channelCount], units: 2, kernelInitializer: 'zeros' })] });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'meanSquaredError' });
  return model;
}
export function mlp(channelCount: number) {
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [channelCount], units: channelCount, kernelInitializer: 'leCunNormal' }),
    tf.layers.dense({ units: 2, kernelInitializer: 'zeros' }),
  ] });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'meanSquaredError' });
  return model;
}
export function rnn(lstmUnits: number) {
  const model = tf.sequential({ layers: [
    tf.layers.lstm({ inputShape: [10, 3], units: lstmUnits, kernelInitializer: 'leCunNormal' }),
    tf.layers.dense({ units: 2, kernelInitializer: 'zeros' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  return model;
}`;
  const lines = t.split('\n');
  const nth = (needle: string, k: number) => lines.map((l, i) => (l.includes(needle) ? i + 1 : 0)).filter(Boolean)[k];

  it('the linear model has no hidden matrix: its Adam is not flagged; the MLP and the LSTM (recurrent kernel) are', () => {
    assert.deepEqual(only(lint(t), GLOBAL_LR).map((f) => f.line), [nth('tf.train.adam', 1), lineOf(t, "optimizer: 'adam'")]);
  });

  it('heads applied in a loop to one fixed input are input layers, not a chain of hidden matrices', () => {
    const heads = `${head}export function heads(width: number, n: number) {
  const inp = tf.input({ shape: [12] });
  const outs: tf.SymbolicTensor[] = [];
  for (let i = 0; i < n; i++) outs.push(tf.layers.dense({ units: width, kernelInitializer: 'leCunNormal' }).apply(inp) as tf.SymbolicTensor);
  const model = tf.model({ inputs: inp, outputs: outs });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return model;
}`;
    assert.deepEqual(lint(heads).findings, []);
  });
});
