// Each quick fix as text: what the file reads after it, that it still parses, and that the rule it
// fixes no longer fires.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuleId } from '../../../src/analyzer/types';
import { applyFix, lint, only, preferred, syntaxErrors } from './helpers';

/** Applies the preferred fix of the only finding of `rule` and checks the result. */
function fix(text: string, rule: RuleId, fileName = 'model.ts'): string {
  const fs = only(lint(text, fileName), rule);
  assert.equal(fs.length, 1, `one ${rule} finding expected, got ${fs.length}`);
  const out = applyFix(text, preferred(fs[0]));
  assert.deepEqual(syntaxErrors(out, fileName), [], out);
  assert.deepEqual(only(lint(out, fileName), rule), [], `still flagged after the fix:\n${out}`);
  return out;
}

describe('readout fixes', () => {
  it('sequential: inserts a rescaling as the next array element, using BASE_WIDTH when the file has it', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
const BASE_WIDTH = 64;
export function mlp(width: number) {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [32], units: width, kernelInitializer: 'heNormal' }),
      tf.layers.dense({ units: 10, kernelInitializer: 'zeros' }),
    ],
  });
}`;
    assert.equal(
      fix(text, 'mup/readout-not-scaled'),
      text.replace(`'zeros' }),\n`, `'zeros' }),\n      tf.layers.rescaling({ scale: BASE_WIDTH / width }),\n`),
    );
  });

  it('model.add: adds a model.add(rescaling) statement in the named-import style', () => {
    const text = `import { layers, sequential } from '@tensorflow/tfjs';
export function mlp(hiddenSize: number) {
  const model = sequential();
  model.add(layers.dense({ inputShape: [32], units: hiddenSize, kernelInitializer: 'heNormal' }));
  model.add(layers.dense({ units: 10, kernelInitializer: 'zeros' }));
  return model;
}`;
    assert.equal(
      fix(text, 'mup/readout-not-scaled'),
      text.replace(`'zeros' }));\n`, `'zeros' }));\n  model.add(layers.rescaling({ scale: 64 / hiddenSize }));\n`),
    );
  });

  it('functional: wraps the apply chain, with a local alias', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
const L = tf.layers;
export function net(dModel: number) {
  const inp = tf.input({ shape: [12] });
  const h = L.dense({ units: dModel, kernelInitializer: 'heNormal' }).apply(inp);
  const out = L.dense({ units: 5, kernelInitializer: 'zeros' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}`;
    assert.equal(
      fix(text, 'mup/readout-not-scaled'),
      text.replace(`L.dense({ units: 5, kernelInitializer: 'zeros' }).apply(h)`, `L.rescaling({ scale: 64 / dModel }).apply(L.dense({ units: 5, kernelInitializer: 'zeros' }).apply(h))`),
    );
  });

  it('inside a custom layer: multiplies the tensor in call()', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
class Head extends tf.layers.Layer {
  private proj: tf.layers.Layer;
  constructor(private readonly dModel: number) {
    super({});
    this.proj = tf.layers.dense({ units: 7, kernelInitializer: 'zeros' });
  }
  call(x: tf.Tensor) { return this.proj.apply(x) as tf.Tensor; }
}`;
    assert.equal(fix(text, 'mup/readout-not-scaled'), text.replace('return this.proj.apply(x) as tf.Tensor', 'return tf.mul(this.proj.apply(x) as tf.Tensor, 64 / this.dModel) as tf.Tensor'));
  });

  it('prefers MuReadout when the runtime is already imported, adding the specifier', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
import { MuAdam } from 'mup-lens/runtime';
export function mlp(width: number) {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: width, kernelInitializer: 'heNormal' }), tf.layers.dense({ units: 2 })] });
}`;
    const f = only(lint(text), 'mup/readout-not-scaled')[0];
    assert.deepEqual(f.fixes.map((x) => [x.title.split(' ')[0], !!x.isPreferred]), [['Use', true], ['Insert', false]]);
    const out = fix(text, 'mup/readout-not-scaled');
    assert.equal(out, text.replace('{ MuAdam }', '{ MuAdam, MuReadout }').replace('tf.layers.dense({ units: 2 })', 'new MuReadout({ units: 2, baseWidth: 64 })'));
  });

  it('MuReadout gets baseWidth = its input size at the base width (4 * BASE for a 4 * width input)', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
import * as mup from 'mup-lens/runtime';
const BASE_WIDTH = 128;
export function net(cfg: { dModel: number }) {
  const inp = tf.input({ shape: [12] });
  const h = tf.layers.dense({ units: 4 * cfg.dModel, kernelInitializer: mup.muFanIn() }).apply(inp);
  const a = tf.layers.dropout({ rate: 0.1 }).apply(h);
  const out = tf.layers.dense({ units: 5, kernelInitializer: 'zeros' }).apply(a) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}`;
    assert.equal(
      fix(text, 'mup/readout-not-scaled'),
      text.replace(`tf.layers.dense({ units: 5, kernelInitializer: 'zeros' })`, `new mup.MuReadout({ units: 5, kernelInitializer: 'zeros', baseWidth: 4 * BASE_WIDTH })`),
    );
  });

  it('MuReadout: a local size constant, a multi-line config (trailing comma kept) and a half-width input', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
import { MuAdam } from 'mup-lens/runtime';
export function mlp(width: number) {
  const half = width / 2;
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: half, kernelInitializer: 'heNormal' }));
  model.add(tf.layers.dense({
    units: 3,
    name: 'head',
  }));
  return model;
}`;
    assert.equal(
      fix(text, 'mup/readout-not-scaled'),
      text
        .replace('{ MuAdam }', '{ MuAdam, MuReadout }')
        .replace(`tf.layers.dense({\n    units: 3,\n    name: 'head',\n  })`, `new MuReadout({\n    units: 3,\n    name: 'head',\n    baseWidth: 64 / 2,\n  })`),
    );
  });

  it('MuReadout: a width + constant input gives its value at the base width; a config variable is spread', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
import { MuReadout } from 'mup-lens/runtime';
const headCfg = { units: 3 };
export function mlp(width: number) {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: width + 16, kernelInitializer: 'heNormal' }), tf.layers.dense(headCfg)] });
}`;
    assert.equal(fix(text, 'mup/readout-not-scaled'), text.replace('tf.layers.dense(headCfg)', 'new MuReadout({ ...headCfg, baseWidth: 80 })'));
  });

  it('MuReadout: an input size it cannot work out gives the base width with a comment to check it', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
import { MuReadout } from 'mup-lens/runtime';
export function head(x: tf.SymbolicTensor, width: number) {
  return tf.layers.dense({ units: 3 }).apply(x);
}`;
    assert.equal(
      fix(text, 'mup/readout-not-scaled'),
      text.replace('tf.layers.dense({ units: 3 })', "new MuReadout({ units: 3, baseWidth: 64 /* the readout's input size at the base width: check */ })"),
    );
  });
});

describe('attention fixes', () => {
  it('replaces 1 / Math.sqrt(dHead) in a class field by attnMult / dHead, equal at the base head size', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
const N_HEADS = 4;
class Attention extends tf.layers.Layer {
  private readonly dHead: number;
  private readonly scale: number;
  constructor(private readonly dModel: number) {
    super({});
    this.dHead = dModel / N_HEADS;
    this.scale = 1 / Math.sqrt(this.dHead);
  }
  call(x: tf.Tensor): tf.Tensor {
    return tf.softmax(tf.matMul(x, x, false, true).mul(this.scale));
  }
}`;
    assert.equal(fix(text, 'mup/attention-sqrt-scaling'), text.replace('1 / Math.sqrt(this.dHead)', '4 / this.dHead'));
  });

  const fn = (expr: string) => `import * as tf from '@tensorflow/tfjs';
export function attention(q: tf.Tensor, k: tf.Tensor, dHead: number) {
  const scores = tf.matMul(q, k, false, true);
  return tf.softmax(${expr});
}`;
  const cases: [string, string][] = [
    ['scores.div(Math.sqrt(dHead))', 'scores.div(dHead / 8)'],
    ['scores.mul(dHead ** -0.5)', 'scores.mul(8 / dHead)'],
    ['tf.mul(scores, 1 / Math.sqrt(dHead))', 'tf.mul(scores, 8 / dHead)'],
    ['tf.mul(scores, 2 / Math.sqrt(dHead))', 'tf.mul(scores, 16 / dHead)'],
    ['scores.mul(0.5 * Math.pow(dHead, -0.5))', 'scores.mul(0.5 * (8 / dHead))'],
  ];
  for (const [before, after] of cases) {
    it(`${before} -> ${after}`, () => assert.equal(fix(fn(before), 'mup/attention-sqrt-scaling'), fn(after)));
  }
});

describe('init fixes', () => {
  const text = `import { layers, sequential } from '@tensorflow/tfjs';
export function mlp(width: number) {
  return sequential({
    layers: [
      layers.dense({ inputShape: [32], units: width }),
      layers.dense({
        units: 10,
      }),
      layers.rescaling({ scale: 64 / width }),
    ],
  });
}`;

  it('input layer: fan-in varianceScaling, importing initializers in the named-import style', () => {
    const f = only(lint(text), 'mup/init-fan-avg')[0];
    const out = applyFix(text, preferred(f));
    assert.equal(
      out,
      text
        .replace('{ layers, sequential }', '{ layers, sequential, initializers }')
        .replace('units: width })', "units: width, kernelInitializer: initializers.varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' }) })"),
    );
    assert.deepEqual(syntaxErrors(out), []);
    assert.deepEqual(only(lint(out), 'mup/init-fan-avg').map((x) => x.line), [6], 'only the readout is left');
  });

  it('readout: zeros, as a new line in a multi-line config', () => {
    const f = only(lint(text), 'mup/init-fan-avg')[1];
    const out = applyFix(text, preferred(f));
    assert.equal(out, text.replace('        units: 10,\n', "        units: 10,\n        kernelInitializer: 'zeros',\n"));
    assert.deepEqual(only(lint(out), 'mup/init-fan-avg').map((x) => x.line), [5]);
  });

  it('constant std: replaces the initializer with fan-in', () => {
    const t = `import * as tf from '@tensorflow/tfjs';
export function mlp(width: number) {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [8], units: width, kernelInitializer: 'heNormal' }),
    tf.layers.dense({ units: width, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.02 }) }),
  ] });
}`;
    assert.equal(
      fix(t, 'mup/init-constant-std'),
      t.replace('tf.initializers.randomNormal({ stddev: 0.02 })', "tf.initializers.varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' })"),
    );
  });
});

// The suppression fix is the fronts' (src/languageService/suppression.ts): test/unit/language-mapping.test.ts,
// test/unit/cli-lint-fix.test.ts and test/unit/server/server.test.ts (CRLF, existing directives).
