// The same MLP in muP (Tensor Programs V, Table 8; docs/mup.md): fan-in init on the input and hidden
// layers, a zero-initialised readout whose output is multiplied by 1/width_mult = BASE_WIDTH/width.
// At width = BASE_WIDTH it is the SP model. The per-group Adam LRs (hidden: lr/width_mult) are applied
// by the engine (`mup-lens coord|sweep --mup`), so this file creates no optimizer. Plain tfjs only.
import * as tf from '@tensorflow/tfjs';

export const IN_DIM = 32;
export const OUT_DIM = 10;
export const BASE_WIDTH = 64;

// variance 1/fan_in, constant in width for the input layer, 1/width for hidden layers
const fanIn = () => tf.initializers.varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' });

export function mlp(width: number, { outputMult = 1 }: { outputMult?: number } = {}): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IN_DIM], units: width, activation: 'relu', kernelInitializer: fanIn(), name: 'input' }),
      tf.layers.dense({ units: width, activation: 'relu', kernelInitializer: fanIn(), name: 'hidden1' }),
      tf.layers.dense({ units: width, activation: 'relu', kernelInitializer: fanIn(), name: 'hidden2' }),
      tf.layers.dense({ units: OUT_DIM, kernelInitializer: 'zeros', name: 'readout' }),
      // the readout's output multiplier: outputMult x 1/width_mult. `outputMult` is muP's tunable output multiplier
      // (mup's output_mult): tune it at a small width (`mup-lens sweep --hp outputMult=...`) and it transfers.
      tf.layers.rescaling({ scale: (outputMult * BASE_WIDTH) / width, name: 'readout_scale' }),
    ],
  });
}
