// The hover text on a layer: role, what scales with width, and the muP init / LR / output multipliers in terms of
// the user's base width (MUP.md's table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerInfo } from '../../src/analyzer/types';
import { layerHoverMarkdown } from '../../src/language/hoverText';

const base: LayerInfo = {
  name: 'fc2', kind: 'tf.layers.dense', role: 'hidden', fanInScales: true, fanOutScales: true, outputScaled: false,
  factory: 'mlp', line: 5, column: 13, endLine: 5, endColumn: 40,
};

function row(md: string, label: string): string {
  const line = md.split('\n').find((l) => l.startsWith(`| ${label} |`));
  assert.ok(line, `a "${label}" row in:\n${md}`);
  return line;
}

test('hidden layer: both dimensions scale, fan-in init, Adam LR x1/m', () => {
  const md = layerHoverMarkdown(base, 64);
  assert.match(md.split('\n')[0], /^\*\*muP: hidden layer\*\* `fc2` \(`tf\.layers\.dense` in mlp\(\)\)$/);
  assert.match(row(md, 'scales with width'), /fan-in and fan-out/);
  assert.match(row(md, 'init'), /mode: 'fanIn'/);
  assert.match(row(md, 'LR multiplier'), /Adam ×1\/m \(64\/width\); SGD ×1/);
  assert.match(row(md, 'output multiplier'), /×1 \|$/);
  assert.ok(!md.includes('Output is'), 'no readout status on a hidden layer');
});

test('readout: output x base/width with the configured base width, and whether it is scaled', () => {
  const readout = { ...base, role: 'readout' as const, fanOutScales: false };
  const md = layerHoverMarkdown(readout, 128);
  assert.match(row(md, 'scales with width'), /\| fan-in \|/);
  assert.match(row(md, 'output multiplier'), /×1\/m = 128\/width/);
  assert.match(row(md, 'output multiplier'), /scale: 128 \/ width/);
  assert.match(row(md, 'LR multiplier'), /Adam ×1 .*SGD ×m \(m = width\/128\)/);
  assert.match(md, /m = width \/ 128/);
  assert.match(md, /\$\(warning\) Output is not scaled by 1\/m \(`mup\/readout-not-scaled`\)/);
  assert.match(layerHoverMarkdown({ ...readout, outputScaled: true }, 128), /\$\(check\) Output is scaled by 1\/m\./);
});

test('input layer: fan-out scales, Adam LR constant, SGD x m', () => {
  const md = layerHoverMarkdown({ ...base, role: 'input', fanInScales: false }, 64);
  assert.match(md.split('\n')[0], /input layer/);
  assert.match(row(md, 'role'), /fixed → width/);
  assert.match(row(md, 'LR multiplier'), /Adam ×1 \(the global LR\); SGD ×m/);
});

test('attention: attnMult/d instead of 1/sqrt(d)', () => {
  const md = layerHoverMarkdown({ ...base, role: 'attention', name: null, kind: 'tf.matMul' }, 64);
  assert.match(md.split('\n')[0], /^\*\*muP: attention\*\* \(`tf\.matMul` in mlp\(\)\)$/);
  assert.match(row(md, 'output multiplier'), /attnMult \/ d_head` instead of `\/ √d_head`/);
});

test('an unknown-role layer with only fan-in scaling is a readout for muP', () => {
  const md = layerHoverMarkdown({ ...base, role: 'other', fanOutScales: false, outputScaled: false }, 64);
  assert.match(row(md, 'output multiplier'), /×1\/m = 64\/width/);
  assert.match(md, /Output is not scaled/);
});
