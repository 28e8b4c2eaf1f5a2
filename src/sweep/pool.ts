// A pool of worker processes (src/worker/client.ts's WorkerClient, one per process) running sweep trials in
// parallel. Each worker selects its backend once, keeps the user's module loaded, and runs one trial at a time; the
// pool hands the next grid point to whichever worker is free. Cancel kills the workers: trials already
// finished are stored by the caller the moment they finish, so only running trials are lost.
import type { BackendInfo, BackendRequest, WorkerError } from '../worker/protocol';
import { WorkerClient, WorkerJobError } from '../worker/client';
import type { TrialJobParams, TrialJobResult, TrialProgress } from './trialJob';

export class TrialError extends Error {
  constructor(readonly error: WorkerError) {
    super(error.file ? `${error.message} (${error.file}${error.line ? `:${error.line}` : ''})` : error.message);
  }
}

function toTrialError(err: unknown): TrialError {
  if (err instanceof WorkerJobError) return new TrialError(err.error);
  return new TrialError({ kind: 'internal', message: err instanceof Error ? err.message : String(err) });
}

export interface PoolTask<T> {
  params: TrialJobParams;
  tag: T;
}

export interface PoolEvents<T> {
  onResult(tag: T, result: TrialJobResult, backend: BackendInfo): void;
  /** A trial failed; return 'abort' to stop the whole sweep (user error), 'continue' to go on. */
  onError(tag: T, error: TrialError): 'abort' | 'continue';
  onProgress?(tag: T, p: TrialProgress): void;
  onBackend?(info: BackendInfo, workers: number): void;
}

export interface PoolOptions {
  backend: BackendRequest;
  workspaceDir: string;
  /** Number of workers; undefined: cores on wasm/cpu, 1 on tensorflow (GPU or the multithreaded native CPU). */
  workers?: number;
  cores: number;
  signal?: AbortSignal;
  workerPath?: string;
  /** A trial that runs longer than this is stopped (its worker killed) and reported as failed. */
  trialTimeoutMs?: number;
  /** What the user's code and tfjs print in the workers. */
  onLog?: (line: string) => void;
  /** V8 heap limit of each worker in MiB (default: node's). */
  maxOldSpaceMb?: number;
}

export interface PoolOutcome {
  backend: BackendInfo | null;
  workers: number;
  cancelled: boolean;
  aborted: TrialError | null;
}

/** The default worker count for a backend (the brief: cores on CPU backends, 1 on a GPU). */
export function defaultWorkers(backend: BackendInfo, cores: number): number {
  return backend.name === 'tensorflow' || backend.name === 'webgpu' ? 1 : Math.max(1, cores);
}

/** Runs the tasks in order on a pool of workers; results arrive through `events` as they finish. */
export async function runPool<T>(tasks: PoolTask<T>[], opts: PoolOptions, events: PoolEvents<T>): Promise<PoolOutcome> {
  const outcome: PoolOutcome = { backend: null, workers: 0, cancelled: false, aborted: null };
  if (tasks.length === 0) return outcome;
  const workers: WorkerClient[] = [];
  const stop = new AbortController();
  const spawn = () => {
    const w = new WorkerClient({ init: { backend: opts.backend, workspaceDir: opts.workspaceDir }, workerPath: opts.workerPath, onLog: opts.onLog, maxOldSpaceMb: opts.maxOldSpaceMb });
    workers.push(w);
    return w;
  };
  const onAbort = () => {
    outcome.cancelled = true;
    stop.abort();
  };
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    if (outcome.cancelled) return outcome;
    // The first worker tells which backend we are on, which sets the default worker count.
    const first = spawn();
    let backend: BackendInfo;
    try {
      backend = await first.start();
    } catch (err) {
      if (outcome.cancelled) return outcome;
      throw toTrialError(err);
    }
    outcome.backend = backend;
    const n = Math.max(1, Math.min(tasks.length, opts.workers ?? defaultWorkers(backend, opts.cores)));
    outcome.workers = n;
    events.onBackend?.(backend, n);
    for (let i = 1; i < n; i++) spawn();

    let next = 0;
    const loop = async (worker: WorkerClient): Promise<void> => {
      while (!outcome.cancelled && !outcome.aborted && next < tasks.length) {
        const task = tasks[next++]!;
        try {
          const result = await worker.run('trial', task.params, {
            onProgress: (p) => events.onProgress?.(task.tag, p),
            signal: stop.signal,
            timeoutMs: opts.trialTimeoutMs,
          });
          events.onResult(task.tag, result, backend);
        } catch (err) {
          if (outcome.cancelled || outcome.aborted) return;
          const e = toTrialError(err);
          if (events.onError(task.tag, e) === 'abort') {
            outcome.aborted = e;
            stop.abort();
            return;
          }
          // A crashed worker (e.g. out of memory) is restarted by the client on its next job.
        }
      }
    };
    await Promise.all(workers.slice(0, n).map(loop));
    return outcome;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    for (const w of workers) w.dispose();
  }
}
