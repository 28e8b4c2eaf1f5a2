// The reference MLP of docs/mup.md (32 -> W -> W -> W -> 10, ReLU) in standard parametrization (SP):
// tfjs defaults everywhere. `mup-lens lint` flags its readout and its fan-average init; its coordinate
// check blows up with width (readout slope about +1.3 at t = 2 in tfjs).
import * as tf from '@tensorflow/tfjs';

export const IN_DIM = 32;
export const OUT_DIM = 10;

export function mlp(width: number, { outputMult = 1 }: { outputMult?: number } = {}): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IN_DIM], units: width, activation: 'relu', name: 'input' }),
      tf.layers.dense({ units: width, activation: 'relu', name: 'hidden1' }),
      tf.layers.dense({ units: width, activation: 'relu', name: 'hidden2' }),
      tf.layers.dense({ units: OUT_DIM, name: 'readout' }),
      // `outputMult` multiplies the logits: a hyperparameter to tune (`mup-lens sweep --hp outputMult=2^-4:2^4:1`);
      // in SP its best value moves with width. Left out (or 1), the model is the plain one, with no extra layer.
      ...(outputMult === 1 ? [] : [tf.layers.rescaling({ scale: outputMult, name: 'output_mult' })]),
    ],
  });
}
