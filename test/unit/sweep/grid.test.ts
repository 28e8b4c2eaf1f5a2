import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enumerateGrid, GridError, parseLrList, parseLrRange, parseShard, parseWidths, scheduleOrder, shardOf } from '../../../src/sweep/grid';

test('--lr-range gives log2-spaced LRs, both ends included', () => {
  assert.deepEqual(parseLrRange('2^-14:2^-4:0.5').map(Math.log2), Array.from({ length: 21 }, (_, i) => -14 + i / 2));
  assert.deepEqual(parseLrRange('2^-13:2^-5'), [-13, -12, -11, -10, -9, -8, -7, -6, -5].map((e) => 2 ** e));
  assert.deepEqual(parseLrRange('0.001:0.004:1'), [0.001, 0.002, 0.004]);
  // the same flag gives bit-identical numbers (the store matches trials by LR)
  assert.deepEqual(parseLrRange('2^-14:2^-4:0.5'), parseLrRange('2^-14:2^-4:0.5'));
});

test('bad LR and width flags say what is wrong', () => {
  assert.throws(() => parseLrRange('2^-14'), /start:stop\[:octaves\]/);
  assert.throws(() => parseLrRange('2^-14:2^-4:0'), /step \(in octaves\) must be > 0/);
  assert.throws(() => parseLrRange('0:1'), /must be learning rates > 0/);
  assert.throws(() => parseLrList('0.1,abc'), /'abc' is not a number/);
  assert.throws(() => parseLrList('0.1,-1'), /must be > 0/);
  assert.throws(() => parseWidths('64,12.5'), GridError);
  assert.deepEqual(parseLrList('2^-8, 1e-3,0.001'), [0.001, 2 ** -8]);
  assert.deepEqual(parseWidths('256,64,64'), [64, 256]);
});

test('shards partition the grid: disjoint, complete, each a mix of widths', () => {
  const grid = enumerateGrid([64, 128, 256], parseLrRange('2^-10:2^-4'), 2);
  assert.equal(grid.length, 3 * 7 * 2);
  const shards = [0, 1, 2, 3].map((i) => shardOf(grid, i, 4));
  const seen = shards.flat().map((p) => `${p.width}/${p.lr}/${p.seed}`);
  assert.equal(new Set(seen).size, grid.length);
  for (const s of shards) assert.deepEqual([...new Set(s.map((p) => p.width))].sort((a, b) => a - b), [64, 128, 256]);
  assert.deepEqual(parseShard('3/4'), { index: 3, count: 4 });
  assert.throws(() => parseShard('4/4'), /0 <= i < n/);
  assert.throws(() => parseShard('1-4'), /expected i\/n/);
});

test('the pool runs the widest trials first', () => {
  const order = scheduleOrder(enumerateGrid([64, 256], [0.1, 0.01], 1));
  assert.deepEqual(order.map((p) => [p.width, p.lr]), [[256, 0.01], [256, 0.1], [64, 0.01], [64, 0.1]]);
});
