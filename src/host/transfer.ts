// `mup-lens transfer` and "muP: Transfer Tuned Hyperparameters", host side: read a finished sweep (its store or
// result.json), take the proxy width's best values, ask a worker what muP makes of them for the user's model at the
// target width (the `transfer` job), write the transfer file next to the model, and with `verify` train the target
// width twice (the transferred muP values; the proxy's best SP values from the model's SP sweep) as two `trial` jobs.
// User code runs only in the workers; the judging and the file are pure (src/sweep/transfer.ts).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { TrialJobParams, TrialJobResult } from '../protocol/jobs';
import type { BackendInfo, BackendRequest } from '../protocol/worker';
import type { TransferFile } from '../mup/runtime-types';
import { composeTransferFile, proxyWidthOf, refusalOf, tunedAt, whatTheSweepShowed, type TransferReport, type TransferVerify, type TransferVerifyRun } from '../sweep/transfer';
import type { HpValues, SweepReport } from '../sweep/types';
import { transferAxes, TransferAxesError, type TargetAxes } from '../sweep/transferAxes';
import { sweepReportProblem } from '../sweep/validate';
import { DEFAULT_VERIFY_SEEDS, inconclusiveSweep, summarizeSeeds, verifyDifference, type VerifySeedRun } from '../sweep/verify';
import { checkOutputPath } from './outputFile';
import { pathSegment, writeJsonAtomic } from './results';
import { sourceHash } from './sourceHash';
import { stallTimeout } from './sweep';
import { WorkerJobError } from './workerClient';
import { wasmThreads, type ThreadsRequest } from './threads';
import { defaultWorkers, describeJobError, WorkerPool } from './workerPool';

/** A mistake in what the user asked for (no such store, a sweep that is not finished): one line, exit 2. */
export class TransferInputError extends Error {}

/** A muP sweep that shows nothing either way (one LR, an inconclusive verdict): one line, exit 4 (issue 21, 28). */
export class TransferInconclusiveError extends Error {}

export interface TransferOptions {
  /** A sweep's store directory, or a result.json (the store's, or a saved `mup-lens sweep --format json`). */
  source: string;
  targetWidth: number;
  /** Issue 22: the target's depth, batch, steps, sequence length (and the scheme alpha, proxy values not swept). */
  target?: TargetAxes;
  /** The swept width whose best values are transferred; default the widest swept. */
  proxyWidth?: number;
  /** Where to write the transfer file; default next to the model: `<stem>.<export>.w<N>.transfer.json`. */
  out?: string;
  /** Train the target width with the transferred values and with the SP sweep's (`spSource`, else found) best, for
   *  `steps` steps (0: the sweep's own steps). */
  verify?: { steps: number; spSource?: string; /** seeds per configuration (default 3, issue 21) */ seeds?: number };
  backend: BackendRequest;
  workers?: number;
  /** Threads of each worker's wasm backend (default auto: the cores shared by the --verify runs' workers). */
  threads?: ThreadsRequest;
  cores: number;
  version: string;
  /** Relative paths (of the source, and those a sweep recorded) are resolved against this directory. */
  cwd: string;
  signal?: AbortSignal;
  workerPath?: string;
  stallTimeoutMs?: number;
}

export interface TransferEvents {
  onBackend?(info: BackendInfo, workers: number): void;
  onWarning?(message: string): void;
  onPhase?(message: string): void;
  /** A verification run's step (for a progress bar). */
  onStep?(label: string, step: number, loss: number): void;
}

/** A finished sweep as the transfer reads it. */
export interface LoadedSweep {
  dir: string;
  report: SweepReport;
  /** Absolute path of the model file (found from what the sweep recorded). */
  modelPath: string;
  /** The model file's hash when the sweep ran (sweep.json), to tell whether it changed since. */
  modelSha256: string | null;
  data: TrialJobParams['data'];
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TransferInputError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The first of `candidates` that is a file. */
function firstFile(candidates: (string | undefined)[]): string | undefined {
  return candidates.find((p) => p !== undefined && existsSync(p) && statSync(p).isFile());
}

/** Reads a finished sweep from its store directory or a result.json. */
export function loadSweep(source: string, cwd: string): LoadedSweep {
  const abs = resolve(cwd, source);
  if (!existsSync(abs)) throw new TransferInputError(`${source}: no such store directory or result.json`);
  const resultPath = statSync(abs).isDirectory() ? join(abs, 'result.json') : abs;
  if (!existsSync(resultPath)) {
    throw new TransferInputError(`${source} has no result.json: the sweep has not finished (run it again to complete it; stored trials are reused)`);
  }
  const raw = readJson(resultPath);
  if (!isObj(raw) || !Array.isArray(raw.trials) || !Array.isArray(raw.optimum) || !Array.isArray(raw.widths) || (raw.parametrization !== 'mup' && raw.parametrization !== 'sp')) {
    throw new TransferInputError(`${resultPath} is not a sweep result (expected mup-lens sweep's JSON: trials, optimum, widths, parametrization)`);
  }
  const problem = sweepReportProblem(raw);
  if (problem) throw new TransferInputError(`${resultPath}: ${problem}: not what a sweep writes (edited or damaged); run the sweep again to rewrite it`);
  const report = raw as unknown as SweepReport;
  // The store is where the result is (a store copied elsewhere is read there); a result.json saved on its own
  // points at its store with `storeDir`.
  const own = dirname(resultPath);
  const dir = !existsSync(join(own, 'sweep.json')) && typeof report.storeDir === 'string' && existsSync(join(report.storeDir, 'sweep.json')) ? report.storeDir : own;
  const settings = existsSync(join(dir, 'sweep.json')) ? readJson(join(dir, 'sweep.json')) : {};
  const set = isObj(settings) ? settings : {};
  const model = isObj(set.model) ? set.model : {};
  // The sweep recorded the model's path relative to where it ran (a terminal's cwd, the workspace folder) and,
  // since HP axes, absolutely: try those, then relative to the workspace that holds `.mup/sweeps/<name>/`.
  const rel = report.model?.file;
  const workspace = basename(dirname(dir)) === 'sweeps' && basename(dirname(dirname(dir))) === '.mup' ? dirname(dirname(dirname(dir))) : undefined;
  const modelPath = firstFile([
    typeof model.path === 'string' ? model.path : undefined,
    rel && isAbsolute(rel) ? rel : undefined,
    rel ? resolve(cwd, rel) : undefined,
    rel && workspace ? resolve(workspace, rel) : undefined,
  ]);
  if (!modelPath) throw new TransferInputError(`cannot find the sweep's model file ${rel ?? '(none recorded)'} (looked from ${cwd}${workspace ? ` and ${workspace}` : ''}); run the transfer from the folder the sweep ran in`);
  let data: TrialJobParams['data'] = null;
  if (set.data === 'synthetic') data = 'synthetic';
  else if (isObj(set.data) && typeof set.data.file === 'string' && typeof set.data.exportName === 'string') {
    const file = firstFile([resolve(cwd, set.data.file), workspace ? resolve(workspace, set.data.file) : undefined, resolve(dirname(modelPath), set.data.file)]);
    if (!file) throw new TransferInputError(`cannot find the sweep's data file ${set.data.file}`);
    data = { file, exportName: set.data.exportName };
  }
  return { dir, report, modelPath, modelSha256: typeof model.sha256 === 'string' ? model.sha256 : null, data };
}

/**
 * `<model dir>/<stem>.<export>.w<N>.transfer.json`; with target axes beyond width, each one given in the name too
 * (`.w4096.d48.b512.s100000.L2048`), so that transfers to the same width at another depth or batch do not overwrite
 * each other.
 */
export function defaultTransferPath(modelPath: string, exportName: string, width: number, target: TargetAxes = {}): string {
  const axes = [['d', target.depth], ['b', target.batch], ['s', target.steps], ['L', target.seqLen]]
    .filter((a): a is [string, number] => typeof a[1] === 'number')
    .map(([k, v]) => `.${k}${v}`)
    .join('');
  return join(dirname(modelPath), pathSegment(`${basename(modelPath, extname(modelPath))}.${exportName}.w${width}${axes}.transfer.json`));
}

/** The SP sweep of the same model file and export in the stores beside the muP one (`.mup/sweeps/*`), if any. */
export function findSpSweep(mup: LoadedSweep, cwd: string): LoadedSweep | null {
  const parent = dirname(mup.dir);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return null;
  }
  for (const name of names.sort()) {
    const dir = join(parent, name);
    if (dir === mup.dir || !existsSync(join(dir, 'result.json'))) continue;
    try {
      const s = loadSweep(dir, cwd);
      if (s.report.parametrization === 'sp' && s.modelPath === mup.modelPath && s.report.model.exportName === mup.report.model.exportName) return s;
    } catch {
      // not a sweep we can read: not the one
    }
  }
  return null;
}

/** One `--verify` trial at the target (seed 0: the caller sets each seed): the target width, depth, batch and sequence
 *  length, the given LR and HP values, every step's loss. */
export function verifyTrialParams(s: LoadedSweep, o: { width: number; lr: number; hp: HpValues; steps: number; target: TargetAxes }): TrialJobParams {
  const t = o.target;
  const axes = { ...(t.depth !== undefined ? { depth: t.depth } : {}), ...(t.batch !== undefined ? { batch: t.batch } : {}), ...(t.seqLen !== undefined ? { seqLen: t.seqLen } : {}) };
  return {
    file: s.modelPath, exportName: s.report.model.exportName, data: s.data, width: o.width, lr: o.lr, seed: 0,
    steps: o.steps, parametrization: s.report.parametrization, baseWidth: s.report.baseWidth, curve: true,
    ...(Object.keys(o.hp).length ? { hp: o.hp } : {}),
    // the target's axes (issue 22): its depth, batch and sequence length
    ...(Object.keys(axes).length ? { axes } : {}),
  };
}

/**
 * `--verify`'s muP run: the target trained as a script that reads the transfer file would train it
 * (`createMup(tf).fromTransfer(file).adam(model)`: the file's base LR with the batch and steps factors, its base
 * shapes, and at a target depth MuAdam's depth option, its LR and epsilon factors), the factory given the file's HP
 * values and the target's axes.
 */
export function verifyMupTrial(s: LoadedSweep, file: TransferFile, steps: number, target: TargetAxes): TrialJobParams {
  return { ...verifyTrialParams(s, { width: file.targetWidth, lr: file.axes?.lr.value ?? file.tuned.lr, hp: file.tuned.hp, steps, target }), transfer: file };
}

export async function runTransfer(opts: TransferOptions, events: TransferEvents = {}): Promise<TransferReport> {
  if (!(Number.isInteger(opts.targetWidth) && opts.targetWidth > 0)) throw new TransferInputError(`--width: expected a positive integer, got ${opts.targetWidth}`);
  const sweep = loadSweep(opts.source, opts.cwd);
  const r = sweep.report;
  const inconclusive = inconclusiveSweep(r);
  if (inconclusive) throw new TransferInconclusiveError(`${opts.source}: ${inconclusive}`);
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    events.onWarning?.(m);
  };
  let proxyWidth: number;
  try {
    proxyWidth = proxyWidthOf(r, opts.proxyWidth);
  } catch (err) {
    throw new TransferInputError((err as Error).message);
  }
  const report: TransferReport = {
    transfers: false, parametrization: r.parametrization, model: r.model, store: sweep.dir, targetWidth: opts.targetWidth,
    baseWidth: r.baseWidth, proxyWidth, showed: whatTheSweepShowed(r), refusal: refusalOf(r), tuned: null, file: null,
    written: null, verify: null, warnings,
  };
  if (report.refusal) return report;
  const tuned = tunedAt(r, proxyWidth);
  if (!tuned) {
    report.refusal = `width ${proxyWidth} has no optimum (every trial there diverged): pick another --proxy-width`;
    return report;
  }
  report.tuned = tuned;
  // The axes beyond width (issue 22): every factor of the LR with its source, and what lies far outside the sweep.
  const target = opts.target ?? {};
  const anyAxis = target.depth !== undefined || target.batch !== undefined || target.steps !== undefined || target.seqLen !== undefined;
  let axes: ReturnType<typeof transferAxes> | undefined;
  if (anyAxis) {
    try {
      axes = transferAxes(r, tuned.lr, proxyWidth, opts.targetWidth, target);
    } catch (err) {
      if (err instanceof TransferAxesError) throw new TransferInputError(err.message);
      throw err;
    }
    for (const w of axes.axes.warnings) warn(w);
  }
  const sha = await sourceHash(sweep.modelPath);
  if (sweep.modelSha256 && sha !== sweep.modelSha256) warn(`${r.model.file} changed since the sweep ran: the tuned values are those of the old version (sweep it again to be sure)`);
  if (opts.targetWidth < proxyWidth) warn(`the target width ${opts.targetWidth} is narrower than the proxy width ${proxyWidth}: muP transfers either way, but a proxy is normally the small model`);

  const verifySteps = opts.verify ? (opts.verify.steps > 0 ? opts.verify.steps : r.steps) : 0;
  let spSweep: LoadedSweep | null = null;
  let spNote: string | null = null;
  if (opts.verify) {
    spSweep = opts.verify.spSource ? loadSweep(opts.verify.spSource, opts.cwd) : findSpSweep(sweep, opts.cwd);
    if (spSweep && spSweep.report.parametrization !== 'sp') throw new TransferInputError(`--sp-sweep ${opts.verify.spSource}: that is a muP sweep; give the SP sweep of the model`);
    if (!spSweep) {
      spNote = `no SP sweep of ${r.model.file}#${r.model.exportName} was found beside ${sweep.dir} (give one with --sp-sweep <store>): only the transferred values were trained`;
    }
  }

  const out = opts.out ? resolve(opts.cwd, opts.out) : defaultTransferPath(sweep.modelPath, r.model.exportName, opts.targetWidth, opts.target);
  checkOutputPath(out); // a folder or a link where the file goes: refused before anything runs
  // --verify trains the transferred values, and the SP sweep's best when there is one: a worker each.
  const verifyWorkers = opts.verify ? Math.min(opts.workers ?? opts.cores, spSweep ? 2 : 1) : 1;
  const threads = wasmThreads(opts.threads, verifyWorkers, opts.cores);
  const pool = new WorkerPool({ init: { backend: opts.backend, workspaceDir: dirname(sweep.modelPath), threads }, workerPath: opts.workerPath });
  try {
    events.onPhase?.(`building ${r.model.exportName} at widths ${r.baseWidth} and ${opts.targetWidth}`);
    const backend = await pool.start({ signal: opts.signal });
    let facts: Parameters<typeof composeTransferFile>[0]['facts'] | null = null;
    const stall = stallTimeout(opts.stallTimeoutMs);
    // At a target depth (or sequence length) the model has other weights: the facts are those of the target's build.
    const built = { ...tuned.hp, ...(target.depth !== undefined ? { depth: target.depth } : {}), ...(target.seqLen !== undefined ? { seqLen: target.seqLen } : {}) };
    const hp = Object.keys(built).length ? built : undefined;
    const got = await pool.run(
      [{ tag: 0, params: { file: sweep.modelPath, exportName: r.model.exportName, baseWidth: r.baseWidth, targetWidth: opts.targetWidth, ...(hp ? { hp } : {}) } }],
      { kind: 'transfer', workers: 1, signal: opts.signal, stallTimeoutMs: stall, onResult: (_t, res) => (facts = res), onError: () => 'abort' },
    );
    if (got.aborted) throw new WorkerJobError({ ...got.aborted.error, message: describeJobError(got.aborted.error) });
    if (got.cancelled || !facts) throw new WorkerJobError({ kind: 'cancelled', message: 'cancelled' });
    report.file = composeTransferFile({ report: r, modelSha256: sha, tuned, targetWidth: opts.targetWidth, facts, version: opts.version, ...(axes ? { axes } : {}) });
    report.transfers = true;
    writeJsonAtomic(out, report.file);
    report.written = out;

    if (opts.verify) {
      const runs: { run: Omit<TransferVerifyRun, 'losses' | 'loss' | 'diverged'>; params: TrialJobParams }[] = [];
      const trial = (s: LoadedSweep, lr: number, hpv: HpValues): TrialJobParams => verifyTrialParams(s, { width: opts.targetWidth, lr, hp: hpv, steps: verifySteps, target });
      runs.push({
        run: { label: 'muP, transferred', parametrization: 'mup', model: r.model, width: opts.targetWidth, lr: axes?.axes.lr.value ?? tuned.lr, hp: tuned.hp, from: `the muP sweep's best at width ${proxyWidth}${axes ? ' with the axes\' factors' : ''}` },
        params: verifyMupTrial(sweep, report.file, verifySteps, target),
      });
      if (spSweep) {
        const spProxy = spSweep.report.widths.includes(proxyWidth) ? proxyWidth : Math.max(...spSweep.report.widths);
        const spTuned = tunedAt(spSweep.report, spProxy);
        if (spTuned) {
          runs.push({
            // (an SP sweep at the target width itself is SP tuned there, not a proxy's best: the label says which)
            run: { label: spProxy === opts.targetWidth ? `SP, tuned at ${spProxy}` : "SP, the proxy's best", parametrization: 'sp', model: spSweep.report.model, width: opts.targetWidth, lr: spTuned.lr, hp: spTuned.hp, from: `the SP sweep's best at width ${spProxy}` },
            params: trial(spSweep, spTuned.lr, spTuned.hp),
          });
        } else spNote = `the SP sweep has no optimum at width ${spProxy} (every trial diverged): only the transferred values were trained`;
      }
      // Every configuration with every seed (issue 21): job j is configuration floor(j / seeds), seed j % seeds.
      const seeds = Math.max(1, opts.verify.seeds ?? DEFAULT_VERIFY_SEEDS);
      const jobs = runs.flatMap((x, i) => Array.from({ length: seeds }, (_, seed) => ({ tag: i * seeds + seed, params: { ...x.params, seed } })));
      const workers = Math.max(1, Math.min(jobs.length, opts.workers ?? defaultWorkers(backend, opts.cores)));
      events.onBackend?.(backend, workers);
      events.onPhase?.(`training width ${opts.targetWidth} for ${verifySteps} steps, ${seeds} seed${seeds === 1 ? '' : 's'} each: ${runs.map((x) => x.run.label).join(' and ')}`);
      const results = new Map<number, TrialJobResult>();
      const pooled = await pool.run(jobs, {
        kind: 'trial', workers, signal: opts.signal, stallTimeoutMs: stall,
        onProgress: (j, p) => events.onStep?.(`${runs[Math.floor(j / seeds)]!.run.label} seed ${j % seeds}`, p.step, p.loss),
        onResult: (j, res) => results.set(j, res),
        onError: () => 'abort',
      });
      if (pooled.aborted) throw new WorkerJobError({ ...pooled.aborted.error, message: describeJobError(pooled.aborted.error) });
      if (pooled.cancelled) throw new WorkerJobError({ kind: 'cancelled', message: 'cancelled' });
      const seedRuns = runs.map((_, i) =>
        Array.from({ length: seeds }, (_s, seed): VerifySeedRun => {
          const res = results.get(i * seeds + seed)!;
          return { seed, losses: res.losses ?? [], loss: res.outcome.diverged ? null : res.outcome.loss, diverged: res.outcome.diverged };
        }),
      );
      const verify: TransferVerify = {
        steps: verifySteps,
        runs: runs.map((x, i) => ({ ...x.run, ...summarizeSeeds(seedRuns[i]!), seeds: seedRuns[i]! })),
        note: spNote,
        seeds,
        difference: seedRuns.length >= 2 ? verifyDifference(seedRuns[0]!, seedRuns[1]!) : null,
      };
      report.verify = verify;
    }
  } finally {
    pool.dispose();
  }
  return report;
}
