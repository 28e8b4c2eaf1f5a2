// The residual MLP of sp.ts in CompleteP (arXiv 2505.01618; docs/mup.md "Depth"): muP in width (fan-in init, a
// zero-initialised readout x 1/width_mult) and, in depth, every residual branch multiplied by
// (depth / BASE_DEPTH)^-ALPHA with ALPHA = 1, so that the residual stream and each block's update stay the same
// size at any depth (`branchMultiplier(depth, {baseDepth: BASE_DEPTH})` of mup-lens/runtime is the same number).
// At depth = BASE_DEPTH and width = BASE_WIDTH it computes what an SP model with fan-in init would. CompleteP keeps
// the Adam LR of the hidden weights at every depth (x (L/L_base)^(ALPHA-1) = 1) and scales Adam's epsilon by
// (L/L_base)^-ALPHA (MuAdam's `depth` option). The per-group width LRs are applied by the engine (`--mup`).
// `mup-lens coord examples/residual/completep.ts#resnet --depths 2,4,8,16,32 --widths 128` passes. Plain tfjs only.
import * as tf from '@tensorflow/tfjs';

export const IN_DIM = 32;
export const OUT_DIM = 10;
export const BASE_WIDTH = 128;
export const BASE_DEPTH = 2;
/** CompleteP's depth exponent: 1 (0.5 is depth-muP, Tensor Programs VI; 0 is SP). */
export const ALPHA = 1;

// variance 1/fan_in (muP input and hidden weights)
const fanIn = () => tf.initializers.varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' });

export function resnet(width: number, { depth = BASE_DEPTH }: { depth?: number } = {}): tf.LayersModel {
  const input = tf.input({ shape: [IN_DIM] });
  let h = tf.layers.dense({ units: width, kernelInitializer: fanIn(), name: 'input' }).apply(input) as tf.SymbolicTensor;
  for (let i = 0; i < depth; i++) {
    const n = tf.layers.layerNormalization({ name: `ln_${i}` }).apply(h);
    const a = tf.layers.dense({ units: width, activation: 'relu', kernelInitializer: fanIn(), name: `fc1_${i}` }).apply(n);
    const f = tf.layers.dense({ units: width, kernelInitializer: fanIn(), name: `fc2_${i}` }).apply(a);
    // the residual branch x (L / L_base)^-alpha (CompleteP)
    const branch = tf.layers.rescaling({ scale: (depth / BASE_DEPTH) ** -ALPHA, name: `branch_${i}` }).apply(f) as tf.SymbolicTensor;
    h = tf.layers.add({ name: `res_${i}` }).apply([h, branch]) as tf.SymbolicTensor;
  }
  const out = tf.layers.layerNormalization({ name: 'final_norm' }).apply(h);
  const logits = tf.layers.dense({ units: OUT_DIM, kernelInitializer: 'zeros', name: 'readout' }).apply(out);
  // the readout's output multiplier 1/width_mult
  const scaled = tf.layers.rescaling({ scale: BASE_WIDTH / width, name: 'readout_scale' }).apply(logits) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: scaled });
}
