// Runs a coordinate check (host side) on the worker pool and turns what comes back into the `coord` JSON
// contract. Shared by the CLI and the VS Code command; the worker side is src/worker/coordJob.ts. Widths that
// finished are kept when a larger one runs out of memory, or the worker dies there: the check is judged on the
// widths that remain (at least two), and the user is told.
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { axisValue, summarizeAlong, type CoordAxis } from '../coord/axes';
import type { CoordLayer, CoordResult, CoordRun } from '../coord/types';
import type { CoordJobParams, CoordJobResult, CoordProgress } from '../protocol/jobs';
import type { BackendInfo, BackendRequest } from '../protocol/worker';
import type { WorkerClient } from './workerClient';
import { WorkerJobError } from './workerClient';
import { wasmThreads, type ThreadsRequest } from './threads';
import { defaultWorkers, WorkerPool } from './workerPool';

export interface CoordProgressEvent {
  width: number;
  /** In a check across depth (issue 22). */
  depth?: number;
  seed: number;
  step: number;
  /** 0..1 over all (width, seed, step) of the check. */
  fraction: number;
}

export interface CoordCheckOptions {
  backend: BackendRequest;
  /** Default: the model file's directory (where tfjs-node(-gpu) is looked up). */
  workspaceDir?: string;
  timeoutMs?: number;
  /** A worker whose model is not built this long after its job started is stopped (default: none). */
  buildTimeoutMs?: number;
  /** A line every 30 s that a worker is silent: still building the model, or in a step that does not end. */
  onWaiting?: (message: string) => void;
  signal?: AbortSignal;
  onProgress?: (e: CoordProgressEvent) => void;
  /** A (width, seed) run finished (for timings). */
  onRun?: (run: CoordRun) => void;
  onLog?: (line: string) => void;
  /** Reuse a worker (its backend must be the requested one); with `workers` > 1 it is the first of them. */
  client?: WorkerClient;
  /** Worker processes to split the (width, seed) runs over on wasm/cpu (default 1; see defaultCoordWorkers). */
  workers?: number;
  /**
   * Threads of each worker's wasm backend (default auto: the cores shared by the workers the runs go to; see
   * coordThreads). A `client` given keeps the threads it was started with.
   */
  threads?: ThreadsRequest;
  workerPath?: string;
  maxOldSpaceMb?: number;
  /**
   * When `signal` aborts (Ctrl-C, Cancel), judge the check on the widths whose every seed had finished (at
   * least two) instead of failing as cancelled; the outcome says `interrupted`.
   */
  keepPartialOnCancel?: boolean;
}

export interface CoordCheckOutcome {
  result: CoordResult;
  backend: BackendInfo;
  /** What the engine decided (data, loss, optimizer, readout unit): for logs and reports. */
  notes: string[];
  /** Things that went wrong but left a usable result (out of memory at a large width, a crash). */
  warnings: string[];
  /** Cancelled part-way with `keepPartialOnCancel`: the result covers the widths that had finished. */
  interrupted?: boolean;
}

/** `the wasm backend has no 'FFT' kernel ...` (src/worker/main.ts). */
const MISSING_KERNEL = /^the (\w+) backend has no '(\w+)' kernel/;

/**
 * Runs the check; with `auto`, a model that needs a kernel the chosen backend lacks (wasm has no FFT,
 * Complex, Ragged*; the embedding gradient it lacked is added by src/backend/wasmKernels.ts) is run again on
 * cpu, and the user is told.
 */
export async function runCoordinateCheck(params: CoordJobParams, opts: CoordCheckOptions): Promise<CoordCheckOutcome> {
  try {
    return await runOnce(params, opts);
  } catch (err) {
    const m = err instanceof WorkerJobError && err.error.kind === 'backend' ? MISSING_KERNEL.exec(err.message) : null;
    if (!m || opts.backend !== 'auto' || m[1] === 'cpu') throw err;
    const outcome = await runOnce(params, { ...opts, backend: 'cpu', client: undefined });
    outcome.warnings.unshift(`the ${m[1]} backend has no '${m[2]}' kernel, which this model needs: ran on cpu instead`);
    return outcome;
  }
}

/**
 * Splits the (width, seed) runs over `n` workers so that each gets about the same work (a step costs about
 * width^2: the hidden matmuls): largest first, each to the least loaded worker. Each share runs in width order.
 */
export function splitRuns(widths: number[], seeds: number, n: number, depths?: number[]): RunPoint[][] {
  // Across depth (issue 22) a run's cost is about width^2 x depth: the same balancing, one more coordinate.
  const ds: (number | undefined)[] = depths && depths.length > 0 ? depths : [undefined];
  const tasks: RunPoint[] = widths.flatMap((width) => ds.flatMap((depth) => Array.from({ length: seeds }, (_, seed) => (depth === undefined ? { width, seed } : { width, depth, seed }))));
  const cost = (t: RunPoint) => t.width * t.width * (t.depth ?? 1);
  const order = (x: RunPoint, y: RunPoint) => x.width - y.width || (x.depth ?? 0) - (y.depth ?? 0) || x.seed - y.seed;
  const bins = Array.from({ length: Math.max(1, Math.min(n, tasks.length)) }, () => ({ load: 0, runs: [] as RunPoint[] }));
  for (const t of [...tasks].sort((a, b) => cost(b) - cost(a) || a.seed - b.seed)) {
    const bin = bins.reduce((min, b) => (b.load < min.load ? b : min));
    bin.runs.push(t);
    bin.load += cost(t);
  }
  return bins.map((b) => b.runs.sort(order));
}

/** One (width, depth?, seed) run of a check. */
export type RunPoint = { width: number; seed: number; depth?: number };

/** Worker processes for a check on this machine: one per core, at most 2 (tfjs wasm/cpu use one core each). */
export function defaultCoordWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * Threads per worker for a check of `widths` x `seeds` on `workers` workers (as runCoordinateCheck starts them):
 * the cores shared by the workers its runs are split over, or the request. One width and one seed: every core.
 */
export function coordThreads(widths: number[], seeds: number, workers: number, request?: ThreadsRequest, cores?: number, depths?: number[]): number {
  return wasmThreads(request, splitRuns(widths, seeds, workers, depths).length, cores);
}

type Share = RunPoint[];
type JobOutcome = { share: Share; job: CoordJobResult | null; failure: WorkerJobError | null };

async function runOnce(params: CoordJobParams, opts: CoordCheckOptions): Promise<CoordCheckOutcome> {
  const pool = new WorkerPool({
    init: { backend: opts.backend, workspaceDir: opts.workspaceDir ?? dirname(params.file), threads: coordThreads(params.widths, params.seeds, opts.workers ?? 1, opts.threads, undefined, params.depths) },
    onLog: opts.onLog,
    workerPath: opts.workerPath,
    maxOldSpaceMb: opts.maxOldSpaceMb,
    first: opts.client,
  });
  const axis: CoordAxis = params.depths && params.depths.length > 0 ? 'depth' : 'width';
  const total = params.widths.length * (params.depths?.length || 1) * params.seeds * params.steps;
  let done = 0;
  let layers: CoordLayer[] = [];
  let notes: string[] = [];
  const runs: CoordRun[] = [];
  try {
    // One time limit for the whole check: starting the worker (a native backend may hang loading) counts too.
    const t0 = Date.now();
    const backend = await pool.start({ timeoutMs: opts.timeoutMs, signal: opts.signal });
    // Several workers only on the CPU backends (one core each); a GPU backend is one device to share.
    const shares = splitRuns(params.widths, params.seeds, defaultWorkers(backend, opts.workers ?? 1), params.depths);
    const outcomes: JobOutcome[] = shares.map((share) => ({ share, job: null, failure: null }));
    const onProgress = (p: CoordProgress) => {
      switch (p.phase) {
        case 'layers':
          if (layers.length === 0) {
            layers = p.layers;
            notes = p.notes;
          }
          break;
        case 'step':
          done++;
          opts.onProgress?.({ width: p.width, seed: p.seed, step: p.step, fraction: Math.min(1, done / total), ...(p.depth === undefined ? {} : { depth: p.depth }) });
          break;
        case 'run':
          runs.push(p.run);
          opts.onRun?.(p.run);
          break;
        default: {
          const _: never = p;
          void _;
        }
      }
    };
    const pooled = await pool.run(
      outcomes.map((o) => ({ params: shares.length > 1 ? { ...params, runs: o.share } : params, tag: o })),
      {
        kind: 'coord',
        workers: shares.length,
        signal: opts.signal,
        timeoutMs: opts.timeoutMs,
        startedAt: t0,
        buildTimeoutMs: opts.buildTimeoutMs,
        onWaiting: opts.onWaiting
          ? (o, phase, ms) => {
              const first = o.share[0]?.width ?? params.widths[0];
              opts.onWaiting!(
                phase === 'building'
                  ? `still building ${params.exportName}(${first}) after ${Math.round(ms / 1000)} s (--build-timeout S shortens the wait)`
                  : `no training step finished for ${Math.round(ms / 1000)} s (--timeout S shortens the wait)`,
              );
            }
          : undefined,
        onProgress: (_o, p) => onProgress(p),
        onResult: (o, job) => {
          o.job = job;
        },
        onError: (o, err) => {
          o.failure = err;
          // A mistake in the model fails every share alike: stop the other workers now. Running out of memory,
          // a crash or the time limit belong to this share's widths: the others go on.
          return RECOVERABLE.has(err.error.kind) ? 'continue' : 'abort';
        },
      },
    );
    const interrupted = pooled.cancelled && opts.keepPartialOnCancel === true;
    if (pooled.aborted) throw pooled.aborted;
    if (pooled.cancelled && !interrupted) throw new WorkerJobError({ kind: 'cancelled', message: 'cancelled' });

    // Every stop (divergence, out of memory, a crash, the time limit, the interrupt) cuts the check at its width:
    // wider runs of other workers are dropped too, so the fit never mixes in widths that only some seeds reached.
    const warnings: string[] = [];
    const problems: string[] = [];
    // Cuts are along the judged axis (width, or depth in a check across depth): a deeper model costs more, as a wider one.
    const key = (r: RunPoint) => `${r.width}|${r.depth ?? ''}|${r.seed}`;
    const finished = new Set(runs.map(key));
    const at = (r: RunPoint) => axisValue(axis, r);
    const axisValues = axis === 'depth' ? params.depths! : params.widths;
    const firstUnfinished = (share: Share) => {
      const r = share.find((x) => !finished.has(key(x)));
      return r ? at(r) : axisValues[axisValues.length - 1]!;
    };
    let cut = Infinity;
    let cancelledAt = Infinity;
    for (const o of outcomes) {
      if (o.job) {
        if (o.job.diverged) {
          problems.push(o.job.diverged.message);
          cut = Math.min(cut, at(o.job.diverged));
        }
        if (o.job.outOfMemory) {
          warnings.push(`out of memory at ${axis} ${at(o.job.outOfMemory)} (${o.job.outOfMemory.message})`);
          cut = Math.min(cut, at(o.job.outOfMemory));
        }
        if (layers.length === 0) {
          layers = o.job.layers;
          notes = o.job.notes;
        }
      } else if (o.failure) {
        const where = firstUnfinished(o.share);
        warnings.push(`${o.failure.message} at ${axis} ${where}`);
        cut = Math.min(cut, where);
      } else if (interrupted && o.share.some((r) => !finished.has(key(r)))) {
        const where = firstUnfinished(o.share);
        cancelledAt = Math.min(cancelledAt, where);
        cut = Math.min(cut, where);
      }
    }
    if (cancelledAt < Infinity) warnings.push(`interrupted at ${axis} ${cancelledAt}`);
    const kept = runs.filter((r) => at(r) < cut);
    const widthsKept = new Set(kept.map(at)).size;
    if (warnings.length > 0) {
      if (problems.length === 0 && (widthsKept < 2 || layers.length === 0)) {
        if (interrupted && widthsKept < 2) throw new WorkerJobError({ kind: 'cancelled', message: 'cancelled' });
        const failure = outcomes.find((o) => o.failure)?.failure;
        if (failure && widthsKept < 2) throw failure;
        throw new WorkerJobError({ kind: 'oom', message: `${warnings.join('; ')}: fewer than two ${axis}s finished, no slope can be fitted` });
      }
      warnings[warnings.length - 1] += `; judged on the ${widthsKept} smaller ${axis}s`;
    }
    const result = summarizeAlong({ axis, backend: backend.name, steps: params.steps, seeds: params.seeds, layers, runs: kept, problems: problems.slice(0, 1) });
    const fewer = fewWidthsWarning(axis === 'depth' ? (result.depths ?? []) : result.widths, params.seeds, axis);
    if (fewer) warnings.push(fewer);
    return { result, backend, notes, warnings, ...(interrupted ? { interrupted } : {}) };
  } finally {
    pool.dispose();
  }
}

const RECOVERABLE = new Set<string>(['oom', 'crash', 'timeout']);

/**
 * A slope fitted to two widths, or to widths less than 4x apart, is mostly noise: a correct muP MLP measured
 * |slope| 0.48 at widths 32,64 with one seed, and 0.08 at 64..1024. Said with the verdict, not hidden in notes.
 */
export function fewWidthsWarning(widths: number[], seeds: number, axis: CoordAxis = 'width'): string | null {
  if (widths.length === 0) return null;
  const span = widths[widths.length - 1] / widths[0];
  if (widths.length >= 3 && span >= 4) return null;
  const eg = axis === 'depth' ? '2,4,8,16' : '64,128,256,512';
  return `slopes from ${widths.length} ${axis}s spanning ${Number(span.toFixed(1))}x${seeds === 1 ? ' and one seed' : ''} are noisy: a verdict near the thresholds may be noise; use at least 3 ${axis}s spanning 4x or more (e.g. ${eg})`;
}
