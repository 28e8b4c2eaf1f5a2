// Gives the pthread pool of tfjs-backend-wasm's threaded build (emscripten) real Node `worker_threads` (issue 25).
// tfjs 4.x turns threads off under Node, and forced on they fail at start: the build makes each pthread worker from
// a `blob:` URL (`locateFile('…worker.js')` returns `URL.createObjectURL(new Blob([workerSource]))`), which Node's
// Worker refuses (ERR_WORKER_PATH), and it hands each worker its own factory as a Blob to `importScripts`, which
// its Node branch reads from the file system. Nothing of tfjs is copied or changed; while the backend starts:
// - `Blob` and `URL.createObjectURL` remember the text of string-only blobs (the worker's source and the factory);
// - `globalThis.Worker` (which the build sets to worker_threads' Worker and calls as `new Worker(url)`) is a
//   subclass that runs a remembered `blob:` URL's text with `eval: true` (plus the few lines below that load the
//   factory), and turns the factory Blob of the `load` message into a string that those lines evaluate;
// - the factory's source is the text of a function from inside tfjs' bundle, so it names a few of the bundle's
//   own variables (`require$$0` for `fs`, tslib's `__values`, ...): `bundleScope` declares them in front of it,
//   and refuses (the backend then runs without threads, and says why) when it names one it cannot tell.
// Runs in the worker process only. The emscripten side it talks to is in tfjs-backend-wasm's
// dist/tf-backend-wasm.node.js (`PThread.allocateUnusedWorker`, `loadWasmModuleToWorker`, `wasmWorkerContents`).
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';

/** What `importScripts` in a pthread worker gets instead of the factory Blob: this prefix, then the source. */
export const FACTORY_MARK = '\u0000mup-lens-wasm-factory\u0000';

/** Names tslib gives its helpers; the factory's source calls some of them (esbuild may add a digit to each). */
const HELPERS: Record<string, string> = {
  __values: 'function (o) { return o[Symbol.iterator](); }',
  __read: 'function (o, n) { var it = o[Symbol.iterator](), out = [], r; while ((n === undefined || n-- > 0) && !(r = it.next()).done) out.push(r.value); return out; }',
  __spreadArray: 'function (to, from) { return to.concat(Array.prototype.slice.call(from)); }',
};

/**
 * How the factory uses each Node module the bundle imported as `require$$N`: what tells which module it is. A
 * bundler may add a digit to a local name (esbuild: `var fs2 = require$$0`).
 */
const MODULE_USES: { module: string; use: (name: string) => RegExp }[] = [
  { module: 'fs', use: (n) => new RegExp(`\\bvar fs\\d* = ${esc(n)};`) },
  { module: 'path', use: (n) => new RegExp(`\\bvar nodePath\\d* = ${esc(n)};`) },
  { module: 'perf_hooks', use: (n) => new RegExp(`\\b${esc(n)}\\.performance\\b`) },
  { module: 'os', use: (n) => new RegExp(`\\b${esc(n)}\\.cpus\\(\\)`) },
  { module: 'worker_threads', use: (n) => new RegExp(`\\b${esc(n)}\\.Worker\\b`) },
];

function esc(s: string): string {
  return s.replace(/[$.*+?^()[\]{}|\\]/g, '\\$&');
}

/**
 * The declarations that the factory's source (`var WasmBackendModuleThreadedSimd = function …`) needs in front of
 * it to run outside its bundle, or the reason it cannot be run there.
 */
export function bundleScope(source: string): { prelude: string } | { refused: string } {
  const lines: string[] = [];
  for (const name of new Set(source.match(/(?<![\w$.])require\$\$\d+(?![\w$])/g) ?? [])) {
    const found = MODULE_USES.find((u) => u.use(name).test(source));
    if (!found) return { refused: `the threaded build's source uses ${name}, a module of tfjs' bundle this version of mup-lens does not know` };
    lines.push(`var ${name} = require(${JSON.stringify(found.module)});`);
  }
  for (const name of new Set(source.match(/(?<![\w$.])commonjsGlobal\d*(?![\w$])/g) ?? [])) lines.push(`var ${name} = globalThis;`);
  // Calls of `__name(`: those the source defines itself (emscripten's `function __emscripten_…`) are fine.
  const defined = new Set([...source.matchAll(/(?:function|var)\s+(__\w+)/g)].map((m) => m[1]!));
  for (const name of new Set([...source.matchAll(/(?<![\w$.'"])(__[A-Za-z]\w*)\s*\(/g)].map((m) => m[1]!))) {
    if (defined.has(name)) continue;
    const helper = HELPERS[name.replace(/\d+$/, '')];
    if (!helper) return { refused: `the threaded build's source calls ${name}, a helper of tfjs' bundle this version of mup-lens does not know` };
    lines.push(`var ${name} = ${helper};`);
  }
  return { prelude: lines.join('\n') };
}

/** Appended to the pthread worker's own source: `importScripts(FACTORY_MARK + source)` evaluates the source. */
const POSTLUDE = `
;(function () {
  var nodeImportScripts = globalThis.importScripts;
  var mark = ${JSON.stringify(FACTORY_MARK)};
  globalThis.importScripts = function (f) {
    if (typeof f === 'string' && f.startsWith(mark)) return (0, eval)(f.slice(mark.length) + '\\n//# sourceURL=tfjs-backend-wasm-threaded-simd.js');
    return nodeImportScripts(f);
  };
})();
`;

export interface PthreadShim {
  /** Rejects with a one-line reason when a pthread worker cannot start (then threads are given up). */
  readonly failed: Promise<never>;
  /**
   * The backend started: `Blob` and `URL.createObjectURL` are put back (the `Worker` accessor stays: the pool may
   * grow later), and an error in a pthread worker is emscripten's again. Idempotent.
   */
  finish(): void;
  /**
   * Gives the start up: stops every pthread worker started (not waited for: an unref'ed worker's termination
   * would not keep this process alive); their errors are dropped from now on.
   */
  terminateAll(): void;
}

export interface ShimOptions {
  /** The worker_threads Worker to run pthreads on (tests pass one that fails to start). */
  Worker?: typeof NodeWorker;
}

/** Installs the shim on this process' globals; call before `setBackend('wasm')` with threads. */
export function installPthreadShim(opts: ShimOptions = {}): PthreadShim {
  const Base = opts.Worker ?? NodeWorker;
  const OrigBlob = globalThis.Blob;
  const origCreate = URL.createObjectURL.bind(URL);
  const blobText = new WeakMap<object, string>();
  const urlText = new Map<string, string>();
  let workerSource: string | null = null;
  // What each worker's `load` message carries instead of the factory Blob (the same for every worker).
  let factoryScript: { blob: object; script: string | { refused: string } } | null = null;
  const workers = new Set<NodeWorker>();
  let fail: (reason: string) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    fail = (reason) => reject(new Error(reason));
  });
  failed.catch(() => undefined); // observed by whoever races it; never an unhandled rejection
  // 'starting' until the backend started ('started': a worker's error is emscripten's again) or was given up
  // ('abandoned': the workers are being stopped, and what they still report is dropped).
  let phase: 'starting' | 'started' | 'abandoned' = 'starting';

  class CapturingBlob extends OrigBlob {
    constructor(...args: ConstructorParameters<typeof Blob>) {
      super(...args);
      const parts: unknown = args[0];
      if (Array.isArray(parts) && parts.every((p) => typeof p === 'string')) blobText.set(this, parts.join(''));
    }
  }
  globalThis.Blob = CapturingBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob) => {
    const url = origCreate(obj);
    const text = blobText.get(obj);
    if (text !== undefined) urlText.set(url, text);
    return url;
  };

  class PthreadWorker extends Base {
    constructor(url: string | URL, options?: WorkerOptions) {
      const href = String(url);
      if (!href.startsWith('blob:')) {
        super(url, options);
        return;
      }
      // The pool may grow after start-up (more threads than its 8): the same source again.
      const text = urlText.get(href) ?? workerSource;
      if (text === null) throw new Error(`no source for the pthread worker at ${href}`);
      workerSource = text;
      super(text + POSTLUDE, { eval: true });
      workers.add(this);
      this.once('exit', (code) => {
        workers.delete(this);
        if (phase === 'starting') fail(`a pthread worker exited (code ${code}) before the backend started`);
      });
    }

    override postMessage(value: unknown, transferList?: Parameters<NodeWorker['postMessage']>[1]): void {
      const msg = value as { cmd?: string; urlOrBlob?: unknown } | null;
      if (msg?.cmd === 'load' && msg.urlOrBlob instanceof OrigBlob) {
        if (factoryScript?.blob !== msg.urlOrBlob) {
          const source = blobText.get(msg.urlOrBlob);
          const scope = source === undefined ? { refused: 'the threaded build handed its workers a script mup-lens cannot read' } : bundleScope(source);
          factoryScript = { blob: msg.urlOrBlob, script: 'refused' in scope ? scope : FACTORY_MARK + scope.prelude + '\n' + source! };
        }
        if (typeof factoryScript.script !== 'string') {
          fail(factoryScript.script.refused);
          return;
        }
        value = { ...msg, urlOrBlob: factoryScript.script };
      }
      super.postMessage(value, transferList);
    }

    // emscripten refs a worker while a pthread runs on it, so that a program whose main() returned waits for its
    // threads; XNNPACK's pool threads run (idle) for as long as the backend lives, and a process that is done
    // (a bench side, a test) must still end: they never keep it alive.
    override ref(): void {
      this.unref();
    }

    // emscripten's error handler rethrows (an uncaught exception in this process): while the backend starts, an
    // error in a pthread worker gives threads up instead.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override emit(event: string | symbol, ...args: any[]): boolean {
      if (event === 'error' && phase !== 'started') {
        const err: unknown = args[0];
        fail(`a pthread worker failed: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
        return true;
      }
      return super.emit(event, ...args);
    }
  }

  // The build assigns `globalThis.Worker = require('worker_threads').Worker` each time it starts: keep ours.
  Object.defineProperty(globalThis, 'Worker', { configurable: true, enumerable: false, get: () => PthreadWorker, set: () => undefined });

  return {
    failed,
    finish() {
      if (phase === 'starting') phase = 'started';
      globalThis.Blob = OrigBlob;
      URL.createObjectURL = origCreate;
    },
    terminateAll() {
      phase = 'abandoned';
      this.finish();
      for (const w of workers) w.terminate().catch(() => undefined);
    },
  };
}
