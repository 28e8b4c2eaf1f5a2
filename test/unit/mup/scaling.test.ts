// The point of the runtime: with MuReadout + fan-in init + MuAdam, the readout's output after a few large Adam
// steps stays the same size as width grows; the SP twin's grows ~ like width (docs/mup.md, coordinate check).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mup, tf, useCpu } from './helpers';

before(useCpu);

const B = 32;
const WIDTHS = [32, 64, 128, 256];

function model(width: number, mu: boolean, seed: number): tf.LayersModel {
  const layers: tf.layers.Layer[] = [
    tf.layers.dense({ units: width, inputShape: [16], activation: 'relu', kernelInitializer: mup.muFanIn({ seed }) }),
    tf.layers.dense({ units: width, activation: 'relu', kernelInitializer: mup.muFanIn({ seed: seed + 1 }) }),
  ];
  layers.push(
    mu
      ? new mup.MuReadout({ units: 10, baseWidth: B, readoutZeroInit: true })
      : tf.layers.dense({ units: 10, kernelInitializer: 'zeros' }),
  );
  return tf.sequential({ layers });
}

/** mean |readout output| after `steps` Adam steps at lr 1e-2 on one fixed batch, per width. */
function readoutL1(mu: boolean, steps: number): number[] {
  const x = tf.randomNormal([32, 16], 0, 1, 'float32', 11);
  const y = tf.randomNormal([32, 10], 0, 1, 'float32', 12);
  const bs = mu ? mup.inferBaseShapes((w) => model(w, true, 1), { baseWidth: B }) : null;
  const out = WIDTHS.map((w) => {
    const m = model(w, mu, 1);
    const opt = bs ? new mup.MuAdam({ learningRate: 1e-2, params: mup.applyBaseShapes(m, bs, w) }) : tf.train.adam(1e-2);
    const loss = () => tf.losses.meanSquaredError(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    for (let t = 0; t < steps; t++) tf.dispose(opt.minimize(loss, true) ?? undefined);
    const l1 = tf.tidy(() => tf.abs(m.predict(x) as tf.Tensor).mean().dataSync()[0]);
    opt.dispose();
    m.dispose();
    return l1;
  });
  tf.dispose([x, y]);
  return out;
}

function slope(l1: number[]): number {
  const xs = WIDTHS.map(Math.log);
  const ys = l1.map(Math.log);
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i] - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

describe('width scaling of the readout after Adam steps', () => {
  for (const steps of [1, 3]) {
    it(`muP (MuReadout, zero init, MuAdam) stays flat where SP grows with width, after ${steps} step(s)`, () => {
      const sp = slope(readoutL1(false, steps));
      const mu = slope(readoutL1(true, steps));
      // measured here: SP 0.88 / 0.56, muP -0.05 / -0.03 (widths 32..256, cpu)
      assert.ok(sp > 0.4, `SP readout slope ${sp.toFixed(3)} should be large`);
      assert.ok(Math.abs(mu) < 0.15, `muP readout slope ${mu.toFixed(3)} should be ~0`);
    });
  }
});
