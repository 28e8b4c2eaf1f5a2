// The worker process (dist/worker.js): the only place where tfjs and the user's model code run.
// Forked by src/host/workerClient.ts with an IPC channel; speaks src/protocol/worker.ts. It selects the backend once
// (on `init`, before any user module loads: wasm throws on tensors created earlier, docs/mup.md), then runs jobs one
// at a time, streaming progress. A job's failure is reported and the worker stays usable.
import type * as tfjs from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { BackendError, selectBackend } from '../backend/select';
import { registerMissingWasmKernels } from '../backend/wasmKernels';
import { startWasm, type WasmBackendModule } from '../backend/wasmThreads';
import { fastPathsEnabled, registerFastPaths } from '../kernels/index';
import { releaseFreeGpuBuffers } from '../backend/webgpu';
import { webgpuEnv } from '../backend/webgpuEnv';
import { UserCodeError, userError } from '../job/errors';
import { isOutOfMemory } from '../job/oom';
import { createMup } from '../mup/index';
import type { MupRuntime } from '../mup/runtime-types';
import type { BackendInfo, HostToWorker, JobKind, WorkerError, WorkerToHost } from '../protocol/worker';
import { jobHandlers, type JobContext } from './jobs';
import { loadUserModule } from './loadModule';

type Tf = typeof tfjs;

// The tfjs bundled with mup-lens is loaded only when it is the one selected. Two tfjs copies in one process share
// tfjs' global kernel registry and engine: a workspace's own tfjs loaded after the bundled one would register
// every kernel again (hundreds of "already registered" warnings) over the bundled one's state.
let bundledTf: Tf | undefined;
function bundled(): Tf {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  bundledTf ??= require('@tensorflow/tfjs') as Tf;
  return bundledTf;
}
type WasmModule = WasmBackendModule & { setWasmPaths(prefix: string): void };
function bundledWasm(): WasmModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@tensorflow/tfjs-backend-wasm') as WasmModule;
}

// Where two copies do meet (a workspace package that failed half-way through loading), tfjs warns once per
// kernel: one line says it instead.
const consoleWarn = console.warn.bind(console);
let duplicateRegistrations = 0;
console.warn = (...args: unknown[]) => {
  const text = typeof args[0] === 'string' ? args[0] : '';
  if (/^The kernel '[^']+' for backend '[^']+' is already registered$|^\w+ backend was already registered\. Reusing existing backend factory\.$|^Platform \w+ has already been set\./.test(text)) {
    if (duplicateRegistrations++ === 0) consoleWarn('tfjs: a second tfjs copy registered kernels that were already registered (further warnings of this kind are not shown)');
    return;
  }
  consoleWarn(...args);
};

/** How often the watchdog looks for the parent: an orphan lives at most about this long. */
const PARENT_POLL_MS = 1000;

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { ppid, pollMs } = workerData;
const gone = () => {
  if (process.ppid !== ppid) return true; // re-parented: the host died
  try {
    process.kill(ppid, 0);
    return false;
  } catch (err) {
    return err.code !== 'EPERM';
  }
};
setInterval(() => {
  if (gone()) process.kill(process.pid, 'SIGKILL');
}, pollMs);
`;

function startParentWatchdog(ppid: number, pollMs: number): void {
  if (!process.send || ppid <= 1) return; // not forked by a host (run by hand): nothing to watch
  try {
    // unref: the thread never keeps the worker alive by itself.
    new Worker(WATCHDOG, { eval: true, workerData: { ppid, pollMs } }).unref();
  } catch (err) {
    console.warn(`mup-lens worker: no parent watchdog (${err instanceof Error ? err.message : String(err)})`);
  }
}

function send(msg: WorkerToHost): void {
  process.send?.(msg);
}

/** Where the .wasm binaries are: next to the bundle (scripts/build.mjs copies them), else in node_modules. */
function wasmDir(): string {
  if (existsSync(join(__dirname, 'tfjs-backend-wasm-simd.wasm'))) return __dirname + '/';
  // createRequire: resolved at run time from source checkouts (tsx), where no copy sits next to this file.
  return join(dirname(createRequire(__filename).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/** The folder of the package whose entry point is `entry` (the nearest one with a package.json). */
function packageRoot(entry: string): string | null {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return null;
}

/** The dist/ folder (with the .wasm binaries) of the package whose entry point is `entry`. */
function packageDist(entry: string): string {
  const dir = packageRoot(entry);
  return dir ? join(dir, 'dist') + '/' : dirname(entry) + '/';
}

let selected: { tf: Tf; info: BackendInfo } | null = null;
let mupInstance: MupRuntime | null = null;

function mupFor(t: Tf): MupRuntime {
  mupInstance ??= createMup(t);
  return mupInstance;
}

function toWorkerError(err: unknown): WorkerError {
  if (err instanceof UserCodeError) return err.info;
  const missing = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(err instanceof Error ? err.message : String(err));
  if (missing) {
    // wasm lacks some kernels (Complex, FFT, Ragged*; we add UnsortedSegmentSum ourselves); cpu has them all.
    return { kind: 'backend', message: `the ${missing[2]} backend has no '${missing[1]}' kernel, which this model needs: run it with --backend cpu (or tensorflow)` };
  }
  if (err instanceof BackendError) return { kind: 'backend', message: err.message };
  if (isOutOfMemory(err)) return { kind: 'oom', message: `out of memory: ${err instanceof Error ? err.message : String(err)}` };
  const u = userError(err, 'error');
  return u.info.file ? u.info : { kind: 'internal', message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined };
}

async function init(request: HostToWorker & { type: 'init' }): Promise<void> {
  const { backend, workspaceDir, threads = 1 } = request.init;
  try {
    selected = await selectBackend<Tf>(backend, {
      resolve: (id) => {
        try {
          return require.resolve(id, { paths: [workspaceDir] });
        } catch {
          return null;
        }
      },
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      load: (path) => require(path) as Tf,
      get bundled() {
        return bundled();
      },
      // + the kernels the bundled wasm lacks (UnsortedSegmentSum: the gradient of an embedding), src/backend/wasmKernels.ts.
      prepareWasm: () => (bundled(), bundledWasm().setWasmPaths(wasmDir()), registerMissingWasmKernels(bundled())),
      versionOf: (entry) => {
        const dir = packageRoot(entry);
        try {
          return dir ? (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? null : null;
        } catch {
          return null;
        }
      },
      // The workspace's own wasm backend: loading it registers 'wasm' on the tfjs-core it imports (the workspace's).
      prepareWorkspaceWasm: (wsTf, wasmPath) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const wasm = require(wasmPath) as { setWasmPaths?: (prefix: string) => void };
        if (typeof wasm.setWasmPaths !== 'function') throw new Error(`${wasmPath} has no setWasmPaths`);
        wasm.setWasmPaths(packageDist(wasmPath));
        registerMissingWasmKernels(wsTf);
      },
      // On `threads` threads: tfjs' threaded build, its pthreads on worker_threads (src/backend/wasmThreads.ts).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      setWasm: (tf, backendPath) => startWasm(tf, backendPath === null ? bundledWasm() : (require(backendPath) as WasmBackendModule), threads),
      // Dawn (the `webgpu` package) and tfjs-backend-webgpu: the workspace's when installed, else mup-lens's.
      webgpu: webgpuEnv<Tf>(bundled),
    });
    // Faster tfjs paths for what models hit (Tile gradient, layer norm, matmul layouts; issue 11), in this process only.
    if (fastPathsEnabled()) registerFastPaths(selected.tf, selected.info.name);
    send({ type: 'backend', info: selected.info });
  } catch (err) {
    send({ type: 'init-error', error: toWorkerError(err) });
  }
}

let queue: Promise<void> = Promise.resolve();

function runJob<K extends JobKind>(id: number, kind: K, params: unknown): Promise<void> {
  return (async () => {
    if (!selected) {
      send({ type: 'error', id, error: { kind: 'internal', message: 'job before init: the backend is not selected' } });
      return;
    }
    const current = selected;
    const ctx: JobContext<K> = {
      tf: current.tf,
      backend: current.info,
      loadModule: (file) => loadUserModule(file, { tf: current.tf, runtime: () => mupFor(current.tf) }),
      mup: () => mupFor(current.tf),
      progress: (data) => send({ type: 'progress', id, kind, data } as WorkerToHost),
      built: () => send({ type: 'built', id }),
      releaseMemory: () => void releaseFreeGpuBuffers(current.tf),
    };
    try {
      const handler = jobHandlers[kind] as (p: unknown, c: JobContext<K>) => Promise<unknown>;
      const result = await handler(params, ctx);
      send({ type: 'result', id, kind, result } as WorkerToHost);
    } catch (err) {
      send({ type: 'error', id, error: toWorkerError(err) });
    } finally {
      ctx.releaseMemory(); // a sweep trial is one width: its GPU buffers go with it
    }
  })();
}

process.on('message', (raw: unknown) => {
  const msg = raw as HostToWorker;
  switch (msg.type) {
    case 'init':
      queue = queue.then(() => init(msg));
      break;
    case 'job':
      queue = queue.then(() => runJob(msg.id, msg.kind, msg.params));
      break;
    default: {
      const _: never = msg;
      void _;
    }
  }
});

// The host is our only reason to live: exit when it goes away instead of lingering as an orphan.
process.on('disconnect', () => process.exit(0));
// 'disconnect' needs this thread's event loop, which user code stuck in a synchronous loop (a factory that never
// returns) never gives back: when the host is killed (SIGKILL from a CI timeout, a closed window) such a worker
// would spin at 100% CPU forever. A watchdog thread polls whether the parent is still there and kills this
// process when it is not, whatever the main thread is doing.
startParentWatchdog(process.ppid, PARENT_POLL_MS);
// Ctrl-C in a terminal signals the whole process group, this worker too. The host decides what an interrupt
// means (the CLI keeps the finished widths and trials, then stops us): without this the worker would die
// first and the host would see a crash instead of a cancel.
process.on('SIGINT', () => undefined);
send({ type: 'ready', pid: process.pid });
