// tf.train.adam's update as one kernel per variable instead of thirteen (the m and v updates, the bias
// corrections, sqrt, the step and the assignment, each a pass over the variable: tfjs-core's
// optimizers/adam_optimizer.js): ~390 of the GPT example's ~1,000 kernels per step (issue 11), and on the cpu
// backend 13 JS passes with an allocation each. mup-lens's MuAdam
// runs one tf.train.adam per LR group (src/mup/optimizers.ts), so both SP and muP training go through here.
// Bit for bit the same numbers: every operation is rounded to float32 in tfjs' order (Math.fround after each
// +, *, /, sqrt of float32 values equals the float32 operation), with the same constants (beta1, 1 - beta1,
// epsilon, -learningRate as float32 scalars). Moments, accBeta1/2, iterations, getWeights/setWeights and
// dispose are the optimizer's own; only applyGradients is replaced, and it runs the original on backends without the kernel (not wasm or cpu).
import type * as tfjs from '@tensorflow/tfjs';
import type { CpuBackend, KernelArgs, Registration, TensorInfo, Tf } from './types';
import { sizeOf } from './types';

export const ADAM_KERNEL = 'MupLensAdamUpdate';

/**
 * On wasm a variable larger than this is updated by tfjs' own 13 SIMD passes (the scalar pass here costs more per
 * element than all of them: ~30 against ~24 ns per element measured on a loaded 2-core machine at 4M elements);
 * below it the 12 kernel launches saved dominate (the GPT example's variables at widths up to 128).
 */
export const WASM_MAX_FUSED = 1 << 16;

const f32 = Math.fround;

interface AdamAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
}

/** x, m, v <- Adam's update with gradient g, written to nx, nm, nv; tfjs' float32 operation order. */
export function adamUpdate(x: ArrayLike<number>, m: ArrayLike<number>, v: ArrayLike<number>, g: ArrayLike<number>, nx: Float32Array, nm: Float32Array, nv: Float32Array, a: AdamAttrs): void {
  const b1 = f32(a.beta1);
  const c1 = f32(1 - a.beta1);
  const b2 = f32(a.beta2);
  const c2 = f32(1 - a.beta2);
  const eps = f32(a.epsilon);
  const nlr = f32(-a.learningRate);
  const d1 = f32(a.oneMinusAccBeta1);
  const d2 = f32(a.oneMinusAccBeta2);
  for (let i = 0; i < nx.length; i++) {
    const gi = g[i]!;
    const mi = f32(f32(m[i]! * b1) + f32(gi * c1));
    const vi = f32(f32(v[i]! * b2) + f32(f32(gi * gi) * c2));
    nm[i] = mi;
    nv[i] = vi;
    const step = f32(f32(f32(mi / d1) / f32(f32(Math.sqrt(f32(vi / d2))) + eps)) * nlr);
    nx[i] = f32(step + x[i]!);
  }
}

interface HeapBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function kernelFor(backendName: 'wasm' | 'cpu') {
  return (args: KernelArgs): TensorInfo[] => {
    const { x, m, v, g } = args.inputs as Record<'x' | 'm' | 'v' | 'g', TensorInfo>;
    const attrs = args.attrs as unknown as AdamAttrs;
    const n = sizeOf(x.shape);
    if (backendName === 'wasm') {
      const b = args.backend as HeapBackend;
      const outs = [b.makeOutput(x.shape, 'float32'), b.makeOutput(x.shape, 'float32'), b.makeOutput(x.shape, 'float32')];
      // views after every allocation (a growing wasm memory detaches earlier views)
      const view = (t: TensorInfo) => b.typedArrayFromHeap({ ...t, shape: [n] }) as Float32Array;
      adamUpdate(view(x), view(m), view(v), view(g), view(outs[0]!), view(outs[1]!), view(outs[2]!), attrs);
      return outs;
    }
    const b = args.backend as CpuBackend;
    const vals = (t: TensorInfo) => b.data.get(t.dataId)!.values as Float32Array;
    const [nx, nm, nv] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    adamUpdate(vals(x), vals(m), vals(v), vals(g), nx, nm, nv, attrs);
    return [b.makeTensorInfo(x.shape, 'float32', nx), b.makeTensorInfo(x.shape, 'float32', nm), b.makeTensorInfo(x.shape, 'float32', nv)];
  };
}

/** The fields of tfjs-core's AdamOptimizer that applyGradients reads and writes. */
interface AdamLike {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tfjs.Variable;
  accBeta2: tfjs.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tfjs.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tfjs.Variable }[];
  incrementIterations(): void;
}

type Gradients = tfjs.NamedTensorMap | { name: string; tensor: tfjs.Tensor }[];

/** The one-pass update kernel on `backendName` (wasm or cpu; null elsewhere). */
export function registerAdamKernel(tf: Tf, backendName: string): Registration | null {
  if ((backendName !== 'wasm' && backendName !== 'cpu') || tf.getKernel(ADAM_KERNEL, backendName)) return null;
  tf.registerKernel({ kernelName: ADAM_KERNEL, backendName, kernelFunc: kernelFor(backendName) as never });
  return { name: `Adam update (${backendName})`, restore: () => tf.unregisterKernel(ADAM_KERNEL, backendName) };
}

/**
 * tf.train.adam's applyGradients through the kernel above, where the current backend has it (registerAdamKernel)
 * and every gradient is float32; else the original.
 */
export function registerAdam(tf: Tf): Registration | null {
  const proto = tf.AdamOptimizer?.prototype as unknown as { applyGradients(this: AdamLike, g: Gradients): void } | undefined;
  if (!proto || typeof proto.applyGradients !== 'function') return null;
  const original = proto.applyGradients;
  proto.applyGradients = function (this: AdamLike, variableGradients: Gradients) {
    const gradients = Array.isArray(variableGradients) ? variableGradients : null;
    const names = gradients ? gradients.map((v) => v.name) : Object.keys(variableGradients);
    const kernel = tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined; // once a step, not once a gradient
    const fused = (t: tfjs.Tensor | null | undefined) => !!t && t.dtype === 'float32' && kernel;
    const all = names.map((name, i) => (gradients ? gradients[i]!.tensor : (variableGradients as tfjs.NamedTensorMap)[name]));
    if (!all.every((g) => g == null || fused(g))) return original.call(this, variableGradients);
    tf.tidy(() => {
      // float32 scalars, as tfjs' sub(1, accBeta) makes them
      const backend = tf.getBackend();
      const oneMinusAccBeta1T = tf.sub(1, this.accBeta1);
      const oneMinusAccBeta2T = tf.sub(1, this.accBeta2);
      const oneMinusAccBeta1 = oneMinusAccBeta1T.dataSync()[0]!;
      const oneMinusAccBeta2 = oneMinusAccBeta2T.dataSync()[0]!;
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        // the moments exactly as the original creates them (names, order: getWeights and setWeights read them)
        this.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        this.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = all[i];
        if (gradient == null) return;
        const m = this.accumulatedFirstMoment[i]!.variable;
        const v = this.accumulatedSecondMoment[i]!.variable;
        if (backend === 'wasm' && gradient.size > WASM_MAX_FUSED) {
          // tfjs' own ops (SIMD passes beat one scalar pass on large variables), in tfjs' order
          const nm = tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1));
          const nv = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
          const bm = tf.div(nm, oneMinusAccBeta1T);
          const bv = tf.div(nv, oneMinusAccBeta2T);
          m.assign(nm);
          v.assign(nv);
          value.assign(tf.add(tf.mul(tf.div(bm, tf.add(tf.sqrt(bv), this.epsilon)), -this.learningRate), value));
          return;
        }
        const attrs: AdamAttrs = { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, learningRate: this.learningRate, oneMinusAccBeta1, oneMinusAccBeta2 };
        const [nx, nm, nv] = tf.engine().runKernel(ADAM_KERNEL, { x: value, m, v, g: gradient }, attrs as unknown as tfjs.NamedAttrMap) as tfjs.Tensor[];
        m.assign(nm!);
        v.assign(nv!);
        value.assign(nx!);
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  };
  return { name: 'Adam', restore: () => void (proto.applyGradients = original) };
}
