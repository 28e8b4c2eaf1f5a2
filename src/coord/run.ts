// Runs a coordinate check in a worker and turns what comes back into the `coord` JSON contract. Shared by the
// CLI and the VS Code command. Widths that finished are kept when a larger one runs out of memory, or the
// worker dies there: the check is judged on the widths that remain (at least two), and the user is told.
import { dirname } from 'node:path';
import type { BackendInfo, BackendRequest } from '../worker/protocol';
import { WorkerClient, WorkerJobError } from '../worker/client';
import type { CoordJobParams, CoordJobResult, CoordRun } from './job';
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
  onLog?: (line: string) => void;
  /** Reuse a worker (its backend must be the requested one). */
  client?: WorkerClient;
  workerPath?: string;
  maxOldSpaceMb?: number;
}

export interface CoordCheckOutcome {
  result: CoordResult;
  backend: BackendInfo;
  /** What the engine decided (data, loss, optimizer, readout unit): for logs and reports. */
  notes: string[];
  /** Things that went wrong but left a usable result (out of memory at a large width, a crash). */
  warnings: string[];
}

/** `the wasm backend has no 'UnsortedSegmentSum' kernel ...` (src/worker/main.ts). */
const MISSING_KERNEL = /^the (\w+) backend has no '(\w+)' kernel/;

/**
 * Runs the check; with `auto`, a model that needs a kernel the chosen backend lacks (wasm has no
 * UnsortedSegmentSum, the gradient of an embedding) is run again on cpu, and the user is told.
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

async function runOnce(params: CoordJobParams, opts: CoordCheckOptions): Promise<CoordCheckOutcome> {
  const client =
    opts.client ??
    new WorkerClient({
      init: { backend: opts.backend, workspaceDir: opts.workspaceDir ?? dirname(params.file) },
      onLog: opts.onLog,
      workerPath: opts.workerPath,
      maxOldSpaceMb: opts.maxOldSpaceMb,
    });
  const total = params.widths.length * params.seeds * params.steps;
  let done = 0;
  let layers: CoordLayer[] = [];
  let notes: string[] = [];
  const runs: CoordRun[] = [];
  let current = { width: params.widths[0], seed: 0, step: 0 };
  try {
    // One time limit for the whole check: starting the worker (a native backend may hang loading) counts too.
    const t0 = Date.now();
    const backend = await client.startWithin({ timeoutMs: opts.timeoutMs, signal: opts.signal });
    const timeoutMs = opts.timeoutMs === undefined ? undefined : Math.max(1, opts.timeoutMs - (Date.now() - t0));
    let job: CoordJobResult | null = null;
    let failure: WorkerJobError | null = null;
    try {
      job = await client.run('coord', params, {
        timeoutMs,
        signal: opts.signal,
        onProgress: (p) => {
          switch (p.phase) {
            case 'layers':
              layers = p.layers;
              notes = p.notes;
              break;
            case 'step':
              current = { width: p.width, seed: p.seed, step: p.step };
              done++;
              opts.onProgress?.({ ...current, fraction: Math.min(1, done / total) });
              break;
            case 'run':
              runs.push(p.run);
              break;
            default: {
              const _: never = p;
              void _;
            }
          }
        },
      });
    } catch (err) {
      if (!(err instanceof WorkerJobError)) throw err;
      failure = err;
    }
    const warnings: string[] = [];
    const problems: string[] = [];
    if (job) {
      layers = job.layers;
      notes = job.notes;
      if (job.outOfMemory) warnings.push(`out of memory at width ${job.outOfMemory.width} (${job.outOfMemory.message}); judged on the smaller widths`);
      if (job.diverged) problems.push(job.diverged.message);
    } else if (failure) {
      // Keep the finished widths when a larger one kills the worker or times out (out of memory, a crash).
      const kind = failure.error.kind;
      const widthsDone = new Set(runs.map((r) => r.width)).size;
      if (!(kind === 'oom' || kind === 'crash' || kind === 'timeout') || widthsDone < 2 || layers.length === 0) throw failure;
      const finished = new Set(runs.filter((r) => runs.filter((x) => x.width === r.width).length >= params.seeds).map((r) => r.width));
      const at = params.widths.find((w) => !finished.has(w)) ?? current.width;
      warnings.push(`${failure.message} at width ${at}; judged on the ${widthsDone} smaller widths`);
    }
    const result = summarize({
      backend: backend.name,
      steps: params.steps,
      seeds: params.seeds,
      layers,
      runs: job ? job.runs : runs,
      problems,
    });
    if (result.widths.length < 2 && problems.length === 0) {
      throw new WorkerJobError({ kind: 'oom', message: `${warnings.join('; ') || 'fewer than two widths finished'}: no slope can be fitted` });
    }
    return { result, backend, notes, warnings };
  } finally {
    if (!opts.client) client.dispose();
  }
}
