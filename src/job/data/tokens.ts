// Token-sequence data for language models (an embedding input of token ids, next-token targets):
// - `markovTokenData`: the default synthetic task for a token model: sequences from a fixed random sparse
//   Markov chain (each token has 4 likely successors), learnable well below chance loss.
// - `charCorpusData`: character-level language modelling on a text (examples/data/ ships one): random
//   windows of `seqLen + 1` characters, inputs = the first seqLen, targets = the next character of each.
// Both return `(step) => {xs: int32 [batch, seqLen], ys: one-hot float32 [batch, seqLen, vocab]}` and depend
// only on (seed, step).
import type * as tfType from '@tensorflow/tfjs';
import { mixSeed, mulberry32 } from '../seed';
import type { DataFn } from './teacher';

export const SUCCESSORS = 4;

function oneHot(tf: typeof tfType, ids: Int32Array, batch: number, seqLen: number, vocab: number) {
  const y = new Float32Array(batch * seqLen * vocab);
  ids.forEach((id, i) => (y[i * vocab + id] = 1));
  return tf.tensor3d(y, [batch, seqLen, vocab]);
}

export function markovTokenData(tf: typeof tfType, opts: { vocab: number; seqLen: number; seed: number; batch?: number }): DataFn {
  const { vocab, seqLen, seed } = opts;
  const batch = opts.batch ?? 16;
  const tableRand = mulberry32(mixSeed(0x3a7c0f, vocab));
  const next: number[][] = Array.from({ length: vocab }, () =>
    Array.from({ length: SUCCESSORS }, () => Math.floor(tableRand() * vocab)),
  );
  return (step) => {
    const rand = mulberry32(mixSeed(2000 + seed, step));
    const seq = new Int32Array(batch * (seqLen + 1));
    for (let b = 0; b < batch; b++) {
      let tok = Math.floor(rand() * vocab);
      for (let t = 0; t <= seqLen; t++) {
        seq[b * (seqLen + 1) + t] = tok;
        // Mostly follow the chain, sometimes jump, so every token keeps appearing.
        tok = rand() < 0.9 ? next[tok]![Math.floor(rand() * SUCCESSORS)]! : Math.floor(rand() * vocab);
      }
    }
    return windowsToBatch(tf, seq, batch, seqLen, vocab);
  };
}

function windowsToBatch(tf: typeof tfType, seq: Int32Array, batch: number, seqLen: number, vocab: number) {
  const xs = new Int32Array(batch * seqLen);
  const ys = new Int32Array(batch * seqLen);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seqLen; t++) {
      xs[b * seqLen + t] = seq[b * (seqLen + 1) + t]!;
      ys[b * seqLen + t] = seq[b * (seqLen + 1) + t + 1]!;
    }
  }
  return { xs: tf.tensor2d(xs, [batch, seqLen], 'int32'), ys: oneHot(tf, ys, batch, seqLen, vocab) };
}

/** The alphabet of the char corpus: newline plus printable ASCII (96 symbols). */
export const CHAR_ALPHABET = '\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

export interface CharCorpus {
  alphabet: string;
  /** Token ids of the whole text (characters outside the alphabet become spaces). */
  ids: Int32Array;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
}

export function charCorpus(text: string, alphabet = CHAR_ALPHABET): CharCorpus {
  const index = new Map<string, number>();
  [...alphabet].forEach((c, i) => index.set(c, i));
  const space = index.get(' ') ?? 0;
  const encode = (s: string) => Int32Array.from(s.replace(/\r\n?/g, '\n'), (c) => index.get(c) ?? space);
  return {
    alphabet,
    ids: encode(text),
    encode,
    decode: (ids) => Array.from(ids, (i) => alphabet[i] ?? '?').join(''),
  };
}

export function charCorpusData(
  tf: typeof tfType,
  corpus: CharCorpus,
  opts: { seqLen: number; seed: number; batch?: number },
): DataFn {
  const { seqLen, seed } = opts;
  const batch = opts.batch ?? 16;
  const vocab = corpus.alphabet.length;
  const span = corpus.ids.length - seqLen - 1;
  if (span <= 0) throw new Error(`the corpus (${corpus.ids.length} characters) is shorter than one window of ${seqLen + 1}`);
  return (step) => {
    const rand = mulberry32(mixSeed(3000 + seed, step));
    const seq = new Int32Array(batch * (seqLen + 1));
    for (let b = 0; b < batch; b++) {
      const start = Math.floor(rand() * span);
      seq.set(corpus.ids.subarray(start, start + seqLen + 1), b * (seqLen + 1));
    }
    return windowsToBatch(tf, seq, batch, seqLen, vocab);
  };
}
