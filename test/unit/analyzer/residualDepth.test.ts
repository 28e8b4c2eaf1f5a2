// mup/residual-depth-unscaled (issue 22): residual additions in blocks repeated over a depth knob, with no depth
// multiplier on the branch. On the shipped twins (examples/residual): flagged on sp.ts's addition, not on
// completep.ts; the preferred fix multiplies the branch by the file's own knob, and the fixed file builds a model
// whose stream stays flat with depth (the same residual stream check as the coordinate check's, at init).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { applyFix, lineOf, lint, only, preferred, syntaxErrors } from './helpers';
import { loadTranspiled } from './runFixed';

const root = join(__dirname, '..', '..', '..');
const RULE = 'mup/residual-depth-unscaled';
const read = (p: string) => readFileSync(join(root, p), 'utf8');

const load = (text: string): Record<string, unknown> => loadTranspiled(text);

describe('mup/residual-depth-unscaled', () => {
  it('flags the SP twin on its residual addition, as a warning naming the knob and alpha = 0', () => {
    const text = read('examples/residual/sp.ts');
    const fs = only(lint(text, 'sp.ts'), RULE);
    assert.equal(fs.length, 1);
    assert.equal(fs[0]!.line, lineOf(text, "tf.layers.add({ name: `res_${i}` })"));
    assert.equal(fs[0]!.severity, 'warning');
    assert.match(fs[0]!.message, /block repeated over 'depth' adds its branch at full strength: SP in depth \(alpha = 0\)/);
    assert.deepEqual(fs[0]!.fixes.map((f) => f.title), [
      'Multiply the residual branch by (depth / BASE_DEPTH)^-1 (CompleteP, alpha = 1)',
      'Multiply the residual branch by (depth / BASE_DEPTH)^-0.5 (depth-muP, alpha = 1/2)',
    ]);
  });

  it('leaves the CompleteP twin alone (its branch is rescaled by the knob)', () => {
    assert.deepEqual(only(lint(read('examples/residual/completep.ts'), 'completep.ts'), RULE), []);
  });

  it('the preferred fix lints clean, and the fixed model keeps its stream flat with depth at init', async () => {
    await tf.setBackend('cpu');
    const text = read('examples/residual/sp.ts');
    const fixed = applyFix(text, preferred(only(lint(text, 'sp.ts'), RULE)[0]!));
    assert.deepEqual(syntaxErrors(fixed), []);
    assert.match(fixed, /tf\.layers\.rescaling\(\{ scale: \(depth \/ BASE_DEPTH\) \*\* -1 \}\)\.apply\(f\) as tf\.SymbolicTensor/);
    assert.deepEqual(only(lint(fixed, 'sp.ts'), RULE), []);
    const before = load(text).resnet as (w: number, o: { depth: number }) => tf.LayersModel;
    const after = load(fixed).resnet as (w: number, o: { depth: number }) => tf.LayersModel;
    const stream = (f: typeof before, depth: number) => {
      const m = f(64, { depth });
      const last = m.layers.filter((l) => l.getClassName() === 'Add').pop()!;
      const probe = tf.model({ inputs: m.inputs, outputs: last.output as tf.SymbolicTensor });
      const x = tf.randomNormal([32, 32], 0, 1, 'float32', 3);
      const v = tf.tidy(() => (tf.mean(tf.abs(probe.predict(x) as tf.Tensor)).dataSync()[0]!));
      x.dispose();
      m.dispose();
      return v;
    };
    // growth from depth 2 to 32 (16x): about sqrt(16) = 4x unscaled at init, about flat with the CompleteP branch
    const grow = (f: typeof before) => stream(f, 32) / stream(f, 2);
    assert.ok(grow(before) > 2, `unscaled growth ${grow(before)}`);
    assert.ok(grow(after) < 1.5, `fixed growth ${grow(after)}`);
  });

  it('knows tensor additions, property knobs, arrays of blocks; not a module constant, not a non-residual add', () => {
    const head = "import * as tf from '@tensorflow/tfjs';\n";
    const ops = `${head}export function f(x: tf.Tensor, cfg: { nLayers: number }) {\n  let h = x;\n  for (let i = 0; i < cfg.nLayers; i++) {\n    const u = tf.relu(h);\n    h = tf.add(h, u);\n  }\n  return h;\n}\n`;
    const [a] = only(lint(ops), RULE);
    assert.ok(a);
    assert.match(a.message, /repeated over 'cfg\.nLayers'/);
    assert.match(applyFix(ops, preferred(a)), /h = tf\.add\(h, tf\.mul\(u, \(cfg\.nLayers \/ 1\) \*\* -1\)\);/);
    const method = `${head}export function f(x: tf.Tensor, blocks: ((t: tf.Tensor) => tf.Tensor)[]) {\n  let h = x;\n  for (const b of blocks) h = h.add(b(h));\n  return h;\n}\n`;
    const [m] = only(lint(method), RULE);
    assert.ok(m);
    assert.match(applyFix(method, preferred(m)), /h = h\.add\(b\(h\)\.mul\(\(blocks\.length \/ 1\) \*\* -1\)\)/);
    const scaled = ops.replace('h = tf.add(h, u)', 'h = tf.add(h, tf.mul(u, branchMult))').replace('let h = x;', 'let h = x;\n  const branchMult = 1 / cfg.nLayers;');
    assert.deepEqual(only(lint(scaled), RULE), []);
    const constant = `${head}const N_LAYERS = 2;\nexport function f(x: tf.Tensor) {\n  let h = x;\n  for (let i = 0; i < N_LAYERS; i++) h = tf.add(h, tf.relu(h));\n  return h;\n}\n`;
    assert.deepEqual(only(lint(constant), RULE), []);
    const notResidual = ops.replace('h = tf.add(h, u)', 'h = tf.add(u, u)');
    assert.deepEqual(only(lint(notResidual), RULE), []);
    const notDepth = ops.replace('i < cfg.nLayers', 'i < cfg.nHeads');
    assert.deepEqual(only(lint(notDepth), RULE), []);
  });
});

describe('the hover of a residual addition says which alpha its branch implements', () => {
  it('SP twin: alpha = 0; CompleteP twin: alpha = 1; after the depth-muP fix: alpha = 1/2', async () => {
    const { describeLayer } = await import('../../../src/analyzer/describe');
    const hover = (text: string, file: string) => {
      const add = lint(text, file).layers.find((l) => l.kind === 'tf.layers.add')!;
      return describeLayer(add).markdown.split('\n').find((l) => l.startsWith('depth: '));
    };
    const sp = read('examples/residual/sp.ts');
    assert.equal(hover(sp, 'sp.ts'), 'depth: residual addition repeated over `depth`; its branch has no depth multiplier: alpha = 0 (SP in depth; mup/residual-depth-unscaled)');
    assert.equal(hover(read('examples/residual/completep.ts'), 'completep.ts'), 'depth: residual addition repeated over `depth`; its branch is scaled with depth: alpha = 1: CompleteP (arXiv 2505.01618)');
    const finding = only(lint(sp, 'sp.ts'), RULE)[0]!;
    const depthMup = applyFix(sp, finding.fixes[1]!);
    assert.equal(hover(depthMup, 'sp.ts'), 'depth: residual addition repeated over `depth`; its branch is scaled with depth: alpha = 1/2: depth-muP (Tensor Programs VI, arXiv 2310.02244)');
    const completeP = applyFix(sp, preferred(finding));
    assert.match(hover(completeP, 'sp.ts')!, /alpha = 1: CompleteP/);
    // a layer outside any depth loop has no such line
    assert.equal(lint(sp, 'sp.ts').layers.find((l) => l.name === 'readout')!.depth, undefined);
  });
});
