// The small GPT-style character model in muP (Tensor Programs V; docs/mup.md): fan-in init on every
// width -> width matrix, zero-initialised query projection, attention logits x attnMult/d_head, and a
// zero-initialised readout whose output is multiplied by outputMult/width_mult = outputMult * BASE_WIDTH/width.
// At width = BASE_WIDTH (d_head 16) it has examples/gpt/sp.ts's init stds (GPT-2's 0.02 on every weight; muP keeps
// that std at the base width and scales the hidden ones by 1/sqrt(width_mult)) and its 1/sqrt(d_head) attention;
// it differs from sp.ts there only in the zero-initialised query and readout. (The first version used variance 1/fan_in, a std of
// 0.125 at the base width: its blocks drowned the 0.03 token embedding and it trailed SP by 0.2 nats;
// docs/mup.md "The GPT example".) The per-group Adam LRs (hidden: lr/width_mult) are applied by the engine
// (`--mup`). Plain tfjs only.
// tokens [batch, SEQ_LEN] -> embedding(VOCAB, width) + positions -> depth (default 2) x (causal self-attention
// + MLP, pre-LayerNorm, residual) -> LayerNorm -> readout [batch, SEQ_LEN, VOCAB]
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { charBatches } from '../data/corpus';

export const VOCAB = 64;
export const SEQ_LEN = 32;
export const N_HEADS = 4;
export const N_LAYERS = 2;
export const BASE_WIDTH = 64;
/** muP attention multiplier: attn_mult/d_head equals 1/sqrt(d_head) at the base head size 16 = sqrt(16)/16. */
export const ATTN_MULT = 4;
/** The std of every weight at the base width (GPT-2's, as in examples/gpt/sp.ts). */
export const INIT_STD = 0.02;

/**
 * muP's hidden init: variance initStd^2 * baseFanIn / fan_in (proportional to 1/fan_in, and std initStd at the base
 * width, where fan_in = baseFanIn).
 */
const fanIn = (initStd: number, baseFanIn: number) =>
  tf.initializers.varianceScaling({ scale: initStd * initStd * baseFanIn, mode: 'fanIn', distribution: 'uniform' });
/** Input weights (embedding, positions): a std constant in width. */
const inputInit = (initStd: number) => tf.initializers.randomNormal({ mean: 0, stddev: initStd });

/** Learned position embeddings added to the token embeddings (vector-like: width-independent init). */
class PositionEmbedding extends tf.layers.Layer {
  static className = 'MupPositionEmbedding';
  private readonly dModel: number;
  private readonly initStd: number;
  private table!: tf.LayerVariable;

  constructor(args: { dModel: number; initStd?: number; name?: string }) {
    super(args);
    this.dModel = args.dModel;
    this.initStd = args.initStd ?? INIT_STD;
  }

  override build(): void {
    this.table = this.addWeight('table', [SEQ_LEN, this.dModel], 'float32', inputInit(this.initStd));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.add(x, this.table.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), dModel: this.dModel, initStd: this.initStd };
  }
}
tf.serialization.registerClass(PositionEmbedding);

/** Multi-head causal self-attention, muP-scaled: logits x attnMult/d_head, query projection zero-init. */
class CausalSelfAttention extends tf.layers.Layer {
  static className = 'MupCausalSelfAttention';
  private readonly dModel: number;
  private readonly dHead: number;
  private readonly attnMult: number;
  private readonly initStd: number;
  private readonly scale: number;
  private wq!: tf.LayerVariable;
  private wk!: tf.LayerVariable;
  private wv!: tf.LayerVariable;
  private wo!: tf.LayerVariable;

  constructor(args: { dModel: number; attnMult?: number; initStd?: number; name?: string }) {
    super(args);
    this.dModel = args.dModel;
    this.dHead = this.dModel / N_HEADS;
    this.attnMult = args.attnMult ?? ATTN_MULT;
    this.initStd = args.initStd ?? INIT_STD;
    this.scale = this.attnMult / this.dHead;
  }

  override build(): void {
    const d = this.dModel;
    this.wq = this.addWeight('wq', [d, d], 'float32', tf.initializers.zeros());
    this.wk = this.addWeight('wk', [d, d], 'float32', fanIn(this.initStd, BASE_WIDTH));
    this.wv = this.addWeight('wv', [d, d], 'float32', fanIn(this.initStd, BASE_WIDTH));
    this.wo = this.addWeight('wo', [d, d], 'float32', fanIn(this.initStd, BASE_WIDTH));
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
    return { ...super.getConfig(), dModel: this.dModel, attnMult: this.attnMult, initStd: this.initStd };
  }
}
tf.serialization.registerClass(CausalSelfAttention);

/** The hyperparameters the factory reads (each one a `mup-lens sweep --hp` axis); the defaults build the shipped model. */
export interface GptOptions {
  /** Transformer blocks (default N_LAYERS = 2). */
  depth?: number;
  /** The readout's output multiplier, on top of 1/width_mult (default 1). */
  outputMult?: number;
  /** The attention multiplier: logits x attnMult/d_head (default ATTN_MULT = 4: 1/sqrt(d_head) at the base width). */
  attnMult?: number;
  /** Every weight's init std at the base width (default INIT_STD = 0.02); hidden ones scale by 1/sqrt(width_mult). */
  initStd?: number;
}

export function gpt(width: number, { depth = N_LAYERS, outputMult = 1, attnMult = ATTN_MULT, initStd = INIT_STD }: GptOptions = {}): tf.LayersModel {
  if (!(Number.isInteger(depth) && depth >= 1)) throw new Error(`gpt: depth must be a positive integer, got ${depth}`);
  const tokens = tf.input({ shape: [SEQ_LEN], dtype: 'int32', name: 'tokens' });
  let x = tf.layers.embedding({ inputDim: VOCAB, outputDim: width, embeddingsInitializer: inputInit(initStd), name: 'wte' }).apply(tokens) as tf.SymbolicTensor;
  x = new PositionEmbedding({ dModel: width, initStd, name: 'wpe' }).apply(x) as tf.SymbolicTensor;
  // muP in width only: the residual branches carry no depth multiplier, so nothing here claims that the tuned values
  // transfer across `depth` (examples/residual/completep.ts shows the depth rule).
  for (let i = 0; i < depth; i++) {
    let h = tf.layers.layerNormalization({ name: `ln1_${i}` }).apply(x) as tf.SymbolicTensor;
    h = new CausalSelfAttention({ dModel: width, attnMult, initStd, name: `attn_${i}` }).apply(h) as tf.SymbolicTensor;
    // mup-ignore-next-line mup/residual-depth-unscaled
    x = tf.layers.add().apply([x, h]) as tf.SymbolicTensor;
    h = tf.layers.layerNormalization({ name: `ln2_${i}` }).apply(x) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 4 * width, activation: 'relu', kernelInitializer: fanIn(initStd, BASE_WIDTH), name: `fc_${i}` }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: width, kernelInitializer: fanIn(initStd, 4 * BASE_WIDTH), name: `proj_${i}` }).apply(h) as tf.SymbolicTensor;
    // mup-ignore-next-line mup/residual-depth-unscaled
    x = tf.layers.add().apply([x, h]) as tf.SymbolicTensor;
  }
  x = tf.layers.layerNormalization({ name: 'ln_f' }).apply(x) as tf.SymbolicTensor;
  const readout = tf.layers.dense({ units: VOCAB, kernelInitializer: 'zeros', name: 'readout' }).apply(x) as tf.SymbolicTensor;
  // the readout's output multiplier outputMult/width_mult
  const logits = tf.layers.rescaling({ scale: (outputMult * BASE_WIDTH) / width, name: 'readout_scale' }).apply(readout) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: logits });
}

/**
 * Training data for sweeps and coordinate checks (`mup-lens sweep examples/gpt/<file>.ts#gpt`): next-character
 * batches of 16 windows from examples/data/kjv.txt (King James Version, public domain), `(step, {seed}) =>
 * {xs: token ids [16, SEQ_LEN], ys: one-hot [16, SEQ_LEN, VOCAB]}`.
 */
export const data = charBatches(join(__dirname, '../data/kjv.txt'), { seqLen: SEQ_LEN, vocab: VOCAB, batch: 16 });
