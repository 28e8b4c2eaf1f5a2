// Issue 24, second held-out round: the forms behind its misses, in small synthetic files. A layer that a helper
// adds to a model passed in is judged at each call, with the call's arguments in place of the helper's
// parameters (a hidden layer in the loop, the readout at the last call; through nested helpers); compiled
// CommonJS (tsc's `__importStar`, ES5 classes with `_this`, babel's `_interopRequireWildcard`) reads its fields
// from their own assignments, not from a layer config's key of the same name; and the outputs of a model
// from outside the file (a pretrained base passed in) are fixed-size.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineOf, lint, only, rulesOf } from './helpers';

const READOUT = 'mup/readout-not-scaled';
const FAN_AVG = 'mup/init-fan-avg';
const head = `import * as tf from '@tensorflow/tfjs';\n`;

describe('a layer added by a helper, judged per call', () => {
  const loop = `${head}function addDense(model, units, first) {
  model.add(tf.layers.dense({ units, activation: 'relu', inputShape: first ? [8] : undefined }));
}
export function mlp(hiddenUnits, depth, outputUnits) {
  const model = tf.sequential();
  addDense(model, hiddenUnits, true);
  for (let i = 0; i < depth; i++) addDense(model, hiddenUnits, false);
  addDense(model, outputUnits, false);
  return model;
}
`;

  it('called in a loop with the width, then with the output size: the readout is on the helper\'s layer line, at that call', () => {
    const r = lint(loop, 'model.js');
    const line = lineOf(loop, 'tf.layers.dense');
    const [f] = only(r, READOUT);
    assert.ok(f, rulesOf(r).join(', '));
    assert.equal(f.line, line);
    assert.ok(f.message.includes(`at the call addDense(...) on line ${lineOf(loop, 'addDense(model, outputUnits, false);')}`), f.message);
    assert.match(f.message, /fan-out outputUnits/);
    assert.match(f.message, /scale 64\/hiddenUnits/);
    assert.equal(only(r, READOUT).length, 1);
    // the layer itself stays what it is at its other calls (input here, with its own fan-avg finding)
    assert.deepEqual(only(r, FAN_AVG).map((x) => x.line), [line]);
    assert.equal(r.layers.find((l) => l.line === line)?.role, 'input');
  });

  it('the preferred fix rescales after the readout\'s call in the caller, never in the helper', () => {
    const [f] = only(lint(loop, 'model.js'), READOUT);
    const fix = f.fixes.find((x) => x.isPreferred);
    assert.ok(fix);
    assert.equal(fix.edits.length, 1);
    assert.equal(fix.edits[0].line, lineOf(loop, 'addDense(model, outputUnits, false);'));
    assert.match(fix.edits[0].newText, /^\n {2}model\.add\(tf\.layers\.rescaling\(\{ scale: 64 \/ hiddenUnits \}\)\);$/);
  });

  it('through a helper that calls the helper (two levels), with a classes count for the last call', () => {
    const text = `${head}function addDense(model, units) {
  model.add(tf.layers.dense({ units, activation: 'relu' }));
}
function addBlock(model, n) {
  addDense(model, n);
}
export function mlp(hiddenSize, numClasses) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: hiddenSize }));
  for (let i = 0; i < 3; i++) addBlock(model, hiddenSize);
  addBlock(model, numClasses);
  return model;
}
`;
    const r = lint(text, 'model.js');
    const [f] = only(r, READOUT);
    assert.ok(f, rulesOf(r).join(', '));
    assert.equal(f.line, lineOf(text, `tf.layers.dense({ units, activation: 'relu' })`));
    assert.ok(f.message.includes(`at the call addBlock(...) on line ${lineOf(text, 'addBlock(model, numClasses);')}`), f.message);
    assert.match(f.message, /fan-out numClasses/);
    // the readout's own fan-average init is said, without a fix (zeros in the helper would zero the hidden layers)
    const init = only(r, FAN_AVG).find((x) => x.line === f.line);
    assert.ok(init);
    assert.match(init.message, /readout layer at the call addBlock/);
    assert.deepEqual(init.fixes, []);
  });

  it('a rescaling right after the readout\'s call, or every call passing the width: no readout', () => {
    const scaled = loop.replace('addDense(model, outputUnits, false);', 'addDense(model, outputUnits, false);\n  model.add(tf.layers.rescaling({ scale: 64 / hiddenUnits }));');
    assert.deepEqual(only(lint(scaled, 'model.js'), READOUT), []);
    const allWidth = loop.replace('addDense(model, outputUnits, false);', 'addDense(model, 2 * hiddenUnits, false);');
    assert.deepEqual(only(lint(allWidth, 'model.js'), READOUT), []);
  });
});

describe('a helper run on the stream, judged per call', () => {
  const text = `${head}function denseBlock(x: tf.SymbolicTensor, units: number, activation: 'relu' | 'linear') {
  return tf.layers.dense({ units, activation }).apply(x) as tf.SymbolicTensor;
}
function twoBlocks(x: tf.SymbolicTensor, n: number) {
  return denseBlock(denseBlock(x, n, 'relu'), n, 'relu');
}
export function mlp(hiddenUnits: number, numClasses: number) {
  const inp = tf.input({ shape: [8] });
  let h = tf.layers.dense({ units: hiddenUnits }).apply(inp) as tf.SymbolicTensor;
  for (let i = 0; i < 2; i++) h = denseBlock(h, hiddenUnits, 'relu');
  h = twoBlocks(h, hiddenUnits);
  const out = denseBlock(h, numClasses, 'linear');
  return tf.model({ inputs: inp, outputs: out });
}
`;

  it('h = denseBlock(h, hiddenUnits) in a loop, then denseBlock(h, numClasses): the readout on the helper\'s line, fixed around that call', () => {
    const r = lint(text);
    const [f] = only(r, READOUT);
    assert.ok(f, rulesOf(r).join(', '));
    assert.equal(only(r, READOUT).length, 1);
    assert.equal(f.line, lineOf(text, 'tf.layers.dense({ units, activation })'));
    assert.ok(f.message.includes(`at the call denseBlock(...) on line ${lineOf(text, 'const out = denseBlock')}`), f.message);
    const fix = f.fixes.find((x) => x.isPreferred);
    assert.ok(fix);
    assert.equal(fix.edits.length, 1);
    assert.equal(fix.edits[0].newText, `tf.layers.rescaling({ scale: 64 / hiddenUnits }).apply(denseBlock(h, numClasses, 'linear'))`);
  });

  it('through a helper that runs the helper twice (twoBlocks(h, numClasses)): found, without a fix (the outer call returns another layer\'s output)', () => {
    const nested = text.replace(`const out = denseBlock(h, numClasses, 'linear');`, 'const out = twoBlocks(h, numClasses);');
    const [f] = only(lint(nested), READOUT);
    assert.ok(f);
    assert.equal(f.line, lineOf(nested, 'tf.layers.dense({ units, activation })'));
    assert.ok(f.message.includes(`at the call twoBlocks(...) on line ${lineOf(nested, 'const out = twoBlocks')}`), f.message);
    assert.deepEqual(f.fixes, []);
  });

  it('what the readout call returns rescaled by the width, or every call passing the width: no readout', () => {
    const scaled = text.replace(`const out = denseBlock(h, numClasses, 'linear');`, `const out = tf.layers.rescaling({ scale: 64 / hiddenUnits }).apply(denseBlock(h, numClasses, 'linear')) as tf.SymbolicTensor;`);
    assert.deepEqual(only(lint(scaled), READOUT), []);
    const hidden = text.replace(`denseBlock(h, numClasses, 'linear')`, `denseBlock(h, hiddenUnits, 'linear')`);
    assert.deepEqual(only(lint(hidden), READOUT), []);
  });
});

describe('compiled CommonJS', () => {
  it('tsc ES5 output: __importStar(require(...)), a function class, `this.outputDim` beside an embedding config\'s `outputDim: hiddenUnits`', () => {
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
        var input = tf_1.input({ shape: [1] });
        var emb = tf_1.layers.embedding({ inputDim: 10, outputDim: hiddenUnits }).apply(input);
        var h = tf_1.layers.dense({ units: hiddenUnits, activation: "relu" }).apply(tf_1.layers.flatten().apply(emb));
        var out = tf_1.layers.dense({ units: this.outputDim }).apply(h);
        return tf_1.model({ inputs: input, outputs: out });
    };
    return QNet;
}());
exports.QNet = QNet;
`;
    const r = lint(text, 'qnet.js');
    assert.deepEqual(only(r, READOUT).map((f) => f.line), [lineOf(text, 'units: this.outputDim')]);
    assert.match(r.layers[0].reachedBy ?? '', /through __importStar\(\)/);
  });

  it('a class with defaulted constructor parameters and `this.x = x` (tsc ES2015+ output), and babel\'s _interopRequireWildcard', () => {
    const body = `class QNetwork {
    constructor(userDim, outputDim, embeddingDim = 8, hiddenUnits = 16) {
        this.outputDim = outputDim;
        this.model = this.buildModel(userDim, embeddingDim, hiddenUnits);
    }
    buildModel(userDim, embeddingDim, hiddenUnits) {
        const ids = TF.input({ shape: [1] });
        const user = TF.input({ shape: [userDim] });
        const emb = TF.layers.flatten().apply(TF.layers.embedding({ inputDim: 50, outputDim: embeddingDim }).apply(ids));
        let hidden = TF.layers.dense({ units: hiddenUnits, activation: "relu" }).apply(TF.layers.concatenate().apply([emb, user]));
        hidden = TF.layers.dense({ units: hiddenUnits, activation: "relu" }).apply(hidden);
        const output = TF.layers.dense({
            units: this.outputDim
        }).apply(hidden);
        return TF.model({ inputs: [ids, user], outputs: output });
    }
}
exports.QNetwork = QNetwork;
`;
    for (const bind of ['const TF = require("@tensorflow/tfjs-node");', 'var TF = _interopRequireWildcard(require("@tensorflow/tfjs"));\nfunction _interopRequireWildcard(e) { return e; }']) {
      const text = `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n${bind}\n${body}`;
      const r = lint(text, 'qnetwork.js');
      assert.deepEqual(only(r, READOUT).map((f) => f.line), [lineOf(text, 'const output = TF.layers.dense({')], bind);
    }
  });

  it('babel\'s class fields: `_defineProperty(this, "outputDim", outputDim)` is the field', () => {
    const text = `"use strict";
var tf = _interopRequireWildcard(require("@tensorflow/tfjs"));
function _interopRequireWildcard(e) { return e; }
function _defineProperty(obj, key, value) { obj[key] = value; return obj; }
class Policy {
  constructor(outputDim, dModel = 128) {
    _defineProperty(this, "outputDim", outputDim);
    _defineProperty(this, "dModel", dModel);
  }
  build() {
    const x = tf.input({ shape: [3] });
    const e = tf.layers.embedding({ inputDim: 3, outputDim: this.dModel }).apply(x);
    const h = tf.layers.dense({ units: this.dModel }).apply(tf.layers.flatten().apply(e));
    return tf.model({ inputs: x, outputs: tf.layers.dense({ units: this.outputDim }).apply(h) });
  }
}
exports.Policy = Policy;
`;
    assert.deepEqual(only(lint(text, 'policy.js'), READOUT).map((f) => f.line), [lineOf(text, 'units: this.outputDim')]);
  });

  it('an ES5 subclass: `_this.outputSize = outputSize` (with `var _this = _super.call(this) || this`) is the field', () => {
    const text = `"use strict";
var tf = require("@tensorflow/tfjs");
var Head = /** @class */ (function (_super) {
    function Head(outputSize, dModel) {
        var _this = _super.call(this) || this;
        _this.outputSize = outputSize;
        _this.dModel = dModel;
        return _this;
    }
    Head.prototype.build = function () {
        var x = tf.input({ shape: [4] });
        var t = tf.layers.dense({ units: 3, outputSize: this.dModel });
        var h = tf.layers.dense({ units: this.dModel }).apply(x);
        return tf.model({ inputs: x, outputs: tf.layers.dense({ units: this.outputSize }).apply(h) });
    };
    return Head;
}(Object));
exports.Head = Head;
`;
    assert.deepEqual(only(lint(text, 'head.js'), READOUT).map((f) => f.line), [lineOf(text, 'units: this.outputSize')]);
  });
});

describe('a model from outside the file', () => {
  it('layers on a pretrained base passed in: fixed -> fixed is no readout, fixed -> width an input layer', () => {
    const text = `${head}export function classifier(baseModel: tf.LayersModel, numClasses: number, hiddenUnits = 128) {
  const baseOut = (Array.isArray(baseModel.output) ? baseModel.output[0] : baseModel.output) as tf.SymbolicTensor;
  const pool = baseModel.layers.slice().reverse().find((l) => l.name.includes('pool'));
  const feats = pool
    ? (tf.layers.flatten().apply(pool.output as tf.SymbolicTensor) as tf.SymbolicTensor)
    : (tf.layers.dense({ units: 512, name: 'projection' }).apply(baseOut) as tf.SymbolicTensor);
  const hidden = tf.layers.dense({ units: hiddenUnits, name: 'hidden' }).apply(feats) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: numClasses, name: 'head' }).apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: baseModel.inputs, outputs: out });
}
`;
    const r = lint(text);
    assert.deepEqual(only(r, READOUT).map((f) => f.line), [lineOf(text, `name: 'head'`)]);
    assert.equal(r.layers.find((l) => l.name === 'projection')?.role, 'other');
    assert.equal(r.layers.find((l) => l.name === 'hidden')?.role, 'input');
  });

  it('the same layers on a model built in the file keep its width', () => {
    const text = `${head}export function classifier(numClasses: number, hiddenUnits = 128) {
  const x = tf.input({ shape: [8] });
  const base = tf.model({ inputs: x, outputs: tf.layers.dense({ units: hiddenUnits }).apply(x) as tf.SymbolicTensor });
  const head = tf.layers.dense({ units: numClasses, name: 'head' }).apply(base.outputs[0]) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: head });
}
`;
    assert.deepEqual(only(lint(text), READOUT).map((f) => f.line), [lineOf(text, `name: 'head'`)]);
  });
});
