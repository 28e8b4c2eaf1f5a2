// Host side of one worker process (used by the CLI and the extension host, through src/host/workerPool.ts): forks
// dist/worker.js, selects the backend, runs jobs one after another on the same process, streams their progress,
// and turns every way a job can go wrong (user error, hang, crash, out of memory, cancel) into a WorkerJobError
// with a one-line message. It never loads tfjs or user code itself.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendInfo, JobKind, JobKinds, WorkerError, WorkerInit, WorkerToHost } from '../protocol/worker';

export class WorkerJobError extends Error {
  constructor(readonly error: WorkerError) {
    super(error.message);
  }
}

export interface WorkerClientOptions {
  init: WorkerInit;
  /** The worker entry; default dist/worker.js next to this bundle, or src/worker/main.ts (via tsx) from source. */
  workerPath?: string;
  /** V8 heap limit of the worker in MiB (default: node's). */
  maxOldSpaceMb?: number;
  /** Lines the worker (the user's model code, tfjs) prints on stdout/stderr. */
  onLog?: (line: string) => void;
}

export interface RunOptions<K extends JobKind> {
  onProgress?: (data: JobKinds[K]['progress']) => void;
  /** Kills the worker when the job has not finished after this long. */
  timeoutMs?: number;
  /** When the time limit started (Date.now()); default: when run() was called. */
  startedAt?: number;
  /** Kills the worker when the job has sent no progress for this long (a factory or a step that never returns). */
  stallTimeoutMs?: number;
  /** Kills the worker when the model is not built (no `built`, no progress) this long after the job started. */
  buildTimeoutMs?: number;
  /** Called every waitNoteMs() that the job is silent: still building its model, or in a step that does not end. */
  onWaiting?: (phase: 'building' | 'step', ms: number) => void;
  signal?: AbortSignal;
}

/** How often a silent job is reported as still waiting (issue 20 item 7); MUP_LENS_WAIT_NOTE_MS for tests. */
export const waitNoteMs = (): number => Number(process.env.MUP_LENS_WAIT_NOTE_MS) || 30_000;

interface Pending {
  id: number;
  resolve(v: unknown): void;
  reject(e: WorkerJobError): void;
  onProgress?: (data: unknown) => void;
  onBuilt?: () => void;
}

/** The first line of V8's report when the process dies of a fatal error (out of memory, a failed allocation). */
const V8_FATAL = /^\s*(<--- Last few GCs --->|<--- JS stacktrace --->|FATAL ERROR:|#\s*Fatal (JavaScript|process) out of memory)/;

/** tfjs prints an advertisement for tfjs-node on load; it is noise in a check's log. */
const NOISE = /^(=+|Hi, looks like you are running TensorFlow\.js in Node\.js.*|Hi there 👋.*)$/;

/**
 * What Dawn and the Vulkan loader print on stderr (natively, past any JS hook) while they look for adapters and
 * reject some: Mesa's lavapipe ("Warning: Vulkan shaderUniform*ArrayDynamicIndexing required." and its two trailer
 * lines), or no Vulkan device at all. On most Linux machines without a usable GPU every worker would print them
 * under `auto`; the reasons already say why webgpu is not used, so the host drops these lines.
 */
export const DAWN_DISCOVERY_NOISE =
  /^(Warning: Vulkan .*|Warning: vkEnumeratePhysicalDevices|Error: Loader Message: .*|- While initializing adapter \(backend=BackendType::\w+\)|at \w+ \(.*third_party\/dawn\/src\/.*\)|error: XDG_RUNTIME_DIR is invalid or not set in the environment\.)$/;

/** Newest modification time of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function defaultWorkerEntry(): { path: string; execArgv: string[] } {
  // Bundled (dist/extension.js, dist/cli.js): the worker bundle sits next to us.
  const built = join(__dirname, 'worker.js');
  if (existsSync(built)) return { path: built, execArgv: [] };
  // From source (tests, benches under tsx): the repository's dist/worker.js when it is newer than every source
  // file (npm test builds first; it starts ~3x faster), else the TypeScript entry through tsx.
  const source = join(__dirname, 'main.ts');
  const repoDist = join(__dirname, '..', '..', 'dist', 'worker.js');
  if (existsSync(source)) {
    const fresh = existsSync(repoDist) && statSync(repoDist).mtimeMs >= newestMtime(join(__dirname, '..'));
    return fresh ? { path: repoDist, execArgv: [] } : { path: source, execArgv: ['--import', 'tsx'] };
  }
  return { path: repoDist, execArgv: [] };
}

export class WorkerClient {
  private child: ChildProcess | null = null;
  private starting: Promise<BackendInfo> | null = null;
  private pending: Pending | null = null;
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private stderrTail: string[] = [];
  backend: BackendInfo | undefined;

  constructor(private readonly opts: WorkerClientOptions) {}

  /** Forks the worker and selects the backend (idempotent while the worker lives). */
  start(): Promise<BackendInfo> {
    if (this.starting) return this.starting;
    this.starting = new Promise<BackendInfo>((resolve, reject) => {
      const entry = this.opts.workerPath ? { path: this.opts.workerPath, execArgv: this.opts.workerPath.endsWith('.ts') ? ['--import', 'tsx'] : [] } : defaultWorkerEntry();
      if (!existsSync(entry.path)) {
        reject(new WorkerJobError({ kind: 'internal', message: `worker entry not found: ${entry.path} (run npm run build)` }));
        return;
      }
      const execArgv = [...entry.execArgv];
      if (this.opts.maxOldSpaceMb) execArgv.push(`--max-old-space-size=${this.opts.maxOldSpaceMb}`);
      const child = fork(entry.path, [], { execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
      this.child = child;
      this.stderrTail = [];
      // V8's report of a fatal error (out of memory: the last GCs, a JS stack trace, a native stack) is ~20 lines;
      // the user gets one line for it (deathError), so from its first line on stderr goes only to the tail.
      let fatalReport = false;
      const lines = (stream: NodeJS.ReadableStream | null, isErr: boolean) => {
        let buf = '';
        stream?.setEncoding('utf8');
        stream?.on('data', (chunk: string) => {
          buf += chunk;
          const parts = buf.split('\n');
          buf = parts.pop() ?? '';
          for (const line of parts) take(line);
        });
        stream?.on('end', () => {
          if (buf) take(buf);
          buf = '';
        });
        const take = (line: string) => {
          if (isErr) {
            this.stderrTail = [...this.stderrTail.slice(-80), line];
            if (V8_FATAL.test(line)) fatalReport = true;
            if (fatalReport) return;
          }
          if (line.trim() && !NOISE.test(line.trim()) && !DAWN_DISCOVERY_NOISE.test(line.trim())) this.opts.onLog?.(line);
        };
      };
      lines(child.stdout, false);
      lines(child.stderr, true);
      let started = false;
      child.on('message', (raw: unknown) => {
        const msg = raw as WorkerToHost;
        switch (msg.type) {
          case 'ready':
            child.send({ type: 'init', init: this.opts.init });
            break;
          case 'backend':
            started = true;
            this.backend = msg.info;
            resolve(msg.info);
            break;
          case 'init-error':
            started = true;
            reject(new WorkerJobError(msg.error));
            this.kill();
            break;
          case 'progress':
            if (this.pending?.id === msg.id) this.pending.onProgress?.(msg.data);
            break;
          case 'built':
            if (this.pending?.id === msg.id) this.pending.onBuilt?.();
            break;
          case 'result':
            if (this.pending?.id === msg.id) this.settle((p) => p.resolve(msg.result));
            break;
          case 'error':
            if (this.pending?.id === msg.id) this.settle((p) => p.reject(new WorkerJobError(msg.error)));
            break;
          default: {
            const _: never = msg;
            void _;
          }
        }
      });
      child.on('error', (err) => {
        if (!started) reject(new WorkerJobError({ kind: 'crash', message: `cannot start the worker: ${err.message}` }));
      });
      // 'close' (not 'exit'): by then stderr is drained, so a V8 "heap out of memory" line is in the tail.
      child.on('close', (code, signal) => {
        if (this.child === child) {
          this.child = null;
          this.starting = null;
        }
        const error = this.deathError(code, signal);
        if (!started) reject(new WorkerJobError(error));
        this.settle((p) => p.reject(new WorkerJobError(error)));
      });
    });
    return this.starting;
  }

  /** Runs one job; jobs on one client run one at a time, in call order. A dead worker is restarted. */
  run<K extends JobKind>(kind: K, params: JobKinds[K]['params'], opts: RunOptions<K> = {}): Promise<JobKinds[K]['result']> {
    const job = this.chain.then(() => this.runNow(kind, params, opts));
    this.chain = job.catch(() => undefined);
    return job;
  }

  private async runNow<K extends JobKind>(kind: K, params: JobKinds[K]['params'], opts: RunOptions<K>): Promise<JobKinds[K]['result']> {
    if (opts.signal?.aborted) throw new WorkerJobError({ kind: 'cancelled', message: 'cancelled' });
    const began = opts.startedAt ?? Date.now();
    await this.startWithin({ ...opts, timeoutMs: opts.timeoutMs === undefined ? undefined : Math.max(1, opts.timeoutMs - (Date.now() - began)) });
    const child = this.child;
    if (!child) throw new WorkerJobError({ kind: 'crash', message: 'the worker exited before the job could start' });
    const id = this.nextId++;
    return new Promise<JobKinds[K]['result']>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let stall: NodeJS.Timeout | undefined;
      const onAbort = () => this.fail({ kind: 'cancelled', message: 'cancelled' });
      let buildTimer: NodeJS.Timeout | undefined;
      let waitTimer: NodeJS.Timeout | undefined;
      let built = false;
      let quietSince = Date.now();
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        if (stall) clearTimeout(stall);
        if (buildTimer) clearTimeout(buildTimer);
        if (waitTimer) clearInterval(waitTimer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      // Silence is reported every WAIT_NOTE_MS (what it waits for, and for how long), so a hang is never minutes
      // without a word; the model's build has its own, shorter limit than a step.
      const heard = (buildDone: boolean) => {
        quietSince = Date.now();
        if (buildDone && !built) {
          built = true;
          if (buildTimer) clearTimeout(buildTimer);
        }
      };
      if (opts.onWaiting) {
        const every = waitNoteMs();
        waitTimer = setInterval(() => {
          const ms = Date.now() - quietSince;
          if (ms >= every - 50) opts.onWaiting?.(built ? 'step' : 'building', ms);
        }, every);
        waitTimer.unref?.();
      }
      const buildLimit = opts.buildTimeoutMs;
      if (buildLimit !== undefined) {
        buildTimer = setTimeout(
          () =>
            this.fail({
              kind: 'timeout',
              message: `the model was not built within ${Math.round(buildLimit / 1000)} s: the worker was stopped (does the factory never return? --build-timeout S waits longer)`,
            }),
          buildLimit,
        );
      }
      const stallLimit = opts.stallTimeoutMs;
      const watchStall = () => {
        if (stallLimit === undefined) return;
        if (stall) clearTimeout(stall);
        stall = setTimeout(
          () =>
            this.fail({
              kind: 'timeout',
              message: `no progress for ${Math.round(stallLimit / 1000)} s (no training step finished): the worker was stopped (does the model factory or a step never return?)`,
            }),
          stallLimit,
        );
      };
      this.pending = {
        id,
        resolve: (v) => {
          cleanup();
          resolve(v as JobKinds[K]['result']);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
        onBuilt: () => heard(true),
        onProgress: (data) => {
          heard(true);
          watchStall();
          (opts.onProgress as ((d: unknown) => void) | undefined)?.(data);
        },
      };
      watchStall();
      if (opts.timeoutMs !== undefined) {
        const left = Math.max(0, opts.timeoutMs - (Date.now() - began));
        timer = setTimeout(
          () =>
            this.fail({
              kind: 'timeout',
              message: `no result after ${Math.round(opts.timeoutMs! / 1000)} s: the worker was stopped (does the model factory hang, or is the check too large for the time limit?)`,
            }),
          left,
        );
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.send({ type: 'job', id, kind, params });
    });
  }

  /**
   * start(), but a start that hangs (a native tfjs addon that never finishes loading) counts against the job's
   * time limit, and Cancel works during it too.
   */
  startWithin(opts: { timeoutMs?: number; signal?: AbortSignal }): Promise<BackendInfo> {
    const started = this.start();
    if (opts.timeoutMs === undefined && !opts.signal) return started;
    return new Promise<BackendInfo>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const stop = (error: WorkerError) => {
        cleanup();
        this.kill();
        reject(new WorkerJobError(error));
      };
      const onAbort = () => stop({ kind: 'cancelled', message: 'cancelled' });
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(() => stop({ kind: 'timeout', message: `the worker did not start within ${Math.round(opts.timeoutMs! / 1000)} s: it was stopped (a tfjs backend that hangs while loading?)` }), opts.timeoutMs);
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      started.then(
        (info) => {
          cleanup();
          resolve(info);
        },
        (err: unknown) => {
          cleanup();
          reject(err);
        },
      );
    });
  }

  /** Kills the worker (the only way to stop tfjs mid-step) and fails the running job with `error`. */
  private fail(error: WorkerError): void {
    this.settle((p) => p.reject(new WorkerJobError(error)));
    this.kill();
  }

  private settle(fn: (p: Pending) => void): void {
    const p = this.pending;
    this.pending = null;
    if (p) fn(p);
  }

  private deathError(code: number | null, signal: NodeJS.Signals | null): WorkerError {
    const tail = this.stderrTail.filter((l) => l.trim()).join('\n');
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (/heap out of memory|Allocation failed|out of memory/i.test(tail)) {
      return { kind: 'oom', message: `the worker ran out of memory and died (${how})`, stack: tail };
    }
    const last = tail.split('\n').filter((l) => /error/i.test(l)).pop();
    return { kind: 'crash', message: `the worker died (${how})${last ? `: ${last.trim()}` : ''}`, stack: tail };
  }

  private kill(): void {
    const child = this.child;
    this.child = null;
    this.starting = null;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** Stops the worker; a pending job fails as cancelled. */
  dispose(): void {
    this.fail({ kind: 'cancelled', message: 'the worker was stopped' });
  }
}
