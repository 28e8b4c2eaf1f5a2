// How many threads each worker's wasm backend runs (issue 25): tfjs' threaded build in the worker
// (src/backend/wasmThreads.ts) splits each matrix product over them. The cores are shared by the workers: a sweep
// with one worker per core gives each worker 1 thread (the plain SIMD build, as before), a check whose runs go to
// one worker gives it every core. `--threads N` / `mupLens.wasmThreads` set the count instead. The other
// backends ignore it (tfjs-node has its own threads; a GPU is one device).
import { availableParallelism } from 'node:os';

/** The most threads tfjs' threaded wasm build runs (its pool of pthreads; src/backend/wasmThreads.ts). */
export const MAX_WASM_THREADS = 8;

/** `auto`: the cores shared by the workers; a number: that many (1: no threads). */
export type ThreadsRequest = number | 'auto';

/** Threads per worker for `workers` workers on `cores` cores: at least 1, at most MAX_WASM_THREADS under auto. */
export function wasmThreads(request: ThreadsRequest | undefined, workers: number, cores: number = availableParallelism()): number {
  if (typeof request === 'number') return Math.max(1, Math.floor(request));
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(cores / Math.max(1, workers))));
}

/** `--threads N|auto`: the request, or the one-line usage message for a wrong value. */
export function parseThreads(v: string, flag = '--threads'): ThreadsRequest | { error: string } {
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) return { error: `${flag} must be a positive integer or auto, got '${v}'` };
  return n;
}
