// A pre-LayerNorm transformer written the way a tfjs user writes one with the functional API (bench/speed.ts
// profiles it beside examples/gpt): q, k, v, output and MLP projections are tf.layers.dense on 3-D inputs (the
// path that tfjs-layers runs through a reshape to 2-D), attention is one weightless custom layer over [q, k, v],
// GELU in the MLP, 4 blocks, batch 8 x 64 tokens. muP form: fan-in init, attention x ATTN_MULT / d_head, a zero
// readout x BASE_WIDTH / width. bench/gpt_torch.py --model preln is its PyTorch twin.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { charBatches } from '../../examples/data/corpus';

export const VOCAB = 64;
export const SEQ_LEN = 64;
export const BATCH = 8;
export const N_HEADS = 4;
export const N_LAYERS = 4;
export const BASE_WIDTH = 64;
export const ATTN_MULT = 4;

const fanIn = () => tf.initializers.varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' });

/** Learned positions added to the token embeddings. */
class Positions extends tf.layers.Layer {
  static className = 'PreLnPositions';
  private table!: tf.LayerVariable;
  constructor(private readonly dModel: number) {
    super({});
  }
  override build(): void {
    this.table = this.addWeight('table', [SEQ_LEN, this.dModel], 'float32', tf.initializers.randomNormal({ stddev: 0.02 }));
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.add(Array.isArray(inputs) ? inputs[0]! : inputs, this.table.read());
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), dModel: this.dModel };
  }
}
tf.serialization.registerClass(Positions);

/** Causal multi-head attention over projected [q, k, v] ([batch, time, width] each); no weights of its own. */
class CausalAttention extends tf.layers.Layer {
  static className = 'PreLnCausalAttention';
  constructor(private readonly dModel: number) {
    super({});
  }
  override computeOutputShape(shapes: tf.Shape | tf.Shape[]): tf.Shape {
    return (shapes as tf.Shape[])[0]!;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [q, k, v] = inputs as tf.Tensor3D[];
      const [b, t, d] = q!.shape;
      const dHead = d / N_HEADS;
      const split = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [b, t, N_HEADS, dHead]), [0, 2, 1, 3]);
      const scores = tf.mul(tf.matMul(split(q!), split(k!), false, true), ATTN_MULT / dHead);
      const causal = tf.linalg.bandPart(tf.ones([t, t]), -1, 0);
      const att = tf.softmax(tf.add(scores, tf.mul(tf.sub(1, causal), -1e9)));
      return tf.reshape(tf.transpose(tf.matMul(att, split(v!)), [0, 2, 1, 3]), [b, t, d]);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), dModel: this.dModel };
  }
}
tf.serialization.registerClass(CausalAttention);

export function preln(width: number): tf.LayersModel {
  const tokens = tf.input({ shape: [SEQ_LEN], dtype: 'int32' });
  const dense = (units: number, activation?: 'gelu') => tf.layers.dense({ units, activation, kernelInitializer: fanIn() });
  let x = tf.layers.embedding({ inputDim: VOCAB, outputDim: width }).apply(tokens) as tf.SymbolicTensor;
  x = new Positions(width).apply(x) as tf.SymbolicTensor;
  for (let i = 0; i < N_LAYERS; i++) {
    const h = tf.layers.layerNormalization().apply(x) as tf.SymbolicTensor;
    const qkv = [dense(width), dense(width), dense(width)].map((l) => l.apply(h) as tf.SymbolicTensor);
    const att = new CausalAttention(width).apply(qkv) as tf.SymbolicTensor;
    x = tf.layers.add().apply([x, dense(width).apply(att) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const m = tf.layers.layerNormalization().apply(x) as tf.SymbolicTensor;
    const up = dense(4 * width, 'gelu').apply(m) as tf.SymbolicTensor;
    x = tf.layers.add().apply([x, dense(width).apply(up) as tf.SymbolicTensor]) as tf.SymbolicTensor;
  }
  x = tf.layers.layerNormalization().apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: VOCAB, kernelInitializer: 'zeros' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: tf.layers.rescaling({ scale: BASE_WIDTH / width }).apply(logits) as tf.SymbolicTensor });
}

export const data = charBatches(join(__dirname, '../../examples/data/kjv.txt'), { seqLen: SEQ_LEN, vocab: VOCAB, batch: BATCH });
