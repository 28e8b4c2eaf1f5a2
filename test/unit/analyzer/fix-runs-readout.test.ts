// Readout fixes that are right when they run (issue 10): each fixed file is loaded the way a coordinate check
// loads a model (runFixed.ts: the worker's loader, tfjs on the CPU), built at two small widths, run forward
// (finite outputs), and its readout output compared with the unfixed model's under the same seeds: the fix
// multiplies it by base/width, where width is the size that feeds the readout (the last element of a list
// of layer sizes), written with the file's own knob names. A fix that divided by the list itself
// (`64 / params.hiddenDim`) would give NaN here, and one that named the wrong element a wrong ratio.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyFix, lint, only, preferred } from './helpers';
import { exported, finiteValues, forward, loadFixed, rms, tf } from './runFixed';

const READOUT = 'mup/readout-not-scaled';
const head = `import * as tf from '@tensorflow/tfjs';\n`;

/** The file with the preferred fix of every readout finding applied, one at a time (re-linted in between). */
function fixAll(text: string, fileName: string): { fixed: string; count: number } {
  let fixed = text;
  let count = 0;
  for (let guard = 0; guard < 8; guard++) {
    const [f] = only(lint(fixed, fileName), READOUT);
    if (!f) break;
    fixed = applyFix(fixed, preferred(f));
    count++;
  }
  assert.deepEqual(only(lint(fixed, fileName), READOUT), [], 'the fixes clear every readout finding');
  return { fixed, count };
}

/**
 * Builds the plain and the fixed model with `build(exports, width)` at each width and checks the fixed
 * output is finite and equals the plain one times base/feeding(width).
 */
async function checkRatio(
  text: string,
  fileName: string,
  build: (exports: Record<string, unknown>, width: number) => tf.LayersModel,
  feeding: (width: number) => number,
  expectFix: RegExp,
): Promise<void> {
  const { fixed, count } = fixAll(text, fileName);
  assert.equal(count, 1, 'one readout');
  assert.match(fixed, expectFix);
  const plainRun = await loadFixed(text, fileName);
  const fixedRun = await loadFixed(fixed, fileName);
  try {
    for (const width of [8, 32]) {
      const plain = rms(forward(build(plainRun.exports, width))[0]);
      const out = rms(forward(build(fixedRun.exports, width))[0]);
      const want = 64 / feeding(width);
      assert.ok(plain > 0, `width ${width}: the plain model's output is not all zeros`);
      assert.ok(Math.abs(out / plain - want) < 1e-4 * want, `width ${width}: output ratio ${out / plain}, expected ${want}`);
    }
  } finally {
    plainRun.dispose();
    fixedRun.dispose();
  }
}

const seeded = (seed: number) => `kernelInitializer: tf.initializers.randomNormal({ stddev: 0.5, seed: ${seed} })`;

describe('readout fixes run: widths given as lists', () => {
  it('params.hiddenDim, a list of layer sizes: the scale is 64 over its last element', async () => {
    const text = `${head}export function mlp(params: { hiddenDim: number[] }) {
  const model = tf.sequential();
  params.hiddenDim.forEach((units, i) => model.add(tf.layers.dense({ units, inputShape: i === 0 ? [8] : undefined, activation: 'relu', ${seeded(1)} })));
  model.add(tf.layers.dense({ units: 3, ${seeded(2)} }));
  return model;
}`;
    await checkRatio(
      text,
      'model.ts',
      (ex, w) => exported<(p: { hiddenDim: number[] }) => tf.LayersModel>(ex, 'mlp')({ hiddenDim: [2 * w, w] }),
      (w) => w,
      /rescaling\(\{ scale: 64 \/ params\.hiddenDim\[params\.hiddenDim\.length - 1\] \}\)/,
    );
  });

  it('a class filling this.model in a forEach over hiddenLayerSizes (cart-pole): the last size', async () => {
    const text = `${head}export class PolicyNetwork {
  constructor(hiddenLayerSizes) {
    this.createModel(hiddenLayerSizes);
  }
  createModel(hiddenLayerSizes) {
    this.model = tf.sequential();
    hiddenLayerSizes.forEach((hiddenLayerSize, i) => {
      this.model.add(tf.layers.dense({ units: hiddenLayerSize, activation: 'elu', inputShape: i === 0 ? [4] : undefined, ${seeded(3)} }));
    });
    this.model.add(tf.layers.dense({ units: 1, ${seeded(4)} }));
  }
}
export function policy(sizes) {
  return new PolicyNetwork(sizes).model;
}`;
    await checkRatio(
      text,
      'policy.js',
      (ex, w) => exported<(s: number[]) => tf.LayersModel>(ex, 'policy')([w, 3 * w]),
      (w) => 3 * w,
      /this\.model\.add\(tf\.layers\.rescaling\(\{ scale: 64 \/ hiddenLayerSizes\[hiddenLayerSizes\.length - 1\] \}\)\)/,
    );
  });

  it('a list of one-element lists read as e[0] (xai TfModel): the last list\'s element', async () => {
    const text = `${head}export class TfModel {
  constructor(inputLayerUnits, hiddenLayer, outputLayerUnits) {
    this._inputLayerUnits = inputLayerUnits;
    this._hiddenLayer = hiddenLayer;
    this._outputLayerUnits = outputLayerUnits;
  }
  createModel() {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: this._inputLayerUnits, inputShape: [1], ${seeded(5)} }));
    this._hiddenLayer.forEach((e) => {
      model.add(tf.layers.dense({ units: e[0], activation: 'tanh', ${seeded(6)} }));
    });
    model.add(tf.layers.dense({ units: this._outputLayerUnits, ${seeded(7)} }));
    return model;
  }
}
export function build(width) {
  return new TfModel(width, [[width], [2 * width]], 2).createModel();
}`;
    await checkRatio(
      text,
      'xai.js',
      (ex, w) => exported<(w: number) => tf.LayersModel>(ex, 'build')(w),
      (w) => 2 * w,
      /scale: 64 \/ this\._hiddenLayer\[this\._hiddenLayer\.length - 1\]\[0\]/,
    );
  });

  it('units of config objects in a list (this.lstmLayers[i].units): the last LSTM\'s units', async () => {
    const text = `${head}export class Forecast {
  constructor(lstmLayers) {
    this.lstmLayers = lstmLayers;
    this.outputSize = 1;
  }
  build() {
    const model = tf.sequential();
    model.add(tf.layers.lstm({ units: this.lstmLayers[0].units, inputShape: [5, 1], returnSequences: this.lstmLayers.length > 1, ${seeded(8)}, recurrentInitializer: tf.initializers.randomNormal({ stddev: 0.3, seed: 18 }) }));
    for (let i = 1; i < this.lstmLayers.length; i++) {
      model.add(tf.layers.lstm({ units: this.lstmLayers[i].units, returnSequences: i < this.lstmLayers.length - 1, ${seeded(9)}, recurrentInitializer: tf.initializers.randomNormal({ stddev: 0.3, seed: 19 }) }));
    }
    model.add(tf.layers.dense({ units: this.outputSize, ${seeded(10)} }));
    return model;
  }
}
export function forecast(width) {
  return new Forecast([{ units: width }, { units: width / 2 }]).build();
}`;
    await checkRatio(
      text,
      'forecast.js',
      (ex, w) => exported<(w: number) => tf.LayersModel>(ex, 'forecast')(w),
      (w) => w / 2,
      /scale: 64 \/ this\.lstmLayers\[this\.lstmLayers\.length - 1\]\.units/,
    );
  });
});

describe('readout fixes run: the file\'s own knob names', () => {
  it('a functional VAE encoder on config.intermediateDim: the wrapped apply scales by 64 / config.intermediateDim', async () => {
    const text = `${head}export function encoder(config: { originalDim: number; intermediateDim: number; latentDim: number }) {
  const inputs = tf.input({ shape: [config.originalDim] });
  const x = tf.layers.dense({ units: config.intermediateDim, activation: 'relu', ${seeded(11)} }).apply(inputs) as tf.SymbolicTensor;
  const zMean = tf.layers.dense({ units: config.latentDim, ${seeded(12)} }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs, outputs: zMean });
}`;
    await checkRatio(
      text,
      'vae.ts',
      (ex, w) => exported<(c: { originalDim: number; intermediateDim: number; latentDim: number }) => tf.LayersModel>(ex, 'encoder')({ originalDim: 6, intermediateDim: w, latentDim: 2 }),
      (w) => w,
      /tf\.layers\.rescaling\(\{ scale: 64 \/ config\.intermediateDim \}\)\.apply\(/,
    );
  });

  it('an MLP whose hidden size is derived (hidden2 = floor(channelCount / 2)): the knob channelCount, not a local it cannot name', async () => {
    const text = `${head}export function decoder(channelCount: number) {
  const hidden2 = Math.floor(channelCount / 2);
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [channelCount], units: channelCount, activation: 'relu', ${seeded(13)} }),
      tf.layers.dense({ units: hidden2, activation: 'relu', ${seeded(14)} }),
      tf.layers.dense({ units: 2, ${seeded(15)} }),
    ],
  });
}`;
    await checkRatio(
      text,
      'decoder.ts',
      (ex, w) => exported<(c: number) => tf.LayersModel>(ex, 'decoder')(w),
      (w) => w,
      /tf\.layers\.rescaling\(\{ scale: 64 \/ channelCount \}\)/,
    );
  });

  it('a readout inside a custom layer\'s call() (additive attention\'s score V on config.units): tf.mul by 64 / this.units', async () => {
    const text = `${head}export class Additive extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.units = config.units;
    this.W1 = tf.layers.dense({ units: this.units, ${seeded(16)} });
    this.V = tf.layers.dense({ units: 1, ${seeded(17)} });
  }
  computeOutputShape(inputShape) {
    return [inputShape[0], 1];
  }
  call(input) {
    return tf.tidy(() => this.V.apply(tf.tanh(this.W1.apply(Array.isArray(input) ? input[0] : input))));
  }
  static get className() {
    return 'Additive';
  }
}
export function score(width, x) {
  return new Additive({ units: width }).apply(x);
}`;
    const { fixed, count } = fixAll(text, 'additive.js');
    assert.equal(count, 1);
    assert.match(fixed, /tf\.mul\(this\.V\.apply\(.*\), 64 \/ this\.units\)/);
    const plainRun = await loadFixed(text, 'additive.js');
    const fixedRun = await loadFixed(fixed, 'additive.js');
    try {
      for (const width of [8, 32]) {
        const x = tf.randomNormal([3, 5], 0, 1, 'float32', 7);
        const run = (ex: Record<string, unknown>) => rms(finiteValues(exported<(w: number, x: tf.Tensor) => tf.Tensor>(ex, 'score')(width, x)));
        const ratio = run(fixedRun.exports) / run(plainRun.exports);
        assert.ok(Math.abs(ratio - 64 / width) < 1e-4 * (64 / width), `width ${width}: output ratio ${ratio}, expected ${64 / width}`);
        x.dispose();
      }
    } finally {
      plainRun.dispose();
      fixedRun.dispose();
    }
  });
});

/** The `scale` of every rescaling layer of a model, in order. */
function rescalings(model: tf.LayersModel): number[] {
  return model.layers.filter((l) => l.getClassName() === 'Rescaling').map((l) => Number(l.getConfig().scale));
}

describe('readout fixes run on the corpus files themselves', () => {
  const corpus = (f: string) => readFileSync(join(__dirname, '../../fixtures/corpus', f), 'utf8');

  it('cart-pole-policy.js: the rescaling after the policy logit is 64 over the last hidden size', async () => {
    const { fixed } = fixAll(corpus('cart-pole-policy.js'), 'cart-pole-policy.js');
    const { exports, dispose } = await loadFixed(fixed, 'cart-pole-policy.js');
    try {
      const Policy = exports.PolicyNetwork as new (sizes: number[]) => { model: tf.LayersModel };
      for (const sizes of [[8, 4], [16, 32]]) {
        const model = new Policy(sizes).model;
        forward(model);
        assert.deepEqual(rescalings(model), [64 / sizes[sizes.length - 1]], `sizes ${sizes}`);
      }
    } finally {
      dispose();
    }
  });

  it('xai-tf-model.js: 64 over the last hidden list\'s element', async () => {
    const { fixed } = fixAll(corpus('xai-tf-model.js'), 'xai-tf-model.js');
    const { exports, dispose } = await loadFixed(fixed, 'xai-tf-model.js');
    try {
      const TfModel = exports.TfModel as new (i: number, h: number[][], o: number) => { createModel(): tf.LayersModel };
      for (const w of [4, 16]) {
        const model = new TfModel(w, [[w], [2 * w]], 3).createModel();
        forward(model);
        assert.deepEqual(rescalings(model), [64 / (2 * w)], `width ${w}`);
      }
    } finally {
      dispose();
    }
  });

  it('eeg-dynamic-decoders.ts: each decoder\'s rescaling follows its own knob (channelCount, lstmUnits)', async () => {
    const { fixed, count } = fixAll(corpus('eeg-dynamic-decoders.ts'), 'eeg-dynamic-decoders.ts');
    assert.equal(count, 3);
    const { exports, dispose } = await loadFixed(fixed, 'eeg-dynamic-decoders.ts');
    try {
      for (const ch of [8, 40]) {
        const linear = exported<(c: number) => tf.LayersModel>(exports, 'createDynamicLinearDecoder')(ch);
        const mlp = exported<(c: number) => tf.LayersModel>(exports, 'createDynamicMLPDecoder')(ch);
        const lstm = exported<(c: number, t?: number) => tf.LayersModel>(exports, 'createDynamicLSTMDecoder')(ch, 4);
        for (const m of [linear, mlp, lstm]) forward(m);
        assert.deepEqual(rescalings(linear), [64 / ch]);
        assert.deepEqual(rescalings(mlp), [64 / ch]);
        assert.deepEqual(rescalings(lstm), [64 / Math.min(128, Math.max(32, ch))]);
      }
    } finally {
      dispose();
    }
  });

  it('playground-layer-sizes.js (tfjs passed in as a parameter): 64 over the last entry of layerSizes', async () => {
    const { fixed } = fixAll(corpus('playground-layer-sizes.js'), 'playground-layer-sizes.js');
    assert.match(fixed, /m\.add\(tf\.layers\.rescaling\(\{ scale: 64 \/ layerSizes\[layerSizes\.length - 1\] \}\)\);/);
    const { exports, dispose } = await loadFixed(fixed, 'playground-layer-sizes.js');
    try {
      const build = exported<(t: typeof tf, sizes: number[], activation: string, lr: number) => tf.LayersModel>(exports, 'buildModel');
      for (const sizes of [[4, 8], [16, 2]]) {
        const model = build(tf, sizes, 'relu', 0.01);
        forward(model);
        assert.deepEqual(rescalings(model), [64 / sizes[sizes.length - 1]], `sizes ${sizes}`);
      }
    } finally {
      dispose();
    }
  });
});

