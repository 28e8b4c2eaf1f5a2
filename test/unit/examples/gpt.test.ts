// The GPT examples' factory knobs: `depth` (issue 22) builds deeper models and leaves the default model as shipped,
// and the muP GPT's init and multipliers (issue 27): SP's std 0.02 at the base width, hidden stds x 1/sqrt(width_mult),
// and outputMult / attnMult read from the second argument.
import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import * as gptMup from '../../../examples/gpt/mup';
import * as gptSp from '../../../examples/gpt/sp';

const blocks = (m: tf.LayersModel) => m.layers.filter((l) => /^attn_\d+$/.test(l.name)).length;
const stdOf = (m: tf.LayersModel, name: string) =>
  tf.tidy(() => Math.sqrt(tf.moments(m.trainableWeights.find((w) => w.originalName === name)!.read()).variance.dataSync()[0]!));

describe('examples/gpt: the depth knob', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const [name, mod] of [['sp', gptSp], ['mup', gptMup]] as const) {
    it(`${name}.ts: gpt(width, {depth}) builds depth blocks; the default is N_LAYERS = 2, the shipped model`, () => {
      const dflt = mod.gpt(32);
      const two = mod.gpt(32, { depth: 2 });
      const four = mod.gpt(32, { depth: 4 });
      try {
        assert.equal(mod.N_LAYERS, 2);
        assert.equal(blocks(dflt), 2);
        assert.equal(blocks(four), 4);
        assert.deepEqual(dflt.trainableWeights.map((w) => w.shape), two.trainableWeights.map((w) => w.shape));
        // each block adds 2 LayerNorms (2 weights each), attention (4), fc and proj (kernel + bias each): 12 weights
        assert.equal(four.trainableWeights.length - dflt.trainableWeights.length, 2 * 12);
        assert.equal(dflt.countParams() + 2 * (dflt.countParams() - mod.gpt(32, { depth: 1 }).countParams()), four.countParams());
        const ids = tf.zeros([2, mod.SEQ_LEN], 'int32');
        const y = four.predict(ids) as tf.Tensor;
        assert.deepEqual(y.shape, [2, mod.SEQ_LEN, mod.VOCAB]);
        tf.dispose([ids, y]);
      } finally {
        for (const m of [dflt, two, four]) m.dispose();
      }
    });

    it(`${name}.ts: a depth that is not a positive integer is one clear error`, () => {
      assert.throws(() => mod.gpt(32, { depth: 0 }), /gpt: depth must be a positive integer, got 0/);
      assert.throws(() => mod.gpt(32, { depth: 1.5 }), /depth must be a positive integer, got 1\.5/);
    });
  }
});

describe('examples/gpt/mup.ts: init and multipliers', () => {
  it("keeps SP's std 0.02 at the base width and scales hidden stds by 1/sqrt(width_mult); embeddings stay 0.02", () => {
    const base = gptMup.gpt(gptMup.BASE_WIDTH);
    const wide = gptMup.gpt(4 * gptMup.BASE_WIDTH);
    try {
      for (const w of ['attn_0/wk', 'attn_0/wv', 'fc_0/kernel', 'proj_0/kernel']) {
        assert.ok(Math.abs(stdOf(base, w) - 0.02) < 0.002, `${w} at the base width: ${stdOf(base, w)}`);
        assert.ok(Math.abs(stdOf(wide, w) - 0.01) < 0.001, `${w} at 4x the base width: ${stdOf(wide, w)}`);
      }
      for (const m of [base, wide]) assert.ok(Math.abs(stdOf(m, 'wte/embeddings') - 0.02) < 0.003);
      assert.equal(stdOf(base, 'attn_0/wq'), 0, 'the query projection is zero-initialised');
      assert.equal(stdOf(base, 'readout/kernel'), 0, 'the readout is zero-initialised');
    } finally {
      base.dispose();
      wide.dispose();
    }
  });

  it('outputMult multiplies the readout multiplier BASE_WIDTH/width; attnMult and initStd reach the layers', () => {
    const scaleOf = (m: tf.LayersModel) => (m.getLayer('readout_scale').getConfig() as { scale: number }).scale;
    const m1 = gptMup.gpt(128);
    const m4 = gptMup.gpt(128, { outputMult: 4, attnMult: 1, initStd: 0.04 });
    try {
      assert.equal(scaleOf(m1), 0.5);
      assert.equal(scaleOf(m4), 2);
      assert.equal((m1.getLayer('attn_0').getConfig() as { attnMult: number }).attnMult, gptMup.ATTN_MULT);
      assert.equal((m4.getLayer('attn_0').getConfig() as { attnMult: number }).attnMult, 1);
      assert.ok(Math.abs(stdOf(m4, 'attn_0/wk') - 0.04 / Math.sqrt(2)) < 0.003);
    } finally {
      m1.dispose();
      m4.dispose();
    }
  });
});
