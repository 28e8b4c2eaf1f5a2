// Kernels that the bundled @tensorflow/tfjs-backend-wasm (4.22) lacks but our models need, registered as
// JS implementations on the wasm backend. Without them a token model (tf.layers.embedding, the GPT examples)
// cannot train on wasm: the gradient of an embedding lookup (GatherV2) is an UnsortedSegmentSum.
// Each kernel reads its inputs from the wasm heap (`backend.readSync`: a copy) and writes its output into a
// tensor allocated by the backend (`makeOutput` + `typedArrayFromHeap`), as tfjs-backend-wasm's own JS
// kernels do (its kernels/Unique.js). Called once by the worker before it sets the wasm backend.
// Found by running the GPT examples on wasm (`coord` and `sweep`); the cpu backend has every other kernel
// that wasm lacks (Complex, FFT, Ragged*, ...), and a model that needs one of those still falls back to cpu
// under `--backend auto` (src/host/coordCheck.ts).

/** What a wasm kernel needs of the backend it runs on (a subset of BackendWasm). */
interface WasmBackendLike {
  readSync(dataId: object): ArrayLike<number> | Uint8Array[];
  makeOutput(shape: number[], dtype: string): TensorInfoLike;
  typedArrayFromHeap(t: TensorInfoLike): Float32Array | Int32Array | Uint8Array;
}

interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: string;
}

interface KernelArgs {
  inputs: Record<string, TensorInfoLike>;
  attrs?: Record<string, unknown>;
  backend: unknown;
}

/** The subset of a tfjs module this file needs (`typeof import('@tensorflow/tfjs')` fits). */
export interface TfKernelRegistry {
  registerKernel(config: { kernelName: string; backendName: string; kernelFunc: (args: never) => unknown }): void;
  getKernel(kernelName: string, backendName: string): unknown;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * UnsortedSegmentSum (TF semantics, as tfjs-backend-cpu): `segmentIds`' shape is a prefix of `x`'s; the output is
 * `[numSegments, ...x.shape.slice(segmentIds.rank)]`, row `s` the sum of the rows of `x` whose id is `s`. Ids
 * outside `[0, numSegments)` are dropped. Repeated ids accumulate (the embedding rows of a repeated token).
 */
export function unsortedSegmentSum(args: KernelArgs): TensorInfoLike {
  const backend = args.backend as WasmBackendLike;
  const { x, segmentIds } = args.inputs;
  const numSegments = Number(args.attrs?.numSegments);
  if (!Number.isInteger(numSegments) || numSegments < 0) throw new Error(`UnsortedSegmentSum: numSegments must be a non-negative integer, got ${String(args.attrs?.numSegments)}`);
  const idRank = segmentIds.shape.length;
  if (segmentIds.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape [${segmentIds.shape.join(',')}] must be a prefix of x shape [${x.shape.join(',')}]`);
  }
  const inner = size(x.shape.slice(idRank));
  const values = backend.readSync(x.dataId) as ArrayLike<number>;
  const ids = backend.readSync(segmentIds.dataId) as ArrayLike<number>;
  // Allocate only after reading: makeOutput may grow the wasm memory, which detaches earlier heap views.
  const out = backend.makeOutput([numSegments, ...x.shape.slice(idRank)], x.dtype);
  const o = backend.typedArrayFromHeap(out);
  o.fill(0); // the heap is malloc'ed, not zeroed
  for (let r = 0; r < ids.length; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const src = r * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) o[dst + j] += values[src + j];
  }
  return out;
}

const KERNELS: { kernelName: string; kernelFunc: (args: KernelArgs) => TensorInfoLike }[] = [{ kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSum }];

/**
 * Registers on `tf` (the tfjs the worker runs models with) the wasm kernels above that are not registered yet;
 * idempotent. Returns the names it registered. Call before `setBackend('wasm')` or after: tfjs looks kernels
 * up per call.
 */
export function registerMissingWasmKernels(tf: TfKernelRegistry): string[] {
  const added: string[] = [];
  for (const k of KERNELS) {
    if (tf.getKernel(k.kernelName, 'wasm')) continue;
    tf.registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc: k.kernelFunc as (args: never) => unknown });
    added.push(k.kernelName);
  }
  return added;
}
