// tf.layers.layerNormalization without its tiles. tfjs-layers 4.x tiles mean, variance, gamma and beta to the
// input's full shape before calling batchNorm (a workaround, tfjs issue 2120, for batchNorm gradients that do
// not broadcast): four Tile kernels forward and four Tile gradients backward per layer, each the size of the
// activation. Here the layer's call computes the same normalisation with broadcasting, as one op with its own
// gradient (the textbook layer-norm backward), in a handful of kernels:
//   y = (x - mean) * rsqrt(var + eps) * gamma + beta      (mean, var over the layer's axes, as tf.moments)
//   dx = rsqrt(var + eps) * (g - mean(g) - xhat * mean(g * xhat)),  g = dy * gamma,  xhat = (x - mean) * rsqrt(var + eps)
//   dgamma = sum(dy * xhat), dbeta = sum(dy)              (over the other axes)
// The layer's weights, config and serialisation are untouched: only the prototype's `call` is replaced, and only in
// the worker (src/kernels/index.ts). Ranks the original does not support (it handles 2-4) go to the original.
import type * as tfjs from '@tensorflow/tfjs';
import type { Registration, Tf } from './types';

type Tensor = tfjs.Tensor;

/** The fields of tfjs-layers' LayerNormalization that its call reads (set by its constructor and build). */
interface LayerNormLike {
  axis: number[];
  epsilon: number;
  scale: boolean;
  center: boolean;
  gamma: { read(): Tensor } | null;
  beta: { read(): Tensor } | null;
}

type Call = (this: LayerNormLike, inputs: Tensor | Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];

/**
 * Layer normalisation of `x` over `axes` (non-negative, as the layer's build leaves them), with `gamma`/`beta` of
 * the layer's parameter shape (reshaped onto x's rank as tfjs-layers does) or null. Differentiable in all three.
 */
export function layerNorm(tf: Tf, x: Tensor, axes: number[], epsilon: number, gamma: Tensor | null, beta: Tensor | null): Tensor {
  const bshape = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
  const otherAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const normalise = (xv: Tensor) => {
    const mean = tf.mean(xv, axes, true);
    const xc = tf.sub(xv, mean);
    const variance = tf.mean(tf.square(xc), axes, true);
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    return { xhat: tf.mul(xc, inv), inv };
  };
  const forward = (xv: Tensor, g: Tensor | null, b: Tensor | null, save: (ts: Tensor[]) => void) => {
    const { xhat, inv } = normalise(xv);
    let y = xhat;
    if (g) y = tf.mul(y, tf.reshape(g, bshape));
    if (b) y = tf.add(y, tf.reshape(b, bshape));
    save(g ? [xhat, inv, g] : [xhat, inv]);
    return {
      value: y,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const d = Array.isArray(dy) ? dy[0]! : dy;
        const [sxhat, sinv, sg] = saved as [Tensor, Tensor, Tensor | undefined];
        const gdy = sg ? tf.mul(d, tf.reshape(sg, bshape)) : d;
        const dx = tf.mul(sinv, tf.sub(tf.sub(gdy, tf.mean(gdy, axes, true)), tf.mul(sxhat, tf.mean(tf.mul(gdy, sxhat), axes, true))));
        const grads: Tensor[] = [dx];
        const fold = (t: Tensor, shape: number[]) => tf.reshape(otherAxes.length ? tf.sum(t, otherAxes) : t, shape);
        if (g) grads.push(fold(tf.mul(d, sxhat), g.shape));
        if (b) grads.push(fold(d, b.shape));
        return grads;
      },
    };
  };
  // customGrad takes its inputs positionally: one closure per combination of gamma/beta present.
  if (gamma && beta) return tf.customGrad((xv, g, b, save) => forward(xv as Tensor, g as Tensor, b as Tensor, save as (ts: Tensor[]) => void))(x, gamma, beta);
  if (gamma) return tf.customGrad((xv, g, save) => forward(xv as Tensor, g as Tensor, null, save as (ts: Tensor[]) => void))(x, gamma);
  if (beta) return tf.customGrad((xv, b, save) => forward(xv as Tensor, null, b as Tensor, save as (ts: Tensor[]) => void))(x, beta);
  return tf.customGrad((xv, save) => forward(xv as Tensor, null, null, save as (ts: Tensor[]) => void))(x);
}

/** The prototype of tfjs-layers' LayerNormalization in this tfjs (the class itself is not exported). */
function layerNormPrototype(tf: Tf): { call: Call } {
  return Object.getPrototypeOf(tf.layers.layerNormalization({})) as { call: Call };
}

export function registerLayerNorm(tf: Tf): Registration | null {
  const proto = layerNormPrototype(tf);
  const original = proto.call;
  if (typeof original !== 'function') return null;
  proto.call = function (this: LayerNormLike, inputs, kwargs) {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : null) : inputs;
    if (!x || x.rank < 2 || x.rank > 4 || x.dtype !== 'float32' || !Array.isArray(this.axis)) return original.call(this, inputs, kwargs);
    return tf.tidy(() => layerNorm(tf, x, this.axis, this.epsilon, this.scale && this.gamma ? this.gamma.read() : null, this.center && this.beta ? this.beta.read() : null));
  };
  return { name: 'LayerNormalization', restore: () => void (proto.call = original) };
}
