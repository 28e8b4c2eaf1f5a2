// Deterministic attention-heavy corpus for bench/lint.ts (issue 24): 60 GPT-style files of about 1,430
// lines (about 86,000 lines, the size of the corpus the issue measured). Each file is built at bench time
// from two sources, in an order and a mix that vary per file:
// - the project's own GPT-style code: examples/gpt/{sp,mup}.ts, the GPT files of test/fixtures/realworld/
//   and the transformer/attention files of the labelled corpus test/fixtures/corpus/ (paraphrases of public
//   nanoGPT/minGPT/gpt-tfjs ports and attention layers). Their imports are hoisted to the top of the file and
//   each one's body goes into a `namespace` of its own, so that the names of two parts never meet;
// - generated blocks paraphrasing public GPT patterns (nanoGPT's CausalSelfAttention as a tfjs layer with
//   the scale in six spellings, minGPT's block and MLP, a gpt-tfjs-style functional builder with block
//   helpers, an eager GPT with a tied embedding table, sampling and training loops, an einsum multi-head
//   attention, a scaling layer class, a sequential model grown by helpers), with names varied per file.
// No file of a held-out corpus is read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts = require('typescript');

const root = join(__dirname, '..');

/** The GPT-style files of the project the corpus is built from (tuning fixtures and examples only). */
export const GPT_SOURCES = [
  'examples/gpt/sp.ts',
  'examples/gpt/mup.ts',
  'test/fixtures/realworld/gpt-tfjs-model.ts',
  'test/fixtures/realworld/gpt-tfjs-mixed.js',
  'test/fixtures/realworld/flash-attention-paraphrase.ts',
  'test/fixtures/corpus/genai-nanogpt-attention.ts',
  'test/fixtures/corpus/genai-nanogpt-model.ts',
  'test/fixtures/corpus/disco-gpt-layers.ts',
  'test/fixtures/corpus/fast-chunk-gpt.js',
  'test/fixtures/corpus/optimal-gpt-char.js',
  'test/fixtures/corpus/mup-transformer-port.ts',
  'test/fixtures/corpus/ode-gpt2-attention.js',
  'test/fixtures/corpus/ode-multihead-attention.js',
  'test/fixtures/corpus/ode-self-attention.js',
  'test/fixtures/corpus/ode-grouped-query-attention.js',
  'test/fixtures/corpus/pystudy-multihead-attention1.js',
  'test/fixtures/corpus/pystudy-multihead.js',
  'test/fixtures/corpus/tfjs-nlp-multihead-attention.ts',
  'test/fixtures/corpus/reexported-tf-attention.ts',
  'test/fixtures/corpus/tied-embedding-output.ts',
  'test/fixtures/corpus/pystudy-timeseries-transformer.js',
];

interface Part {
  imports: string[];
  body: string;
}

let parts: Part[] | undefined;

/** Each source split into its import declarations (and top-level requires) and the rest. */
function sourceParts(): Part[] {
  if (parts) return parts;
  parts = GPT_SOURCES.map((rel) => {
    const text = readFileSync(join(root, rel), 'utf8');
    const sf = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const imports: string[] = [];
    let body = '';
    for (const st of sf.statements) {
      const t = text.slice(st.getFullStart(), st.end);
      if (ts.isImportDeclaration(st)) imports.push(t.trim());
      else body += t;
    }
    return { imports, body };
  });
  return parts;
}

const SCALES = [
  (hs: string) => `1 / Math.sqrt(${hs})`,
  (hs: string) => `Math.pow(${hs}, -0.5)`,
  (hs: string) => `${hs} ** -0.5`,
  (hs: string) => `Math.sqrt(1.0 / ${hs})`,
  (hs: string) => `1 / ${hs} ** 0.5`,
  (hs: string) => `8 / ${hs}`,
];

function blocks(i: number): string[] {
  const scale = SCALES[i % SCALES.length];
  return [
    `// ---- nanoGPT-style causal self-attention ${i} --------------------------------------------
export class CausalSelfAttention${i} extends tf.layers.Layer {
  static className = 'CausalSelfAttention${i}';
  private readonly nEmbd: number;
  private readonly nHead: number;
  private readonly scale: number;
  private cAttn: tf.layers.Layer;
  private cProj: tf.layers.Layer;
  private attnDrop: tf.layers.Layer;
  private mask: tf.Tensor;
  constructor(config: { nEmbd: number; nHead: number; blockSize: number; dropout: number }) {
    super({ name: 'attn${i}' });
    this.nEmbd = config.nEmbd;
    this.nHead = config.nHead;
    const hs = config.nEmbd / config.nHead;
    this.scale = ${scale('hs')};
    this.cAttn = tf.layers.dense({ units: 3 * config.nEmbd, inputDim: config.nEmbd, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.02 }) });
    this.cProj = tf.layers.dense({ units: config.nEmbd, inputDim: config.nEmbd, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.02 }) });
    this.attnDrop = tf.layers.dropout({ rate: config.dropout });
    this.mask = tf.linalg.bandPart(tf.ones([config.blockSize, config.blockSize]), -1, 0);
  }
  computeOutputShape(inputShape: tf.Shape): tf.Shape {
    return inputShape;
  }
  call(input: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(input) ? input[0] : input) as tf.Tensor3D;
      const [B, T, C] = x.shape;
      const qkv = this.cAttn.apply(x) as tf.Tensor;
      const [q0, k0, v0] = tf.split(qkv, 3, -1);
      const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, this.nHead, C / this.nHead]), [0, 2, 1, 3]);
      const q = heads(q0);
      const k = heads(k0);
      const v = heads(v0);
      let att = tf.mul(tf.matMul(q, k, false, true), this.scale);
      const m = this.mask.slice([0, 0], [T, T]).expandDims(0).expandDims(0);
      att = tf.where(tf.equal(m, 0), tf.fill(att.shape, -1e9), att);
      att = tf.softmax(att, -1);
      att = this.attnDrop.apply(att) as tf.Tensor;
      const y = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B, T, C]);
      return this.cProj.apply(y) as tf.Tensor;
    });
  }
}
tf.serialization.registerClass(CausalSelfAttention${i});
`,
    `// ---- minGPT-style MLP and block ${i} (functional helpers on the stream) ---------------------
function mlp${i}(x: tf.SymbolicTensor, nEmbd: number, dropout: number): tf.SymbolicTensor {
  let h = tf.layers.dense({ units: 4 * nEmbd, activation: 'gelu', name: 'c_fc${i}' }).apply(x) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: nEmbd, name: 'c_proj${i}' }).apply(h) as tf.SymbolicTensor;
  return tf.layers.dropout({ rate: dropout }).apply(h) as tf.SymbolicTensor;
}
function block${i}(cfg: { nEmbd: number; nHead: number; blockSize: number; dropout: number }, x: tf.SymbolicTensor): tf.SymbolicTensor {
  const ln1 = tf.layers.layerNormalization({ epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
  const a = new CausalSelfAttention${i}(cfg).apply(ln1) as tf.SymbolicTensor;
  const x1 = tf.layers.add().apply([x, a]) as tf.SymbolicTensor;
  const ln2 = tf.layers.layerNormalization({ epsilon: 1e-5 }).apply(x1) as tf.SymbolicTensor;
  return tf.layers.add().apply([x1, mlp${i}(ln2, cfg.nEmbd, cfg.dropout)]) as tf.SymbolicTensor;
}
`,
    `// ---- gpt-tfjs-style functional builder ${i} ---------------------------------------------------
export function gpt${i}(conf: { vocabSize: number; blockSize: number; nLayer: number; nHead: number; nEmbd: number; dropout: number }) {
  const tokens = tf.input({ shape: [conf.blockSize], dtype: 'int32' });
  const wte = tf.layers.embedding({ inputDim: conf.vocabSize, outputDim: conf.nEmbd, embeddingsInitializer: tf.initializers.randomNormal({ stddev: 0.02 }), name: 'wte${i}' });
  let x = wte.apply(tokens) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: conf.dropout }).apply(x) as tf.SymbolicTensor;
  for (let l = 0; l < conf.nLayer; l++) x = block${i}(conf, x);
  x = tf.layers.layerNormalization({ epsilon: 1e-5, name: 'ln_f${i}' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: conf.vocabSize, useBias: false, name: 'lm_head${i}' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: logits });
}
`,
    `// ---- an eager GPT head with a tied embedding table ${i} ----------------------------------------
export class TiedGPT${i} {
  private readonly wte: tf.Variable;
  private readonly wpe: tf.Variable;
  constructor(private readonly vocabSize: number, private readonly nEmbd: number, blockSize: number) {
    this.wte = tf.variable(tf.randomNormal([vocabSize, nEmbd], 0, 0.02));
    this.wpe = tf.variable(tf.randomNormal([blockSize, nEmbd], 0, 0.01));
  }
  forward(idx: tf.Tensor2D): tf.Tensor {
    return tf.tidy(() => {
      const T = idx.shape[1];
      const tok = tf.gather(this.wte, idx);
      const pos = tf.gather(this.wpe, tf.range(0, T, 1, 'int32'));
      const h = tf.add(tok, pos);
      const logits = tf.matMul(h.reshape([-1, this.nEmbd]), this.wte, false, true);
      return logits.reshape([idx.shape[0], T, this.vocabSize]);
    });
  }
}
`,
    `// ---- sampling ${i} ---------------------------------------------------------------------------
export async function generate${i}(model: tf.LayersModel, prompt: number[], steps: number, blockSize: number, temperature = 1.0, topK = 40): Promise<number[]> {
  const out = prompt.slice();
  for (let s = 0; s < steps; s++) {
    const next = tf.tidy(() => {
      const ctx = out.slice(-blockSize);
      const idx = tf.tensor2d([ctx], [1, ctx.length], 'int32');
      const logits = (model.predict(idx) as tf.Tensor3D).slice([0, ctx.length - 1, 0], [1, 1, -1]).reshape([-1]);
      const scaled = tf.div(logits, tf.scalar(Math.max(temperature, 1e-6)));
      const { values, indices } = tf.topk(scaled, topK);
      const choice = tf.multinomial(values.expandDims(0) as tf.Tensor2D, 1).dataSync()[0];
      return indices.dataSync()[choice];
    });
    out.push(next);
    if (s % 16 === 0) await tf.nextFrame();
  }
  return out;
}
`,
    `// ---- training ${i}: AdamW-like loop with clipping ---------------------------------------------
export async function train${i}(model: tf.LayersModel, batches: AsyncIterable<{ xs: tf.Tensor; ys: tf.Tensor }>, lr = 3e-4) {
  const opt = tf.train.adam(lr, 0.9, 0.95);
  let step = 0;
  for await (const { xs, ys } of batches) {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(tf.oneHot(ys as tf.Tensor1D, 64), model.predict(xs) as tf.Tensor) as tf.Scalar);
      const norm = Math.sqrt(Object.values(grads).reduce((acc, g) => acc + tf.sum(tf.square(g)).dataSync()[0], 0));
      const clip = norm > 1 ? 1 / norm : 1;
      opt.applyGradients(Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, clip)])));
      return value.dataSync()[0];
    });
    if (step++ % 50 === 0) console.log(\`step \${step} loss \${loss.toFixed(4)}\`);
    xs.dispose();
    ys.dispose();
  }
}
`,
    `// ---- einsum multi-head attention ${i} ------------------------------------------------------------
export function multiHead${i}(query: tf.Tensor, key: tf.Tensor, value: tf.Tensor, keyDim: number, mask?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const q = tf.mul(query, ${scale('keyDim')});
    let scores = tf.einsum('aecd,abcd->acbe', key, q);
    if (mask) scores = tf.add(scores, tf.mul(tf.sub(1, mask), -1e9));
    const w = tf.softmax(scores, -1);
    return tf.einsum('acbe,aecd->abcd', w, value);
  });
}
`,
    `// ---- a scaling layer used as the attention scale ${i} ---------------------------------------------
class Scale${i} extends tf.layers.Layer {
  private readonly factor: number;
  constructor(config: { factor: number; name?: string }) {
    super({ name: config.name });
    this.factor = config.factor;
  }
  computeOutputShape(s: tf.Shape): tf.Shape {
    return s;
  }
  call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(Array.isArray(x) ? x[0] : x, this.factor);
  }
  static get className(): string {
    return 'Scale${i}';
  }
}
export function scaledAttention${i}(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, headDim: number): tf.Tensor {
  const s = new Scale${i}({ factor: ${scale('headDim')} });
  const w = tf.softmax(s.apply(tf.matMul(q, k, false, true)) as tf.Tensor, -1);
  return tf.matMul(w, v);
}
`,
    `// ---- a sequential classifier grown by helpers ${i} ------------------------------------------------
function addHidden${i}(model: tf.Sequential, units: number, first: boolean): void {
  model.add(tf.layers.dense({ units, activation: 'relu', inputShape: first ? [32] : undefined }));
  model.add(tf.layers.dropout({ rate: 0.1 }));
}
export function classifier${i}(hiddenUnits: number, classes: number, depth = 3): tf.Sequential {
  const model = tf.sequential();
  for (let d = 0; d < depth; d++) addHidden${i}(model, hiddenUnits, d === 0);
  model.add(tf.layers.dense({ units: classes, kernelInitializer: 'zeros' }));
  return model;
}
`,
  ];
}

/** An attention-heavy GPT-style file of about `lines` lines; `seed` varies the mix, the order and the names. */
export function gptCorpusFile(seed: number, lines = 1430): string {
  const src = sourceParts();
  const imports = new Set<string>([`import * as tf from '@tensorflow/tfjs';`]);
  const chunks: string[] = [];
  let count = 0;
  let n = 0;
  let g = 0;
  while (count < lines) {
    let text: string;
    // about half the lines from the project's GPT-style files, half generated
    if (n % 2 === 0) {
      const p = src[(seed * 5 + n * 3) % src.length];
      for (const im of p.imports) imports.add(im);
      text = `namespace part${seed}_${n} {\n${p.body}\n}\n`;
    } else {
      // a run of five blocks of one name suffix, so that the builder's helpers and layers are in the file
      const bs = blocks(seed * 100 + g);
      const from = (seed + g) % bs.length;
      text = Array.from({ length: 5 }, (_, k) => bs[(from + k) % bs.length]).join('\n');
      g++;
    }
    chunks.push(text);
    count += text.split('\n').length;
    n++;
  }
  return [...imports].join('\n') + '\n' + chunks.join('\n');
}
