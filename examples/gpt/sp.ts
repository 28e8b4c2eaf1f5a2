// A small GPT-style character model in standard parametrization (SP), GPT-2 style: fixed-std 0.02
// init, attention logits scaled by 1/sqrt(d_head), a plain dense readout. `mup-lens lint` flags the
// attention scale, the readout and the fixed-std hidden inits; examples/gpt/mup.ts is the muP twin.
// tokens [batch, SEQ_LEN] -> embedding(VOCAB, width) + positions -> depth (default 2) x (causal self-attention + MLP,
// pre-LayerNorm, residual) -> LayerNorm -> readout [batch, SEQ_LEN, VOCAB]
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { charBatches } from '../data/corpus';

export const VOCAB = 64;
export const SEQ_LEN = 32;
export const N_HEADS = 4;
export const N_LAYERS = 2;

const gpt2Init = () => tf.initializers.randomNormal({ mean: 0, stddev: 0.02 });

/** Learned position embeddings added to the token embeddings. */
class PositionEmbedding extends tf.layers.Layer {
  static className = 'SpPositionEmbedding';
  private readonly dModel: number;
  private table!: tf.LayerVariable;

  constructor(args: { dModel: number; name?: string }) {
    super(args);
    this.dModel = args.dModel;
  }

  override build(): void {
    this.table = this.addWeight('table', [SEQ_LEN, this.dModel], 'float32', gpt2Init());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.add(x, this.table.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), dModel: this.dModel };
  }
}
tf.serialization.registerClass(PositionEmbedding);

/** Multi-head causal self-attention with its q, k, v and output projections. */
class CausalSelfAttention extends tf.layers.Layer {
  static className = 'SpCausalSelfAttention';
  private readonly dModel: number;
  private readonly dHead: number;
  private readonly scale: number;
  private wq!: tf.LayerVariable;
  private wk!: tf.LayerVariable;
  private wv!: tf.LayerVariable;
  private wo!: tf.LayerVariable;

  constructor(args: { dModel: number; name?: string }) {
    super(args);
    this.dModel = args.dModel;
    this.dHead = this.dModel / N_HEADS;
    this.scale = 1 / Math.sqrt(this.dHead);
  }

  override build(): void {
    const d = this.dModel;
    this.wq = this.addWeight('wq', [d, d], 'float32', gpt2Init());
    this.wk = this.addWeight('wk', [d, d], 'float32', gpt2Init());
    this.wv = this.addWeight('wv', [d, d], 'float32', gpt2Init());
    this.wo = this.addWeight('wo', [d, d], 'float32', gpt2Init());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [b, t, d] = x.shape;
      const flat = x.reshape([b * t, d]);
      // [b*t, d] -> [b, heads, t, d_head]
      const heads = (w: tf.LayerVariable) => tf.matMul(flat, w.read() as tf.Tensor2D).reshape([b, t, N_HEADS, this.dHead]).transpose([0, 2, 1, 3]);
      const q = heads(this.wq);
      const k = heads(this.wk);
      const v = heads(this.wv);
      const scores = tf.matMul(q, k, false, true);
      const scaled = tf.mul(scores, this.scale);
      // causal mask: -1e9 above the diagonal
      const mask = tf.linalg.bandPart(tf.ones([t, t]), -1, 0);
      const att = tf.softmax(tf.add(scaled, tf.mul(tf.sub(1, mask), -1e9)));
      const y = tf.matMul(att, v).transpose([0, 2, 1, 3]).reshape([b * t, d]);
      return tf.matMul(y, this.wo.read() as tf.Tensor2D).reshape([b, t, d]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), dModel: this.dModel };
  }
}
tf.serialization.registerClass(CausalSelfAttention);

/**
 * The model at `width`; `depth` (default N_LAYERS = 2) is the number of transformer blocks, read like a swept
 * hyperparameter (`mup-lens sweep ... --depths 2,8`, or `--hp depth=...`).
 */
export function gpt(width: number, { depth = N_LAYERS }: { depth?: number } = {}): tf.LayersModel {
  if (!(Number.isInteger(depth) && depth >= 1)) throw new Error(`gpt: depth must be a positive integer, got ${depth}`);
  const tokens = tf.input({ shape: [SEQ_LEN], dtype: 'int32', name: 'tokens' });
  let x = tf.layers.embedding({ inputDim: VOCAB, outputDim: width, embeddingsInitializer: gpt2Init(), name: 'wte' }).apply(tokens) as tf.SymbolicTensor;
  x = new PositionEmbedding({ dModel: width, name: 'wpe' }).apply(x) as tf.SymbolicTensor;
  for (let i = 0; i < depth; i++) {
    let h = tf.layers.layerNormalization({ name: `ln1_${i}` }).apply(x) as tf.SymbolicTensor;
    h = new CausalSelfAttention({ dModel: width, name: `attn_${i}` }).apply(h) as tf.SymbolicTensor;
    x = tf.layers.add().apply([x, h]) as tf.SymbolicTensor;
    h = tf.layers.layerNormalization({ name: `ln2_${i}` }).apply(x) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 4 * width, activation: 'relu', kernelInitializer: gpt2Init(), name: `fc_${i}` }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: width, kernelInitializer: gpt2Init(), name: `proj_${i}` }).apply(h) as tf.SymbolicTensor;
    x = tf.layers.add().apply([x, h]) as tf.SymbolicTensor;
  }
  x = tf.layers.layerNormalization({ name: 'ln_f' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: VOCAB, name: 'readout' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: logits });
}

/**
 * Training data for sweeps and coordinate checks (`mup-lens sweep examples/gpt/<file>.ts#gpt`): next-character
 * batches of 16 windows from examples/data/kjv.txt (King James Version, public domain), `(step, {seed}) =>
 * {xs: token ids [16, SEQ_LEN], ys: one-hot [16, SEQ_LEN, VOCAB]}`.
 */
export const data = charBatches(join(__dirname, '../data/kjv.txt'), { seqLen: SEQ_LEN, vocab: VOCAB, batch: 16 });
