// The attention fixes RUN: each fixed file is loaded with tfjs through the worker's module loader (runFixed.ts;
// files with sibling imports through the same loader, with stubs beside them), its
// attention is run at two small head sizes, the outputs are finite, and the scores' multiplier measured from
// the softmax weights is M/d_head (here 8/d: the base head size is unknown, mup's 64) where the original's
// was 1/sqrt(d_head). The probe: one query q with |q| = 1 and two keys, 0 and q, so the raw logits are
// [0, 1] and the weights [w0, w1] give the multiplier c = ln(w1 / w0); the values are the unit vectors e0
// and e1, so the output is [w0, w1, 0, ...].
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createMup } from '../../../src/mup/index';
import { loadUserModule } from '../../../src/worker/loadModule';
import { applyFix, lint, only, preferred } from './helpers';
import { type Attend, type Layout, multiplier } from './attentionProbe';
import { finiteValues, loadFixed } from './runFixed';

const RULE = 'mup/attention-sqrt-scaling';
const CORPUS = join(__dirname, '../../fixtures/corpus');
const dir = mkdtempSync(join(tmpdir(), 'mup-attn-fix-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** The text with every attention fix applied (one at a time, re-linting in between), after checking there is one. */
function fixed(text: string, fileName: string): string {
  let t = text;
  assert.ok(only(lint(t, fileName), RULE).length > 0, 'the original is flagged');
  for (let i = 0; i < 5; i++) {
    const f = only(lint(t, fileName), RULE);
    if (f.length === 0) return t;
    t = applyFix(t, preferred(f[0]));
  }
  assert.fail('the fixes do not converge');
}

const disposers: (() => void)[] = [];
after(() => disposers.forEach((d) => d()));

/** Loads a model file the way a coordinate check does (runFixed.ts); `extra`: sibling files it imports. */
async function load(text: string, name: string, extra: Record<string, string> = {}): Promise<Record<string, unknown>> {
  if (Object.keys(extra).length === 0) {
    const { exports, dispose } = await loadFixed(text, name);
    disposers.push(dispose);
    return exports;
  }
  const sub = join(dir, String(n++));
  for (const [f, t] of Object.entries({ [name]: text, ...extra })) {
    const p = join(sub, f);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, t);
  }
  return loadUserModule(join(sub, name), { tf, runtime: () => createMup(tf) });
}

/** Runs the original and the fixed text at head sizes 16 and 32: 1/sqrt(d) before, 8/d after. */
async function checkScale(text: string, name: string, layout: Layout, get: (m: Record<string, unknown>) => Attend, extra?: Record<string, string>) {
  const before = get(await load(text, name, extra));
  const fixedText = fixed(text, name);
  const afterFix = get(await load(fixedText, name, extra));
  for (const d of [16, 32]) {
    assert.ok(Math.abs(multiplier(before, d, layout) - 1 / Math.sqrt(d)) < 1e-4, `the probe reads the original's 1/sqrt(${d})`);
    const c = multiplier(afterFix, d, layout);
    assert.ok(Math.abs(c - 8 / d) < 1e-4, `fixed: multiplier ${c} at d_head=${d}, want 8/${d}`);
  }
  return fixedText;
}

const fnOf = (m: Record<string, unknown>) => m.attend as Attend;

describe('attention fixes run: the scores scale as 8/d_head after the fix', () => {
  const head = `import * as tf from '@tensorflow/tfjs';\n`;

  it('tf.sqrt(dk) with dk = tf.scalar(d) (a tensor) becomes tf.div(dk, 8), not dk / 8 (NaN)', async () => {
    const text = `${head}export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, depth: number) {
  const dk = tf.scalar(depth, 'float32');
  const w = tf.softmax(tf.matMul(q, k, false, true).div(tf.sqrt(dk)), -1);
  return tf.matMul(w, v);
}`;
    const t = await checkScale(text, 'a.ts', 'btd', fnOf);
    assert.match(t, /\.div\(tf\.div\(dk, 8\)\)/);
  });

  it("tf.div(1, tf.sqrt(tf.cast(k.shape[3], 'float32'))) multiplied in becomes tf.div(8, tf.cast(...))", async () => {
    const text = `${head}export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) {
  let att = tf.mul(tf.matMul(q, k, false, true), tf.div(1, tf.sqrt(tf.cast(k.shape[3], 'float32'))));
  att = tf.softmax(att, -1);
  return tf.matMul(att, v);
}`;
    await checkScale(text, 'b.ts', 'bhtd', fnOf);
  });

  it('tf.rsqrt of a head-size tensor, and dk.sqrt() with named imports (div import added)', async () => {
    const rsqrt = `${head}export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, d: number) {
  const dk = tf.scalar(d);
  return tf.matMul(tf.softmax(tf.mul(tf.matMul(q, k, false, true), tf.rsqrt(dk))), v);
}`;
    await checkScale(rsqrt, 'c.ts', 'btd', fnOf);
    const method = `import { matMul, scalar, softmax } from '@tensorflow/tfjs';
export function attend(q: any, k: any, v: any, d: number) {
  const dk = scalar(d);
  return matMul(softmax(matMul(q, k, false, true).div(dk.sqrt())), v);
}`;
    assert.match(await checkScale(method, 'd.ts', 'btd', fnOf), /^import \{ matMul, scalar, softmax, div \}/);
  });

  it('q pre-scaled by mul(query, 1 / Math.sqrt(keyDim)) before an einsum, with a hand-written softmax', async () => {
    const text = `import { einsum, mul, Tensor } from '@tensorflow/tfjs';
export function attend(query: Tensor, key: Tensor, value: Tensor, keyDim: number) {
  query = mul(query, 1.0 / Math.sqrt(keyDim));
  const s = einsum('aecd,abcd->acbe', key, query);
  const e = s.sub(s.max(-1, true)).exp();
  const w = e.div(e.sum(-1, true));
  return einsum('acbe,aecd->abcd', w, value);
}`;
    await checkScale(text, 'e.ts', 'bthd', fnOf);
  });

  it('a tensor divisor field set in the constructor (nanoGPT ports) and a getter scale', async () => {
    const field = `${head}export class Attn {
  private readonly divisor: tf.Tensor;
  constructor(headDim: number) {
    this.divisor = tf.scalar(Math.sqrt(headDim));
  }
  call(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor {
    return tf.matMul(tf.softmax(tf.matMul(q, k, false, true).div(this.divisor), -1), v);
  }
}
export const attend = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, d: number) => new Attn(d).call(q, k, v);`;
    await checkScale(field, 'f.ts', 'btd', fnOf);
    const getter = `${head}export class Attn {
  constructor(private readonly headDim: number) {}
  get scale(): number {
    return this.headDim ** -0.5;
  }
  call(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor {
    return tf.matMul(tf.softmax(tf.mul(tf.matMul(q, k, false, true), this.scale)), v);
  }
}
export const attend = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, d: number) => new Attn(d).call(q, k, v);`;
    await checkScale(getter, 'g.ts', 'btd', fnOf);
  });
});

describe('attention fixes run: a namespace passed in', () => {
  it('this.tf.sqrt(dk) with dk = this.tf.scalar(headDim) becomes this.tf.div(dk, 8)', async () => {
    const text = `import type TF from '@tensorflow/tfjs';
export class Attn {
  constructor(private readonly tf: typeof TF, private readonly headDim: number) {}
  call(q: TF.Tensor, k: TF.Tensor, v: TF.Tensor): TF.Tensor {
    const dk = this.tf.scalar(this.headDim);
    const att = this.tf.matMul(q, k, false, true).div(this.tf.sqrt(dk));
    return this.tf.matMul(this.tf.softmax(att, -1), v);
  }
}
export const attend = (t: typeof TF) => (q: TF.Tensor, k: TF.Tensor, v: TF.Tensor, d: number) => new Attn(t, d).call(q, k, v);`;
    await checkScale(text, 'ns.ts', 'btd', (m) => (m.attend as (t: typeof tf) => Attend)(tf));
  });
});

describe('attention fixes run: the layers API', () => {
  it('a dot layer rescaled by 1 / Math.sqrt(keyDim) before a softmax activation: the fixed model predicts with 8/keyDim', async () => {
    const text = `import * as tf from '@tensorflow/tfjs';
export function luong(keyDim: number) {
  const dec = tf.input({ shape: [1, keyDim] });
  const enc = tf.input({ shape: [2, keyDim] });
  const scores = tf.layers.dot({ axes: [2, 2] }).apply([dec, enc]) as tf.SymbolicTensor;
  const scaled = tf.layers.rescaling({ scale: 1 / Math.sqrt(keyDim) }).apply(scores) as tf.SymbolicTensor;
  const weights = tf.layers.activation({ activation: 'softmax' }).apply(scaled) as tf.SymbolicTensor;
  const context = tf.layers.dot({ axes: [2, 1] }).apply([weights, enc]) as tf.SymbolicTensor;
  return tf.model({ inputs: [dec, enc], outputs: context });
}`;
    // keys 0 and q are also the values: the context is w1 * q, so w1 = context . q
    const get = (m: Record<string, unknown>): Attend => (q, k, _v, d) => {
      const model = (m.luong as (d: number) => tf.LayersModel)(d);
      const ctx = model.predict([q, k]) as tf.Tensor;
      const w1 = tf.sum(tf.mul(ctx, q)).dataSync()[0];
      return tf.tensor([1 - w1, w1]);
    };
    await checkScale(text, 'luong.ts', 'btd', get);
  });
});

describe('attention fixes run: corpus files', () => {
  it('pystudy-multihead-attention1.js: matmulQK.div(tf.sqrt(dk)) with dk a tensor stays a tensor op', async () => {
    const text = readFileSync(join(CORPUS, 'pystudy-multihead-attention1.js'), 'utf8');
    const get = (m: Record<string, unknown>): Attend => (q, k, v, d) => {
      const Mha = m.MultiHeadAttention as new (h: number, kd: number) => { projectionDim: number; computeAttention: Attend };
      const a = new Mha(1, d);
      a.projectionDim = d; // the original never sets it (see the corpus label)
      return a.computeAttention(q, k, v, d);
    };
    assert.match(await checkScale(text, 'pystudy.js', 'btd', get), /matmulQK\.div\(tf\.div\(dk, 8\)\)/);
  });

  it('tfjs-nlp-multihead-attention.ts: the q pre-scaling before the einsum scores, applied in a softmax layer', async () => {
    const text = readFileSync(join(CORPUS, 'tfjs-nlp-multihead-attention.ts'), 'utf8');
    const get = (m: Record<string, unknown>): Attend => (q, k, v, d) => {
      const Mha = m.MultiHeadAttention as new (a: { numHeads: number; keyDim: number }) => { buildAttention(): void; computeAttention: Attend };
      const a = new Mha({ numHeads: 1, keyDim: d });
      a.buildAttention();
      return a.computeAttention(q, k, v, d);
    };
    // EinsumDense is a tfjs-layers internal the file imports from a sibling; the attention path does not use it
    await checkScale(text, 'mha.ts', 'bthd', get, { 'einsum_dense.ts': 'export class EinsumDense {}\n' });
  });

  it('reexported-tf-attention.ts (tfjs through a local re-export): the fixed layer, identity projections, scales by 8/headDim', async () => {
    const text = readFileSync(join(CORPUS, 'reexported-tf-attention.ts'), 'utf8');
    // the file's '../tf' re-exports tfjs and its types
    const tfModule = "import * as tf from '@tensorflow/tfjs';\nexport { tf };\nexport type LayerArgs = object;\nexport type Shape = number[];\nexport type Tensor = tf.Tensor;\n";
    // keys and values are both the `value` input: rows 0 and q, so the output is w1 * q and w1 = out . q
    const get = (m: Record<string, unknown>): Attend => (q, k, _v, d) => {
      const Mha = m.MultiHeadAttention as new (c: object) => tf.layers.Layer & { call(x: tf.Tensor[]): tf.Tensor[] };
      const a = new Mha({ heads: 1, headDim: d, dropout: 0 });
      a.build([[1, 1, d], [1, 2, d]]);
      const eye = tf.eye(d);
      for (const l of ['wq', 'wk', 'wv', 'dense'] as const) {
        const layer = (a as unknown as Record<string, tf.layers.Layer>)[l];
        layer.setWeights(layer.getWeights().map((w) => (w.shape.length === 2 ? eye : tf.zerosLike(w))));
      }
      const [out] = a.call([q, k]);
      const w1 = tf.sum(tf.mul(out, q)).dataSync()[0];
      return tf.tensor([1 - w1, w1]);
    };
    await checkScale(text, 'layers/mha.ts', 'btd', get, { 'tf.ts': tfModule });
  });

  it('genai-nanogpt-attention.ts: the divisor field keeps M/d (tfjs passed into the constructor); call() stays finite', async () => {
    const text = readFileSync(join(CORPUS, 'genai-nanogpt-attention.ts'), 'utf8');
    const m = await load(fixed(text, 'genai.ts'), 'genai.ts');
    const Attn = m.default as new (t: typeof tf, i: number, c: object) => { divisor: tf.Tensor; call(x: tf.Tensor): tf.Tensor };
    for (const nEmbed of [32, 64]) {
      const nHead = 2;
      const a = new Attn(tf, 0, { vocabSize: 10, blockSize: 4, nLayer: 1, nHead, nEmbed, dropout: 0, biasInLinear: true });
      assert.ok(Math.abs(1 / a.divisor.dataSync()[0] - 8 / (nEmbed / nHead)) < 1e-6, `multiplier 8/d_head at nEmbed=${nEmbed}`);
      const y = a.call(tf.randomNormal([1, 4, nEmbed]));
      assert.deepEqual(y.shape, [1, 4, nEmbed]);
      finiteValues(y);
    }
  });
});
