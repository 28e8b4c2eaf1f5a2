// Runs a coordinate check in a worker and turns what comes back into the `coord` JSON contract. Shared by the
// CLI and the VS Code command. Widths that finished are kept when a larger one runs out of memory, or the
// worker dies there: the check is judged on the widths that remain (at least two), and the user is told.
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import type { BackendInfo, BackendRequest } from '../worker/protocol';
import { WorkerClient, WorkerJobError } from '../worker/client';
import type { CoordJobParams, CoordJobResult, CoordProgress, CoordRun } from './job';
import { summarize } from './summarize';
import type { CoordLayer, CoordResult } from './types';

export interface CoordProgressEvent {
  width: number;
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
  signal?: AbortSignal;
  onProgress?: (e: CoordProgressEvent) => void;
  /** A (width, seed) run finished (for timings). */
  onRun?: (run: CoordRun) => void;
  onLog?: (line: string) => void;
  /** Reuse a worker (its backend must be the requested one); with `workers` > 1 it is the first of them. */
  client?: WorkerClient;
  /** Worker processes to split the (width, seed) runs over on wasm/cpu (default 1; see defaultCoordWorkers). */
  workers?: number;
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
export function splitRuns(widths: number[], seeds: number, n: number): { width: number; seed: number }[][] {
  const tasks = widths.flatMap((width) => Array.from({ length: seeds }, (_, seed) => ({ width, seed })));
  const bins = Array.from({ length: Math.max(1, Math.min(n, tasks.length)) }, () => ({ load: 0, runs: [] as { width: number; seed: number }[] }));
  for (const t of [...tasks].sort((a, b) => b.width - a.width || a.seed - b.seed)) {
    const bin = bins.reduce((min, b) => (b.load < min.load ? b : min));
    bin.runs.push(t);
    bin.load += t.width * t.width;
  }
  return bins.map((b) => b.runs.sort((x, y) => x.width - y.width || x.seed - y.seed));
}

/** Worker processes for a check on this machine: one per core, at most 2 (tfjs wasm/cpu use one core each). */
export function defaultCoordWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

type JobOutcome = { job: CoordJobResult; failure: null; share: { width: number; seed: number }[] } | { job: null; failure: WorkerJobError; share: { width: number; seed: number }[] };

async function runOnce(params: CoordJobParams, opts: CoordCheckOptions): Promise<CoordCheckOutcome> {
  const make = () =>
    new WorkerClient({
      init: { backend: opts.backend, workspaceDir: opts.workspaceDir ?? dirname(params.file) },
      onLog: opts.onLog,
      workerPath: opts.workerPath,
      maxOldSpaceMb: opts.maxOldSpaceMb,
    });
  const first = opts.client ?? make();
  const owned: WorkerClient[] = opts.client ? [] : [first];
  const total = params.widths.length * params.seeds * params.steps;
  let done = 0;
  let layers: CoordLayer[] = [];
  let notes: string[] = [];
  const runs: CoordRun[] = [];
  try {
    // One time limit for the whole check: starting the worker (a native backend may hang loading) counts too.
    const t0 = Date.now();
    const backend = await first.startWithin({ timeoutMs: opts.timeoutMs, signal: opts.signal });

    // Several workers only on the CPU backends (one core each); a GPU backend is one device to share.
    const n = backend.name === 'tensorflow' || backend.name === 'webgpu' ? 1 : Math.max(1, opts.workers ?? 1);
    const shares = splitRuns(params.widths, params.seeds, n);
    const clients = shares.map((_, i) => {
      if (i === 0) return first;
      const c = make();
      owned.push(c);
      return c;
    });
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
          opts.onProgress?.({ width: p.width, seed: p.seed, step: p.step, fraction: Math.min(1, done / total) });
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
    const outcomes: JobOutcome[] = await Promise.all(
      clients.map((c, i) =>
        c.run('coord', shares.length > 1 ? { ...params, runs: shares[i] } : params, { timeoutMs: opts.timeoutMs, startedAt: t0, signal: opts.signal, onProgress }).then(
          (job): JobOutcome => ({ job, failure: null, share: shares[i] }),
          (err: unknown): JobOutcome => {
            if (!(err instanceof WorkerJobError)) throw err;
            // A mistake in the model fails every share alike: stop the other workers now.
            if (!RECOVERABLE.has(err.error.kind)) for (const other of clients) if (other !== c) other.dispose();
            return { job: null, failure: err, share: shares[i] };
          },
        ),
      ),
    );
    // The first failure that is not about size (user code, usage, backend, cancel) is the answer.
    // (Workers stopped because another one failed report 'cancelled': the other one's error is the answer.)
    const fatals = outcomes.map((o) => o.failure).filter((f): f is WorkerJobError => f !== null && !RECOVERABLE.has(f.error.kind));
    const fatal = fatals.find((f) => f.error.kind !== 'cancelled') ?? fatals[0];
    const interrupted = fatal !== undefined && fatal.error.kind === 'cancelled' && opts.keepPartialOnCancel === true && opts.signal?.aborted === true;
    if (fatal && !interrupted) throw fatal;

    // Every stop (divergence, out of memory, a crash, the time limit) cuts the check at its width: wider runs of
    // other workers are dropped too, so the fit never mixes in widths that only some seeds reached.
    const warnings: string[] = [];
    const problems: string[] = [];
    let cut = Infinity;
    let cancelledAt = Infinity;
    for (const o of outcomes) {
      const finished = new Set(runs.map((r) => `${r.width}|${r.seed}`));
      if (o.job) {
        if (o.job.diverged) {
          problems.push(o.job.diverged.message);
          cut = Math.min(cut, o.job.diverged.width);
        }
        if (o.job.outOfMemory) {
          warnings.push(`out of memory at width ${o.job.outOfMemory.width} (${o.job.outOfMemory.message})`);
          cut = Math.min(cut, o.job.outOfMemory.width);
        }
        if (layers.length === 0) {
          layers = o.job.layers;
          notes = o.job.notes;
        }
      } else if (o.failure) {
        const at = o.share.find((r) => !finished.has(`${r.width}|${r.seed}`))?.width ?? params.widths[params.widths.length - 1];
        if (o.failure.error.kind === 'cancelled') cancelledAt = Math.min(cancelledAt, at);
        else warnings.push(`${o.failure.message} at width ${at}`);
        cut = Math.min(cut, at);
      }
    }
    if (cancelledAt < Infinity) warnings.push(`interrupted at width ${cancelledAt}`);
    const kept = runs.filter((r) => r.width < cut);
    const widthsKept = new Set(kept.map((r) => r.width)).size;
    if (warnings.length > 0) {
      if (problems.length === 0 && (widthsKept < 2 || layers.length === 0)) {
        const failure = outcomes.find((o) => o.failure)?.failure;
        if (failure && widthsKept < 2) throw failure;
        throw new WorkerJobError({ kind: 'oom', message: `${warnings.join('; ')}: fewer than two widths finished, no slope can be fitted` });
      }
      warnings[warnings.length - 1] += `; judged on the ${widthsKept} smaller widths`;
    }
    const result = summarize({ backend: backend.name, steps: params.steps, seeds: params.seeds, layers, runs: kept, problems: problems.slice(0, 1) });
    const fewer = fewWidthsWarning(result.widths, params.seeds);
    if (fewer) warnings.push(fewer);
    return { result, backend, notes, warnings, ...(interrupted ? { interrupted } : {}) };
  } finally {
    for (const c of owned) c.dispose();
  }
}

const RECOVERABLE = new Set<string>(['oom', 'crash', 'timeout']);

/**
 * A slope fitted to two widths, or to widths less than 4x apart, is mostly noise: a correct muP MLP measured
 * |slope| 0.48 at widths 32,64 with one seed, and 0.08 at 64..1024. Said with the verdict, not hidden in notes.
 */
export function fewWidthsWarning(widths: number[], seeds: number): string | null {
  if (widths.length === 0) return null;
  const span = widths[widths.length - 1] / widths[0];
  if (widths.length >= 3 && span >= 4) return null;
  return `slopes from ${widths.length} widths spanning ${Number(span.toFixed(1))}x${seeds === 1 ? ' and one seed' : ''} are noisy: a verdict near the thresholds may be noise; use at least 3 widths spanning 4x or more (e.g. 64,128,256,512)`;
}
