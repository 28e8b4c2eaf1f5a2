// Sets tfjs' wasm backend on N threads (issue 25): tfjs-backend-wasm's threaded SIMD build, XNNPACK on a pool of
// pthreads, each a Node worker thread (./pthreadShim.ts); on one thread, or when threads cannot start, its plain
// SIMD build, as before, with one line that says why. The numbers are the same either way: XNNPACK splits a
// product's output between the threads, each element still summed by one thread in the same order
// (test/unit/backend/wasm-threads.test.ts compares training runs on both builds).
// Two things of tfjs 4.x are worked around, neither by changing tfjs:
// - its flag WASM_HAS_MULTITHREAD_SUPPORT is false under Node: set true here when threads are wanted;
// - the build sizes its pool from the cores it sees, halved ("2 threads per core"), and caps the count
//   `setThreadsCount` asks for by that: on a 2-core machine it would never run 2 threads. While it starts,
//   `os.cpus()` reports twice the count asked for, so that the count asked for is the count run.
// Runs in the worker process only (src/worker/main.ts, through src/backend/select.ts's `setWasm`).
import fs from 'node:fs';
import os from 'node:os';
import { installPthreadShim, type ShimOptions } from './pthreadShim';

/** The most threads tfjs' threaded build runs: its pool has 8 pthreads and it caps the count at 8. */
export const MAX_WASM_THREADS = 8;

/** The parts of @tensorflow/tfjs-backend-wasm (4.x) used here. */
export interface WasmBackendModule {
  setThreadsCount?(n: number): void;
  getThreadsCount?(): number;
}

/** The parts of a tfjs module used here. */
export interface TfEnvLike {
  env(): { set(flag: string, value: boolean): void };
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
}

export interface WasmStart {
  /** null: wasm is the backend now; else why it could not be set (as select.ts words a failed setBackend). */
  failure: string | null;
  /** Threads XNNPACK runs on (1: the plain SIMD build). */
  threads: number;
  /** One line for the backend's reasons when threads were asked for and not (all) given. */
  note: string | null;
}

export interface StartWasmOptions extends ShimOptions {
  /** Longest wait for the threaded build to start before giving threads up (default 60 s). */
  timeoutMs?: number;
  /** What this process lacks for threads, or null (tests stand in a process without SharedArrayBuffer). */
  missing?: (wasm: WasmBackendModule) => string | null;
}

/** Why this process cannot run the threaded build, or null. */
export function threadSupportMissing(wasm: WasmBackendModule): string | null {
  if (typeof SharedArrayBuffer !== 'function') return 'this Node has no SharedArrayBuffer';
  if (typeof Atomics?.wait !== 'function') return 'this Node has no Atomics.wait';
  try {
    const wasmApi = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => unknown } }).WebAssembly;
    new wasmApi.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return "this Node's WebAssembly has no shared memory (threads)";
  }
  if (typeof wasm.setThreadsCount !== 'function' || typeof wasm.getThreadsCount !== 'function') return 'this @tensorflow/tfjs-backend-wasm has no setThreadsCount (4.x has)';
  return null;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === 'object' && err !== null && 'message' in err ? String((err as { message: unknown }).message) : String(err);
  return text.split('\n')[0]!.trim() || 'unknown error';
}

async function setWasmBackend(tf: TfEnvLike): Promise<string | null> {
  try {
    const ok = await tf.setBackend('wasm');
    return ok && tf.getBackend() === 'wasm' ? null : "setBackend('wasm') returned false";
  } catch (err) {
    return firstLine(err);
  }
}

/** `os.cpus()` reports at least `n` cores until the returned function is called. */
function reportCores(n: number): () => void {
  const real = os.cpus;
  os.cpus = () => {
    const cpus = real.call(os);
    return cpus.length >= n ? cpus : Array.from({ length: n }, (_, i) => cpus[i % Math.max(1, cpus.length)]!);
  };
  return () => {
    os.cpus = real;
  };
}

/**
 * While the threaded build starts, what it and tfjs print of a failed start is held, not printed: emscripten's
 * "Aborted(…)" lines (written to fd 2 directly) and tfjs' warnings (message, stack). A start that fails is said in
 * one line instead (its first held line); one that works prints what was held.
 */
function holdOutput(): { first: () => string | null; release(print: boolean): void } {
  const warn = console.warn;
  const writeSync = fs.writeSync;
  const held: { text: string; print: () => void }[] = [];
  let released = false;
  console.warn = (...args: unknown[]) => {
    held.push({ text: args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '), print: () => warn(...args) });
  };
  fs.writeSync = ((fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd !== 2 || typeof data !== 'string') return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    held.push({ text: data, print: () => process.stderr.write(data) });
    return Buffer.byteLength(data);
  }) as typeof fs.writeSync;
  return {
    first: () => held.map((h) => h.text.trim()).find((t) => t !== '' && t !== 'Initialization of backend wasm failed') ?? null,
    release(print: boolean) {
      if (released) return;
      released = true;
      console.warn = warn;
      fs.writeSync = writeSync;
      if (print) for (const h of held) h.print();
    },
  };
}

/**
 * Sets wasm on `tf` (with `wasm`, the @tensorflow/tfjs-backend-wasm registered on it, whose .wasm paths are set):
 * on `threads` threads (at most MAX_WASM_THREADS) with the threaded build, or on 1 with the plain SIMD build.
 */
export async function startWasm(tf: TfEnvLike, wasm: WasmBackendModule, threads: number, opts: StartWasmOptions = {}): Promise<WasmStart> {
  const plain = async (note: string | null): Promise<WasmStart> => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount?.(1);
    return { failure: await setWasmBackend(tf), threads: 1, note };
  };
  if (!(threads > 1)) return plain(null);
  const missing = (opts.missing ?? threadSupportMissing)(wasm);
  if (missing) return plain(`wasm threads: ${missing}: running on 1 thread`);
  const want = Math.min(Math.floor(threads), MAX_WASM_THREADS);
  const capped = want < threads ? `; ${threads} asked for, ${MAX_WASM_THREADS} is the most tfjs' threaded build runs` : '';
  const shim = installPthreadShim(opts);
  const restoreCores = reportCores(2 * want);
  const output = holdOutput();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let reason: string;
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount!(want);
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the threaded build did not start within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    });
    const ok = await Promise.race([tf.setBackend('wasm'), shim.failed, timedOut]);
    if (ok && tf.getBackend() === 'wasm') {
      shim.finish();
      output.release(true);
      const got = wasm.getThreadsCount!();
      if (got >= want) return { failure: null, threads: got, note: capped ? `wasm threads: ${got}${capped}` : null };
      return { failure: null, threads: got, note: `wasm threads: the threaded build runs ${got} of the ${want} threads asked for` };
    }
    const said = output.first();
    reason = said === null ? "setBackend('wasm') returned false" : firstLine(said).replace(/^Error: /, '');
  } catch (err) {
    reason = firstLine(err);
  } finally {
    clearTimeout(timer);
    restoreCores();
    output.release(false); // held lines of a failed start are not printed (no-op after a start that worked)
  }
  shim.terminateAll();
  return plain(`wasm threads could not start (${reason}): running on 1 thread`);
}
