// The readout fixes of issue 24's second held-out round RUN (runFixed.ts: the worker's loader, tfjs on the
// CPU): a readout that is one call of a helper which adds hidden layers at its other calls (rescaled after
// that call, in the caller: the hidden layers of the other calls keep their outputs), through one and two
// levels of helpers, and of a helper run on the stream (the rescaling applied to what that call returns); and readouts of compiled CommonJS (tsc's ES5 output through `__importStar`, a class with
// defaulted constructor parameters, `this.outputDim` beside an embedding's `outputDim`). The fixed model's
// output is the plain one's times base/width at two widths.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, lint, only, preferred } from './helpers';
import { forward, fixedLoader, rms, type tf } from './runFixed';

const READOUT = 'mup/readout-not-scaled';
const load = fixedLoader();

/** The text with the preferred fix of every readout finding applied, one at a time; there must be one. */
function fixOne(text: string, name: string): string {
  const [f] = only(lint(text, name), READOUT);
  assert.ok(f, 'a readout finding');
  const fixed = applyFix(text, preferred(f));
  assert.deepEqual(only(lint(fixed, name), READOUT), [], 'the fix clears it');
  return fixed;
}

/** Plain and fixed model at widths 8 and 32: the fixed output is finite and the plain one times 64/width. */
async function checkRatio(text: string, name: string, build: (exports: Record<string, unknown>, width: number) => tf.LayersModel, expectFix: RegExp): Promise<void> {
  const fixed = fixOne(text, name);
  assert.match(fixed, expectFix);
  const plain = await load(text, name);
  const fixedEx = await load(fixed, name);
  for (const width of [8, 32]) {
    const a = rms(forward(build(plain, width))[0]);
    const b = rms(forward(build(fixedEx, width))[0]);
    assert.ok(a > 0, `width ${width}: the plain output is not all zeros`);
    assert.ok(Math.abs(b / a - 64 / width) < 1e-4 * (64 / width), `width ${width}: output ratio ${b / a}, expected ${64 / width}`);
  }
}

const seeded = (seed: number) => `kernelInitializer: tf.initializers.randomNormal({ stddev: 0.5, seed: ${seed} })`;
const head = `import * as tf from '@tensorflow/tfjs';\n`;

describe('readout fixes run: one call of a helper that adds hidden layers at its others', () => {
  it('addDense in a loop with hiddenUnits, then with outputUnits: rescaled after the last call', async () => {
    const text = `${head}function addDense(model, units, first) {
  model.add(tf.layers.dense({ units, activation: 'relu', inputShape: first ? [6] : undefined, ${seeded(3)} }));
}
export function mlp(hiddenUnits, outputUnits = 3) {
  const model = tf.sequential();
  addDense(model, hiddenUnits, true);
  for (let i = 0; i < 2; i++) addDense(model, hiddenUnits, false);
  addDense(model, outputUnits, false);
  return model;
}
`;
    await checkRatio(text, 'mlp.js', (ex, w) => (ex.mlp as (h: number) => tf.LayersModel)(w), /addDense\(model, outputUnits, false\);\n {2}model\.add\(tf\.layers\.rescaling\(\{ scale: 64 \/ hiddenUnits \}\)\);/);
  });

  it('two levels: addBlock(model, n) calls addDense(model, n); the readout is addBlock(model, numClasses)', async () => {
    const text = `${head}function addDense(model, units) {
  model.add(tf.layers.dense({ units, activation: 'relu', ${seeded(5)} }));
}
function addBlock(model, n) {
  addDense(model, n);
}
export function mlp(hiddenSize, numClasses = 4) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [6], units: hiddenSize, ${seeded(4)} }));
  for (let i = 0; i < 2; i++) {
    addBlock(model, hiddenSize);
  }
  addBlock(model, numClasses);
  return model;
}
`;
    await checkRatio(text, 'blocks.js', (ex, w) => (ex.mlp as (h: number) => tf.LayersModel)(w), /addBlock\(model, numClasses\);\n {2}model\.add\(tf\.layers\.rescaling\(\{ scale: 64 \/ hiddenSize \}\)\);/);
  });
});

describe('readout fixes run: one call of a helper run on the stream', () => {
  it('h = denseBlock(h, hiddenUnits) in a loop, then denseBlock(h, numClasses): the rescaling applied to that call', async () => {
    const text = `${head}function denseBlock(x, units, activation) {
  return tf.layers.dense({ units, activation, ${seeded(6)} }).apply(x);
}
export function mlp(hiddenUnits, numClasses = 3) {
  const inp = tf.input({ shape: [6] });
  let h = tf.layers.dense({ units: hiddenUnits, ${seeded(7)} }).apply(inp);
  for (let i = 0; i < 2; i++) h = denseBlock(h, hiddenUnits, 'relu');
  const out = denseBlock(h, numClasses, 'linear');
  return tf.model({ inputs: inp, outputs: out });
}
`;
    await checkRatio(text, 'stream.js', (ex, w) => (ex.mlp as (h: number) => tf.LayersModel)(w), /const out = tf\.layers\.rescaling\(\{ scale: 64 \/ hiddenUnits \}\)\.apply\(denseBlock\(h, numClasses, 'linear'\)\);/);
  });
});

describe('readout fixes run: compiled CommonJS', () => {
  it('tsc ES5 output: __importStar(require(...)), a function class, this.outputDim beside an embedding outputDim', async () => {
    const text = `"use strict";
var __importStar = (this && this.__importStar) || function (mod) { return mod; };
Object.defineProperty(exports, "__esModule", { value: true });
exports.QNet = void 0;
var tf_1 = __importStar(require("@tensorflow/tfjs"));
var QNet = /** @class */ (function () {
    function QNet(outputDim, hiddenUnits) {
        if (hiddenUnits === void 0) { hiddenUnits = 16; }
        this.outputDim = outputDim;
        this.model = this.build(hiddenUnits);
    }
    QNet.prototype.build = function (hiddenUnits) {
        var ids = tf_1.input({ shape: [1], dtype: "int32" });
        var emb = tf_1.layers.flatten().apply(tf_1.layers.embedding({ inputDim: 2, outputDim: hiddenUnits, embeddingsInitializer: tf_1.initializers.randomNormal({ stddev: 0.5, seed: 8 }) }).apply(ids));
        var h = tf_1.layers.dense({ units: hiddenUnits, activation: "relu", kernelInitializer: tf_1.initializers.randomNormal({ stddev: 0.5, seed: 9 }) }).apply(emb);
        var out = tf_1.layers.dense({ units: this.outputDim, kernelInitializer: tf_1.initializers.randomNormal({ stddev: 0.5, seed: 10 }) }).apply(h);
        return tf_1.model({ inputs: ids, outputs: out });
    };
    return QNet;
}());
exports.QNet = QNet;
`;
    const build = (ex: Record<string, unknown>, w: number) => new (ex.QNet as new (o: number, h: number) => { model: tf.LayersModel })(3, w).model;
    await checkRatio(text, 'qnet.js', build, /tf_1\.layers\.rescaling\(\{ scale: 64 \/ hiddenUnits \}\)\.apply\(tf_1\.layers\.dense\(\{ units: this\.outputDim/);
  });

  it('a class with defaulted constructor parameters building a functional model in a method (a rescaling layer, not tf.mul of a symbolic tensor)', async () => {
    const text = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.QNetwork = void 0;
const tf = require("@tensorflow/tfjs");
class QNetwork {
    constructor(userDim, outputDim, embeddingDim = 8, hiddenUnits = 16) {
        this.outputDim = outputDim;
        this.model = this.buildModel(userDim, embeddingDim, hiddenUnits);
    }
    buildModel(userDim, embeddingDim, hiddenUnits) {
        const init = (seed) => tf.initializers.randomNormal({ stddev: 0.5, seed });
        const ids = tf.input({ shape: [1], dtype: "int32" });
        const user = tf.input({ shape: [userDim] });
        const emb = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 2, outputDim: embeddingDim, embeddingsInitializer: init(1) }).apply(ids));
        let hidden = tf.layers.dense({ units: hiddenUnits, activation: "relu", kernelInitializer: init(2) }).apply(tf.layers.concatenate().apply([emb, user]));
        hidden = tf.layers.dense({ units: hiddenUnits, activation: "relu", kernelInitializer: init(3) }).apply(hidden);
        const output = tf.layers.dense({
            units: this.outputDim,
            kernelInitializer: init(4)
        }).apply(hidden);
        return tf.model({ inputs: [ids, user], outputs: output });
    }
}
exports.QNetwork = QNetwork;
`;
    const build = (ex: Record<string, unknown>, w: number) => new (ex.QNetwork as new (u: number, o: number, e: number, h: number) => { model: tf.LayersModel })(5, 3, 8, w).model;
    await checkRatio(text, 'qnetwork.js', build, /const output = tf\.layers\.rescaling\(\{ scale: 64 \/ hiddenUnits \}\)\.apply\(tf\.layers\.dense\(\{/);
  });
});
