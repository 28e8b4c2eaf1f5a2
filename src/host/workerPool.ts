// The one pool of worker processes (host side) for both engines: the coordinate check splits its (width, seed)
// runs into one `coord` job per worker, a sweep hands out one `trial` job per grid point. Each worker
// (src/host/workerClient.ts) selects its backend once and keeps the user's module loaded; the first one started
// says which backend the pool is on, which decides how many workers to run. The pool hands the next task to
// whichever worker is free. Cancel (the signal) or an abort (a failure that would fail every task alike) kills the
// workers: what finished was already reported through `onResult`, so only running tasks are lost.
import { availableParallelism } from 'node:os';
import type { BackendInfo, JobKind, JobKinds, WorkerInit } from '../protocol/worker';
import { WorkerClient, WorkerJobError } from './workerClient';

export interface PoolOptions {
  init: WorkerInit;
  workerPath?: string;
  /** V8 heap limit of each worker in MiB (default: node's). */
  maxOldSpaceMb?: number;
  /** What the user's code and tfjs print in the workers. */
  onLog?: (line: string) => void;
  /** A warm worker to use as the first one (the editor keeps one between checks); the pool does not own it. */
  first?: WorkerClient;
}

export interface PoolTask<K extends JobKind, T> {
  params: JobKinds[K]['params'];
  tag: T;
}

export interface PoolRunOptions<K extends JobKind, T> {
  kind: K;
  /** Workers to run (at most one per task); the first one is the started one. */
  workers: number;
  signal?: AbortSignal;
  /** Each task fails with 'timeout' after this long (from `startedAt` when given, else from its own start). */
  timeoutMs?: number;
  /** One start for every task's time limit (Date.now()): a whole coordinate check under one --timeout. */
  startedAt?: number;
  /** A task that reports no progress for this long fails with 'timeout' (a factory that never returns). */
  stallTimeoutMs?: number;
  /** A task whose model is not built this long after it started fails with 'timeout'. */
  buildTimeoutMs?: number;
  /** A task has been silent for `ms` (every 30 s): still building its model, or in a step. */
  onWaiting?(tag: T, phase: 'building' | 'step', ms: number): void;
  onProgress?(tag: T, data: JobKinds[K]['progress']): void;
  onResult(tag: T, result: JobKinds[K]['result']): void;
  /** A task failed: 'abort' stops the pool (a mistake that fails every task alike), 'continue' goes on. */
  onError(tag: T, error: WorkerJobError): 'abort' | 'continue';
}

export interface PoolOutcome {
  /** Workers that ran tasks. */
  workers: number;
  /** The signal aborted: tasks not reported through onResult or onError did not finish. */
  cancelled: boolean;
  /** The error for which onError said 'abort'. */
  aborted: WorkerJobError | null;
}

/** The default worker count for a backend: one per core on the CPU backends (at most `max`), 1 on a GPU. */
export function defaultWorkers(backend: BackendInfo, cores = availableParallelism(), max = Infinity): number {
  return backend.name === 'tensorflow' || backend.name === 'webgpu' ? 1 : Math.max(1, Math.min(max, cores));
}

export class WorkerPool {
  private readonly clients: WorkerClient[] = [];
  private readonly owned = new Set<WorkerClient>();
  private backendInfo: BackendInfo | null = null;

  constructor(private readonly opts: PoolOptions) {
    if (opts.first) this.clients.push(opts.first);
  }

  get backend(): BackendInfo | null {
    return this.backendInfo;
  }

  /** Starts the first worker and selects the backend; a start that hangs counts against `timeoutMs`. */
  async start(opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<BackendInfo> {
    const first = this.clients[0] ?? this.spawn();
    this.backendInfo = await first.startWithin(opts);
    return this.backendInfo;
  }

  private spawn(): WorkerClient {
    const c = new WorkerClient({ init: this.opts.init, workerPath: this.opts.workerPath, onLog: this.opts.onLog, maxOldSpaceMb: this.opts.maxOldSpaceMb });
    this.clients.push(c);
    this.owned.add(c);
    return c;
  }

  /** Runs the tasks in order on up to `workers` workers; results and failures arrive through the callbacks. */
  async run<K extends JobKind, T>(tasks: PoolTask<K, T>[], opts: PoolRunOptions<K, T>): Promise<PoolOutcome> {
    const outcome: PoolOutcome = { workers: 0, cancelled: false, aborted: null };
    if (opts.signal?.aborted) return { ...outcome, cancelled: true };
    if (tasks.length === 0) return outcome;
    if (!this.backendInfo) await this.start({ signal: opts.signal });
    const n = Math.max(1, Math.min(tasks.length, opts.workers));
    while (this.clients.length < n) this.spawn();
    outcome.workers = n;

    // One controller stops every worker's current job: the user's cancel, or an abort.
    const stop = new AbortController();
    const onCancel = () => {
      outcome.cancelled = true;
      stop.abort();
    };
    opts.signal?.addEventListener('abort', onCancel, { once: true });
    let next = 0;
    const loop = async (worker: WorkerClient): Promise<void> => {
      while (!stop.signal.aborted && next < tasks.length) {
        const task = tasks[next++]!;
        try {
          const result = await worker.run(opts.kind, task.params, {
            onProgress: (p) => opts.onProgress?.(task.tag, p),
            signal: stop.signal,
            timeoutMs: opts.timeoutMs,
            startedAt: opts.startedAt,
            stallTimeoutMs: opts.stallTimeoutMs,
            buildTimeoutMs: opts.buildTimeoutMs,
            onWaiting: opts.onWaiting ? (phase, ms) => opts.onWaiting?.(task.tag, phase, ms) : undefined,
          });
          opts.onResult(task.tag, result);
        } catch (err) {
          // Jobs stopped because of a cancel or another task's abort report 'cancelled': not theirs to tell.
          if (stop.signal.aborted) return;
          const e = err instanceof WorkerJobError ? err : new WorkerJobError({ kind: 'internal', message: err instanceof Error ? err.message : String(err) });
          if (opts.onError(task.tag, e) === 'abort') {
            outcome.aborted = e;
            stop.abort();
            return;
          }
          // A crashed worker (e.g. out of memory) is restarted by its client on the next job.
        }
      }
    };
    try {
      await Promise.all(this.clients.slice(0, n).map(loop));
    } finally {
      opts.signal?.removeEventListener('abort', onCancel);
    }
    return outcome;
  }

  /** Stops the workers the pool started (a warm `first` worker stays with its owner). */
  dispose(): void {
    for (const c of this.owned) c.dispose();
    this.owned.clear();
  }
}

/** One line for a job's failure, with the user's file:line when it points at their code. */
export function describeJobError(error: { message: string; file?: string; line?: number }): string {
  return error.file ? `${error.message} (${error.file}${error.line ? `:${error.line}` : ''})` : error.message;
}
