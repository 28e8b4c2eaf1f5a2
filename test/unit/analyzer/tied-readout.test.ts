// mup/readout-not-scaled on tied readouts written by hand (issue 28.3): logits = h @ E^T with the embedding
// table reused, in the forms MuSharedReadout replaces, each pinned to its line; the accepted scalings and
// look-alikes that are not tied readouts; and the fix run (runFixed.ts): the fixed logits are the plain ones
// times base/width at two widths.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { applyFix, lineOf, lint, only, preferred } from './helpers';
import { exported, finiteValues, loadFixed, type tf } from './runFixed';

const RULE = 'mup/readout-not-scaled';
const head = `import * as tf from '@tensorflow/tfjs';\n`;
const lines = (text: string) => only(lint(text), RULE).map((f) => f.line);

const gpt = (logits: string, extra = '') => `${head}export class GPT {
  wte: tf.Variable;
  emb = tf.layers.embedding({ inputDim: 11, outputDim: 8 });
  constructor(private readonly vocab: number, private readonly nEmbd: number) {
    this.wte = tf.variable(tf.randomNormal([vocab, nEmbd], 0, 0.02, 'float32', 1));
  }
  forward(ids: tf.Tensor2D): tf.Tensor {
    const h = tf.gather(this.wte, ids);
    return ${logits};
  }${extra}
}
`;

describe('tied readouts written by hand', () => {
  const forms = [
    'tf.matMul(h, this.wte, false, true)',
    'tf.matMul(h, tf.transpose(this.wte))',
    'h.matMul(this.wte, false, true)',
    'h.matMul(this.wte.transpose())',
    "tf.einsum('btd,vd->btv', h, this.wte)",
    'tf.dot(h, this.wte.transpose())',
    'tf.matMul(h, this.emb.getWeights()[0], false, true)',
    "tf.matMul(h, (this.emb as any).embeddings.read(), false, true)",
  ];
  for (const form of forms) {
    it(`flags ${form} on its line`, () => {
      const text = gpt(form);
      assert.deepEqual(lines(text), [lineOf(text, form)]);
      assert.match(only(lint(text), RULE)[0].message, /tied readout .* 1\/width_mult \(base 64: scale 64\//);
    });
  }

  it('a table made by addWeight in a custom layer and gathered there, read through a local', () => {
    const text = `${head}class Tied extends tf.layers.Layer {
  private table!: tf.LayerVariable;
  constructor(private readonly cfg: { vocab: number; dModel: number }) { super({}); }
  build() { this.table = this.addWeight('wte', [this.cfg.vocab, this.cfg.dModel], 'float32', tf.initializers.randomNormal({})); }
  call(ids: tf.Tensor) {
    const e = this.table.read();
    const h = tf.gather(e, ids as tf.Tensor1D);
    const logits = tf.matMul(h, e, false, true);
    return logits;
  }
}`;
    assert.deepEqual(lines(text), [lineOf(text, 'const logits = tf.matMul')]);
  });

  it('not flagged: logits, h or the table scaled by a width-derived value; a projection weight that is not gathered; q.k^T', () => {
    assert.deepEqual(lines(gpt('tf.matMul(h, this.wte, false, true).mul(64 / this.nEmbd)')), []);
    assert.deepEqual(lines(gpt('tf.matMul(tf.mul(h, 64 / this.nEmbd), this.wte, false, true)')), []);
    const viaLocal = gpt('tf.div(logits, this.nEmbd / 64)').replace('const h = tf.gather(this.wte, ids);', 'const h = tf.gather(this.wte, ids);\n    const logits = tf.matMul(h, this.wte, false, true);');
    assert.deepEqual(lines(viaLocal), []);
    const untied = `${head}export function head(h: tf.Tensor, dModel: number, vocab: number) {
  const w = tf.variable(tf.randomNormal([vocab, dModel]));
  return tf.matMul(h, w, false, true);
}`;
    assert.deepEqual(lines(untied), []);
    const attn = `${head}export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, dModel: number) {
  return tf.matMul(tf.softmax(tf.matMul(q, k, false, true).mul(8 / dModel)), v);
}`;
    assert.deepEqual(lines(attn), []);
  });
});

describe('tied readout fix runs', () => {
  const disposers: (() => void)[] = [];
  after(() => disposers.forEach((d) => d()));

  it('the logits become .mul(64 / this.nEmbd): the fixed model gives the plain logits times 64/width', async () => {
    const text = gpt('tf.matMul(h, this.wte, false, true)') + 'export const logits = (nEmbd: number) => new GPT(11, nEmbd).forward(tf.tensor2d([[1, 2, 3]], [1, 3], \'int32\'));\n';
    const [f] = only(lint(text), RULE);
    const fixed = applyFix(text, preferred(f));
    assert.match(fixed, /return tf\.matMul\(h, this\.wte, false, true\)\.mul\(64 \/ this\.nEmbd\);/);
    assert.deepEqual(only(lint(fixed), RULE), [], 'the fix clears the finding');
    const plain = await loadFixed(text);
    const after = await loadFixed(fixed);
    disposers.push(plain.dispose, after.dispose);
    for (const width of [8, 32]) {
      const a = finiteValues(exported<(w: number) => tf.Tensor>(plain.exports, 'logits')(width));
      const b = finiteValues(exported<(w: number) => tf.Tensor>(after.exports, 'logits')(width));
      assert.ok(a.some((x) => x !== 0), 'the plain logits are not all zeros');
      a.forEach((x, i) => assert.ok(Math.abs(b[i] - (x * 64) / width) <= 1e-6 + 1e-4 * Math.abs(x), `width ${width}: logit ${i} is ${b[i]}, want ${(x * 64) / width}`));
    }
  });
});
