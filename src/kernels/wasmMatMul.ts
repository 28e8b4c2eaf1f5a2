// Matrix products on the wasm backend through XNNPACK for every layout, not only the one it takes today.
// tfjs-backend-wasm 4.x (src/cc/batch_mat_mul_impl.cc) runs a product on XNNPACK's fully-connected operator only
// when neither side is transposed and the batch is 1; everything else goes to a scalar triple loop at ~1-2 GFLOP/s
// against XNNPACK's ~15-25 on this machine. A dense layer's backward pass is exactly those two other cases
// (dx = dy W^T, dW = x^T dy), and attention's products are batched: on examples/gpt at width 128 they took ~85%
// of a training step (issue 11). Here:
// - a transposed operand is transposed first (a cache-blocked copy, transposeBlocked), and the product then runs
//   untransposed, on XNNPACK, in whichever of its two forms packs less (chooseProduct);
// - a batched product (the same batch on both sides, no broadcasting) runs one XNNPACK product per batch item, on
//   views of the operands' and output's memory: each view is a tensor id registered on the wasm side at an offset
//   into the operand's buffer (what BackendWasm.makeOutput does for memory allocated elsewhere), disposed right
//   after, which also frees the XNNPACK operator cached on it.
// Everything else (other dtypes, broadcast batches) goes to the original kernel.
import type { KernelArgs, KernelFn, Registration, TensorInfo, Tf } from './types';
import { overrideKernel, sizeOf } from './types';

/** The parts of tfjs-backend-wasm's BackendWasm (4.x) used here. */
interface WasmBackend {
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void };
  };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object): boolean;
}

function isWasmBackend(b: unknown): b is WasmBackend {
  const w = b as Partial<WasmBackend> | null;
  return (
    !!w &&
    typeof w.makeOutput === 'function' &&
    typeof w.typedArrayFromHeap === 'function' &&
    typeof w.disposeData === 'function' &&
    typeof w.dataIdNextNumber === 'number' &&
    typeof w.dataIdMap?.get === 'function' &&
    typeof w.wasm?.cwrap === 'function' &&
    typeof w.wasm.tfjs?.registerTensor === 'function' &&
    typeof w.wasm.tfjs?.disposeData === 'function'
  );
}

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

const TILE = 32;

/**
 * dst[t][j][i] = src[t][i][j] for `batch` row-major r x c matrices, in TILE x TILE tiles so that reads and writes
 * both stay in cache. tfjs-backend-wasm's own Transpose walks the output row by row, each read a cache miss once
 * a row of the input is larger than the cache: ~45-140 ms for 2048 x 2048 here, against ~10 for this.
 */
export function transposeBlocked(src: Float32Array, dst: Float32Array, batch: number, r: number, c: number): void {
  for (let t = 0; t < batch; t++) {
    const base = t * r * c;
    for (let i0 = 0; i0 < r; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, r);
      for (let j0 = 0; j0 < c; j0 += TILE) {
        const j1 = Math.min(j0 + TILE, c);
        for (let i = i0; i < i1; i++) {
          const row = base + i * c;
          for (let j = j0; j < j1; j++) dst[base + j * r + i] = src[row + j]!;
        }
      }
    }
  }
}

/** The product's geometry, or null when it is not one the fast path takes (left to the original kernel). */
function plan(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean) {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  if (batchA !== batchB) return null; // broadcasting over batches: tfjs' own
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const n = transposeB ? br : bc;
  if ((transposeB ? bc : br) !== k) return null; // the original says what is wrong
  // the same batch dimensions on both sides (leading 1s aside): anything that would broadcast is tfjs' own
  const batchDims = (t: TensorInfo) => t.shape.slice(0, -2).filter((d, i, all) => d !== 1 || all.slice(0, i + 1).some((x) => x !== 1));
  if (batchDims(a).join(',') !== batchDims(b).join(',')) return null;
  const batchShape = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  if (m * k * n === 0) return null;
  return { batch: batchA, m, k, n, outShape: [...batchShape, m, n] };
}

/** What the products need of one wasm backend: transposes, and its C entry points (wrapped on first use). */
class WasmOps {
  constructor(private readonly backend: WasmBackend) {}

  /** x with its last two dimensions swapped, as a [batch, c, r] tensor the caller disposes. */
  swapLastTwo(x: TensorInfo, batch: number): TensorInfo {
    const [r, c] = x.shape.slice(-2) as [number, number];
    const out = this.backend.makeOutput([batch, c, r], x.dtype);
    // views after the allocation: growing the wasm memory detaches earlier ones
    const src = this.backend.typedArrayFromHeap({ ...x, shape: [batch * r * c] }) as Float32Array;
    const dst = this.backend.typedArrayFromHeap(out) as Float32Array;
    transposeBlocked(src, dst, batch, r, c);
    return out;
  }

  /**
   * out[i] = a[i] b[i] for i < batch, every item one XNNPACK product on views of the buffers; with `fused`, each
   * item is one _FusedMatMul (the same 1-d bias and activation for every item).
   */
  batchedProduct(a: TensorInfo, b: TensorInfo, out: TensorInfo, p: { batch: number; m: number; k: number; n: number }, fused?: { activation: number; biasId: number; leakyreluAlpha: number }): void {
    const { batch, m, k, n } = p;
    const call = fused ? this.fusedFn() : this.batchMatMulFn();
    const { tfjs } = this.backend.wasm;
    const offset = (t: TensorInfo) => this.backend.dataIdMap.get(t.dataId)!.memoryOffset;
    const [ao, bo, oo] = [offset(a), offset(b), offset(out)];
    const aShape = shapeBytes([1, m, k]);
    const bShape = shapeBytes([1, k, n]);
    for (let i = 0; i < batch; i++) {
      const ids = [this.backend.dataIdNextNumber++, this.backend.dataIdNextNumber++, this.backend.dataIdNextNumber++] as const;
      tfjs.registerTensor(ids[0], m * k, ao + i * m * k * 4);
      tfjs.registerTensor(ids[1], k * n, bo + i * k * n * 4);
      tfjs.registerTensor(ids[2], m * n, oo + i * m * n * 4);
      try {
        if (fused) call(ids[0], aShape, 3, ids[1], bShape, 3, false, false, fused.activation, fused.biasId, 0, fused.leakyreluAlpha, ids[2]);
        else call(ids[0], aShape, 3, ids[1], bShape, 3, false, false, ids[2]);
      } finally {
        // also deletes the XNNPACK operator cached on the view of b
        for (const id of ids) tfjs.disposeData(id);
      }
    }
  }

  private bmm: ((...args: unknown[]) => void) | null = null;
  private fmm: ((...args: unknown[]) => void) | null = null;
  private batchMatMulFn() {
    // the C entry points tfjs-backend-wasm's own BatchMatMul.js and _FusedMatMul.js wrap, with their signatures
    return (this.bmm ??= this.backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']));
  }
  private fusedFn() {
    return (this.fmm ??= this.backend.wasm.cwrap('_FusedMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number']));
  }
}

/** tfjs-backend-wasm's FusableActivation (kernels/types.ts), without prelu (left to the original kernel). */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 4, sigmoid: 5, elu: 6 };

/**
 * XNNPACK's fully-connected operator multiplies a row-major input by weights it first packs, and packing (with the
 * transposed weights tfjs hands it) costs ~3x a transpose per element: for [64, 2048] x [2048, 2048] (a coordinate
 * check's hidden layer) it was ~130 ms of a ~150 ms product. A single product can run as C = op(A) op(B) (packing
 * op(B), K x N) or as C^T = op(B)^T op(A)^T (packing op(A)^T, K x M, then one transpose of C): whichever moves fewer
 * elements, counting each transpose it needs (1 per element) and the packing (PACK_COST per element).
 */
export const PACK_COST = 3;

export function chooseProduct(m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): 'direct' | 'swapped' {
  const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + PACK_COST * k * n;
  const swapped = (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + PACK_COST * k * m + m * n;
  return swapped < direct ? 'swapped' : 'direct';
}

function makeBatchMatMul(original: KernelFn): KernelFn {
  const opsOf = new WeakMap<object, WasmOps>();
  return (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const transposeA = !!args.attrs?.transposeA;
    const transposeB = !!args.attrs?.transposeB;
    const p = plan(a, b, transposeA, transposeB);
    const backend = args.backend;
    if (!p || !isWasmBackend(backend)) return original(args);
    const form = p.batch === 1 ? chooseProduct(p.m, p.k, p.n, transposeA, transposeB) : 'direct';
    if (p.batch === 1 && form === 'direct' && !transposeA && !transposeB) return original(args); // XNNPACK as it is
    let ops = opsOf.get(backend);
    if (!ops) opsOf.set(backend, (ops = new WasmOps(backend)));
    const temps: TensorInfo[] = [];
    const keep = (t: TensorInfo) => (temps.push(t), t);
    const product = (x: TensorInfo, rows: number, inner: number, y: TensorInfo, cols: number) =>
      original({ inputs: { a: { ...x, shape: [1, rows, inner] }, b: { ...y, shape: [1, inner, cols] } }, backend, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as TensorInfo;
    try {
      if (form === 'swapped') {
        // C^T [n, m] = op(B)^T [n, k] x op(A)^T [k, m]; a transposed operand is already stored the way this needs it
        const bt = transposeB ? b : keep(ops.swapLastTwo(b, 1));
        const at = transposeA ? a : keep(ops.swapLastTwo(a, 1));
        const ct = keep(product(bt, p.n, p.k, at, p.m));
        const c = ops.swapLastTwo(ct, 1);
        return { ...c, shape: p.outShape };
      }
      const a3 = transposeA ? keep(ops.swapLastTwo(a, p.batch)) : a;
      const b3 = transposeB ? keep(ops.swapLastTwo(b, p.batch)) : b;
      if (p.batch === 1) {
        // untransposed now: the original runs it on XNNPACK
        return { ...product(a3, p.m, p.k, b3, p.n), shape: p.outShape };
      }
      const out = backend.makeOutput(p.outShape, 'float32');
      ops.batchedProduct(a3, b3, out, p);
      return out;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

/**
 * _FusedMatMul (1-d bias, activation) with a transposed operand or a batch: transposed first, then one product on
 * XNNPACK (the original fused kernel, untransposed) or one per batch item. tfjs-backend-wasm's own kernel takes
 * both to its scalar loop, which also adds the wrong bias entries from the second output row on (it indexes a 1-d
 * bias by min(row * n + col, n - 1)): test/unit/kernels/matmul.test.ts checks these against the cpu backend.
 * prelu and broadcast batches go to the original.
 */
function makeFusedMatMul(original: KernelFn): KernelFn {
  const opsOf = new WeakMap<object, WasmOps>();
  return (args: KernelArgs) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo | null; preluActivationWeights?: TensorInfo | null };
    const transposeA = !!args.attrs?.transposeA;
    const transposeB = !!args.attrs?.transposeB;
    const activation = ACTIVATIONS[String(args.attrs?.activation ?? 'linear')];
    const p = plan(a, b, transposeA, transposeB);
    const backend = args.backend;
    if (!p || !isWasmBackend(backend) || activation === undefined || preluActivationWeights || (bias && bias.shape.length !== 1)) return original(args);
    if (p.batch === 1 && !transposeA && !transposeB) return original(args); // XNNPACK already
    let ops = opsOf.get(backend);
    if (!ops) opsOf.set(backend, (ops = new WasmOps(backend)));
    const temps: TensorInfo[] = [];
    try {
      const a3 = transposeA ? (temps[temps.length] = ops.swapLastTwo(a, p.batch)) : { ...a, shape: [p.batch, p.m, p.k] };
      const b3 = transposeB ? (temps[temps.length] = ops.swapLastTwo(b, p.batch)) : { ...b, shape: [p.batch, p.k, p.n] };
      if (p.batch === 1) {
        const out = original({ ...args, inputs: { ...args.inputs, a: a3, b: b3 }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as TensorInfo;
        return { ...out, shape: p.outShape };
      }
      const out = backend.makeOutput(p.outShape, 'float32');
      const biasId = bias ? backend.dataIdMap.get(bias.dataId)!.id : 0;
      ops.batchedProduct(a3, b3, out, p, { activation, biasId, leakyreluAlpha: Number(args.attrs?.leakyreluAlpha ?? 0) || 0 });
      return out;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

export function registerWasmMatMul(tf: Tf): Registration[] {
  return [overrideKernel(tf, 'BatchMatMul', 'wasm', (o) => makeBatchMatMul(o)), overrideKernel(tf, '_FusedMatMul', 'wasm', (o) => makeFusedMatMul(o))].filter(
    (r): r is Registration => r !== null,
  );
}
