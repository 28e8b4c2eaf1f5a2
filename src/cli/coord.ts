// `mup-lens coord <file>#<export>`: the coordinate check from a terminal (docs/contracts.md "coord").
// Exit 0 pass, 1 fail, 2 usage or load error, 4 inconclusive (one line on stderr), 130 interrupted (the widths that finished are
// still judged, printed and stored). Progress goes to stderr, results to stdout.
import { existsSync, statSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatText, verdictLine } from '../coord/format';
import { defaultCoordWorkers, runCoordinateCheck } from '../host/coordCheck';
import { missingExport } from '../host/exports';
import { OutputError } from '../host/outputFile';
import { coordDir, writeCoordResult } from '../host/results';
import { WorkerJobError } from '../host/workerClient';
import type { ThreadsRequest } from '../host/threads';
import { describeJobError } from '../host/workerPool';
import type { CoordJobParams } from '../protocol/jobs';
import type { BackendRequest } from '../protocol/worker';
import { BACKEND_REQUESTS } from '../settings/read';
import { threadsFlag } from './threads';
import { ensureOutDir, joinNumericValues, oneOf, parseArgsMessage, removeEmptyDirs, UsageError, type CliIO } from './io';

const HELP = `usage: mup-lens coord <file>#<export> [options]

Trains the model at several widths for a few steps and checks that every layer's activation size (mean |x|)
stays flat as the width grows (muP's coordinate check). The export is a factory (width) => tf.LayersModel.

options:
  --widths 64,128,256,512,1024   widths to build (at least two; one is enough with --depths)
  --depths 2,4,8,16,32           check across depth instead (issue 22): the factory is built (width, {depth}) at
                                 each depth, slopes of log l1 against log depth of the layers outside the blocks
                                 and of the residual stream (the output of the residual additions)
  --steps 5                      training steps per run (t = 1 is at init; at least 2)
  --seeds 3                      runs per width (the plot shows their mean)
  --lr 0.01                      learning rate (large on purpose, so blow-ups show)
  --optimizer adam|sgd           default adam
  --mup | --sp                   per-group muP learning rates (default) or one global learning rate
  --base-width N                 muP base width for the learning-rate groups (default: the smallest width)
  --data <file>#<export>         training batch (step) => {xs, ys}; default: an export 'data' in the model file
  --backend auto|tensorflow|webgpu|wasm|cpu
                                 default auto: tfjs-node-gpu, webgpu on a GPU, tfjs-node, wasm, cpu
  --workers N                    worker processes on wasm/cpu (default: one per core, at most 2)
  --threads N|auto               threads of each worker's wasm backend (default auto: the cores shared by the
                                 workers; 1: tfjs' single-threaded build)
  --timeout 600                  seconds before the check is stopped
  --build-timeout 120            seconds a worker may take to build the model before it is stopped (0: never)
  --format text|json|html        default text; html writes a report to --out and prints its path
  --out DIR                      where result.json (and index.html) go; default .mup/coord/<file>-<export>/
exit: 0 pass, 1 fail, 2 usage or load error, 4 inconclusive (a slope's interval across seeds crosses 0.4), 130 interrupted (Ctrl-C: the finished widths are judged)`;

function list(flag: string, v: string): number[] {
  const out = v.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new UsageError(`${flag} must be a comma-separated list of positive integers, got '${v}'`);
  }
  return out;
}

function int(flag: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got '${v}'`);
  // A count that no run finishes (1e15 steps) or that does not fit in memory (1e15 seeds) is a typo, not a plan.
  if (n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got '${v}'`);
  return n;
}

/** Upper limits of the counts (docs/contracts.md). */
export const MAX_STEPS = 1_000_000;
export const MAX_SEEDS = 1000;

function target(spec: string, cwd: string, what: string): { file: string; exportName: string } {
  const hash = spec.lastIndexOf('#');
  if (hash <= 0 || hash === spec.length - 1) throw new UsageError(`${what} must be <file>#<export>, e.g. model.ts#mlp, got '${spec}'`);
  const file = resolve(cwd, spec.slice(0, hash));
  if (!existsSync(file)) throw new UsageError(`${what}: no such file: ${file}`);
  if (!statSync(file).isFile()) throw new UsageError(`${what}: not a file: ${file}`);
  return { file, exportName: spec.slice(hash + 1) };
}

export interface ParsedCoordArgs {
  params: CoordJobParams;
  backend: BackendRequest;
  format: 'text' | 'json' | 'html';
  out: string;
  timeoutMs: number;
  /** `--build-timeout` in ms; undefined: never. */
  buildTimeoutMs: number | undefined;
  workers: number;
  threads: ThreadsRequest;
}

const COORD_OPTIONS = {
  widths: { type: 'string', default: '64,128,256,512,1024' },
  depths: { type: 'string' },
  steps: { type: 'string', default: '5' },
  seeds: { type: 'string', default: '3' },
  lr: { type: 'string', default: '0.01' },
  optimizer: { type: 'string', default: 'adam' },
  mup: { type: 'boolean' },
  sp: { type: 'boolean' },
  'base-width': { type: 'string' },
  data: { type: 'string' },
  backend: { type: 'string', default: 'auto' },
  workers: { type: 'string' },
  threads: { type: 'string' },
  timeout: { type: 'string', default: '600' },
  'build-timeout': { type: 'string', default: '120' },
  format: { type: 'string', default: 'text' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseCoordArgs(argv: string[], cwd: string): ParsedCoordArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNumericValues(argv, COORD_OPTIONS),
      allowPositionals: true,
      strict: true,
      options: COORD_OPTIONS,
    });
  } catch (err) {
    throw new UsageError(parseArgsMessage(err));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length !== 1) {
    throw new UsageError(parsed.positionals.length === 0 ? 'missing <file>#<export> (see --help)' : `expected one <file>#<export>, got ${parsed.positionals.length} arguments`);
  }
  if (v.mup && v.sp) throw new UsageError('--mup and --sp exclude each other');
  const { file, exportName } = target(parsed.positionals[0], cwd, 'the model');
  const widths = [...new Set(list('--widths', v.widths!))].sort((a, b) => a - b);
  const depths = v.depths !== undefined ? [...new Set(list('--depths', v.depths))].sort((a, b) => a - b) : undefined;
  if (depths && depths.length < 2) throw new UsageError('--depths needs at least two different depths to fit a slope');
  if (!depths && widths.length < 2) throw new UsageError('--widths needs at least two different widths to fit a slope');
  const lr = Number(v.lr);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new UsageError(`--lr must be a positive number, got '${v.lr}'`);
  const timeout = Number(v.timeout);
  if (!(timeout > 0)) throw new UsageError(`--timeout must be a positive number of seconds, got '${v.timeout}'`);
  const buildTimeoutS = Number(v['build-timeout']);
  if (!(buildTimeoutS >= 0) || !Number.isFinite(buildTimeoutS)) throw new UsageError(`--build-timeout must be a number of seconds >= 0, got '${v['build-timeout']}'`);
  const format = oneOf('--format', v.format!, ['text', 'json', 'html'] as const);
  const params: CoordJobParams = {
    file,
    exportName,
    widths,
    steps: int('--steps', v.steps!, 2, MAX_STEPS),
    seeds: int('--seeds', v.seeds!, 1, MAX_SEEDS),
    lr,
    optimizer: oneOf('--optimizer', v.optimizer!, ['adam', 'sgd'] as const),
    parametrization: v.sp ? 'sp' : 'mup',
    baseWidth: v['base-width'] !== undefined ? int('--base-width', v['base-width'], 1) : undefined,
    data: v.data !== undefined ? target(v.data, cwd, '--data') : null,
    ...(depths ? { depths } : {}),
  };
  return {
    params,
    backend: oneOf('--backend', v.backend!, BACKEND_REQUESTS),
    format,
    out: v.out !== undefined ? resolve(cwd, v.out) : coordDir(cwd, file, exportName),
    timeoutMs: timeout * 1000,
    buildTimeoutMs: buildTimeoutS > 0 ? buildTimeoutS * 1000 : undefined,
    workers: v.workers !== undefined ? int('--workers', v.workers, 1) : defaultCoordWorkers(),
    threads: threadsFlag(v.threads),
  };
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const args = parseCoordArgs(argv, io.cwd);
  if (args === 'help') {
    io.stdout(HELP + '\n');
    return 0;
  }
  const { params } = args;
  // A missing export is said before a worker starts or an output folder is made (when the file's exports are known).
  for (const [what, spec] of [['', { file: params.file, exportName: params.exportName }], ['--data', params.data]] as const) {
    const missing = spec ? await missingExport(spec.file, spec.exportName, relative(io.cwd, spec.file) || spec.file) : null;
    if (missing && spec) throw new UsageError(what ? `${what}: ${missing}` : missing);
  }
  const createdDirs = ensureOutDir(args.out);
  const announced = new Set<string>();
  let outcome;
  // Ctrl-C: stop the workers and judge the check on the widths that finished (a second Ctrl-C quits).
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    io.stderr('\ninterrupted: stopping the workers; judging the widths that finished (Ctrl-C again to quit)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    outcome = await runCoordinateCheck(params, {
      backend: args.backend,
      timeoutMs: args.timeoutMs,
      buildTimeoutMs: args.buildTimeoutMs,
      onWaiting: (m) => io.stderr(`${m}\n`),
      workers: args.workers,
      threads: args.threads,
      signal: controller.signal,
      keepPartialOnCancel: true,
      onLog: (line) => io.stderr(`  | ${line}\n`),
      onProgress: (e) => {
        // once per point: points run side by side, and a line per step (as their events alternate) floods a log
        const point = e.depth === undefined ? `width ${e.width}` : `width ${e.width}, depth ${e.depth}`;
        if (!announced.has(point)) {
          announced.add(point);
          io.stderr(`${point}: ${params.seeds} seed(s) x ${params.steps} steps (${Math.round(e.fraction * 100)}%)\n`);
        }
      },
    });
  } catch (err) {
    removeEmptyDirs(createdDirs); // a check that produced nothing leaves no empty .mup/coord/<name>/ behind
    if (err instanceof WorkerJobError && err.error.kind === 'cancelled') {
      io.stderr('interrupted before two widths finished: no result\n');
      return 130;
    }
    if (err instanceof WorkerJobError) throw new UsageError(describeJobError(err.error));
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  const { result, backend, notes, warnings, interrupted } = outcome;
  io.stderr(`backend: ${backend.label} (${backend.reasons.join('; ')})\n`);
  for (const w of warnings) io.stderr(`warning: ${w}\n`);
  // Stored like every run (docs/contracts.md: --out, default .mup/coord/<name>/), so "muP: Open Results" lists it.
  const meta = { title: `${params.exportName} — ${basename(params.file)}`, modelFile: params.file, exportName: params.exportName, parametrization: params.parametrization };
  const header = `coordinate check${params.depths ? ' across depth' : ''} of ${params.exportName} (${params.parametrization === 'mup' ? 'muP' : 'SP'}, ${params.optimizer} lr ${params.lr}, ${params.steps} steps, ${params.seeds} seeds) on ${backend.label}`;
  let written: { json: string; html: string } | undefined;
  let unsaved: OutputError | undefined;
  try {
    written = writeCoordResult(args.out, result, meta, { subtitle: header, notes: [...notes, ...warnings] });
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
    unsaved = err;
  }
  const shownAs: typeof args.format = unsaved && args.format === 'html' ? 'text' : args.format;
  switch (shownAs) {
    case 'json':
      io.stdout(JSON.stringify(result, null, 2) + '\n');
      break;
    case 'text':
      for (const n of notes) io.stderr(`note: ${n}\n`);
      io.stdout(formatText(result, header, io.cwd));
      break;
    case 'html':
      io.stderr(verdictLine(result, io.cwd) + '\n');
      io.stdout(written!.html + '\n');
      break;
    default: {
      const _: never = shownAs;
      void _;
    }
  }
  // The verdict is printed above whatever happened to the files; a result not saved is one line and exit 2.
  if (unsaved) {
    io.stderr(`mup-lens coord: ${unsaved.message}\n`);
    return 2;
  }
  if (interrupted) return 130;
  if (result.verdict.level === 'inconclusive') return 4;
  return result.verdict.pass ? 0 : 1;
}
