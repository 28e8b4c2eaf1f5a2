// BatchMatMul for tfjs' plain JavaScript backend (cpu) with a cache-friendly loop order. tfjs-backend-cpu 4.x walks
// the shared dimension innermost with a stride of a whole row of b (kernels/BatchMatMul: ~0.25-0.5 GFLOP/s here);
// this runs i-k-j on four rows of the output at a time, so the innermost loop reads one row of b and updates four
// output rows contiguously (~1-1.4 GFLOP/s on the same machine, 2.5-4x). A transposed operand is copied once into
// the row-major layout first (O(size)). Batch broadcasting follows tfjs (item i of the output uses a[i % batchA]
// and b[i % batchB]). Other dtypes go to the original kernel.
import type { KernelArgs, KernelFn, Registration, TensorInfo, Tf } from './types';
import { isCpuBackend, overrideKernel, sizeOf } from './types';
import { transposeBlocked } from './wasmMatMul';


/** c (m x n, zeroed) += a (m x k) b (k x n), all row-major, starting at the given offsets. */
export function matMulInto(a: Float32Array, ao: number, b: Float32Array, bo: number, c: Float32Array, co: number, m: number, k: number, n: number): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = co + i * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    const a0 = ao + i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p]!;
      const x1 = a[a1 + p]!;
      const x2 = a[a2 + p]!;
      const x3 = a[a3 + p]!;
      const br = bo + p * n;
      for (let j = 0; j < n; j++) {
        const v = b[br + j]!;
        c[c0 + j] += x0 * v;
        c[c1 + j] += x1 * v;
        c[c2 + j] += x2 * v;
        c[c3 + j] += x3 * v;
      }
    }
  }
  for (; i < m; i++) {
    const cr = co + i * n;
    const ar = ao + i * k;
    for (let p = 0; p < k; p++) {
      const x = a[ar + p]!;
      const br = bo + p * n;
      for (let j = 0; j < n; j++) c[cr + j] += x * b[br + j]!;
    }
  }
}

/** `batch` row-major r x c matrices of x, each transposed (c x r). */
function transposed(x: Float32Array, batch: number, r: number, c: number): Float32Array {
  const out = new Float32Array(batch * r * c);
  transposeBlocked(x, out, batch, r, c);
  return out;
}

function makeBatchMatMul(original: KernelFn): KernelFn {
  return (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const backend = args.backend;
    const transposeA = !!args.attrs?.transposeA;
    const transposeB = !!args.attrs?.transposeB;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2 || !isCpuBackend(backend)) return original(args);
    const av = backend.data.get(a.dataId)?.values;
    const bv = backend.data.get(b.dataId)?.values;
    if (!(av instanceof Float32Array) || !(bv instanceof Float32Array)) return original(args);
    const [ar, ac] = a.shape.slice(-2) as [number, number];
    const [br, bc] = b.shape.slice(-2) as [number, number];
    const m = transposeA ? ac : ar;
    const k = transposeA ? ar : ac;
    const n = transposeB ? br : bc;
    const batchA = sizeOf(a.shape.slice(0, -2));
    const batchB = sizeOf(b.shape.slice(0, -2));
    const batch = Math.max(batchA, batchB);
    // mismatched inner sizes or batches that do not broadcast: the original throws tfjs' own message
    if ((transposeB ? bc : br) !== k || (batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return original(args);
    let outBatchShape: number[];
    try {
      outBatchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    } catch {
      return original(args);
    }
    const A = transposeA ? transposed(av, batchA, ar, ac) : av;
    const B = transposeB ? transposed(bv, batchB, br, bc) : bv;
    const out = new Float32Array(batch * m * n);
    if (k > 0) for (let t = 0; t < batch; t++) matMulInto(A, (t % batchA) * m * k, B, (t % batchB) * k * n, out, t * m * n, m, k, n);
    return backend.makeTensorInfo([...outBatchShape, m, n], 'float32', out);
  };
}

/** numpy-style broadcast of two batch shapes; throws when they do not broadcast. */
function broadcastShapes(x: number[], y: number[]): number[] {
  const rank = Math.max(x.length, y.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const p = x[x.length - rank + i] ?? 1;
    const q = y[y.length - rank + i] ?? 1;
    if (p !== q && p !== 1 && q !== 1) throw new Error('batch shapes do not broadcast');
    out.push(p === 1 ? q : p);
  }
  return out;
}

/**
 * _FusedMatMul on cpu: tfjs-backend-cpu's own calls its own BatchMatMul directly, not through the registry. Here the
 * product above, then the backend's own Add (bias) and Relu kernels, as the original composes them. Other
 * activations go to the original.
 */
function makeFusedMatMul(tf: Tf, batchMatMul: KernelFn, original: KernelFn): KernelFn {
  return (args: KernelArgs) => {
    const { a, b, bias } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo | null };
    const activation = String(args.attrs?.activation ?? 'linear');
    if (activation !== 'linear' && activation !== 'relu') return original(args);
    const backend = args.backend as { disposeIntermediateTensorInfo(t: TensorInfo): void };
    const kernel = (name: string) => tf.getKernel(name, 'cpu').kernelFunc as unknown as KernelFn;
    let current = batchMatMul({ inputs: { a, b }, backend, attrs: { transposeA: args.attrs?.transposeA, transposeB: args.attrs?.transposeB } }) as TensorInfo;
    for (const [name, inputs] of [
      ['Add', bias ? (x: TensorInfo) => ({ a: x, b: bias }) : null],
      ['Relu', activation === 'relu' ? (x: TensorInfo) => ({ x }) : null],
    ] as const) {
      if (!inputs) continue;
      const next = kernel(name)({ inputs: inputs(current), backend }) as TensorInfo;
      backend.disposeIntermediateTensorInfo(current);
      current = next;
    }
    return current;
  };
}

export function registerCpuMatMul(tf: Tf): Registration[] {
  let fast: KernelFn | null = null;
  const mm = overrideKernel(tf, 'BatchMatMul', 'cpu', (o) => (fast = makeBatchMatMul(o)));
  const fused = fast ? overrideKernel(tf, '_FusedMatMul', 'cpu', (o) => makeFusedMatMul(tf, fast!, o)) : null;
  return [mm, fused].filter((r): r is Registration => r !== null);
}
