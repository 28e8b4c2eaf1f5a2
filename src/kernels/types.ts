// What the fast paths need of a tfjs module and its backends. The worker passes the tfjs it selected (the
// workspace's own or the bundled one, 4.x): `typeof import('@tensorflow/tfjs')` fits.
import type * as tfjs from '@tensorflow/tfjs';

export type Tf = typeof tfjs;

/** A tensor as a kernel sees it. */
export interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

export interface KernelArgs {
  inputs: Record<string, TensorInfo | null | undefined>;
  attrs?: Record<string, unknown>;
  backend: unknown;
}

export type KernelFn = (args: KernelArgs) => TensorInfo | TensorInfo[];

/** One fast path as registered: how to put tfjs back as it was. */
export interface Registration {
  /** e.g. `Tile gradient`, `BatchMatMul (wasm)`. */
  name: string;
  restore(): void;
}

/** tfjs' plain JavaScript backend (cpu), as its fast paths use it: tensor values by dataId, outputs from arrays. */
export interface CpuBackend {
  data: { get(dataId: object): { values: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
}

export function isCpuBackend(b: unknown): b is CpuBackend {
  const c = b as Partial<CpuBackend> | null;
  return !!c && typeof c.makeTensorInfo === 'function' && typeof c.data?.get === 'function';
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Replaces the kernel `kernelName` of `backendName` by `make(original)` and returns how to restore it; null when
 * the backend has no such kernel. tfjs looks kernels up on every call, so this works before and after the backend
 * initialised; the original's setupFunc stays (it runs when the backend initialises, if it has not yet).
 */
export function overrideKernel(tf: Tf, kernelName: string, backendName: string, make: (original: KernelFn) => KernelFn): Registration | null {
  const original = tf.getKernel(kernelName, backendName);
  if (!original) return null;
  const originalFn = original.kernelFunc as unknown as KernelFn;
  // unregister first: registering over an existing kernel warns (and the worker reads that warning as a second tfjs copy)
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...original, kernelFunc: make(originalFn) as unknown as typeof original.kernelFunc });
  return {
    name: `${kernelName} (${backendName})`,
    restore: () => {
      if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel(original);
    },
  };
}
