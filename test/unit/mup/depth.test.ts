// Depth transfer in the runtime (issue 22): branch multipliers, MuAdam/MuSGD depth factors, base depth in the base
// shapes, fromTransfer of a version 2 file. Numbers from the rules of src/mup/depth.ts (CompleteP arXiv 2505.01618,
// depth-muP arXiv 2310.02244).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mlp, mup, tf, useCpu } from './helpers';

before(useCpu);

const B = 16;
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('branchMultiplier', () => {
  it('is (L/L_base)^-alpha: CompleteP 1/4 at 4x the base depth, depth-muP 1/2, SP 1; 1 at the base depth', () => {
    close(mup.branchMultiplier(8, { baseDepth: 2 }), 0.25, 'CompleteP default');
    close(mup.branchMultiplier(8, { baseDepth: 2, alpha: 'completep' }), 0.25, 'completep');
    close(mup.branchMultiplier(8, { baseDepth: 2, alpha: 'depth-mup' }), 0.5, 'depth-mup');
    close(mup.branchMultiplier(32, { baseDepth: 2, alpha: 0.5 }), 0.25, 'alpha 0.5 at 16x');
    close(mup.branchMultiplier(8, { baseDepth: 2, alpha: 'sp' }), 1, 'sp');
    for (const alpha of [0, 0.5, 1]) close(mup.branchMultiplier(6, { baseDepth: 6, alpha }), 1, `base depth, alpha ${alpha}`);
  });
  it('says what is wrong with a bad depth or alpha', () => {
    assert.throws(() => mup.branchMultiplier(0, { baseDepth: 2 }), /depth must be a positive number, got 0/);
    assert.throws(() => mup.branchMultiplier(4, { baseDepth: 2, alpha: 2 }), /alpha must be a number in \[0, 1\]/);
    assert.throws(() => mup.branchMultiplier(4, { baseDepth: 2, alpha: 'mup' as never }), /'sp', 'depth-mup', 'completep'/);
  });
});

describe('depthScales', () => {
  const hidden = { ninf: 2 };
  const vector = { ninf: 1 };
  it('Adam: hidden LR x m^(alpha-1), epsilon x m^-alpha; SGD x 1; SP nothing', () => {
    const d = (alpha: number) => ({ depth: 32, baseDepth: 2, alpha }); // m = 16
    assert.deepEqual(mup.depthScales(hidden, d(1), 'adam'), { lr: 1, epsilon: 1 / 16 });
    assert.deepEqual(mup.depthScales(hidden, d(0.5), 'adam'), { lr: 0.25, epsilon: 0.25 });
    assert.deepEqual(mup.depthScales(vector, d(0.5), 'adam'), { lr: 1, epsilon: 0.25 });
    assert.deepEqual(mup.depthScales(hidden, d(0), 'adam'), { lr: 1, epsilon: 1 });
    assert.deepEqual(mup.depthScales(hidden, d(0.5), 'sgd'), { lr: 1, epsilon: 1 });
    assert.deepEqual(mup.depthScales(hidden, undefined, 'adam'), { lr: 1, epsilon: 1 });
  });
});

describe('MuAdam with a depth', () => {
  const make = () => mlp(2 * B, { mu: true, baseWidth: B });
  it('multiplies the hidden group LR by (L/L_base)^(alpha-1) and sets its epsilon x m^-alpha', () => {
    const shapes = mup.inferBaseShapes((w) => mlp(w, { mu: true, baseWidth: B }), { baseWidth: B, baseDepth: 2 });
    assert.equal(shapes.baseDepth, 2, 'the base shapes know the base depth');
    const model = make();
    const applied = mup.applyBaseShapes(model, shapes, 2 * B);
    assert.equal(applied.baseDepth, 2);
    const opt = new mup.MuAdam({ learningRate: 1e-2, params: applied, depth: { depth: 8, alpha: 'depth-mup' } });
    assert.deepEqual(opt.depth, { depth: 8, baseDepth: 2, alpha: 0.5 }, 'base depth taken from the base shapes');
    const hiddenVar = applied.params.find((p) => p.ninf === 2)!.variable;
    const inputVar = applied.params.find((p) => p.ninf === 1)!.variable;
    const g = opt.groupOf(hiddenVar);
    // width rule lr / widthMult (2) times depth rule (8/2)^(0.5 - 1) = 1/2
    close(g.learningRate, 1e-2 / 2 / 2, 'hidden LR');
    close(g.depthScales!.epsilon, 0.5, 'epsilon factor');
    const inner = g.inner as unknown as { epsilon: number };
    close(inner.epsilon, tf.backend().epsilon() * 0.5, 'inner Adam epsilon');
    close(opt.groupOf(inputVar).learningRate, 1e-2, 'vector-like weights: no depth LR factor');
    opt.dispose();
    model.dispose();
  });
  it('at the base depth is the optimizer without depth (same groups, same LRs)', () => {
    const shapes = mup.inferBaseShapes((w) => mlp(w, { mu: true, baseWidth: B }), { baseWidth: B, baseDepth: 4 });
    const model = make();
    const applied = mup.applyBaseShapes(model, shapes, 2 * B);
    const a = new mup.MuAdam({ learningRate: 1e-2, params: applied, depth: { depth: 4 } });
    const b = new mup.MuAdam({ learningRate: 1e-2, params: applied });
    for (const p of applied.params) {
      assert.equal(a.groupOf(p.variable).learningRate, b.groupOf(p.variable).learningRate);
      assert.equal(a.groupOf(p.variable).key, b.groupOf(p.variable).key);
    }
    a.dispose();
    b.dispose();
    model.dispose();
  });
  it('asks for a base depth when neither the option nor the base shapes have one', () => {
    const shapes = mup.inferBaseShapes((w) => mlp(w, { mu: true, baseWidth: B }), { baseWidth: B });
    const model = make();
    const applied = mup.applyBaseShapes(model, shapes, 2 * B);
    assert.throws(() => new mup.MuAdam({ learningRate: 1e-2, params: applied, depth: { depth: 8 } }), /MuAdam: depth needs a base depth/);
    model.dispose();
  });
  it('MuSGD keeps its LRs at any depth (x 1)', () => {
    const shapes = mup.inferBaseShapes((w) => mlp(w, { mu: true, baseWidth: B }), { baseWidth: B, baseDepth: 2 });
    const model = make();
    const applied = mup.applyBaseShapes(model, shapes, 2 * B);
    const a = new mup.MuSGD({ learningRate: 1e-2, params: applied, depth: { depth: 32, alpha: 0.5 } });
    const b = new mup.MuSGD({ learningRate: 1e-2, params: applied });
    for (const p of applied.params) assert.equal(a.groupOf(p.variable).learningRate, b.groupOf(p.variable).learningRate);
    a.dispose();
    b.dispose();
    model.dispose();
  });
});
