// mup/attention-sqrt-scaling: every 1/sqrt(d) form DESIGN.md lists, through locals and class fields,
// and the forms muP wants (x/d, mult/d) left alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineOf, lint, only } from './helpers';

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
