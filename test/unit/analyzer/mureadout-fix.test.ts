// The "Use MuReadout" quick fix on a model like examples/mlp/sp.ts: the fixed file lints clean, and the
// model it describes builds and predicts with the mup-lens runtime (no applyBaseShapes first, as in an SP
// coordinate check or a plain predict): the fix's baseWidth is what makes the readout usable at once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createMup } from '../../../src/mup';
import { applyFix, lint, only, preferred, syntaxErrors } from './helpers';
import { loadTranspiled } from './runFixed';

const root = join(__dirname, '..', '..', '..');
const mup = createMup(tf);

/** Runs a model file's text (TypeScript) with its imports mapped to this tfjs and the runtime over it. */
const load = (text: string): Record<string, unknown> => loadTranspiled(text, { 'mup-lens/runtime': mup });

function spWithRuntime(): string {
  // examples/mlp/sp.ts, plus an import of the runtime (the fix is offered when the file has one)
  const sp = readFileSync(join(root, 'examples/mlp/sp.ts'), 'utf8');
  return sp.replace(`import * as tf from '@tensorflow/tfjs';`, `import * as tf from '@tensorflow/tfjs';\nimport { MuAdam } from 'mup-lens/runtime';`);
}

describe('Use MuReadout fix: the fixed model runs', () => {
  it('examples/mlp/sp.ts with the runtime imported: fixed text lints without a readout finding, builds and predicts on cpu', async () => {
    await tf.setBackend('cpu');
    const text = spWithRuntime();
    const [f] = only(lint(text, 'examples/mlp/sp.ts'), 'mup/readout-not-scaled');
    assert.ok(f, 'the SP readout is flagged');
    const fix = preferred(f);
    assert.match(fix.title, /^Use MuReadout/);
    const out = applyFix(text, fix);
    assert.deepEqual(syntaxErrors(out), []);
    assert.ok(out.includes(`new MuReadout({ units: OUT_DIM, name: 'readout', baseWidth: 64 })`), out);
    assert.ok(out.includes(`import { MuAdam, MuReadout } from 'mup-lens/runtime';`), out);
    const after = lint(out, 'examples/mlp/sp.ts');
    assert.deepEqual(only(after, 'mup/readout-not-scaled'), []);
    // nothing left on the readout's line (its init-fan-avg went with the dense too); the input layer's stays
    assert.deepEqual(after.findings.filter((x) => x.line === f.line), []);
    assert.deepEqual(after.findings.map((x) => x.rule), ['mup/init-fan-avg']);
    assert.equal(after.layers.find((l) => l.name === 'readout')?.outputScaled, true);

    const { mlp } = load(out) as { mlp: (w: number) => tf.LayersModel };
    for (const width of [32, 128]) {
      const m = mlp(width);
      const x = tf.randomNormal([3, 32]);
      const y = m.predict(x) as tf.Tensor;
      assert.deepEqual(y.shape, [3, 10]);
      assert.ok(y.dataSync().every(Number.isFinite));
      // the readout's multiplier is width / 64, from the baseWidth the fix wrote
      const readout = m.getLayer('readout') as unknown as { widthMult: number };
      assert.equal(readout.widthMult, width / 64);
      tf.dispose([x, y]);
      m.dispose();
    }

    // Without baseWidth (what the fix used to write) the same model throws on its first predict.
    const { mlp: bare } = load(out.replace(', baseWidth: 64', '')) as { mlp: (w: number) => tf.LayersModel };
    const m = bare(32);
    const x = tf.zeros([1, 32]);
    assert.throws(() => m.predict(x), /does not know its width multiplier/);
    x.dispose();
    m.dispose();
  });

  it('a 4 * width input: baseWidth 4 * BASE_WIDTH gives widthMult = width / BASE_WIDTH', async () => {
    await tf.setBackend('cpu');
    const text = `import * as tf from '@tensorflow/tfjs';
import * as mup from 'mup-lens/runtime';
export const BASE_WIDTH = 16;
export function net(width: number): tf.LayersModel {
  const inp = tf.input({ shape: [6] });
  const h = tf.layers.dense({ units: 4 * width, activation: 'relu', kernelInitializer: mup.muFanIn() }).apply(inp);
  const out = tf.layers.dense({ units: 3, kernelInitializer: 'zeros', name: 'head' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}`;
    const out = applyFix(text, preferred(only(lint(text), 'mup/readout-not-scaled')[0]));
    assert.ok(out.includes('baseWidth: 4 * BASE_WIDTH'), out);
    assert.deepEqual(lint(out).findings, []);
    const { net } = load(out) as { net: (w: number) => tf.LayersModel };
    const m = net(32);
    const y = m.predict(tf.ones([2, 6])) as tf.Tensor;
    assert.deepEqual(y.shape, [2, 3]);
    assert.equal((m.getLayer('head') as unknown as { widthMult: number }).widthMult, 2);
    y.dispose();
    m.dispose();
  });
});
