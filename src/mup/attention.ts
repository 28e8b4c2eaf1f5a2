// Attention logit scale under muP (Tensor Programs V, sec. "attention"; docs/mup.md's table): q.k * attnMult/dHead
// instead of q.k/sqrt(dHead). Once q and k are correlated after training, q.k grows like dHead, so 1/dHead keeps
// the logits width-independent where 1/sqrt(dHead) lets them blow up. With attnMult = sqrt(baseHeadDim) the
// two agree at the base head size (mup's README suggests 8/d, i.e. base head size 64).

import type { AttentionScaleOptions } from './runtime-types';

export type { AttentionScaleOptions };

/**
 * The factor to multiply attention logits by: attnMult / dHead.
 * `tf.mul(tf.matMul(q, k, false, true), attentionScale(dHead, {baseHeadDim: 16}))`.
 */
export function attentionScale(dHead: number, opts: AttentionScaleOptions = {}): number {
  if (!(typeof dHead === 'number' && Number.isFinite(dHead) && dHead > 0)) {
    throw new RangeError(`attentionScale: dHead must be a positive number (the size of one head), got ${String(dHead)}`);
  }
  const baseHeadDim = opts.baseHeadDim ?? 64;
  if (!(typeof baseHeadDim === 'number' && baseHeadDim > 0)) {
    throw new RangeError(`attentionScale: baseHeadDim must be a positive number, got ${String(opts.baseHeadDim)}`);
  }
  const attnMult = opts.attnMult ?? Math.sqrt(baseHeadDim);
  if (!(typeof attnMult === 'number' && Number.isFinite(attnMult) && attnMult > 0)) {
    throw new RangeError(`attentionScale: attnMult must be a positive number, got ${String(opts.attnMult)}`);
  }
  return attnMult / dHead;
}
