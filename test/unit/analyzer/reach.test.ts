// tfjs reached without a static import of the module (issue 10): the browser global, a worker's
// importScripts, a CDN bundle, `self.tf`, a namespace passed in (parameter, field, destructured, typed), a
// dynamic import, a re-export through a local module, a `let tf` re-bound later. Each must give the same
// readout finding, on the readout's line, and say in the layer info (the hover) how tfjs was recognised;
// look-alikes (an MLX namespace, a term-frequency `tf`, `tf` bound to another library) give nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, describeLayer } from '../../../src/analyzer';
import { applyEdits, applyFix, lineOf, lint, only, preferred } from './helpers';
import { exported, finiteValues, forward, loadFixed, rms, tf } from './runFixed';

/** A three-layer MLP on `ns` (`tf`, `this.tf`, ...): its readout `units: 10` is not scaled. */
const mlp = (ns: string, indent = '  ') =>
  [
    `${indent}const model = ${ns}.sequential();`,
    `${indent}model.add(${ns}.layers.dense({ inputShape: [8], units: width }));`,
    `${indent}model.add(${ns}.layers.dense({ units: width }));`,
    `${indent}model.add(${ns}.layers.dense({ units: 10 }));`,
    `${indent}return model;`,
  ].join('\n');

interface Case {
  name: string;
  file: string;
  text: string;
  /** What the readout layer's `reachedBy` says (a part of it). */
  how: RegExp;
}

const cases: Case[] = [
  {
    name: 'the browser global `tf` (no import, no binding)',
    file: 'page.js',
    text: `function build(width) {\n${mlp('tf')}\n}\n`,
    how: /^browser global `tf`$/,
  },
  {
    name: "a worker's importScripts(<CDN URL of tfjs>)",
    file: 'worker.js',
    text: `importScripts('https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@3.12.0/dist/tf.min.js');\nfunction build(width) {\n${mlp('tf')}\n}\n`,
    how: /browser global `tf` \(set by importScripts\('https:\/\/cdn\.jsdelivr\.net\/npm\/@tensorflow\/tfjs@3\.12\.0/,
  },
  {
    name: "a side-effect import '<CDN URL of tfjs>'",
    file: 'worker.mjs',
    text: `import 'https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/dist/tf.min.js';\nexport function build(width) {\n${mlp('tf')}\n}\n`,
    how: /browser global `tf` \(set by import 'https:\/\/cdn/,
  },
  {
    name: 'const tf = self.tf',
    file: 'worker.js',
    text: `import 'https://cdn.jsdelivr.net/npm/@tensorflow/tfjs-layers@latest/dist/tf-layers.min.js';\nconst tf = self.tf;\nfunction build(width) {\n${mlp('tf')}\n}\n`,
    how: /browser global `tf` \(read as self\.tf/,
  },
  {
    name: 'const tf = globalThis.tf',
    file: 'page.js',
    text: `const tf = globalThis.tf;\nfunction build(width) {\n${mlp('tf')}\n}\n`,
    how: /read as globalThis\.tf/,
  },
  {
    name: 'an ES-module import of a CDN URL',
    file: 'page.mjs',
    text: `import * as tf from 'https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/+esm';\nexport function build(width) {\n${mlp('tf')}\n}\n`,
    how: /^static import of https:\/\/cdn\.jsdelivr\.net\/npm\/@tensorflow\/tfjs@4\.22\.0\/\+esm$/,
  },
  {
    name: 'a namespace passed in as a parameter',
    file: 'playground.js',
    text: `export function build(tf, width) {\n${mlp('tf')}\n}\n`,
    how: /^namespace passed in as parameter `tf` \(its uses are tfjs's API\)$/,
  },
  {
    name: 'a parameter under another name, typed with tfjs types (import type * as TF)',
    file: 'model.ts',
    text: `import type * as TF from '@tensorflow/tfjs';\nexport function build(lib: typeof TF, width: number) {\n${mlp('lib')}\n}\n`,
    how: /^namespace passed in as parameter `lib` \(typed with tfjs's types\)$/,
  },
  {
    name: 'a parameter typed `typeof tf` in a file that imports tfjs (and never calls it by that name)',
    file: 'model.ts',
    text: `import * as tf from '@tensorflow/tfjs';\nexport type Tf = typeof tf;\nexport function build(t: typeof tf, width: number) {\n${mlp('t')}\n}\n`,
    how: /^namespace passed in as parameter `t` \(typed with tfjs's types\)$/,
  },
  {
    name: 'a parameter typed `typeof import(...)` of tfjs',
    file: 'model.ts',
    text: `export function build(tf: typeof import('@tensorflow/tfjs'), width: number) {\n${mlp('tf')}\n}\n`,
    how: /^namespace passed in as parameter `tf` \(typed with tfjs's types\)$/,
  },
  {
    name: 'a field `this.tf` set from a constructor parameter',
    file: 'model.js',
    text: `export class Net {\n  constructor(tf) {\n    this.tf = tf;\n  }\n  build(width) {\n${mlp('this.tf', '    ')}\n  }\n}\n`,
    how: /^namespace in the field `this\.tf` \(its uses are tfjs's API\)$|kept in `this\.tf`$/,
  },
  {
    name: 'a TypeScript parameter property `constructor(private tf: typeof TF)`',
    file: 'model.ts',
    text: `import type TF from '@tensorflow/tfjs';\nexport class Net {\n  constructor(private tf: typeof TF) {}\n  build(width: number) {\n${mlp('this.tf', '    ')}\n  }\n}\n`,
    how: /^namespace passed in as parameter `tf` of the constructor, kept in `this\.tf`$/,
  },
  {
    name: 'a field set by a dynamic import (`this.tf = await import(...)`)',
    file: 'forecast.js',
    text: `class Forecast {\n  async init() {\n    this.tf = await import('@tensorflow/tfjs');\n  }\n  build(width) {\n${mlp('this.tf', '    ')}\n  }\n}\nmodule.exports = Forecast;\n`,
    how: /^dynamic import of @tensorflow\/tfjs, kept in `this\.tf`$/,
  },
  {
    name: 'a local alias of a field (`const tf = this.tf`)',
    file: 'model.js',
    text: `class Net {\n  constructor(tf) {\n    this.tf = tf;\n  }\n  build(width) {\n    const tf = this.tf;\n${mlp('tf', '    ')}\n  }\n}\n`,
    how: /this\.tf/,
  },
  {
    name: 'a destructured property (`function build({ tf, width })`)',
    file: 'model.js',
    text: `export function build({ tf, width }) {\n${mlp('tf')}\n}\n`,
    how: /^destructured property `tf` passed in/,
  },
  {
    name: 'destructured members (`function build({ layers, sequential }, width)`)',
    file: 'model.js',
    text: `export function build({ layers, sequential }, width) {\n  const model = sequential();\n  model.add(layers.dense({ inputShape: [8], units: width }));\n  model.add(layers.dense({ units: width }));\n  model.add(layers.dense({ units: 10 }));\n  return model;\n}\n`,
    how: /^destructured property `layers` passed in \(its uses are `layers` of tfjs's API\)$/,
  },
  {
    name: "a dynamic import into a local (`const tf = await import('@tensorflow/tfjs')`)",
    file: 'train.mjs',
    text: `export async function build(width) {\n  const tf = await import('@tensorflow/tfjs');\n${mlp('tf')}\n}\n`,
    how: /^dynamic import of @tensorflow\/tfjs$/,
  },
  {
    name: 'a dynamic import of a URL that names @tensorflow/tfjs',
    file: 'page.mjs',
    text: `export async function build(width) {\n  const tf = await import('https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/+esm');\n${mlp('tf')}\n}\n`,
    how: /^dynamic import of https:\/\/cdn\.jsdelivr\.net\/npm\/@tensorflow\/tfjs@4\.22\.0\/\+esm$/,
  },
  {
    name: 'a helper that returns the dynamic import, passed on as a parameter',
    file: 'train.mjs',
    text: `async function loadTf() {\n  return await import('@tensorflow/tfjs');\n}\nfunction build(tf, width) {\n${mlp('tf')}\n}\nexport async function main() {\n  const tf = await loadTf();\n  return build(tf, 64);\n}\n`,
    how: /^namespace passed in as parameter `tf`/,
  },
  {
    name: "a re-export through a local module (`import { tf } from '../tf'`)",
    file: 'layer.ts',
    text: `import { Tensor, tf } from '../tf';\nexport function build(width: number) {\n${mlp('tf')}\n}\n`,
    how: /^re-exported `tf` from \.\.\/tf \(its uses are tfjs's API\)$/,
  },
  {
    name: '`let tf = require(...)` re-bound later to another tfjs package',
    file: 'gan.js',
    text: `let tf = require('@tensorflow/tfjs');\nfunction build(width) {\n${mlp('tf')}\n}\nfunction setup(args) {\n  tf = args.gpu ? require('@tensorflow/tfjs-node-gpu') : require('@tensorflow/tfjs-node');\n}\nmodule.exports = { build, setup };\n`,
    how: /^require\('@tensorflow\/tfjs'\), re-bound to require\('@tensorflow\/tfjs-node-gpu'\) or require\('@tensorflow\/tfjs-node'\)$/,
  },
  {
    name: 'a static import re-bound by `tf = await import(...)`',
    file: 'model.js',
    text: `import * as tfjs from '@tensorflow/tfjs';\nlet tf = tfjs;\n(async function () {\n  if (typeof window === 'undefined') tf = await import('@tensorflow/tfjs-node-gpu');\n})();\nexport function build(width) {\n${mlp('tf')}\n}\n`,
    how: /^static import of @tensorflow\/tfjs \(as `tfjs`\), re-bound to dynamic import of @tensorflow\/tfjs-node-gpu$/,
  },
];

describe('tfjs however it is reached', () => {
  for (const c of cases) {
    it(`finds the readout through ${c.name}, and says how tfjs was recognised`, () => {
      const r = lint(c.text, c.file);
      const f = only(r, 'mup/readout-not-scaled');
      assert.deepEqual(f.map((x) => x.line), [lineOf(c.text, 'units: 10')], JSON.stringify(r.findings.map((x) => `${x.line}:${x.rule}`)));
      assert.deepEqual(r.layers.map((l) => l.role), ['input', 'hidden', 'readout']);
      const readout = r.layers[2];
      assert.match(readout.reachedBy ?? '(none)', c.how);
      // The hover names it too.
      assert.ok(describeLayer(readout).markdown.includes(`tfjs: ${readout.reachedBy}`));
    });
  }

  it('a static import says so in the hover', () => {
    const text = `import * as tf from '@tensorflow/tfjs';\nexport function build(width: number) {\n${mlp('tf')}\n}\n`;
    const r = lint(text);
    assert.equal(r.layers[2].reachedBy, 'static import of @tensorflow/tfjs');
    assert.match(describeLayer(r.layers[2]).markdown, /\ntfjs: static import of @tensorflow\/tfjs$/);
  });

  it('the hover names the binding in scope: a parameter in one function, a dynamic import in another', () => {
    const text = `async function main() {\n  const tf = await import('@tensorflow/tfjs');\n  return build(tf, 64);\n}\nfunction build(tf, width) {\n${mlp('tf')}\n}\nasync function other(width) {\n  const tf = await import('@tensorflow/tfjs');\n  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: width })] });\n}\n`;
    const r = lint(text, 'train.mjs');
    assert.match(r.layers[2].reachedBy ?? '', /^namespace passed in as parameter `tf`/);
    assert.equal(r.layers[3].reachedBy, 'dynamic import of @tensorflow/tfjs');
  });

  it('a browser-global file: attention, the readout, the init and optimizer rules, each on its line', () => {
    const text = `function attend(q, k, v, headDim) {
  const scores = tf.matMul(q, k, false, true).div(Math.sqrt(headDim));
  return tf.matMul(tf.softmax(scores), v);
}
function build(hiddenUnits) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: hiddenUnits, inputShape: [4] }));
  model.add(tf.layers.dense({ units: hiddenUnits }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'meanSquaredError' });
  return model;
}
`;
    const r = lint(text, 'demo.js');
    const at = (rule: string) => r.findings.filter((f) => f.rule === rule).map((f) => f.line);
    assert.deepEqual(at('mup/attention-sqrt-scaling'), [lineOf(text, 'Math.sqrt(headDim)')]);
    assert.deepEqual(at('mup/readout-not-scaled'), [lineOf(text, 'units: 1 }')]);
    assert.deepEqual(at('mup/init-fan-avg'), [lineOf(text, 'inputShape: [4]'), lineOf(text, 'units: 1 }')]);
    assert.deepEqual(at('mup/optimizer-global-lr'), [lineOf(text, 'tf.train.adam')]);
  });

  it('attention through `this.tf` (a namespace kept in a field) is found on the scale line', () => {
    const text = `import type TF from '@tensorflow/tfjs';
export default class Attention {
  private readonly tf: typeof TF;
  constructor(tf: typeof TF, private nHead: number) {
    this.tf = tf;
  }
  call(q: TF.Tensor, k: TF.Tensor, v: TF.Tensor, headDim: number): TF.Tensor {
    const att = this.tf.matMul(q, k, false, true).div(Math.sqrt(headDim));
    return this.tf.matMul(this.tf.softmax(att, -1), v);
  }
}
`;
    const r = lint(text);
    assert.deepEqual(only(r, 'mup/attention-sqrt-scaling').map((f) => f.line), [lineOf(text, 'Math.sqrt(headDim)')]);
  });
});

describe('typing in a file that reaches tfjs without an import', () => {
  it('each keystroke gives what a fresh analysis gives (a field, a parameter, the global)', () => {
    const text = `class Net {\n  constructor(tf) {\n    this.tf = tf;\n  }\n  build(width) {\n${mlp('this.tf', '    ')}\n  }\n}\nfunction other(width) {\n${mlp('tf')}\n}\nexport function third(lib, width) {\n${mlp('lib')}\n}\n`;
    const line = '    const extra = this.tf.layers.dense({ units: 10 });\n';
    const at = text.indexOf('    return model;');
    const name = `typing-${Date.now()}.js`;
    analyze(text, name);
    for (let k = 1; k <= line.length; k += 3) {
      const t = text.slice(0, at) + line.slice(0, k) + text.slice(at);
      const inc = analyze(t, name);
      const fresh = analyze(t, 'fresh.js', { incremental: false });
      assert.deepEqual(inc.findings.map((f) => [f.line, f.rule]), fresh.findings.map((f) => [f.line, f.rule]), `after ${k} characters`);
      assert.deepEqual(inc.layers.map((l) => [l.line, l.role, l.reachedBy]), fresh.layers.map((l) => [l.line, l.role, l.reachedBy]), `after ${k} characters`);
    }
    const r = analyze(text, name);
    assert.equal(only(r, 'mup/readout-not-scaled').length, 3);
  });
});

describe('fixes use the name that reaches tfjs where the fix goes', () => {
  const fixText = (text: string, file: string): string => {
    const f = only(lint(text, file), 'mup/readout-not-scaled')[0];
    assert.ok(f, 'a readout finding');
    const fix = f.fixes.find((x) => x.isPreferred) ?? f.fixes[0];
    return applyEdits(text, fix.edits);
  };

  it('the browser global: `tf.layers.rescaling`, no import added', () => {
    const out = fixText(`function build(width) {\n${mlp('tf')}\n}\n`, 'page.js');
    assert.match(out, /model\.add\(tf\.layers\.rescaling\(\{ scale: 64 \/ width \}\)\);/);
    assert.doesNotMatch(out, /import|require/);
  });

  it('a parameter: the parameter, no import added', () => {
    const out = fixText(`export function build(ns, width) {\n${mlp('ns')}\n}\n`, 'model.js');
    assert.match(out, /model\.add\(ns\.layers\.rescaling\(\{ scale: 64 \/ width \}\)\);/);
    assert.doesNotMatch(out, /import \* as|require\(/);
  });

  it('a field: `this.tf` in the class, not the constructor parameter, nor a type-only import as a value', () => {
    const text = `import type TF from '@tensorflow/tfjs';
export default class Net {
  private readonly tf: typeof TF;
  private head: TF.layers.Layer;
  constructor(tf: typeof TF, private width: number) {
    this.tf = tf;
    this.head = this.tf.layers.dense({ units: 10 });
  }
  forward(x: TF.Tensor): TF.Tensor {
    const h = this.tf.layers.dense({ units: this.width }).apply(this.tf.layers.dense({ units: this.width, inputShape: [4] }).apply(x));
    return this.head.apply(h) as TF.Tensor;
  }
}
`;
    const out = fixText(text, 'net.ts');
    assert.match(out, /this\.tf\.mul\(this\.head\.apply\(h\) as TF\.Tensor, 64 \/ this\.width\)/);
    assert.doesNotMatch(out, /import \* as tf/);
  });
});

describe('fixes in a TypeScript file on the browser global', () => {
  it('`tf.mul(... as tf.Tensor, ...)` with the global for the value and the type, no import added', () => {
    const text = `export class Net {
  private head: any;
  private body: any;
  constructor(private width: number) {
    this.body = tf.layers.dense({ units: width, inputShape: [8] });
    this.head = tf.layers.dense({ units: 4 });
  }
  forward(x: any) {
    const h = this.body.apply(x);
    return this.head.apply(h);
  }
}
`;
    const f = only(lint(text, 'net.ts'), 'mup/readout-not-scaled');
    assert.deepEqual(f.map((x) => x.line), [lineOf(text, 'units: 4')]);
    const out = applyFix(text, preferred(f[0]));
    assert.match(out, /return tf\.mul\(this\.head\.apply\(h\) as tf\.Tensor, 64 \/ this\.width\);/);
    assert.doesNotMatch(out, /import/);
  });
});

describe('the readout fixes run where tfjs is not imported (tfjs at two widths)', () => {
  const seeded = (ns: string) => `kernelInitializer: ${ns}.initializers.randomNormal({ stddev: 1, seed: 3 })`;

  /** The fixed model's output over the unfixed one's, at each width: 64/width when the fix is right. */
  const ratios = async (text: string, file: string, run: (exports: Record<string, unknown>, width: number) => Float32Array, globalTf = false) => {
    const f = only(lint(text, file), 'mup/readout-not-scaled');
    assert.equal(f.length, 1, JSON.stringify(lint(text, file).findings));
    const fixed = applyFix(text, preferred(f[0]));
    const fixedRun = await loadFixed(fixed, file, { globalTf });
    const plainRun = await loadFixed(text, file, { globalTf });
    try {
      for (const width of [16, 64]) {
        const ratio = rms(run(fixedRun.exports, width)) / rms(run(plainRun.exports, width));
        assert.ok(Math.abs(ratio - 64 / width) < 1e-5, `width ${width}: output ratio ${ratio}, expected ${64 / width}\n${fixed}`);
      }
    } finally {
      fixedRun.dispose();
      plainRun.dispose();
    }
  };

  it('the browser global `tf` (a <script>-tag file): the inserted rescaling runs', async () => {
    const text = `export function build(width) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: width, ${seeded('tf')} }));
  model.add(tf.layers.dense({ units: 4, ${seeded('tf')} }));
  return model;
}
`;
    await ratios(text, 'page.js', (e, w) => forward(exported<(w: number) => tf.LayersModel>(e, 'build')(w))[0], true);
  });

  it('a namespace passed in as a parameter: the fix uses the parameter', async () => {
    const text = `export function build(lib, width) {
  return lib.sequential({ layers: [
    lib.layers.dense({ inputShape: [8], units: width, ${seeded('lib')} }),
    lib.layers.dense({ units: 4, ${seeded('lib')} }),
  ] });
}
`;
    await ratios(text, 'model.js', (e, w) => forward(exported<(t: typeof tf, w: number) => tf.LayersModel>(e, 'build')(tf, w))[0]);
  });

  it('a namespace kept in `this.tf` (typed with `import type`): the output multiply runs in forward()', async () => {
    const text = `import type TF from '@tensorflow/tfjs';
export class Net {
  private readonly tf: typeof TF;
  private head: TF.layers.Layer;
  private body: TF.layers.Layer;
  constructor(tf: typeof TF, private width: number) {
    this.tf = tf;
    this.body = this.tf.layers.dense({ units: this.width, inputShape: [8], ${seeded('this.tf')} });
    this.head = this.tf.layers.dense({ units: 4, ${seeded('this.tf')} });
  }
  forward(x: TF.Tensor): TF.Tensor {
    const h = this.body.apply(x) as TF.Tensor;
    return this.head.apply(h) as TF.Tensor;
  }
}
export function run(tf: typeof TF, width: number): TF.Tensor {
  return new Net(tf, width).forward(tf.randomNormal([3, 8], 0, 1, 'float32', 7));
}
`;
    await ratios(text, 'net.ts', (e, w) => finiteValues(exported<(t: typeof tf, w: number) => tf.Tensor>(e, 'run')(tf, w)));
  });
});

describe('look-alikes are not tfjs', () => {
  it('an MLX namespace passed into a constructor (mx.fast.scaledDotProductAttention, Math.pow(headDim, -0.5))', () => {
    const text = `import type { MLXArray, MX } from '../types.js';
import { Linear } from '../layers/linear.js';
export class Attention {
  private scale: number;
  private qProj: Linear;
  private layers: Linear[] = [];
  constructor(private mx: MX, config: { hiddenSize: number; heads: number; headDim: number }) {
    // (this.layers.push( passes the text pre-check: the file is parsed, and the namespace judged)
    this.layers.push(new Linear(mx, { inputDim: config.hiddenSize, outputDim: config.hiddenSize }));
    this.scale = Math.pow(config.headDim, -0.5);
    this.qProj = new Linear(mx, { inputDim: config.hiddenSize, outputDim: config.heads * config.headDim });
  }
  forward(q: MLXArray, k: MLXArray, v: MLXArray): MLXArray {
    const s = this.mx.softmax(this.mx.multiply(this.mx.matmul(q, this.mx.transpose(k)), this.scale), -1);
    this.mx.tidy(() => this.mx.reshape(s, [1, -1]));
    return this.mx.fast.scaledDotProductAttention(q, k, v, this.scale);
  }
}
`;
    const r = lint(text);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.layers, []);
  });

  it('a term-frequency map named `tf`, in a file that calls its own `sequential(` and `layers.map(`', () => {
    const text = `function sequential(steps) { return steps.reduce((a, f) => f(a), null); }
export function tfidf(docs, layers) {
  const tf = new Map();
  for (const w of docs.flat()) tf.set(w, (tf.get(w) ?? 0) + 1);
  const hidden = layers.map((l) => l.units);
  return sequential([() => tf.get('the') / hidden.length]);
}
`;
    const r = lint(text, 'tfidf.js');
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.layers, []);
  });

  it('`tf` bound to another library, even with tfjs-like uses', () => {
    for (const bind of [`const tf = require('some-nn');`, `import * as tf from 'some-nn';`, `const tf = { layers: { dense: (c) => c }, sequential: () => [] };`]) {
      const text = `${bind}\nexport function build(width) {\n${mlp('tf')}\n}\n`;
      const r = lint(text, 'other.js');
      assert.deepEqual(r.findings, [], bind);
      assert.deepEqual(r.layers, [], bind);
    }
  });

  it('a parameter `tf` that is a term frequency (no tfjs API on it)', () => {
    const text = `export function score(tf, idf, width) {\n  return tf.get('w') * idf + tf.sequential;\n}\nexport const x = layers.dense({ units: 3 });\n`;
    const r = lint(text, 'score.js');
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.layers, []);
  });

  it('a relative import named `tf` whose uses are not tfjs', () => {
    const text = `import * as tf from './term-frequency';\nexport const top = tf.count(['a']).sequential;\nexport const m = other.layers.dense({ units: 3 });\n`;
    const r = lint(text);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.layers, []);
  });

  it('a file that never calls tfjs is skipped before parsing, whatever it names `tf`', () => {
    const text = `const tf = 3;\nexport const y = tf + 1;\n`;
    assert.deepEqual(analyze(text, 'x.js'), { findings: [], layers: [], factories: [] });
  });
});
