// The probe of the attention fix tests: the multiplier an attention function puts on q.k, measured from its
// softmax weights. One query q with |q| = 1 and two keys, 0 and q, so the raw logits are [0, 1] and the
// weights [w0, w1] give the multiplier c = ln(w1 / w0); the values are the unit vectors e0 and e1, so the
// output is [w0, w1, 0, ...].
import { finiteValues, tf } from './runFixed';

export type Layout = 'btd' | 'bhtd' | 'bthd';
export type Attend = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, d: number) => tf.Tensor | tf.Tensor[];

/** The multiplier the attention puts on q.k at head size d (see the header). */
export function multiplier(attend: Attend, d: number, layout: Layout): number {
  return tf.tidy(() => {
    const shape = (t: number): number[] => (layout === 'btd' ? [1, t, d] : layout === 'bhtd' ? [1, 1, t, d] : [1, t, 1, d]);
    const qv = new Array<number>(d).fill(1 / Math.sqrt(d));
    const q = tf.tensor(qv, shape(1));
    const k = tf.tensor([...new Array<number>(d).fill(0), ...qv], shape(2));
    const e = (i: number) => new Array<number>(d).fill(0).map((_, j) => (j === i ? 1 : 0));
    const v = tf.tensor([...e(0), ...e(1)], shape(2));
    const out = attend(q, k, v, d);
    const y = finiteValues(Array.isArray(out) ? out[0] : out);
    return Math.log(y[1] / y[0]);
  });
}

