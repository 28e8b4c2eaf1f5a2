// A sweep, host side: grid -> reuse what the store has -> run the rest on the worker pool, storing each trial the
// moment it finishes -> analyse everything stored for this grid. Used by `mup-lens sweep` and the VS Code command;
// tfjs and user code run only in the workers (src/worker/trialJob.ts).
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { depthIdentity, depthSchemeFor, type SweepAxisGrid } from '../sweep/axes';
import { analyzeAxis } from '../sweep/axisAnalysis';
import { enumerateGrid, scheduleOrder, shardOf, type GridPoint, type HpAxis } from '../sweep/grid';
import { analyzeTrials, plannedPoints, recommendLr, type SweepAnalysis } from '../sweep/optimum';
import { REFINE_STEP, refineLrs } from '../sweep/refine';
import { combineVerdicts } from '../sweep/uncertainty';
import { fmtLr } from '../sweep/report';
import type { SweepHpResult, SweepReport, SweepTrial } from '../sweep/types';
import type { Parametrization, TrialJobParams } from '../protocol/jobs';
import type { BackendInfo, BackendRequest } from '../protocol/worker';
import { FileHashes } from './fileReads';
import { OutputError, outputError } from './outputFile';
import { writeJsonAtomic } from './results';
import { sourceHash } from './sourceHash';
import { appendTrial, readStore, storeFileName, trialKey, TRIAL_FORMAT, type DataIdentity, type StoredTrial, type TrialIdentity } from './sweepStore';
import { WorkerJobError } from './workerClient';
import { defaultWorkers, describeJobError, WorkerPool } from './workerPool';
import { wasmThreads, type ThreadsRequest } from './threads';

export interface SweepOptions {
  /** Absolute path of the model file. */
  modelFile: string;
  exportName: string;
  widths: number[];
  lrs: number[];
  seeds: number;
  /** Hyperparameter axes (`--hp NAME=GRID`); the grid is widths x LRs x HP values x seeds. */
  hps?: HpAxis[];
  /** Axes beyond width (issue 22: `--depths`, `--batches`, `--seq-lens`, `--steps-axis`): conditions, not tuned. */
  axes?: SweepAxisGrid[];
  /** `--alpha` (muP with a depth axis): the depth scheme each trial's MuAdam applies at its depth; default 1 (CompleteP). */
  depthAlpha?: number;
  /** `--refine`: the second pass's LRs per width (keyed by width), run with every seed besides the grid (docs/sweeps.md "Refining"). */
  extraLrs?: Record<string, number[]>;
  steps: number;
  parametrization: Parametrization;
  baseWidth: number;
  data: { file: string; exportName: string } | null | 'synthetic';
  /** Store directory (trials*.jsonl, sweep.json, result.json). */
  outDir: string;
  shard?: { index: number; count: number };
  /** Run nothing: analyse what the store holds for this grid. */
  mergeOnly?: boolean;
  /** Reuse no stored trial: run the whole grid (or shard) again; the new records supersede the old ones. */
  fresh?: boolean;
  /** With `fresh`: reuse the trials finished since this time (ISO), as a refining pass does with the first's. */
  freshSince?: string;
  workers?: number;
  /** Threads of each worker's wasm backend (default auto: the cores shared by the workers; src/host/threads.ts). */
  threads?: ThreadsRequest;
  backend: BackendRequest;
  targetWidth?: number;
  version: string;
  cores: number;
  /** For messages: paths are shown relative to this directory. */
  cwd: string;
  signal?: AbortSignal;
  workerPath?: string;
  trialTimeoutMs?: number;
  /** A trial that finishes no step for this long is stopped and reported as failed (docs/sweeps.md); 0: never;
   *  default DEFAULT_STALL_TIMEOUT_MS. */
  stallTimeoutMs?: number;
  /** A trial whose model is not built this long after it started is stopped (factory that never returns); 0: never;
   *  default DEFAULT_BUILD_TIMEOUT_MS. */
  buildTimeoutMs?: number;
  maxOldSpaceMb?: number;
}

export interface TrialEvent {
  trial: SweepTrial;
  reused: boolean;
  /** Trials of the grid with a result so far, and the grid's size. */
  done: number;
  total: number;
  ms: number | null;
}

export interface SweepEvents {
  onTrial?(e: TrialEvent): void;
  onBackend?(info: BackendInfo, workers: number): void;
  onWarning?(message: string): void;
  /** Steps of running trials, for a progress bar. */
  onStep?(point: GridPoint, step: number, loss: number): void;
  /** result.json could not be written (a full disk, a link in its place): the report is returned all the same,
   *  for its verdict to be shown; without this handler the OutputError is thrown. */
  onOutputError?(err: OutputError): void;
  /** A line every 30 s that a trial is silent: still building its model, or in a step that does not end. */
  onWaiting?(message: string): void;
  /** `--refine`: the second pass is about to run these LRs per width. */
  onRefine?(lrs: Record<string, number[]>): void;
}

async function dataIdentity(data: SweepOptions['data']): Promise<DataIdentity> {
  if (data === null) return { kind: 'default' };
  if (data === 'synthetic') return { kind: 'synthetic' };
  return { kind: 'export', sha256: await sourceHash(data.file), export: data.exportName };
}

export function toSweepTrial(r: StoredTrial): SweepTrial {
  return {
    width: r.identity.width,
    lr: r.identity.lr,
    seed: r.identity.seed,
    loss: r.outcome.diverged ? null : r.outcome.loss,
    diverged: r.outcome.diverged,
    ...(r.identity.hp ? { hp: r.identity.hp } : {}),
    ...(r.identity.axes ? { axes: r.identity.axes } : {}),
  };
}

/**
 * `--refine` (docs/sweeps.md "Refining"): the grid, then, once it is complete, a second pass at quarter octaves
 * around each width's fitted optimum; every stored trial (the first pass's too) is reused. The report is the
 * second pass's (judged on the grid and the refined LRs together), with `ran` counting both passes.
 */
export async function runRefinedSweep(opts: SweepOptions, events: SweepEvents = {}): Promise<SweepReport> {
  const since = new Date().toISOString();
  const first = await runSweep(opts, events);
  if (first.cancelled || !first.complete || opts.shard) return first;
  const extraLrs = refineLrs(first.optimum, opts.lrs);
  if (Object.keys(extraLrs).length === 0) return { ...first, refine: { step: REFINE_STEP, lrs: {} } };
  events.onRefine?.(extraLrs);
  // --fresh: the second pass reuses what the first ran now, nothing older
  const second = await runSweep({ ...opts, extraLrs, ...(opts.fresh ? { freshSince: since } : {}) }, events);
  const report = { ...second, ran: first.ran + second.ran, reused: second.reused - first.ran, elapsedMs: first.elapsedMs + second.elapsedMs };
  writeResult(opts.outDir, report, events);
  return report;
}

/** result.json of a sweep; an unwritable one goes to `onOutputError` when there is one (the verdict is still shown). */
function writeResult(outDir: string, report: SweepReport, events: SweepEvents): void {
  try {
    writeJsonAtomic(join(outDir, 'result.json'), report);
  } catch (err) {
    if (!(err instanceof OutputError) || !events.onOutputError) throw err;
    events.onOutputError(err);
  }
}

/** The `hps` of a report: each axis as analysed, with its grid. */
export function hpResults(analysis: SweepAnalysis, axes: readonly HpAxis[]): SweepHpResult[] {
  return analysis.hps.map((h) => ({
    name: h.name,
    values: axes.find((a) => a.name === h.name)?.values ?? [],
    optimum: h.optimum.map((o) => ({ width: o.width, value: o.value, loss: o.loss, fittedValue: o.fittedValue, log2Value: o.log2Value, fittedLog2Value: o.fittedLog2Value, atEdge: o.atEdge, interval: o.interval ?? null })),
    shiftOctaves: h.shiftOctaves,
    fittedShiftOctaves: h.fittedShiftOctaves,
    transfers: h.transfers,
    verdict: h.verdict,
    shiftInterval: h.shiftInterval,
  }));
}

/**
 * A swept HP that the factory never read (during its build and the whole training) trains the same model at every
 * value: the sweep stops with this message instead of multiplying its cost for nothing.
 */
export function unreadHpMessage(names: string[], exportName: string, p: GridPoint): string {
  const which = names.map((n) => `'${n}'`).join(', ');
  const example = names.map((n) => `${n} = 1`).join(', ');
  return (
    `hyperparameter ${which} ${names.length > 1 ? 'are' : 'is'} never read: ${exportName} was called with it (width ${p.width}, lr ${fmtLr(p.lr)}) and neither the factory nor the data ` +
    `export read it while building and training, so every value trains the same model. Read it in the factory, e.g. ` +
    `\`export function ${exportName}(width, { ${example} } = {})\` (or \`({ width, ${example} })\`), or stop sweeping it`
  );
}

/** The HPs of a trial that its factory did not read (none when the record predates HP reads). */
function unreadOf(p: GridPoint, hpRead: string[] | undefined): string[] {
  if ((!p.hp && !p.axes) || !hpRead) return [];
  // An axis the engine applies itself (steps) needs no reading; depth, batch and seqLen do (the synthetic data reads batch).
  const axisNames = Object.keys(p.axes ?? {}).filter((k) => k !== 'steps');
  return [...Object.keys(p.hp ?? {}), ...axisNames].filter((k) => !hpRead.includes(k));
}

/**
 * A trial that finishes no training step in this long is stopped: longer than any step or build we have seen
 * (a GPT step at width 1024 on cpu takes seconds, building and inferring base shapes for a wide model tens of
 * seconds), short enough that a factory that never returns does not hold a sweep for an afternoon.
 */
export const DEFAULT_STALL_TIMEOUT_MS = 600_000;

/** Building a model (and inferring its muP base shapes) takes seconds, tens for a wide GPT on a CPU: a factory silent
 *  for longer never returns, and a step's limit (ten minutes) is far too long a wait for that. */
export const DEFAULT_BUILD_TIMEOUT_MS = 120_000;

/** `--build-timeout` as the pool takes it: unset is the default, 0 is never. */
export const buildTimeout = (ms: number | undefined): number | undefined => (ms === undefined ? DEFAULT_BUILD_TIMEOUT_MS : ms > 0 ? ms : undefined);

/** `--stall-timeout` as the pool takes it: unset is the default, 0 is never. */
export const stallTimeout = (ms: number | undefined): number | undefined => (ms === undefined ? DEFAULT_STALL_TIMEOUT_MS : ms > 0 ? ms : undefined);

/** At most this many missing trials are listed in the JSON (`missing` counts them all). */
const MAX_LISTED_MISSING = 200;

export async function runSweep(opts: SweepOptions, events: SweepEvents = {}): Promise<SweepReport> {
  const started = Date.now();
  const warn = (m: string) => {
    warnings.push(m);
    events.onWarning?.(m);
  };
  const warnings: string[] = [];
  // the model file and the local files it imports (src/host/sourceHash.ts)
  const modelSha256 = await sourceHash(opts.modelFile);
  const data = await dataIdentity(opts.data);
  const hps = opts.hps ?? [];
  const axes = opts.axes ?? [];
  const stepsOf = (p: GridPoint) => p.axes?.steps ?? opts.steps;
  // A muP depth axis trains each depth with MuAdam's depth factors of the scheme (issue 22; src/sweep/axes.ts).
  const depthScheme = depthSchemeFor(opts.parametrization, axes, opts.depthAlpha);
  const identityOf = (p: GridPoint): TrialIdentity => ({
    modelSha256,
    exportName: opts.exportName,
    width: p.width,
    lr: p.lr,
    seed: p.seed,
    steps: stepsOf(p),
    parametrization: opts.parametrization,
    baseWidth: opts.baseWidth,
    data,
    format: TRIAL_FORMAT,
    // Only in a grid with HP axes: an LR sweep's identities (and keys) are the ones they always were.
    ...(p.hp ? { hp: p.hp } : {}),
    ...(p.axes ? { axes: p.axes } : {}),
    ...(depthIdentity(depthScheme, p.axes?.depth) ? { depthScheme: depthScheme! } : {}),
  });
  // With axes beyond width (issue 22) every axis combination is planned (src/sweep/grid.ts); --refine is for LR sweeps.
  const grid = axes.length ? enumerateGrid(opts.widths, opts.lrs, opts.seeds, hps, axes) : plannedPoints({ widths: opts.widths, lrs: opts.lrs, seeds: opts.seeds, hps, ...(opts.extraLrs ? { extraLrs: opts.extraLrs } : {}) });
  const keys = grid.map((p) => trialKey(identityOf(p)));
  const modelFileShown = relative(opts.cwd, opts.modelFile) || opts.modelFile;

  mkdirSync(opts.outDir, { recursive: true });
  writeJsonAtomic(join(opts.outDir, 'sweep.json'), {
    model: { file: modelFileShown, sha256: modelSha256, exportName: opts.exportName, path: opts.modelFile },
    widths: opts.widths, lrs: opts.lrs, seeds: opts.seeds, ...(hps.length ? { hps } : {}), ...(axes.length ? { axes } : {}), steps: opts.steps,
    parametrization: opts.parametrization, baseWidth: opts.baseWidth,
    data: opts.data === null || opts.data === 'synthetic' ? opts.data ?? 'default' : { file: relative(opts.cwd, opts.data.file), exportName: opts.data.exportName },
    backend: opts.backend, shard: opts.shard ?? null, version: opts.version, format: TRIAL_FORMAT,
    updatedAt: new Date().toISOString(),
  });

  const stored = readStore(opts.outDir);
  for (const w of stored.warnings) warn(w);
  const results = new Map<string, StoredTrial>();
  const hashes = new FileHashes();
  let stale = 0;
  let staleFile = '';
  keys.forEach((k) => {
    const got = stored.trials.get(k);
    const r = opts.fresh && !(opts.freshSince && got && got.finishedAt >= opts.freshSince) ? undefined : got;
    if (!r) return;
    // A trial whose config, data or package files changed since it ran is another experiment: run it again.
    const changed = hashes.changed(r.reads);
    if (changed !== null) {
      stale++;
      staleFile ||= changed;
    } else results.set(k, r);
  });
  if (stale > 0) warn(`${stale} stored trial${stale === 1 ? '' : 's'} read ${relative(opts.cwd, staleFile) || staleFile}${stale > 1 ? ' (or another file)' : ''}, which changed since ${stale === 1 ? 'it' : 'they'} ran: running ${stale === 1 ? 'it' : 'them'} again`);
  const reused = results.size;
  // A stored trial of this grid whose factory did not read one of its HPs: say so before running more of them.
  for (const [i, p] of grid.entries()) {
    const unread = unreadOf(p, results.get(keys[i]!)?.hpRead);
    if (unread.length) throw new WorkerJobError({ kind: 'usage', message: unreadHpMessage(unread, opts.exportName, p) });
  }
  let done = 0;
  grid.forEach((p, i) => {
    const r = results.get(keys[i]!);
    if (r) events.onTrial?.({ trial: toSweepTrial(r), reused: true, done: ++done, total: grid.length, ms: null });
  });

  const keyOf = new Map(grid.map((p, i) => [p, keys[i]!]));
  const mine = opts.shard ? shardOf(grid, opts.shard.index, opts.shard.count) : grid;
  const todo = opts.mergeOnly ? [] : scheduleOrder(mine.filter((p) => !results.has(keyOf.get(p)!)));
  // scheduleOrder copies objects' references, so keyOf still finds them.
  let ran = 0;
  let failed = 0;
  let lastData: string | null = null;
  const file = storeFileName(opts.shard);
  let workers = 0;
  let cancelled = false;
  let unreadStop: string | null = null;
  let storeError: OutputError | undefined;
  let leakWarned = false;
  if (todo.length > 0) {
    // The workers a CPU backend gets (below): each worker's wasm threads share the cores with the others.
    const threads = wasmThreads(opts.threads, Math.min(todo.length, opts.workers ?? opts.cores), opts.cores);
    const pool = new WorkerPool({ init: { backend: opts.backend, workspaceDir: dirname(opts.modelFile), threads }, workerPath: opts.workerPath, maxOldSpaceMb: opts.maxOldSpaceMb });
    try {
      // The first worker tells which backend we are on, which sets the default worker count.
      let backend: BackendInfo | null = null;
      try {
        backend = await pool.start({ signal: opts.signal });
      } catch (err) {
        if (!(opts.signal?.aborted ?? false)) throw err;
        cancelled = true;
      }
      if (backend) {
        const n = Math.max(1, Math.min(todo.length, opts.workers ?? defaultWorkers(backend, opts.cores)));
        events.onBackend?.(backend, n);
        // Stops the pool when a trial shows that a swept HP is never read (below), as well as on the user's cancel.
        const stop = new AbortController();
        const onCancel = () => stop.abort();
        if (opts.signal?.aborted) stop.abort();
        opts.signal?.addEventListener('abort', onCancel, { once: true });
        const pooled = await pool.run(
          todo.map((p) => ({
            tag: p,
            params: {
              file: opts.modelFile, exportName: opts.exportName, data: opts.data,
              width: p.width, lr: p.lr, seed: p.seed, steps: stepsOf(p),
              parametrization: opts.parametrization, baseWidth: opts.baseWidth,
              ...(p.hp ? { hp: p.hp } : {}),
              ...(p.axes ? { axes: p.axes } : {}),
              ...(depthScheme ? { depthScheme } : {}),
            } satisfies TrialJobParams,
          })),
          {
            kind: 'trial',
            workers: n,
            signal: stop.signal,
            timeoutMs: opts.trialTimeoutMs,
            stallTimeoutMs: stallTimeout(opts.stallTimeoutMs),
            buildTimeoutMs: buildTimeout(opts.buildTimeoutMs),
            onWaiting: events.onWaiting
              ? (p, phase, ms) =>
                  events.onWaiting!(
                    phase === 'building'
                      ? `still building ${opts.exportName}(${p.width}) after ${Math.round(ms / 1000)} s (--build-timeout S shortens the wait)`
                      : `width ${p.width} lr ${fmtLr(p.lr)} seed ${p.seed}: no training step finished for ${Math.round(ms / 1000)} s (--stall-timeout S shortens the wait)`,
                  )
              : undefined,
            onResult: (p, result) => {
              const identity = identityOf(p);
              const record: StoredTrial = {
                v: 1, key: keyOf.get(p)!, identity, modelFile: modelFileShown, backend: backend.label,
                version: opts.version, outcome: result.outcome, finishedAt: new Date().toISOString(),
                ...(result.hpRead ? { hpRead: result.hpRead } : {}),
              };
              if (result.outcome.tensorLeak && !leakWarned) {
                leakWarned = true;
                const l = result.outcome.tensorLeak;
                warn(`${opts.exportName} leaks tensors: ${Math.round(l.perStep)} more alive after every training step (tf.memory().numTensors ${l.from} -> ${l.to} over ${l.steps} steps at width ${p.width}), so memory grows until the run dies: dispose what the data export or a layer creates each step, or make it inside tf.tidy`);
              }
              const reads = hashes.record(result.reads);
              if (reads) record.reads = reads;
              try {
                appendTrial(opts.outDir, file, record);
              } catch (err) {
                // Not stored, so not counted: stop here (the trials stored so far are kept), with the one line.
                storeError ??= err instanceof OutputError ? err : outputError(join(opts.outDir, file), err);
                stop.abort();
                return;
              }
              results.set(record.key, record);
              ran++;
              done++;
              events.onTrial?.({ trial: toSweepTrial(record), reused: false, done, total: grid.length, ms: result.outcome.ms });
              lastData = result.data;
              const unread = unreadOf(p, result.hpRead);
              if (unread.length && unreadStop === null) {
                unreadStop = unreadHpMessage(unread, opts.exportName, p);
                stop.abort();
              }
            },
            onError: (p, e) => {
              failed++;
              // Out of memory, a crashed worker or a timeout belong to one trial (e.g. the widest): go on with the rest.
              // Anything else (a user error, a kernel the backend lacks) would fail every trial the same way: stop.
              if (e.error.kind === 'oom' || e.error.kind === 'crash' || e.error.kind === 'timeout') {
                warn(`width ${p.width}, lr ${p.lr}, seed ${p.seed}: ${describeJobError(e.error)}`);
                return 'continue';
              }
              const missingKernel = /not registered for backend '(\w+)'/.exec(e.error.message);
              if (missingKernel && !e.message.includes('--backend')) {
                e.error.message += ` (the ${missingKernel[1]} backend lacks a kernel this model needs: try --backend cpu)`;
              }
              return 'abort';
            },
            onProgress: (p, st) => events.onStep?.(p, st.step, st.loss),
          },
        );
        opts.signal?.removeEventListener('abort', onCancel);
        if (storeError) throw storeError;
        if (pooled.aborted) throw new WorkerJobError({ ...pooled.aborted.error, message: describeJobError(pooled.aborted.error) });
        if (unreadStop !== null) throw new WorkerJobError({ kind: 'usage', message: unreadStop });
        workers = pooled.workers;
        cancelled = pooled.cancelled;
      }
    } finally {
      pool.dispose();
    }
  }

  const trials: SweepTrial[] = [];
  const backends = new Set<string>();
  grid.forEach((_, i) => {
    const r = results.get(keys[i]!);
    if (r) {
      trials.push(toSweepTrial(r));
      backends.add(r.backend);
    }
  });
  const missing = grid.length - trials.length;
  // Judged against the whole planned grid: what is missing is never concluded from (src/sweep/optimum.ts).
  // With axes beyond width (issue 22) the width analysis is the slice at the proxy (every axis at its first value),
  // and each axis is analysed per value as width is (src/sweep/axisAnalysis.ts).
  const atProxy = (t: SweepTrial) => axes.every((a) => t.axes?.[a.name] === a.values[0]);
  const proxyTrials = axes.length ? trials.filter(atProxy).map(({ axes: _a, ...t }) => t) : trials;
  const analysis = analyzeTrials(proxyTrials, { widths: opts.widths, lrs: opts.lrs, seeds: opts.seeds, hps, ...(opts.extraLrs ? { extraLrs: opts.extraLrs } : {}) });
  for (const w of analysis.warnings) if (!(axes.length && opts.widths.length < 2 && /fewer than two widths/.test(w))) warn(w);
  const axisResults = axes.filter((a) => a.values.length >= 2).map((a) => analyzeAxis(a.name, trials, axes, { widths: opts.widths, lrs: opts.lrs, seeds: opts.seeds, hps }));
  const gridComplete = trials.length === grid.length;
  // Every axis that varies must pass: width (when two or more widths are swept) and each axis beyond it.
  const axisVerdict = axes.length
    ? gridComplete
      ? combineVerdicts([...(opts.widths.length >= 2 ? [analysis.verdict] : []), ...axisResults.map((a) => a.status)])
      : 'inconclusive'
    : analysis.verdict;
  if (!analysis.complete) {
    warn(
      opts.shard
        ? `the other shards' trials complete the grid: once every shard has finished, run with --merge-only to judge it`
        : opts.mergeOnly
          ? 'to complete the grid, run the missing shards (or this command without --merge-only)'
          : `to complete the grid, run the same command again: stored trials are reused and only the ${missing} missing ones run${failed > 0 ? ` (${failed} failed this time: see the warnings above)` : ''}`,
    );
  }
  const widest = Math.max(...opts.widths);
  const report: SweepReport = {
    trials,
    optimum: analysis.optimum,
    shiftOctaves: analysis.shiftOctaves,
    transfers: analysis.transfers,
    reused,
    model: { file: modelFileShown, exportName: opts.exportName },
    parametrization: opts.parametrization,
    widths: opts.widths,
    lrs: opts.lrs,
    seeds: opts.seeds,
    steps: opts.steps,
    baseWidth: opts.baseWidth,
    fittedShiftOctaves: analysis.fittedShiftOctaves,
    hps: hpResults(analysis, hps),
    everyAxisTransfers: axes.length ? axisVerdict === 'transfers' : analysis.everyAxisTransfers,
    ...(axes.length ? { axisGrid: axes, axes: axisResults } : {}),
    depthScheme,
    verdict: axisVerdict,
    lrVerdict: analysis.lrVerdict,
    shiftInterval: analysis.shiftInterval,
    transfersFrom: analysis.transfersFrom,
    // (one width and axes beyond it: width was not swept, so its "fewer than two widths" is no reason; the axes say theirs)
    reasons: axes.length && opts.widths.length < 2 ? axisResults.filter((a) => a.status === 'inconclusive').map((a) => a.verdict[a.verdict.length - 1]!) : analysis.reasons,
    settle: axes.length && opts.widths.length < 2 ? [] : analysis.settle,
    refine: opts.extraLrs ? { step: REFINE_STEP, lrs: opts.extraLrs } : null,
    recommended: recommendLr(analysis, opts.targetWidth ?? widest),
    backends: [...backends].sort(),
    data: lastData,
    ran,
    missing,
    complete: axes.length ? gridComplete : analysis.complete,
    missingTrials: analysis.missing.slice(0, MAX_LISTED_MISSING),
    failed,
    cancelled,
    workers,
    shard: opts.shard ?? null,
    storeDir: opts.outDir,
    elapsedMs: Date.now() - started,
    warnings,
  };
  writeResult(opts.outDir, report, events);
  return report;
}
