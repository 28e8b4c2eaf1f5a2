import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerInfo } from '../../../src/analyzer/types';
import { planLayers, type LayerShape } from '../../../src/coord/layers';

function mlp(width: number, names: 'auto' | 'user', suffix: number): LayerShape[] {
  const n = (user: string, cls: string, k: number) => (names === 'user' ? user : `${cls.toLowerCase()}_${cls}${k + suffix}`);
  return [
    { className: 'InputLayer', name: `input${suffix}`, inDim: 32, outDim: 32, inbound: [], hasWeights: false, isInput: true },
    { className: 'Dense', name: n('fc1', 'Dense', 1), inDim: 32, outDim: width, inbound: [0], hasWeights: true, isInput: false },
    { className: 'Dense', name: n('fc2', 'Dense', 2), inDim: width, outDim: width, inbound: [1], hasWeights: true, isInput: false },
    { className: 'Dense', name: n('head', 'Dense', 3), inDim: width, outDim: 10, inbound: [2], hasWeights: true, isInput: false },
    { className: 'Rescaling', name: n('scale', 'Rescaling', 1), inDim: 10, outDim: 10, inbound: [3], hasWeights: false, isInput: false },
  ];
}

const info = (name: string | null, kind: string, line: number, factory = 'mlp'): LayerInfo =>
  ({ name, kind, line, column: 1, endLine: line, endColumn: 2, role: 'hidden', fanInScales: false, fanOutScales: false, outputScaled: false, factory }) as LayerInfo;

test('roles come from which dimensions grow with width; the readout is measured after its rescaling', () => {
  const plan = planLayers(mlp(64, 'user', 0), mlp(128, 'user', 0), null);
  assert.deepEqual(
    plan.layers.map((l) => [l.name, l.role, l.index]),
    [
      ['fc1', 'input', 1],
      ['fc2', 'hidden', 2],
      ['head', 'readout', 4], // recorded at the rescaling's output, under the readout's name
    ],
  );
  assert.match(plan.notes.join('\n'), /readout 'head' is measured after the rescaling/);
});

test('a rescaling right before the readout is its multiplier: not recorded on its own', () => {
  const a: LayerShape[] = [
    { className: 'InputLayer', name: 'x', inDim: 8, outDim: 8, inbound: [], hasWeights: false, isInput: true },
    { className: 'Dense', name: 'h', inDim: 8, outDim: 64, inbound: [0], hasWeights: true, isInput: false },
    { className: 'Rescaling', name: 'mult', inDim: 64, outDim: 64, inbound: [1], hasWeights: false, isInput: false },
    { className: 'Dense', name: 'out', inDim: 64, outDim: 4, inbound: [2], hasWeights: true, isInput: false },
  ];
  const b = a.map((l) => ({ ...l, inDim: l.inDim === 64 ? 128 : l.inDim, outDim: l.outDim === 64 ? 128 : l.outDim }));
  const plan = planLayers(a, b, null);
  assert.deepEqual(plan.layers.map((l) => [l.name, l.role, l.index]), [['h', 'input', 1], ['out', 'readout', 3]]);
});

test('automatic tfjs names (different on every build) become stable names, from the analyzer when it knows them', () => {
  const src = { file: '/w/model.ts', exportName: 'mlp', layers: [info('inp', 'tf.layers.dense', 7), info(null, 'tf.layers.dense', 8), info(null, 'tf.layers.dense', 9), info(null, 'tf.layers.rescaling', 10), info('other', 'tf.layers.dense', 30, 'gpt')] };
  const plan = planLayers(mlp(64, 'auto', 0), mlp(128, 'auto', 10), src);
  assert.deepEqual(
    plan.layers.map((l) => [l.name, l.source?.line]),
    [
      ['inp', 7],
      ['dense_1', 8],
      ['dense_2', 9],
    ],
  );
  assert.equal(plan.layers[2].source?.file, '/w/model.ts');
});

test('user-given names match the analyzer by name', () => {
  const src = { file: '/w/m.ts', exportName: 'mlp', layers: [info('head', 'tf.layers.dense', 20), info('fc2', 'tf.layers.dense', 15), info('fc1', 'tf.layers.dense', 12)] };
  const plan = planLayers(mlp(64, 'user', 0), mlp(128, 'user', 0), src);
  assert.deepEqual(plan.layers.map((l) => [l.name, l.source?.line]), [['fc1', 12], ['fc2', 15], ['head', 20]]);
});

test('layers made in a loop take the line of their call; a custom class matches by its name', () => {
  const block = (w: number, i: number, at: number): LayerShape[] => [
    { className: 'LayerNormalization', name: `ln_${i}`, inDim: w, outDim: w, inbound: [at], hasWeights: true, isInput: false },
    { className: 'MupCausalSelfAttention', name: `attn_${i}`, inDim: w, outDim: w, inbound: [at + 1], hasWeights: true, isInput: false },
  ];
  const model = (w: number): LayerShape[] => [
    { className: 'InputLayer', name: 'x', inDim: 8, outDim: 8, inbound: [], hasWeights: false, isInput: true },
    ...block(w, 0, 0),
    ...block(w, 1, 2),
  ];
  const src = { file: '/w/gpt.ts', exportName: 'gpt', layers: [info(null, 'tf.layers.layerNormalization', 20, 'gpt'), { ...info(null, 'CausalSelfAttention', 21, 'gpt'), role: 'attention' as const }] };
  const plan = planLayers(model(64), model(128), src);
  assert.deepEqual(plan.layers.map((l) => [l.name, l.role, l.source?.line]), [
    ['ln_0', 'norm', 20],
    ['attn_0', 'attention', 21],
    ['ln_1', 'norm', 20],
    ['attn_1', 'attention', 21],
  ]);
});

test('a layer with a known call site takes that line, in a helper file too, and the analyzer entry there names it', () => {
  // input, dense (model.ts:6), two hidden denses from one call in a loop (blocks.ts:4), the readout (model.ts:9)
  // and its rescaling
  const shapes = (w: number, k: number): LayerShape[] => [
    { className: 'InputLayer', name: `input${k}`, inDim: 32, outDim: 32, inbound: [], hasWeights: false, isInput: true },
    { className: 'Dense', name: `dense_Dense${k + 1}`, inDim: 32, outDim: w, inbound: [0], hasWeights: true, isInput: false, site: { file: '/m/model.ts', line: 6 } },
    { className: 'Dense', name: `dense_Dense${k + 2}`, inDim: w, outDim: w, inbound: [1], hasWeights: true, isInput: false, site: { file: '/m/blocks.ts', line: 4 } },
    { className: 'Dense', name: `dense_Dense${k + 3}`, inDim: w, outDim: w, inbound: [2], hasWeights: true, isInput: false, site: { file: '/m/blocks.ts', line: 4 } },
    { className: 'Dense', name: `dense_Dense${k + 4}`, inDim: w, outDim: 10, inbound: [3], hasWeights: true, isInput: false, site: { file: '/m/model.ts', line: 9 } },
    { className: 'Rescaling', name: `rescaling_Rescaling${k + 1}`, inDim: 10, outDim: 10, inbound: [4], hasWeights: false, isInput: false, site: { file: '/m/model.ts', line: 10 } },
  ];
  const a = shapes(64, 0);
  const b = shapes(128, 10);
  const helper = [{ ...info('block', 'tf.layers.dense', 3, 'hiddenBlock'), endLine: 5 }];
  const asked: string[] = [];
  const plan = planLayers(a, b, {
    file: '/m/model.ts',
    exportName: 'mlp',
    // the model file's own list also has a dense at line 7 that no built layer came from: order matching must
    // not hand it to the helper's layers
    layers: [info('inp', 'tf.layers.dense', 6), info('stray', 'tf.layers.dense', 7), info('logits', 'tf.layers.dense', 9)],
    layersOf: (f) => (asked.push(f), f === '/m/blocks.ts' ? helper : null),
  });
  assert.deepEqual(
    plan.layers.map((l) => [l.name, l.role, l.source?.file, l.source?.line]),
    [
      ['inp', 'input', '/m/model.ts', 6],
      ['block', 'hidden', '/m/blocks.ts', 4],
      ['dense_1', 'hidden', '/m/blocks.ts', 4],
      ['logits', 'readout', '/m/model.ts', 9],
    ],
  );
  assert.ok(asked.every((f) => f === '/m/blocks.ts'), asked.join());
});
