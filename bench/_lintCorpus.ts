// Deterministic corpus for bench/lint.ts: model files of a given length, built from blocks that look
// like real tfjs model code (sequential and functional MLPs, custom attention layers, attention
// functions, training loops, data helpers, comments), with names varied per file.
const HEADER = [`import * as tf from '@tensorflow/tfjs';`, `const tf = require('@tensorflow/tfjs-node');`];

function blocks(i: number): string[] {
  return [
    `// ---- MLP ${i}: 32 -> W -> W -> 10 ------------------------------------------------
export const BASE_WIDTH_${i} = 64;
export function mlp${i}(width: number) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [32], units: width, activation: 'relu', name: 'in${i}' }));
  for (let j = 0; j < 2; j++) {
    model.add(tf.layers.dense({ units: width, activation: 'relu' }));
  }
  model.add(tf.layers.dense({ units: 10, name: 'out${i}' }));
  return model;
}
`,
    `/** Functional model ${i} with a bottleneck and a scaled readout. */
export function net${i}(cfg: { dModel: number; vocab: number }) {
  const inp = tf.input({ shape: [48] });
  let h = tf.layers.dense({ units: 4 * cfg.dModel, activation: 'relu' }).apply(inp) as tf.SymbolicTensor;
  h = tf.layers.dropout({ rate: 0.1 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: cfg.dModel, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.02 }) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.layerNormalization().apply(h) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: cfg.vocab, kernelInitializer: 'zeros' }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.rescaling({ scale: 64 / cfg.dModel }).apply(logits) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}
`,
    `class Attention${i} extends tf.layers.Layer {
  static className = 'Attention${i}';
  private readonly dHead: number;
  private readonly scale: number;
  private wq!: tf.LayerVariable;
  private wk!: tf.LayerVariable;
  constructor(private readonly dModel: number, private readonly nHeads = 4) {
    super({});
    this.dHead = dModel / nHeads;
    this.scale = 1 / Math.sqrt(this.dHead);
  }
  override build(): void {
    this.wq = this.addWeight('wq', [this.dModel, this.dModel], 'float32', tf.initializers.zeros());
    this.wk = this.addWeight('wk', [this.dModel, this.dModel], 'float32', tf.initializers.glorotUniform({}));
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [b, t, d] = x.shape;
      const q = tf.matMul(x.reshape([b * t, d]), this.wq.read() as tf.Tensor2D).reshape([b, t, d]);
      const k = tf.matMul(x.reshape([b * t, d]), this.wk.read() as tf.Tensor2D).reshape([b, t, d]);
      const scores = tf.matMul(q, k, false, true);
      const att = tf.softmax(tf.mul(scores, this.scale));
      return tf.matMul(att, x);
    });
  }
}
tf.serialization.registerClass(Attention${i});
`,
    `export function attend${i}(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, headDim: number): tf.Tensor {
  const scores = tf.einsum('bhqd,bhkd->bhqk', q, k);
  const w = tf.softmax(scores.div(Math.sqrt(headDim)));
  return tf.matMul(w, v);
}
`,
    `// Training loop ${i}: one global Adam LR.
export async function train${i}(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor, steps = 100) {
  const opt = tf.train.adam(1e-3);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.predict(xs) as tf.Tensor), true) as tf.Scalar;
    losses.push((await loss.data())[0]);
    loss.dispose();
    if (step % 10 === 0) console.log(\`step \${step}: \${losses[losses.length - 1].toFixed(4)}\`);
  }
  return losses;
}
`,
    `/** Batches of token ids for file ${i}: a plain data helper with no layers in it. */
export function batches${i}(text: string, seqLen: number, batch: number): number[][][] {
  const ids = Array.from(text, (c) => c.charCodeAt(0) % 96);
  const out: number[][][] = [];
  for (let start = 0; start + seqLen * batch < ids.length; start += seqLen * batch) {
    const b: number[][] = [];
    for (let r = 0; r < batch; r++) b.push(ids.slice(start + r * seqLen, start + (r + 1) * seqLen));
    out.push(b);
  }
  return out;
}

const table${i}: Record<string, number> = { alpha: 1, beta: 2, gamma: 3, delta: 4 };
export function lookup${i}(key: string): number {
  switch (key) {
    case 'alpha':
      return table${i}.alpha;
    case 'beta':
      return table${i}.beta * 2;
    default:
      return Object.keys(table${i}).length;
  }
}
`,
  ];
}

/** A model file of about `lines` lines; `seed` varies names and the order of blocks. */
export function corpusFile(seed: number, lines: number): string {
  const parts = [HEADER[seed % HEADER.length] + '\n'];
  let n = 0;
  let count = parts[0].split('\n').length;
  while (count < lines) {
    const bs = blocks(seed * 1000 + n);
    const b = bs[(n * 7 + seed) % bs.length];
    parts.push(b);
    count += b.split('\n').length;
    n++;
  }
  return parts.join('\n');
}

/** A factory with `sites` layer sites behind if/for/while/switch: the large generated file of issue 15. */
export function generatedFactory(sites: number): string {
  let s = `import * as tf from '@tensorflow/tfjs';\nexport function big(width: number, flags: boolean[], n: number, kind: string) {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({ units: width, inputShape: [16] }));\n`;
  for (let i = 0; i < sites; i++) {
    switch (i % 4) {
      case 0:
        s += `  if (flags[${i}]) {\n    model.add(tf.layers.dense({ units: width, activation: 'relu' }));\n  }\n`;
        break;
      case 1:
        s += `  for (let j = 0; j < n; j++) {\n    model.add(tf.layers.dense({ units: width }));\n  }\n`;
        break;
      case 2:
        s += `  while (flags[${i}] && n-- > 0) {\n    model.add(tf.layers.dropout({ rate: 0.1 }));\n  }\n`;
        break;
      default:
        s += `  switch (kind) {\n    case 'k${i}':\n      model.add(tf.layers.dense({ units: width }));\n      break;\n  }\n`;
    }
  }
  return s + `  model.add(tf.layers.dense({ units: 10 }));\n  return model;\n}\n`;
}
