// The gradient of `Tile` as one reshape and one sum, instead of tfjs-core's loop of one Slice and one Add per
// repeat (gradients/Tile_grad: for [16, 32, 1] repeats of a LayerNormalization's gamma that is 512 Slice + 512
// Add kernels, and 11,500 of the 12,785 kernels of one training step of examples/gpt at width 64; issue 11).
// Same values: the gradient of x tiled `reps` times is dy folded back onto x, i.e. dy reshaped to
// [r0, x0, r1, x1, ...] and summed over the r axes. Any rank (tfjs-core's stops at 4).
import type { Registration, Tf } from './types';

/** Splits dy's shape into (repeat, size) pairs; dimensions that need no sum are not split. */
export function tileGradPlan(xShape: readonly number[], reps: readonly number[]): { split: number[]; sumAxes: number[] } {
  if (xShape.length !== reps.length) throw new Error(`Tile gradient: reps [${reps.join(',')}] must have one entry per dimension of x [${xShape.join(',')}]`);
  const split: number[] = [];
  const sumAxes: number[] = [];
  xShape.forEach((n, i) => {
    const r = reps[i]!;
    if (r === 1) {
      split.push(n);
      return;
    }
    sumAxes.push(split.length);
    split.push(r);
    if (n !== 1) split.push(n);
  });
  return { split, sumAxes };
}

/** d(tile(x, reps))/dx for the upstream gradient `dy` (shape x.shape[i] * reps[i]). */
export function tileGradient(tf: Tf, dy: import('@tensorflow/tfjs').Tensor, xShape: number[], reps: number[]): import('@tensorflow/tfjs').Tensor {
  const { split, sumAxes } = tileGradPlan(xShape, reps);
  return tf.tidy(() => (sumAxes.length === 0 ? tf.reshape(dy, xShape) : tf.reshape(tf.sum(tf.reshape(dy, split), sumAxes), xShape)));
}

export function registerTileGrad(tf: Tf): Registration | null {
  const original = tf.getGradient('Tile');
  tf.registerGradient({
    kernelName: 'Tile',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const reps = (attrs as { reps: number[] }).reps;
      return { x: () => tileGradient(tf, dy as import('@tensorflow/tfjs').Tensor, x!.shape, reps) };
    },
  });
  return {
    name: 'Tile gradient',
    restore: () => (original ? tf.registerGradient(original) : tf.unregisterGradient('Tile')),
  };
}
