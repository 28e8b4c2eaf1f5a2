// mup/attention-sqrt-scaling: every 1/sqrt(d) form docs/rules.md lists, through locals and class fields,
// and the forms muP wants (x/d, mult/d) left alone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyFix, lineOf, lint, only, preferred, syntaxErrors } from './helpers';

const RULE = 'mup/attention-sqrt-scaling';

function attn(scaleLines: string, opts: { softmax?: boolean } = {}): string {
  return `import * as tf from '@tensorflow/tfjs';
export function attention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, dHead: number) {
${scaleLines}
  const w = ${opts.softmax === false ? 'tf.relu' : 'tf.softmax'}(scaled);
  return tf.matMul(w, v);
}`;
}

const flagged: [string, string, string][] = [
  ['scores.div(Math.sqrt(dHead))', `  const scores = tf.matMul(q, k, false, true);\n  const scaled = scores.div(Math.sqrt(dHead));`, 'Math.sqrt(dHead)'],
  ['tf.mul(scores, 1 / Math.sqrt(d)) inline', `  const scaled = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dHead));`, '1 / Math.sqrt(dHead)'],
  ['dHead ** -0.5', `  const scores = tf.matMul(q, k, false, true);\n  const scaled = scores.mul(dHead ** -0.5);`, 'dHead ** -0.5'],
  ['dHead ** 0.5 as a divisor', `  const scores = tf.matMul(q, k, false, true);\n  const scaled = tf.div(scores, dHead ** 0.5);`, 'dHead ** 0.5'],
  ['Math.pow(dHead, -0.5)', `  const scores = tf.matMul(q, k, false, true);\n  const scaled = tf.mul(scores, Math.pow(dHead, -0.5));`, 'Math.pow(dHead, -0.5)'],
  ['tf.rsqrt(tf.scalar(dHead))', `  const scores = tf.matMul(q, k, false, true);\n  const scaled = tf.mul(scores, tf.rsqrt(tf.scalar(dHead)));`, 'tf.rsqrt'],
  ['tf.sqrt(tf.scalar(dHead)) divisor', `  const scores = tf.matMul(q, k, false, true);\n  const scaled = scores.div(tf.sqrt(tf.scalar(dHead)));`, 'tf.sqrt'],
  ['a local scale variable', `  const scale = 1 / Math.sqrt(dHead);\n  const scores = tf.matMul(q, k, false, true);\n  const scaled = tf.mul(scores, scale);`, 'const scale'],
  ['q scaled before the product', `  const qs = q.mul(1 / Math.sqrt(dHead));\n  const scaled = tf.matMul(qs, k, false, true);`, 'const qs'],
  ['einsum scores', `  const scores = tf.einsum('bhqd,bhkd->bhqk', q, k);\n  const scaled = scores.div(Math.sqrt(dHead));`, 'scores.div'],
  ['the head dim read from the shape', `  const scores = tf.matMul(q, k, false, true);\n  const scaled = scores.div(Math.sqrt(q.shape[3] as number));`, 'scores.div'],
];

describe('mup/attention-sqrt-scaling', () => {
  for (const [name, lines, at] of flagged) {
    it(`flags ${name}`, () => {
      const text = attn(lines);
      const f = only(lint(text), RULE);
      assert.equal(f.length, 1, JSON.stringify(lint(text).findings));
      assert.equal(f[0].line, lineOf(text, at));
      assert.equal(f[0].severity, 'error');
      assert.match(f[0].message, /1\/sqrt\(d_head\); muP wants attn_mult\/d_head \(8\/d_head equals 1\/sqrt\(d_head\) at d_head=64/);
    });
  }

  const accepted: [string, string][] = [
    ['mult / d', `  const scores = tf.matMul(q, k, false, true);\n  const scaled = scores.mul(8 / dHead);`],
    ['x / d', `  const scores = tf.matMul(q, k, false, true);\n  const scaled = scores.div(dHead);`],
    ['no scaling at all', `  const scaled = tf.matMul(q, k, false, true);`],
  ];
  for (const [name, lines] of accepted) {
    it(`accepts ${name}`, () => assert.deepEqual(only(lint(attn(lines)), RULE), []));
  }

  it('does not flag a q.k^T product that never reaches a softmax', () => {
    const text = attn(`  const scores = tf.matMul(q, k, false, true);\n  const scaled = scores.div(Math.sqrt(dHead));`, { softmax: false });
    assert.deepEqual(only(lint(text), RULE), []);
  });

  it('does not flag a sqrt of a variance inside an attention function', () => {
    const text = attn(`  const mean = q.mean(-1, true);\n  const variance = q.sub(mean).square().mean(-1, true);\n  const qn = q.sub(mean).div(tf.sqrt(variance.add(1e-5)));\n  const scaled = tf.matMul(qn, k, false, true).mul(8 / dHead);`);
    assert.deepEqual(only(lint(text), RULE), []);
  });

  it('flags a class field set in the constructor, at its definition, and knows the base head size', () => {
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
    const att = tf.softmax(tf.matMul(x, x, false, true).mul(this.scale));
    return tf.matMul(att, x);
  }
}
export function model(width: number) { return new Attention(width); }`;
    const r = lint(text);
    const f = only(r, RULE);
    assert.equal(f.length, 1);
    assert.equal(f[0].line, lineOf(text, 'this.scale = 1'));
    assert.match(f[0].message, /4\/d_head equals 1\/sqrt\(d_head\) at d_head=16, the head size at base width 64/);
    assert.equal(r.layers[0].role, 'attention');
  });
});

/** One finding of the rule, on the line of `at`, with the fix's text after it applied. */
function flaggedAt(text: string, at: string): string {
  const r = lint(text);
  const f = only(r, RULE);
  assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => `${x.line}:${x.rule}`)));
  assert.equal(f[0].line, lineOf(text, at));
  const after = applyFix(text, preferred(f[0]));
  assert.deepEqual(syntaxErrors(after), []);
  assert.deepEqual(only(lint(after), RULE), [], 'the fixed text is clean');
  return after;
}

const fnHead = `import * as tf from '@tensorflow/tfjs';\n`;

describe('mup/attention-sqrt-scaling: where the scores come from', () => {
  const scores = (product: string, extra = '') => `${fnHead}${extra}export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, dHead: number) {
  const scores = ${product};
  const scaled = scores.div(Math.sqrt(dHead));
  return tf.matMul(tf.softmax(scaled), v);
}`;
  const cases: [string, string, string?][] = [
    ['a key transposed by the method (k.transpose([0, 2, 1]))', 'tf.matMul(q, k.transpose([0, 2, 1]))'],
    ['a key transposed by tf.transpose(k, [0, 1, 3, 2])', 'tf.matMul(q, tf.transpose(k, [0, 1, 3, 2]))'],
    ['a key transposed in a local (const kT = tf.transpose(k))', 'tf.matMul(q, kT)', ''],
    ['a key transposed by a helper function', 'tf.matMul(q, transposeLast(k))', 'function transposeLast(t: tf.Tensor) {\n  return tf.transpose(t, [0, 1, 3, 2]);\n}\n'],
    ['the method form q.matMul(k, false, true)', 'q.matMul(k, false, true)'],
    ['batchDot (a backend helper)', 'K.batchDot(q, k, [2, 2])', "import * as K from './backend';\n"],
    ['einsum with the equation in a variable', 'tf.einsum(EQ, q, k)', "const EQ = 'bqd,bkd->bqk';\n"],
  ];
  for (const [name, product, extra] of cases) {
    it(`flags the scale of ${name}`, () => {
      let text = scores(product, extra);
      if (name.includes('in a local')) text = text.replace('  const scores =', '  const kT = tf.transpose(k);\n  const scores =');
      flaggedAt(text, 'scores.div(Math.sqrt');
    });
  }

  it('does not take a head split (transpose [0, 2, 1, 3]) for a transposed key', () => {
    assert.deepEqual(only(lint(scores('tf.matMul(q, tf.transpose(k, [0, 2, 1, 3]))')), RULE), []);
  });

  it('does not take an einsum that contracts nothing for scores', () => {
    assert.deepEqual(only(lint(scores("tf.einsum('bqd,bkd->bqkd', q, k)")), RULE), []);
  });

  it('follows scores computed in a helper method to the softmax in its caller', () => {
    const text = `${fnHead}class Attention extends tf.layers.Layer {
  constructor(private readonly headDim: number) { super({}); }
  private scores(q: tf.Tensor, k: tf.Tensor): tf.Tensor {
    return tf.matMul(q, k, false, true);
  }
  call(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const s = this.scores(x, x).mul(1 / Math.sqrt(this.headDim));
      return tf.matMul(tf.softmax(s), x);
    });
  }
}`;
    flaggedAt(text, 'const s = this.scores');
    assert.equal(lint(text).layers.length, 0);
  });
});

describe('mup/attention-sqrt-scaling: what normalises the scores', () => {
  const norm = (lines: string, extra = '') => `${fnHead}${extra}export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, dHead: number) {
  let att = tf.matMul(q, k, false, true);
  att = att.mul(dHead ** -0.5);
${lines}
}`;
  const cases: [string, string, string?][] = [
    ['the method .softmax()', '  return tf.matMul(att.softmax(), v);'],
    ['tf.layers.softmax().apply', '  const w = tf.layers.softmax({ axis: -1 }).apply(att) as tf.Tensor;\n  return tf.matMul(w, v);'],
    ['a layer with activation softmax held in a const', "  const sm = tf.layers.activation({ activation: 'softmax' });\n  return tf.matMul(sm.apply(att) as tf.Tensor, v);"],
    ['an exp-normalisation written by hand', '  const e = tf.exp(att.sub(att.max(-1, true)));\n  const w = e.div(e.sum(-1, true));\n  return tf.matMul(w, v);'],
    ['a hand-written one with tf.div and a local sum', '  const e = att.sub(tf.max(att, -1, true)).exp();\n  const z = tf.sum(e, -1, true);\n  return tf.matMul(tf.div(e, z), v);'],
    ['a mask and a reassignment in between', '  const mask = tf.linalg.bandPart(tf.onesLike(att), -1, 0);\n  att = tf.where(mask.equal(1), att, tf.fill(att.shape, -1e9));\n  att = tf.softmax(att, -1);\n  return tf.matMul(att, v);'],
    ['a log-softmax written by hand (x - logSumExp(x))', '  const lw = tf.sub(att, tf.logSumExp(att, -1, true));\n  return tf.matMul(tf.exp(lw), v);'],
    ['a softmax in a helper function', '  return tf.matMul(normalise(att), v);', 'function normalise(x: tf.Tensor) {\n  return tf.tidy(() => tf.softmax(x, -1));\n}\n'],
  ];
  for (const [name, lines, extra] of cases) {
    it(`flags scores that reach ${name}`, () => {
      flaggedAt(norm(lines, extra), 'att = att.mul(dHead ** -0.5)');
    });
  }

  it('flags scores that reach a softmax layer field applied in a helper method (tfjs-nlp MultiHeadAttention)', () => {
    const text = `import { einsum, layers, mul, tidy, Tensor } from '@tensorflow/tfjs';
export class MHA extends layers.Layer {
  protected keyDim = 16;
  protected eq!: string;
  protected softmax!: layers.Layer;
  build() {
    this.eq = 'aecd,abcd->acbe';
    this.softmax = layers.softmax({ axis: -1 });
  }
  protected maskedSoftmax(s: Tensor): Tensor {
    return tidy(() => this.softmax.apply(s) as Tensor);
  }
  computeAttention(query: Tensor, key: Tensor, value: Tensor) {
    return tidy(() => {
      query = mul(query, 1.0 / Math.sqrt(this.keyDim));
      let scores = einsum(this.eq, key, query);
      scores = this.maskedSoftmax(scores);
      return einsum('acbe,aecd->abcd', scores, value);
    });
  }
}`;
    const after = flaggedAt(text, 'query = mul(query');
    assert.match(after, /query = mul\(query, 4 \/ this\.keyDim\);/);
  });

  it('does not flag a scaled q.k product when the softmax in the function is of something else', () => {
    const text = `${fnHead}export function head(q: tf.Tensor, k: tf.Tensor, logits: tf.Tensor, dHead: number) {
  const sim = tf.matMul(q, k, false, true).div(Math.sqrt(dHead));
  const probs = tf.softmax(logits);
  return [sim.relu(), probs];
}`;
    assert.deepEqual(only(lint(text), RULE), []);
  });

  it('does not flag a sqrt scale applied after the softmax', () => {
    const text = norm('  const w = tf.softmax(tf.matMul(q, k, false, true));\n  return tf.matMul(w, v).div(Math.sqrt(dHead));').replace('  att = att.mul(dHead ** -0.5);\n', '');
    assert.deepEqual(only(lint(text), RULE), []);
  });
});

describe('mup/attention-sqrt-scaling: where the scale is written', () => {
  it('a tensor field set in the constructor and divided in later (nanoGPT ports), at its definition', () => {
    const text = `${fnHead}export class CausalSelfAttention {
  private readonly divisor: tf.Tensor;
  constructor(private readonly nEmbed: number, private readonly nHead: number) {
    this.divisor = tf.scalar(Math.sqrt(nEmbed / nHead));
  }
  call(q: tf.Tensor, k: tf.Tensor): tf.Tensor {
    const att = tf.matMul(q, k, false, true).div(this.divisor);
    return tf.softmax(att, -1);
  }
}`;
    const after = flaggedAt(text, 'this.divisor = tf.scalar');
    assert.match(after, /this\.divisor = tf\.scalar\(\(nEmbed \/ nHead\) \/ 8\);/);
  });

  it('a scale a helper returns', () => {
    const text = `${fnHead}const scaleFor = (d: number) => 1 / Math.sqrt(d);
export function attend(q: tf.Tensor, k: tf.Tensor, dHead: number) {
  return tf.softmax(tf.mul(tf.matMul(q, k, false, true), scaleFor(dHead)));
}`;
    assert.match(flaggedAt(text, 'const scaleFor'), /const scaleFor = \(d: number\) => 8 \/ d;/);
  });

  it('a scale passed into the helper that computes attention, at the call', () => {
    const text = `${fnHead}function attend(q: tf.Tensor, k: tf.Tensor, scale: number) {
  return tf.softmax(tf.matMul(q, k, false, true).mul(scale));
}
export function block(x: tf.Tensor, headDim: number) {
  return attend(x, x, 1 / Math.sqrt(headDim));
}`;
    assert.match(flaggedAt(text, 'return attend(x, x'), /return attend\(x, x, 8 \/ headDim\);/);
  });

  it('q scaled by the caller of the helper that computes attention', () => {
    const text = `${fnHead}function attend(q: tf.Tensor, k: tf.Tensor) {
  return tf.softmax(tf.matMul(q, k, false, true));
}
export function block(x: tf.Tensor, headDim: number) {
  const q = x.mul(headDim ** -0.5);
  return attend(q, x);
}`;
    flaggedAt(text, 'const q = x.mul');
  });

  it('a getter that returns the scale', () => {
    const text = `${fnHead}export class Attn {
  constructor(private readonly headDim: number) {}
  get scale(): number {
    return 1 / Math.sqrt(this.headDim);
  }
  call(q: tf.Tensor, k: tf.Tensor): tf.Tensor {
    return tf.softmax(tf.mul(tf.matMul(q, k, false, true), this.scale));
  }
}`;
    flaggedAt(text, 'return 1 / Math.sqrt');
  });

  it('tf.sqrt of a local head-size tensor (dk = tf.scalar(...)) is fixed with a tensor op, not dk / 8', () => {
    const text = `${fnHead}export function attend(q: tf.Tensor, k: tf.Tensor, depth: number) {
  const dk = tf.scalar(depth, 'float32');
  return tf.softmax(tf.matMul(q, k, false, true).div(tf.sqrt(dk)), -1);
}`;
    assert.match(flaggedAt(text, '.div(tf.sqrt(dk))'), /\.div\(tf\.div\(dk, 8\)\), -1\);/);
  });

  it('tf.scalar(d).sqrt() in a chain', () => {
    const text = `${fnHead}export function attend(q: tf.Tensor, k: tf.Tensor, headDim: number) {
  const s = tf.matMul(q, k, false, true)
    .div(tf.scalar(headDim).sqrt());
  return s.softmax();
}`;
    assert.match(flaggedAt(text, '.div(tf.scalar(headDim).sqrt())'), /\.div\(headDim \/ 8\);/);
  });

  it('a namespace kept in this.tf (typed by an import type) with the transposeB flag', () => {
    const text = `import type TF from '@tensorflow/tfjs';
export class Attn {
  constructor(private readonly tf: typeof TF, private readonly headDim: number) {}
  call(q: TF.Tensor, k: TF.Tensor): TF.Tensor {
    const att = this.tf.matMul(q, k, false, true).mul(Math.pow(this.headDim, -0.5));
    return this.tf.softmax(att, -1);
  }
}`;
    flaggedAt(text, 'Math.pow(this.headDim, -0.5)');
  });
});

describe('mup/attention-sqrt-scaling: a tfjs namespace passed in (this.tf)', () => {
  it('this.tf.sqrt of a head-size tensor made by this.tf.scalar is fixed with this.tf.div, not dk / 8', () => {
    const text = `import type TF from '@tensorflow/tfjs';
export class Attn {
  constructor(private readonly tf: typeof TF, private readonly headDim: number) {}
  call(q: TF.Tensor, k: TF.Tensor): TF.Tensor {
    const dk = this.tf.scalar(this.headDim);
    const att = this.tf.matMul(q, k, false, true).div(this.tf.sqrt(dk));
    return this.tf.softmax(att, -1);
  }
}`;
    const after = flaggedAt(text, 'div(this.tf.sqrt(dk))');
    assert.match(after, /\.div\(this\.tf\.div\(dk, 8\)\);/);
    assert.doesNotMatch(after, /import \{|TF\.div/);
  });
});

describe('mup/attention-sqrt-scaling: a namespace the imports do not show', () => {
  it('a tfjs namespace under another name (tfjs.matMul, tfjs.exp, tfjs.div, tfjs.sum), with a softmax written by hand', () => {
    const text = `import type * as TF from '@tensorflow/tfjs';
export function attend(tfjs: typeof TF, q: TF.Tensor, k: TF.Tensor, dHead: number) {
  const s = tfjs.div(tfjs.matMul(q, k, false, true), Math.sqrt(dHead));
  const e = tfjs.exp(tfjs.sub(s, tfjs.max(s, -1, true)));
  return tfjs.div(e, tfjs.sum(e, -1, true));
}`;
    flaggedAt(text, 'const s = tfjs.div');
  });
});

describe('mup/attention-sqrt-scaling: precision', () => {
  it('additive (Bahdanau) attention with a sqrt in it is not q.k scores', () => {
    const text = `${fnHead}export function bahdanau(query: tf.Tensor, values: tf.Tensor, w1: tf.layers.Layer, w2: tf.layers.Layer, v: tf.layers.Layer, units: number) {
  const feats = tf.tanh(tf.add(w1.apply(values) as tf.Tensor, w2.apply(query) as tf.Tensor)).div(Math.sqrt(units));
  const weights = tf.softmax(v.apply(feats) as tf.Tensor, 1);
  return tf.sum(tf.mul(weights, values), 1);
}`;
    assert.deepEqual(only(lint(text), RULE), []);
  });

  it('linear attention (no softmax, 1/numFeatures) is not flagged', () => {
    const text = `${fnHead}export function linear(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, numFeatures: number) {
  const kv = tf.matMul(tf.elu(k).add(1), v, true, false);
  const out = tf.matMul(tf.elu(q).add(1), kv).div(numFeatures);
  const z = tf.matMul(tf.elu(q).add(1), tf.elu(k).add(1).sum(1, true), false, true);
  return out.div(z.add(Math.sqrt(1e-6)));
}`;
    assert.deepEqual(only(lint(text), RULE), []);
  });

  it('the muP form (attnMult / headDim, a sqrt of the multiplier) is clean; the SP branch beside it is flagged', () => {
    const text = `${fnHead}class MuAttention extends tf.layers.Layer {
  private readonly scaling: number;
  constructor(private readonly headDim: number, attnMult: number, standparam: boolean) {
    super({});
    if (standparam) this.scaling = this.headDim ** -0.5 * Math.sqrt(attnMult);
    else this.scaling = this.headDim ** -1 * Math.sqrt(attnMult);
  }
  call(q: tf.Tensor, k: tf.Tensor): tf.Tensor {
    return tf.softmax(tf.matMul(q.mul(this.scaling), k, false, true));
  }
}`;
    const f = only(lint(text), RULE);
    assert.deepEqual(f.map((x) => x.line), [lineOf(text, 'if (standparam)')]);
  });
});

describe('mup/attention-sqrt-scaling: head sizes by value', () => {
  const body = (lines: string) => `${fnHead}export function head(k: tf.Tensor, q: tf.Tensor, v: tf.Tensor) {
${lines}
  return tf.matMul(tf.softmax(wei), v);
}`;
  it('a size destructured from a shape (const [B, T, C] = k.shape; C ** -0.5)', () => {
    flaggedAt(body('  const [B, T, C] = k.shape;\n  const wei = q.matMul(k, false, true).mul(C ** -0.5);'), 'C ** -0.5');
  });
  it('a local holding a shape entry, under another name (const size = k.shape[2])', () => {
    flaggedAt(body('  const size = k.shape[2];\n  const wei = q.matMul(k, false, true).div(Math.sqrt(size));'), 'Math.sqrt(size)');
  });
  it('names of the wild: dimK, keyDepth', () => {
    for (const name of ['dimK', 'keyDepth', 'd_k']) {
      const t = body(`  const ${name} = 16;\n  const wei = tf.div(tf.matMul(q, k, false, true), Math.sqrt(${name}));`);
      flaggedAt(t, `Math.sqrt(${name})`);
    }
  });
  it('not a sqrt of a count that is not a size (const n = 16, an unnamed literal)', () => {
    assert.deepEqual(only(lint(body('  const n = 16;\n  const wei = tf.div(tf.matMul(q, k, false, true), Math.sqrt(n));')), RULE), []);
  });
});

describe('mup/attention-sqrt-scaling: the layers API', () => {
  const model = (scale: string) => `${fnHead}export function luong(units: number, keyDim: number) {
  const dec = tf.input({ shape: [8, keyDim] });
  const enc = tf.input({ shape: [10, keyDim] });
  const scores = tf.layers.dot({ axes: [2, 2] }).apply([dec, enc]) as tf.SymbolicTensor;
  const scaled = tf.layers.rescaling({ scale: ${scale} }).apply(scores) as tf.SymbolicTensor;
  const weights = tf.layers.activation({ activation: 'softmax' }).apply(scaled) as tf.SymbolicTensor;
  const context = tf.layers.dot({ axes: [2, 1] }).apply([weights, enc]);
  return tf.model({ inputs: [dec, enc], outputs: context as tf.SymbolicTensor });
}`;
  it('a dot layer of q and k rescaled by 1/sqrt(keyDim) before a softmax activation layer', () => {
    assert.match(flaggedAt(model('1 / Math.sqrt(keyDim)'), 'tf.layers.rescaling'), /rescaling\(\{ scale: 8 \/ keyDim \}\)/);
  });
  it('the same rescaled by 8 / keyDim (the muP form), or without a softmax, is clean', () => {
    assert.deepEqual(only(lint(model('8 / keyDim')), RULE), []);
    assert.deepEqual(only(lint(model('1 / Math.sqrt(keyDim)').replace("activation: 'softmax'", "activation: 'relu'")), RULE), []);
  });
});

describe('mup/attention-sqrt-scaling: the direction of the scale', () => {
  it('a multiplication by sqrt(d) (an upscaling) or a division by d ** -0.5 is not 1/sqrt(d)', () => {
    for (const s of ['scores.mul(Math.sqrt(dHead))', 'tf.div(scores, dHead ** -0.5)', 'scores.div(1 / Math.sqrt(dHead))']) {
      const text = `${fnHead}export function attend(q: tf.Tensor, k: tf.Tensor, dHead: number) {
  const scores = tf.matMul(q, k, false, true);
  return tf.softmax(${s});
}`;
      assert.deepEqual(only(lint(text), RULE), [], s);
    }
  });

  it('an input scaled by 1/sqrt(dModel) before the q and k projections is not the attention scale', () => {
    const text = `${fnHead}export function block(ids: tf.Tensor, wte: tf.Tensor, wq: tf.layers.Layer, wk: tf.layers.Layer, dModel: number) {
  const x = tf.gather(wte, ids).div(Math.sqrt(dModel));
  const q = wq.apply(x) as tf.Tensor;
  const k = wk.apply(x) as tf.Tensor;
  return tf.softmax(tf.matMul(q, k, false, true).mul(8 / dModel));
}`;
    assert.deepEqual(only(lint(text), RULE), []);
  });
});

describe('mup/attention-sqrt-scaling: corpus files whose tfjs is reached another way', () => {
  it('genai-nanogpt-attention.ts (this.tf): the tensor divisor field, at its definition', () => {
    const text = readFileSync(join(__dirname, '../../fixtures/corpus/genai-nanogpt-attention.ts'), 'utf8');
    assert.match(flaggedAt(text, '    this.divisor = this.tf.scalar('), /this\.divisor = this\.tf\.scalar\(\(config\.nEmbed \/ config\.nHead\) \/ 8\);/);
  });

  it('reexported-tf-attention.ts (tfjs through a local re-export): the scale local, as written and with a static import', () => {
    const original = readFileSync(join(__dirname, '../../fixtures/corpus/reexported-tf-attention.ts'), 'utf8');
    const staticImport = original.replace("import { LayerArgs, Shape, Tensor, tf } from '../tf';", "import * as tf from '@tensorflow/tfjs'; type LayerArgs = object; type Shape = number[]; type Tensor = tf.Tensor;");
    assert.notEqual(staticImport, original);
    assert.match(flaggedAt(staticImport, '      const scale = Math.pow(this.headDim, -0.5);'), /const scale = 8 \/ this\.headDim;/);
    const after = flaggedAt(original, '      const scale = Math.pow(this.headDim, -0.5);');
    assert.match(after, /const scale = 8 \/ this\.headDim;/);
  });
});

describe('mup/attention-sqrt-scaling: bounded', () => {
  it('a score chain thousands of ops long, and thousands of chained locals, are analysed without an error', () => {
    const chain = `${fnHead}export function attend(q: tf.Tensor, k: tf.Tensor, dHead: number) {
  return tf.matMul(q, k, false, true).div(Math.sqrt(dHead))${'.add(0)'.repeat(3000)}.softmax();
}`;
    assert.doesNotThrow(() => lint(chain));
    const locals = Array.from({ length: 3000 }, (_, i) => `  const s${i + 1} = s${i};`).join('\n');
    const text = `${fnHead}export function attend(q: tf.Tensor, k: tf.Tensor, dHead: number) {
  const s0 = tf.matMul(q, k, false, true).div(Math.sqrt(dHead));
${locals}
  return tf.softmax(s3000);
}`;
    assert.doesNotThrow(() => lint(text));
  });
});
