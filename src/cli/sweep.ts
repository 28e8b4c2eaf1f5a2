// `mup-lens sweep <file>#<export>`: the LR-vs-width sweep, headless (docs/contracts.md "sweep"), with optional
// hyperparameter axes (`--hp NAME=GRID`).
// Exit codes (docs/contracts.md): 0 the best LR (and every swept HP) transfers across widths (or a --shard slice
// ran), 1 some axis does not (or fewer than two widths could be judged), 2 usage or input error (a swept HP the
// factory never reads included), 3 the grid is incomplete (nothing concluded), 130 interrupted. Progress goes to stderr, the result to stdout (text, json) or a file (html).
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { missingExport } from '../host/exports';
import { defaultSweepName, writeSweepReport } from '../host/results';
import { runRefinedSweep, runSweep } from '../host/sweep';
import type { SweepReport } from '../sweep/types';
import { GridError, gridSize, parseHpAxes, parseLrList, parseLrRange, parseShard, parseWidths, type HpAxis } from '../sweep/grid';
import { fmtLr } from '../sweep/report';
import { AXIS_FLAGS, axisGridFactor, checkAxisNames, SWEEP_AXES, type SweepAxisGrid } from '../sweep/axes';
import { formatAxes, proxyReport } from '../sweep/axisReport';
import { WorkerJobError } from '../host/workerClient';
import { formatText } from '../sweep/report';
import type { BackendRequest } from '../protocol/worker';
import { BACKEND_REQUESTS } from '../settings/read';
import { alphaFlag } from './alpha';
import { threadsFlag } from './threads';
import { ensureOutDir, joinNumericValues, oneOf, parseArgsMessage, positiveInt, removeEmptyDirs, UsageError, type CliIO } from './io';
import { OutputError } from '../host/outputFile';
import { packageVersion } from './version';

export const SWEEP_USAGE = `usage: mup-lens sweep <file>#<export> [options]

Trains the model at each width over a grid of learning rates and reports whether the best LR moves with width.
  --widths 64,128,256        widths to train (default 64,128,256)
  --lrs 0.001,2^-8,...       learning rates, or
  --lr-range 2^-14:2^-4:1    log2-spaced LRs: start:stop:step in octaves (default 2^-14:2^-4:1)
  --hp NAME=GRID             also sweep a hyperparameter the factory reads, factory(width, {NAME}) or
                             ({width, NAME}); GRID a list 0.5,1,2 or a log2 range 2^-4:2^4:1; repeatable.
                             The grid is widths x LRs x HP values x seeds (one LR: --lrs 2^-8)
  --depths 2,8               also sweep depth (issue 22): the factory reads it, factory(width, {depth}); the
                             best LR and the best loss per depth, judged like width, and a loss that worsens
                             with depth at the transferred LR is called out
  --alpha A                  with --depths and --mup: the depth scheme the model implements, completep (1,
                             default), depth-mup (0.5), sp (0) or a number in [0, 1]; each trial's MuAdam
                             applies it relative to the first depth (hidden Adam LR x (L/L_base)^(alpha-1),
                             epsilon x (L/L_base)^-alpha), as fromTransfer does; transfer defaults to it
  --batches 32,128           sweep the batch size: the data export gets (step, {seed, batch}), the synthetic
                             data uses it; judged against Adam's square-root rule (LR x sqrt(k))
  --seq-lens 64,256          sweep the sequence length (factory and data export read seqLen); judged like width
  --steps-axis 100,400       sweep the training length: fits best LR ~ steps^beta with its error
                             (the axes are conditions, not tuned: each gets its optimum per value)
  --steps N                  training steps per trial (default 150)
  --seeds N                  seeds per (width, LR) (default 1)
  --mup | --sp               per-group muP Adam LRs from inferred base shapes (default) | one global Adam LR
  --base-width N             muP base width (default 64)
  --data <file>#<export>     batches (step) => {xs, ys}; 'synthetic' forces the built-in teacher task
                             (default: an export named 'data' in the model file, else synthetic)
  --workers N                worker processes (default: cores on wasm/cpu, 1 on tensorflow and webgpu)
  --threads N|auto           threads of each worker's wasm backend (default auto: the cores shared by the workers)
  --backend B                auto|tensorflow|webgpu|wasm|cpu (default auto)
  --out DIR                  store directory (default .mup/sweeps/<name>/); finished trials are reused
  --shard i/n                run slice i (0-based) of n of the grid, e.g. one Slurm array task
  --merge-only               run nothing, report what the store holds for this grid
  --fresh                    reuse no stored trial: run the grid again (the new trials supersede the old)
  --target-width N           width to recommend an LR for (default: the widest swept)
  --trial-timeout S          stop a trial after S seconds (default: none)
  --stall-timeout S          stop a trial that finishes no training step for S seconds (default 600; 0: never)
  --build-timeout S          stop a trial whose model is not built after S seconds (default 120; 0: never)
  --max-trials N             refuse a grid of more trials than this, HP axes counted (default 10000)
  --format text|json|html    output (html: writes <out>/report.html and prints its path)
  --refine                   then a second pass at quarter octaves around each width's optimum (stored
                             trials reused), so the shift is measured finer than the 1-octave rule
  --quiet, -q                no progress lines on stderr (warnings still)
`;

/** Upper limits (docs/contracts.md): a trial's steps, and the largest grid --max-trials may allow. */
const MAX_STEPS = 1_000_000;
const MAX_GRID = 1_000_000;

const DEFAULTS = { widths: '64,128,256', lrRange: '2^-14:2^-4:1', steps: 150, seeds: 1, baseWidth: 64, stallTimeoutS: 600, buildTimeoutS: 120, maxTrials: 10_000 };

/** A non-negative integer (0 allowed: "never"). */
function nonNegativeInt(v: string | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag}: expected a whole number of seconds >= 0, got '${v}'`);
  return n;
}

function fileExport(spec: string, cwd: string, what: string): { file: string; exportName: string } {
  const hash = spec.lastIndexOf('#');
  if (hash <= 0 || hash === spec.length - 1) throw new UsageError(`${what}: expected <file>#<export>, e.g. examples/mlp/mup.ts#mlp (got '${spec}')`);
  const file = resolve(cwd, spec.slice(0, hash));
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${what}: file not found: ${spec.slice(0, hash)}`);
  return { file, exportName: spec.slice(hash + 1) };
}

const SWEEP_OPTIONS = {
  widths: { type: 'string' }, lrs: { type: 'string' }, 'lr-range': { type: 'string' },
  steps: { type: 'string' }, seeds: { type: 'string' }, mup: { type: 'boolean' }, sp: { type: 'boolean' },
  hp: { type: 'string', multiple: true },
  depths: { type: 'string' }, alpha: { type: 'string' }, batches: { type: 'string' }, 'seq-lens': { type: 'string' }, 'steps-axis': { type: 'string' },
  'base-width': { type: 'string' }, data: { type: 'string' }, workers: { type: 'string' }, threads: { type: 'string' },
  backend: { type: 'string' }, out: { type: 'string' }, shard: { type: 'string' },
  'merge-only': { type: 'boolean' }, fresh: { type: 'boolean' }, 'target-width': { type: 'string' }, 'trial-timeout': { type: 'string' },
  'stall-timeout': { type: 'string' }, 'build-timeout': { type: 'string' }, 'max-trials': { type: 'string' },
  format: { type: 'string' }, help: { type: 'boolean', short: 'h' }, quiet: { type: 'boolean', short: 'q' }, refine: { type: 'boolean' },
} as const;

export async function main(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNumericValues(argv, SWEEP_OPTIONS),
      allowPositionals: true,
      options: SWEEP_OPTIONS,
    });
  } catch (err) {
    throw new UsageError(`${parseArgsMessage(err)} (see mup-lens sweep --help)`);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.stdout(SWEEP_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one <file>#<export>, got ${positionals.length} (see mup-lens sweep --help)`);
  const model = fileExport(positionals[0]!, io.cwd, 'model');
  if (v.mup && v.sp) throw new UsageError('--mup and --sp exclude each other');
  if (v.lrs !== undefined && v['lr-range'] !== undefined) throw new UsageError('give --lrs or --lr-range, not both');
  const format = oneOf('--format', v.format ?? 'text', ['text', 'json', 'html'] as const);
  const backend: BackendRequest = oneOf('--backend', v.backend ?? 'auto', BACKEND_REQUESTS);
  let widths: number[];
  let lrs: number[];
  let hps: HpAxis[];
  let shard: { index: number; count: number } | undefined;
  // The axes beyond width (issue 22): each a list of positive integers, at least two to be judged.
  const axes: SweepAxisGrid[] = [];
  for (const name of SWEEP_AXES) {
    const flag = AXIS_FLAGS[name];
    const text = v[flag.slice(2) as 'depths' | 'batches' | 'seq-lens' | 'steps-axis'];
    if (text === undefined) continue;
    const values = [...new Set(text.split(',').map((x) => x.trim()).filter(Boolean).map(Number))].sort((a, b) => a - b);
    if (values.length < 2 || values.some((x) => !Number.isInteger(x) || x < 1)) {
      throw new UsageError(`${flag}: expected two or more different positive integers, e.g. ${flag} ${name === 'steps' ? '100,400' : '2,8'} (got '${text}')`);
    }
    axes.push({ name, values });
  }
  // --alpha: MuAdam's depth factors of a muP depth axis (issue 22); the parser is transfer's (src/cli/alpha.ts).
  const depthAlpha = alphaFlag(v.alpha);
  if (depthAlpha !== undefined && v.depths === undefined) throw new UsageError('--alpha belongs to --depths: the depth scheme each depth trains with');
  if (depthAlpha !== undefined && v.sp) throw new UsageError('--alpha sets MuAdam\'s depth factors of a muP sweep: an --sp sweep trains every depth with one global Adam LR');
  if (axes.some((a) => a.name === 'steps') && v.steps !== undefined) throw new UsageError('--steps-axis sets each trial\'s steps: leave out --steps');
  try {
    widths = parseWidths(v.widths ?? DEFAULTS.widths);
    // `--lrs ''` is a mistake, not "the default grid"
    lrs = v.lrs !== undefined ? parseLrList(v.lrs) : parseLrRange(v['lr-range'] ?? DEFAULTS.lrRange);
    hps = parseHpAxes(v.hp ?? []);
    const clash = checkAxisNames(axes, hps);
    if (clash) throw new GridError(clash);
    shard = v.shard ? parseShard(v.shard) : undefined;
  } catch (err) {
    if (err instanceof GridError) throw new UsageError(err.message);
    throw err;
  }
  if (shard && v['merge-only']) throw new UsageError('--shard runs a slice, --merge-only runs nothing: pick one');
  if (v.fresh && v['merge-only']) throw new UsageError('--fresh runs the grid again, --merge-only runs nothing: pick one');
  if (v.refine && axes.length) throw new UsageError('--refine refines the LR of a sweep over widths: drop the axis flags (--depths, --batches, --seq-lens, --steps-axis), or give a finer --lr-range');
  if (v.refine && hps.length) throw new UsageError('--refine refines the LR of an LR sweep: drop --hp, or refine the HP grid by hand (a finer --hp range)');
  if (v.refine && shard) throw new UsageError('--refine needs the whole grid: run the shards, then --merge-only --refine');
  if (v.refine && lrs.length < 3) throw new UsageError(`--refine refines around each width's optimum on an LR grid: give at least 3 LRs (got ${lrs.length})`);
  const parametrization = v.sp ? 'sp' : 'mup';
  const data = v.data === undefined ? null : v.data === 'synthetic' ? 'synthetic' : fileExport(v.data, io.cwd, '--data');
  // A missing export is said before a worker starts or a store folder is made (when the file's exports are known).
  for (const [what, spec] of [['', model], ['--data', data]] as const) {
    const missing = spec && spec !== 'synthetic' ? await missingExport(spec.file, spec.exportName, relative(io.cwd, spec.file) || spec.file) : null;
    if (missing && spec && spec !== 'synthetic') throw new UsageError(what ? `${what}: ${missing}` : missing);
  }
  const name = defaultSweepName(model.file, model.exportName, parametrization);
  const outDir = resolve(io.cwd, v.out ?? join('.mup', 'sweeps', name));
  const quiet = v.quiet ?? false;

  const controller = new AbortController();
  const onSigint = () => {
    io.stderr('\ninterrupted: stopping the workers; finished trials are stored\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  let report: SweepReport;
  const grid = gridSize(widths.length, lrs.length, positiveInt(v.seeds, '--seeds', DEFAULTS.seeds), hps) * axisGridFactor(axes);
  const maxTrials = positiveInt(v['max-trials'], '--max-trials', DEFAULTS.maxTrials);
  if (maxTrials > MAX_GRID) throw new UsageError(`--max-trials must be an integer from 1 to ${MAX_GRID}, got '${v['max-trials']}'`);
  const hpFactors = hps.map((a) => ` x ${a.values.length} ${a.name} values`).join('') + axes.map((a) => ` x ${a.values.length} ${a.name} values`).join('');
  if (grid > maxTrials) {
    throw new UsageError(
      `the grid has ${grid} trials (${widths.length} widths x ${lrs.length} LRs${hpFactors} x ${positiveInt(v.seeds, '--seeds', DEFAULTS.seeds)} seeds), more than --max-trials ${maxTrials}: use fewer seeds, widths, LRs${hps.length ? ' or HP values' : ''}, or raise --max-trials`,
    );
  }
  // Counts no run finishes or no memory holds (1e15) are typos: one line, before anything runs.
  if (positiveInt(v.steps, '--steps', DEFAULTS.steps) > MAX_STEPS) throw new UsageError(`--steps must be an integer from 1 to ${MAX_STEPS}, got '${v.steps}'`);
  const stallS = nonNegativeInt(v['stall-timeout'], '--stall-timeout', DEFAULTS.stallTimeoutS);
  const threads = threadsFlag(v.threads);
  const started = Date.now();
  let ran = 0;
  let unsaved: OutputError | undefined;
  let created: string[] = [];
  try {
    created = ensureOutDir(outDir);
    report = await (v.refine ? runRefinedSweep : runSweep)(
      {
        modelFile: model.file, exportName: model.exportName, widths, lrs, hps, ...(axes.length ? { axes } : {}), ...(depthAlpha !== undefined ? { depthAlpha } : {}),
        seeds: positiveInt(v.seeds, '--seeds', DEFAULTS.seeds),
        steps: positiveInt(v.steps, '--steps', DEFAULTS.steps),
        parametrization, baseWidth: positiveInt(v['base-width'], '--base-width', DEFAULTS.baseWidth),
        data, outDir, shard, mergeOnly: v['merge-only'] ?? false, fresh: v.fresh ?? false,
        workers: v.workers === undefined ? undefined : positiveInt(v.workers, '--workers', 1),
        threads,
        backend, targetWidth: v['target-width'] === undefined ? undefined : positiveInt(v['target-width'], '--target-width', 1),
        trialTimeoutMs: v['trial-timeout'] === undefined ? undefined : positiveInt(v['trial-timeout'], '--trial-timeout', 1) * 1000,
        stallTimeoutMs: stallS * 1000,
        buildTimeoutMs: nonNegativeInt(v['build-timeout'], '--build-timeout', DEFAULTS.buildTimeoutS) * 1000,
        version: packageVersion(), cores: cpus().length, cwd: io.cwd, signal: controller.signal,
      },
      {
        onBackend: (info, workers) => {
          if (quiet) return;
          io.stderr(`backend: ${info.label}${info.reasons.length ? ` (${info.reasons.join('; ')})` : ''}; ${workers} worker${workers === 1 ? '' : 's'}\n`);
          // What is about to run, before minutes of it: the default grid is not small.
          const seeds = positiveInt(v.seeds, '--seeds', DEFAULTS.seeds);
          const defaulted = [v.widths === undefined && '--widths', v.lrs === undefined && v['lr-range'] === undefined && '--lr-range', v.steps === undefined && '--steps'].filter(Boolean);
          io.stderr(
            `grid: widths ${widths.join(',')} x ${lrs.length} LRs (2^${Math.log2(lrs[0]).toFixed(1)}..2^${Math.log2(lrs[lrs.length - 1]).toFixed(1)})` +
              hps.map((a) => ` x ${a.values.length} ${a.name} (${fmtLr(a.values[0]!)}..${fmtLr(a.values[a.values.length - 1]!)})`).join('') +
              axes.map((a) => ` x ${a.name} ${a.values.join(',')}`).join('') +
              ` x ${seeds} seed${seeds === 1 ? '' : 's'} = ${grid} trials of ${positiveInt(v.steps, '--steps', DEFAULTS.steps)} steps` +
              `${shard ? `, shard ${shard.index}/${shard.count}` : ''}${defaulted.length ? ` (defaults for ${defaulted.join(', ')})` : ''}; stored in ${outDir}\n`,
          );
        },
        onTrial: (e) => {
          if (e.reused) return;
          ran++;
          if (quiet) return;
          const t = e.trial;
          const secs = (Date.now() - started) / 1000;
          // Time left from the trials run so far (stored ones cost nothing); widest-first order makes it pessimistic.
          const left = ran > 0 ? (secs / ran) * Math.max(0, e.total - e.done) : 0;
          const eta = e.done < e.total && ran >= 2 ? `, ~${left >= 90 ? `${(left / 60).toFixed(1)} min` : `${left.toFixed(0)} s`} left` : '';
          const hpText = (t.hp ? Object.entries(t.hp).map(([k, x]) => ` ${k} ${fmtLr(x)}`).join('') : '') + (t.axes ? Object.entries(t.axes).map(([k, x]) => ` ${k} ${x}`).join('') : '');
          io.stderr(`[${e.done}/${e.total}] width ${t.width} lr 2^${Math.log2(t.lr).toFixed(1)}${hpText} seed ${t.seed}: ${t.diverged ? 'diverged' : `loss ${t.loss!.toFixed(4)}`} (${((e.ms ?? 0) / 1000).toFixed(1)} s; ${secs.toFixed(0)} s elapsed${eta})\n`);
        },
        onWarning: (m) => io.stderr(`warning: ${m}\n`),
        onOutputError: (e) => (unsaved = e),
        onWaiting: (m) => io.stderr(`${m}\n`),
        onRefine: (extra) => {
          if (quiet) return;
          io.stderr(`refine: ${Object.entries(extra).map(([w, l]) => `width ${w} + ${l.length} LRs (2^${Math.log2(l[0]!)}..2^${Math.log2(l[l.length - 1]!)})`).join('; ')}, quarter octaves, ${positiveInt(v.seeds, '--seeds', DEFAULTS.seeds)} seed(s) each\n`);
        },
      },
    );
  } catch (err) {
    // A refusal that stored no trial leaves no store folder it made behind (only its sweep.json would be there).
    if (created.length > 0 && !(err instanceof WorkerJobError && err.error.kind === 'cancelled')) {
      try {
        if (readdirSync(outDir).every((f) => f === 'sweep.json')) rmSync(join(outDir, 'sweep.json'), { force: true });
      } catch {
        // nothing to tidy
      }
      removeEmptyDirs(created);
    }
    // A model that cannot run (bad export, a factory that throws, a backend without a kernel it needs): exit 2.
    if (err instanceof WorkerJobError && err.error.kind !== 'cancelled') throw new UsageError(err.message);
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (!quiet && report.reused > 0) io.stderr(`reused ${report.reused} of ${grid} trials from ${outDir}\n`);

  if (format === 'json') io.stdout(JSON.stringify(report, null, 2) + '\n');
  else if (format === 'html') {
    try {
      io.stdout(`${writeSweepReport(outDir, [report], `LR sweep: ${report.model.file}#${report.model.exportName}`)}\n`);
    } catch (err) {
      if (!(err instanceof OutputError)) throw err;
      unsaved ??= err;
      io.stdout(formatText(proxyReport(report)) + formatAxes(report));
    }
  } else io.stdout(formatText(proxyReport(report)) + formatAxes(report));
  // The verdict is shown above; the trials are stored (trials.jsonl); what could not be written is one line, exit 2.
  if (unsaved) {
    io.stderr(`mup-lens sweep: ${unsaved.message} (the trials are stored in ${outDir}: rerun to write the result)\n`);
    return 2;
  }

  if (report.cancelled) return 130;
  if (shard) return report.failed > 0 ? 1 : 0;
  if (!report.complete) return 3;
  // Every swept axis: the LR (the contract's `transfers`) and each HP. Inconclusive (issue 21): 4.
  const verdict = report.verdict ?? ((report.everyAxisTransfers ?? report.transfers) ? 'transfers' : 'does-not-transfer');
  return verdict === 'transfers' ? 0 : verdict === 'does-not-transfer' ? 1 : 4;
}
