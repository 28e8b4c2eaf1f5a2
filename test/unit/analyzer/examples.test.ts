// The examples are the demo: SP versions get the expected findings on the expected lines, muP versions
// none; all four build and run a forward pass in tfjs (cpu backend) at widths 32 and 64.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import * as gptMup from '../../../examples/gpt/mup';
import * as gptSp from '../../../examples/gpt/sp';
import * as mlpMup from '../../../examples/mlp/mup';
import * as mlpSp from '../../../examples/mlp/sp';
import { lineOf, lint } from './helpers';

const root = join(__dirname, '../../..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

describe('examples: analyzer', () => {
  it('mlp/sp.ts: readout not scaled, fan-average init on input and readout', () => {
    const text = read('examples/mlp/sp.ts');
    const r = lint(text, 'examples/mlp/sp.ts');
    assert.deepEqual(
      r.findings.map((f) => `${f.line}:${f.rule}`),
      [
        `${lineOf(text, "name: 'input'")}:mup/init-fan-avg`,
        `${lineOf(text, "name: 'readout'")}:mup/init-fan-avg`,
        `${lineOf(text, "name: 'readout'")}:mup/readout-not-scaled`,
      ],
    );
    // output_mult: the tunable output multiplier (a rescaling by a constant, not by 1/width: the readout stays flagged)
    assert.deepEqual(r.layers.map((l) => `${l.name}:${l.role}`), ['input:input', 'hidden1:hidden', 'hidden2:hidden', 'readout:readout', 'output_mult:other']);
    assert.deepEqual(r.factories.map((f) => [f.name, f.exported, f.widthParam]), [['mlp', true, 'width']]);
  });

  it('mlp/mup.ts: no findings, readout scaled', () => {
    const r = lint(read('examples/mlp/mup.ts'), 'examples/mlp/mup.ts');
    assert.deepEqual(r.findings, []);
    assert.equal(r.layers.find((l) => l.role === 'readout')?.outputScaled, true);
  });

  it('gpt/sp.ts: attention 1/sqrt(d), fixed-std hidden inits, readout', () => {
    const text = read('examples/gpt/sp.ts');
    const r = lint(text, 'examples/gpt/sp.ts');
    const expected = [
      `${lineOf(text, 'this.scale = 1 / Math.sqrt')}:mup/attention-sqrt-scaling`,
      ...['wq', 'wk', 'wv', 'wo'].map((w) => `${lineOf(text, `this.${w} = this.addWeight`)}:mup/init-constant-std`),
      `${lineOf(text, 'name: `fc_')}:mup/init-constant-std`,
      `${lineOf(text, 'name: `proj_')}:mup/init-constant-std`,
      `${lineOf(text, "name: 'readout'")}:mup/init-fan-avg`,
      `${lineOf(text, "name: 'readout'")}:mup/readout-not-scaled`,
      // SP across depth: the residual branches of the block repeated over `depth` carry no depth multiplier
      ...text.split('\n').flatMap((l, i) => (l.includes('x = tf.layers.add().apply([x, h])') ? [`${i + 1}:mup/residual-depth-unscaled`] : [])),
    ].sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    assert.deepEqual(r.findings.map((f) => `${f.line}:${f.rule}`), expected);
    const roles = r.layers.map((l) => l.role);
    assert.deepEqual(roles.filter((x) => x === 'attention').length, 1);
    assert.equal(roles.filter((x) => x === 'readout').length, 1);
    assert.deepEqual(r.factories.map((f) => f.name), ['gpt']);
  });

  it('gpt/mup.ts: no findings', () => {
    const r = lint(read('examples/gpt/mup.ts'), 'examples/gpt/mup.ts');
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.factories.map((f) => f.name), ['gpt']);
  });
});

describe('examples: they build and run in tfjs', () => {
  it('mlp and gpt, SP and muP, at widths 32 and 64: output shapes', async () => {
    await tf.setBackend('cpu');
    for (const width of [32, 64]) {
      for (const make of [mlpSp.mlp, mlpMup.mlp]) {
        const m = make(width);
        const y = tf.tidy(() => m.predict(tf.randomNormal([3, 32])) as tf.Tensor);
        assert.deepEqual(y.shape, [3, 10]);
        y.dispose();
        m.dispose();
      }
      for (const [make, mod] of [[gptSp.gpt, gptSp], [gptMup.gpt, gptMup]] as const) {
        const m = make(width);
        const ids = tf.randomUniform([2, mod.SEQ_LEN], 0, mod.VOCAB, 'int32');
        const y = m.predict(ids) as tf.Tensor;
        assert.deepEqual(y.shape, [2, mod.SEQ_LEN, mod.VOCAB]);
        assert.ok(Number.isFinite(y.sum().dataSync()[0]));
        tf.dispose([ids, y]);
        m.dispose();
      }
    }
    // the muP twin equals SP's attention scale at the base width (d_head 16): 4/16 = 1/sqrt(16)
    assert.equal(gptMup.ATTN_MULT / (gptMup.BASE_WIDTH / gptMup.N_HEADS), 1 / Math.sqrt(gptMup.BASE_WIDTH / gptMup.N_HEADS));
  });
});
