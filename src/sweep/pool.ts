// A pool of worker processes (dist/worker.js, src/worker/protocol.ts) running sweep trials in parallel.
// Each worker selects its backend once, keeps the user's module loaded, and runs one trial at a time; the
// pool hands the next grid point to whichever worker is free. Cancel kills the workers: trials already
// finished are stored by the caller the moment they finish, so only running trials are lost.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendInfo, BackendRequest, HostToWorker, WorkerError, WorkerToHost } from '../worker/protocol';
import type { TrialJobParams, TrialJobResult, TrialProgress } from './trialJob';

export class TrialError extends Error {
  constructor(readonly error: WorkerError) {
    super(error.file ? `${error.message} (${error.file}${error.line ? `:${error.line}` : ''})` : error.message);
  }
}

/** dist/worker.js next to this bundle (dist/cli.js, dist/extension.js), or from the source tree (tests). */
export function defaultWorkerPath(): string {
  const candidates = [join(__dirname, 'worker.js'), join(__dirname, '../../dist/worker.js')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`the worker bundle is missing (looked in ${candidates.join(', ')}); run npm run build`);
  return found;
}

/** One worker process speaking the worker protocol. */
export class TrialWorker {
  private child: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, { resolve(r: TrialJobResult): void; reject(e: Error): void; progress?(p: TrialProgress): void }>();
  private exited: string | null = null;
  readonly backend: Promise<BackendInfo>;

  constructor(init: { backend: BackendRequest; workspaceDir: string }, workerPath = defaultWorkerPath()) {
    this.child = fork(workerPath, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    this.child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    let backendResolve!: (b: BackendInfo) => void;
    let backendReject!: (e: Error) => void;
    this.backend = new Promise((res, rej) => {
      backendResolve = res;
      backendReject = rej;
    });
    this.backend.catch(() => undefined);
    this.child.on('message', (raw: unknown) => {
      const msg = raw as WorkerToHost;
      switch (msg.type) {
        case 'ready':
          break;
        case 'backend':
          backendResolve(msg.info);
          break;
        case 'init-error':
          backendReject(new TrialError(msg.error));
          break;
        case 'progress':
          if (msg.kind === 'trial') this.pending.get(msg.id)?.progress?.(msg.data);
          break;
        case 'result':
          if (msg.kind === 'trial') {
            this.pending.get(msg.id)?.resolve(msg.result);
            this.pending.delete(msg.id);
          }
          break;
        case 'error':
          this.pending.get(msg.id)?.reject(new TrialError(msg.error));
          this.pending.delete(msg.id);
          break;
        default: {
          const _: never = msg;
          void _;
        }
      }
    });
    this.child.on('exit', (code, signal) => {
      this.exited = signal ? `signal ${signal}` : `exit code ${code}`;
      const err = new TrialError({
        kind: 'crash',
        message: `the worker process died (${this.exited})${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
      });
      backendReject(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
    this.send({ type: 'init', init });
  }

  private send(msg: HostToWorker): void {
    this.child.send(msg);
  }

  get alive(): boolean {
    return this.exited === null;
  }

  run(params: TrialJobParams, progress?: (p: TrialProgress) => void): Promise<TrialJobResult> {
    if (!this.alive) return Promise.reject(new TrialError({ kind: 'crash', message: `the worker process is gone (${this.exited})` }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, progress });
      this.send({ type: 'job', id, kind: 'trial', params });
    });
  }

  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  /** Ends the worker politely (it exits when the IPC channel closes). */
  close(): void {
    if (this.alive && this.child.connected) this.child.disconnect();
  }
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
  onBackend?(info: BackendInfo): void;
}

export interface PoolOptions {
  backend: BackendRequest;
  workspaceDir: string;
  /** Number of workers; undefined: cores on wasm/cpu, 1 on tensorflow (GPU or the multithreaded native CPU). */
  workers?: number;
  cores: number;
  signal?: AbortSignal;
  workerPath?: string;
}

export interface PoolOutcome {
  backend: BackendInfo | null;
  workers: number;
  cancelled: boolean;
  aborted: TrialError | null;
}

/** The default worker count for a backend (the brief: cores on CPU backends, 1 on a GPU). */
export function defaultWorkers(backend: BackendInfo, cores: number): number {
  return backend.name === 'tensorflow' ? 1 : Math.max(1, cores);
}

/** Runs the tasks in order on a pool of workers; results arrive through `events` as they finish. */
export async function runPool<T>(tasks: PoolTask<T>[], opts: PoolOptions, events: PoolEvents<T>): Promise<PoolOutcome> {
  const outcome: PoolOutcome = { backend: null, workers: 0, cancelled: false, aborted: null };
  if (tasks.length === 0) return outcome;
  const workers: TrialWorker[] = [];
  const spawn = () => {
    const w = new TrialWorker({ backend: opts.backend, workspaceDir: opts.workspaceDir }, opts.workerPath);
    workers.push(w);
    return w;
  };
  const onAbort = () => {
    outcome.cancelled = true;
    for (const w of workers) w.kill();
  };
  opts.signal?.addEventListener('abort', onAbort);
  try {
    // The first worker tells which backend we are on, which sets the default worker count.
    const first = spawn();
    let backend: BackendInfo;
    try {
      backend = await first.backend;
    } catch (err) {
      if (outcome.cancelled) return outcome;
      throw err;
    }
    outcome.backend = backend;
    events.onBackend?.(backend);
    const n = Math.max(1, Math.min(tasks.length, opts.workers ?? defaultWorkers(backend, opts.cores)));
    outcome.workers = n;
    for (let i = 1; i < n; i++) spawn();

    let next = 0;
    const loop = async (w: TrialWorker): Promise<void> => {
      let worker = w;
      while (!outcome.cancelled && !outcome.aborted && next < tasks.length) {
        const task = tasks[next++]!;
        try {
          const result = await worker.run(task.params, (p) => events.onProgress?.(task.tag, p));
          events.onResult(task.tag, result, backend);
        } catch (err) {
          if (outcome.cancelled || outcome.aborted) return;
          const e = err instanceof TrialError ? err : new TrialError({ kind: 'internal', message: String(err) });
          if (events.onError(task.tag, e) === 'abort') {
            outcome.aborted = e;
            for (const other of workers) other.kill();
            return;
          }
          if (!worker.alive) worker = spawn(); // a crash (e.g. out of memory): go on with a fresh process
        }
      }
    };
    await Promise.all(workers.slice(0, n).map(loop));
    return outcome;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    for (const w of workers) {
      if (outcome.cancelled || outcome.aborted) w.kill();
      else w.close();
    }
  }
}
