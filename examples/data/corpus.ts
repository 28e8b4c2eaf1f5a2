// Character-level language-modelling batches from a text file, for the GPT examples' `data` export.
// Self-contained (only tfjs), so it reads like code a user would write: token ids = positions in a fixed
// 64-symbol alphabet (text lower-cased; newline, space, digits and punctuation, a-z), a batch = random
// windows of seqLen + 1 characters,
// inputs = the first seqLen, targets = the next character at each position (one-hot, the model's output shape).
// Batches depend only on (seed, step): a sweep's trials see the same data whatever runs before them.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';

/** newline, ASCII 32..63 (space, punctuation, digits), a-z, and 5 more symbols: 64 in all. */
export const ALPHABET =
  '\n' + Array.from({ length: 32 }, (_, i) => String.fromCharCode(32 + i)).join('') + 'abcdefghijklmnopqrstuvwxyz' + '[]_{}';
export const VOCAB = ALPHABET.length; // 64

const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

export function encode(text: string): Int32Array {
  // unknown characters become spaces (index 1)
  return Int32Array.from(text.toLowerCase(), (c) => INDEX.get(c) ?? 1);
}

export function decode(ids: ArrayLike<number>): string {
  return Array.from(ids, (i) => ALPHABET[i] ?? '?').join('');
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `(step, {seed}) => {xs: int32 [batch, seqLen], ys: one-hot [batch, seqLen, VOCAB]}` over the text in `file`. */
export function charBatches(file: string, opts: { seqLen: number; vocab: number; batch?: number }) {
  const { seqLen } = opts;
  if (opts.vocab !== VOCAB) throw new Error(`charBatches: the model's vocabulary is ${opts.vocab} tokens, this alphabet has ${VOCAB}`);
  const batch = opts.batch ?? 16;
  let ids: Int32Array | null = null; // read on first use, not at import
  return (step: number, info: { seed?: number } = {}) => {
    ids ??= encode(readFileSync(file, 'utf8'));
    const span = ids.length - seqLen - 1;
    const rand = rng(((info.seed ?? 0) * 1000003 + step * 7919 + 17) >>> 0);
    const xs = new Int32Array(batch * seqLen);
    const ys = new Int32Array(batch * seqLen);
    for (let b = 0; b < batch; b++) {
      const start = Math.floor(rand() * span);
      xs.set(ids.subarray(start, start + seqLen), b * seqLen);
      ys.set(ids.subarray(start + 1, start + seqLen + 1), b * seqLen);
    }
    return {
      xs: tf.tensor2d(xs, [batch, seqLen], 'int32'),
      ys: tf.tidy(() => tf.oneHot(tf.tensor1d(ys, 'int32'), VOCAB).reshape([batch, seqLen, VOCAB])),
    };
  };
}
