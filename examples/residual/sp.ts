// A pre-LayerNorm residual MLP with a depth knob, in standard parametrization (SP): tfjs defaults everywhere and
// residual branches added at full strength (x 1). The same network as the PyTorch reference of /docs/mup.md
// "Depth" (width 128, depths 2..32): input 32 -> width, `depth` blocks h = h + fc2(relu(fc1(LN(h)))), a final
// LayerNorm and a readout to 10 classes. Its residual stream grows with depth (each block adds an O(1) update), so
// `mup-lens coord examples/residual/sp.ts#resnet --sp --depths 2,4,8,16,32 --widths 128` fails on it, and
// `mup-lens lint` flags the residual additions (mup/residual-depth-unscaled). Its CompleteP twin: completep.ts.
import * as tf from '@tensorflow/tfjs';

export const IN_DIM = 32;
export const OUT_DIM = 10;
export const BASE_DEPTH = 2;

export function resnet(width: number, { depth = BASE_DEPTH }: { depth?: number } = {}): tf.LayersModel {
  const input = tf.input({ shape: [IN_DIM] });
  let h = tf.layers.dense({ units: width, name: 'input' }).apply(input) as tf.SymbolicTensor;
  for (let i = 0; i < depth; i++) {
    const n = tf.layers.layerNormalization({ name: `ln_${i}` }).apply(h);
    const a = tf.layers.dense({ units: width, activation: 'relu', name: `fc1_${i}` }).apply(n);
    const f = tf.layers.dense({ units: width, name: `fc2_${i}` }).apply(a) as tf.SymbolicTensor;
    h = tf.layers.add({ name: `res_${i}` }).apply([h, f]) as tf.SymbolicTensor;
  }
  const out = tf.layers.layerNormalization({ name: 'final_norm' }).apply(h);
  const logits = tf.layers.dense({ units: OUT_DIM, name: 'readout' }).apply(out) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}
