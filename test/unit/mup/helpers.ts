// Shared fixtures for the runtime's tests: tiny MLPs in muP and SP form on the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { createMup, type MupRuntime } from '../../../src/mup/index';

export { tf };
export const mup: MupRuntime = createMup(tf);

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

export const IN = 8;
export const OUT = 4;

export interface MlpOptions {
  /** muP form (fan-in input, MuReadout) or SP twin (fan-in everywhere, plain dense readout). */
  mu: boolean;
  baseWidth: number;
  seed?: number;
  /** MuReadout default init (no seed) instead of a seeded muReadoutInit. */
  defaultReadoutInit?: boolean;
  readoutZeroInit?: boolean;
}

/** 8 -> W -> W -> 4, ReLU. Same seeds in both forms, so at the base width they draw identical weights. */
export function mlp(width: number, o: MlpOptions): tf.LayersModel {
  const seed = o.seed ?? 1;
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: width, inputShape: [IN], activation: 'relu', kernelInitializer: mup.muFanIn({ seed }) }));
  m.add(tf.layers.dense({ units: width, activation: 'relu', kernelInitializer: mup.muFanIn({ seed: seed + 1 }) }));
  if (o.mu) {
    m.add(
      new mup.MuReadout({
        units: OUT,
        baseWidth: o.baseWidth,
        readoutZeroInit: o.readoutZeroInit,
        kernelInitializer: o.defaultReadoutInit || o.readoutZeroInit
          ? undefined
          : mup.muReadoutInit({ baseFanIn: o.baseWidth, seed: seed + 2 }),
      }),
    );
  } else {
    m.add(tf.layers.dense({ units: OUT, kernelInitializer: mup.muFanIn({ seed: seed + 2 }) }));
  }
  return m;
}

/** One fixed batch, deterministic. */
export function batch(n = 16): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return tf.tidy(() => ({
    x: tf.randomNormal([n, IN], 0, 1, 'float32', 7) as tf.Tensor2D,
    y: tf.randomNormal([n, OUT], 0, 1, 'float32', 8) as tf.Tensor2D,
  }));
}

export function mseLoss(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): () => tf.Scalar {
  return () => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
}

export function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}
