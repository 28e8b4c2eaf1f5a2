// Starts the wasm backend in this process as the worker does (src/backend/wasmThreads.ts), with a fault forced in,
// and prints what came of it as one JSON line: wasm-threads.test.ts runs it in a child process per case (a tfjs
// backend is set once per process).
//   node --import tsx test/unit/backend/wasmThreadsProbe.ts <threads> <fault>
// fault: none | worker-throws (worker_threads cannot start a thread) | worker-errors (a pthread worker fails
// while it loads) | no-shared-memory (a Node without SharedArrayBuffer) | hang (the pool never loads; 3 s limit)
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startWasm, type StartWasmOptions } from '../../../src/backend/wasmThreads';

const threads = Number(process.argv[2] ?? '2');
const fault = process.argv[3] ?? 'none';

/** worker_threads refuses every thread (as Node does for a blob: URL, or when threads are exhausted). */
const ThrowingWorker = function ThrowingWorker(): never {
  throw new Error('worker_threads refused to start a thread (forced)');
} as unknown as typeof Worker;

/** A pthread worker whose code throws as it loads: its 'error' event reaches emscripten's handler. */
class ErroringWorker extends Worker {
  constructor(_url: ConstructorParameters<typeof Worker>[0], options?: ConstructorParameters<typeof Worker>[1]) {
    super("throw new Error('pthread worker failed to load (forced)')", { ...options, eval: true });
  }
}

/** A pthread worker that never answers: the pool never finishes loading. */
class SilentWorker extends Worker {
  constructor(_url: ConstructorParameters<typeof Worker>[0], options?: ConstructorParameters<typeof Worker>[1]) {
    super('setInterval(() => {}, 1000)', { ...options, eval: true });
    this.unref();
  }
}

async function main(): Promise<void> {
  tfWasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  const opts: StartWasmOptions = {};
  if (fault === 'worker-throws') opts.Worker = ThrowingWorker;
  if (fault === 'worker-errors') opts.Worker = ErroringWorker;
  if (fault === 'hang') Object.assign(opts, { Worker: SilentWorker, timeoutMs: 3000 });
  if (fault === 'no-shared-memory') opts.missing = () => 'this Node has no SharedArrayBuffer';
  const started = await startWasm(tf, tfWasm, threads, opts);
  // The backend computes after it: a product and its sum, read back.
  const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
  const product = Array.from(tf.matMul(a, b).dataSync());
  console.log(JSON.stringify({ ...started, backend: tf.getBackend(), product, reported: tfWasm.getThreadsCount() }));
  process.exit(0);
}

main().catch((err: unknown) => {
  console.log(JSON.stringify({ crashed: err instanceof Error ? err.message : String(err) }));
  process.exit(1);
});
