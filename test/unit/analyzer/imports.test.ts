// Each way a file can reach tfjs: the readout of the same MLP must be found whichever import style.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineOf, lint, only } from './helpers';

const body = (L: string, seq: string) => `
export function mlp(width) {
  return ${seq}({
    layers: [
      ${L}.dense({ inputShape: [32], units: width }),
      ${L}.dense({ units: width }),
      ${L}.dense({ units: 10 }),
    ],
  });
}
`;

const cases: [string, string][] = [
  ['namespace @tensorflow/tfjs', `import * as tf from '@tensorflow/tfjs';${body('tf.layers', 'tf.sequential')}`],
  ['namespace @tensorflow/tfjs-node', `import * as tf from '@tensorflow/tfjs-node';${body('tf.layers', 'tf.sequential')}`],
  ['namespace @tensorflow/tfjs-node-gpu', `import * as t from '@tensorflow/tfjs-node-gpu';${body('t.layers', 't.sequential')}`],
  ['namespace @tensorflow/tfjs-layers', `import * as tfl from '@tensorflow/tfjs-layers';${body('tfl.layers', 'tfl.sequential')}`],
  ['named imports', `import { layers, sequential } from '@tensorflow/tfjs';${body('layers', 'sequential')}`],
  ['renamed named imports', `import { layers as L, sequential as seq } from '@tensorflow/tfjs';${body('L', 'seq')}`],
  ['local alias', `import * as tf from '@tensorflow/tfjs';\nconst L = tf.layers;${body('L', 'tf.sequential')}`],
  ['CommonJS require', `const tf = require('@tensorflow/tfjs');${body('tf.layers', 'tf.sequential')}`],
  ['CommonJS require with destructuring', `const { layers, sequential } = require('@tensorflow/tfjs-node');${body('layers', 'sequential')}`],
  ['require with renaming destructuring', `const { layers: L, sequential: S } = require('@tensorflow/tfjs');${body('L', 'S')}`],
];

describe('import styles', () => {
  for (const [name, text] of cases) {
    it(`finds the readout with ${name}`, () => {
      const r = lint(text, name.includes('require') ? 'model.js' : 'model.ts');
      const f = only(r, 'mup/readout-not-scaled');
      assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => x.rule)));
      assert.equal(f[0].line, lineOf(text, 'units: 10'));
      assert.deepEqual(r.layers.map((l) => l.role), ['input', 'hidden', 'readout']);
    });
  }

  it('destructured layer constructors (`const { dense } = tf.layers`)', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
const { dense } = tf.layers;
export function mlp(width: number) {
  const model = tf.sequential();
  model.add(dense({ inputShape: [8], units: width }));
  model.add(dense({ units: 3 }));
  return model;
}`;
    const f = only(lint(text), 'mup/readout-not-scaled');
    assert.equal(f.length, 1);
    assert.equal(f[0].line, 6);
  });

  it('ignores code that does not use tfjs', () => {
    const text = `import * as other from 'some-nn';
export function mlp(width: number) { return other.layers.dense({ units: 10 }).apply(other.layers.dense({ units: width }).apply(x)); }`;
    const r = lint(text);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.layers, []);
  });

  it('counts MuReadout from mup-lens/runtime as a scaled readout, under any alias', () => {
    for (const imp of [`import { MuReadout as R } from 'mup-lens/runtime';`, `import * as mup from 'mup-lens/runtime';`]) {
      const ctor = imp.includes('* as') ? 'mup.MuReadout' : 'R';
      const text = `import * as tf from '@tensorflow/tfjs';
${imp}
export function mlp(width: number) {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: width, kernelInitializer: 'heNormal' }), new ${ctor}({ units: 3 })] });
}`;
      const r = lint(text);
      assert.deepEqual(only(r, 'mup/readout-not-scaled'), []);
      const ro = r.layers.find((l) => l.kind === ctor);
      assert.equal(ro?.role, 'readout');
      assert.equal(ro?.outputScaled, true);
    }
  });
});

describe('mup-lens/runtime forms', () => {
  it('muReadout(args), default import `mup.MuReadout`, and muFanIn() as a fan-in init', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
import mup, { muReadout, muFanIn } from 'mup-lens/runtime';
export function mlp(width: number) {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [8], units: width, kernelInitializer: muFanIn() }),
    muReadout({ units: 3 }),
    new mup.MuReadout({ units: 3 }),
  ] });
}`;
    const r = lint(text);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.layers.map((l) => [l.kind, l.role, l.outputScaled]), [['tf.layers.dense', 'input', false], ['muReadout', 'readout', true], ['mup.MuReadout', 'readout', true]]);
  });
});
