// Seeding, for both engines (worker side). One PRNG in plain JS, so synthetic batches are identical on every tfjs
// backend and can be generated for any step directly (step s of seed k never depends on steps before it), and
// reproducible initial weights: tfjs initializers draw from seedrandom seeded with Math.random() unless each
// initializer is given a seed, which users' factories do not do. So while a factory runs, Math.random is replaced
// by this PRNG seeded from (seed, width): seed s at width w builds the same weights on every run, and seeds
// differ from each other.

import { seededRandom } from '../sweep/stats';

/** mulberry32: a 32-bit PRNG, good enough for synthetic data; returns floats in [0, 1). The one implementation
 *  lives with the pure statistics (src/sweep/stats.ts), which the sweep's bootstrap seeds too. */
export const mulberry32 = seededRandom;

/** Mixes several integers into one 32-bit seed (so (seed, step) pairs get unrelated streams). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    let x = Math.floor(p) >>> 0;
    for (let i = 0; i < 4; i++) {
      h ^= x & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
      x >>>= 8;
    }
  }
  return h >>> 0;
}

/** Standard normal samples (Box-Muller) from a uniform generator. */
export function normals(rand: () => number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Runs `fn` with Math.random replaced by mulberry32(seed), so tfjs initialisers become reproducible. */
export async function withSeededRandom<T>(seed: number, fn: () => T | Promise<T>): Promise<T> {
  const original = Math.random;
  Math.random = mulberry32(seed);
  try {
    return await fn();
  } finally {
    Math.random = original;
  }
}

// The build seed of each engine. They differ for a historical reason only, and each is kept: a coordinate check
// reproduces its earlier numbers, and a sweep's stored trials (whose identity does not name the seed formula)
// keep meaning what they meant.
/** The coordinate check's build seed for run `seed` at `width`. */
export function coordBuildSeed(seed: number, width: number): number {
  return seed * 1_000_003 + width * 7919 + 17;
}

/** A sweep trial's build seed for `seed` at `width`. */
export function trialBuildSeed(seed: number, width: number): number {
  return mixSeed(seed, width, 0x5eed);
}
