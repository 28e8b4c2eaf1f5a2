// Coordinate-check benchmark (issues 4, 11): docs/mup.md's reference configuration (MLP 32 -> W -> W -> W -> 10, widths
// 64..2048, 5 steps, 3 seeds, Adam) and the same work in PyTorch (bench/coord_torch.py) on OpenBLAS.
// The target compares whole commands, as a user runs them: `mup-lens coord ... --backend wasm` (start-up, bundling,
// worker, fast paths: all of it) against `python3 bench/coord_torch.py` (its imports included) on 1 and 2 threads,
// the better of the two; interleaved, `--rounds N` (default 2), the best round of each. The same command with
// MUP_LENS_FAST_PATHS=0 is "before". The wasm command also runs with `--threads 1` and `--threads 2` (each worker
// on 1 or 2 threads of tfjs' threaded build, issue 25) and as one worker on 2 threads (`--workers 1 --threads 2`),
// beside PyTorch on 1 and 2 threads, in the same rounds. No ratio when PyTorch runs on the reference BLAS
// (bench/torch_blas.py).
// Then, per backend, time against width through the real worker in this process (set-up left out).
// Writes bench-results/coord.json. Goals: the whole wasm command within 2x of the whole PyTorch command (issue 4),
// no slower than it (ratio <= 1, issue 25).
//   npm run bench -- coord            full configuration (cpu capped at width 512 unless --cpu-full)
//   npm run bench -- coord --quick    widths 64..512, 3 steps, 1 seed, one round
//   npm run bench -- coord --widths 1024,2048 --steps 3 --seeds 1 --backends wasm
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { blasRefusal } from './speed';
import { defaultCoordWorkers, runCoordinateCheck } from '../src/host/coordCheck';
import { WorkerClient, WorkerJobError } from '../src/host/workerClient';
import type { BackendRequest } from '../src/protocol/worker';
import { describeCeiling, measureCeiling } from './_ceiling';

const root = join(__dirname, '..');
const quick = process.argv.includes('--quick');
const cpuFull = process.argv.includes('--cpu-full');
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
// --widths/--steps/--seeds/--backends override the configuration (for looking into one part of the curve).
const widths = flag('widths')?.split(',').map(Number) ?? (quick ? [64, 128, 256, 512] : [64, 128, 256, 512, 1024, 2048]);
const steps = Number(flag('steps') ?? (quick ? 3 : 5));
const seeds = Number(flag('seeds') ?? (quick ? 1 : 3));
const only = flag('backends')?.split(',');
const model = join(root, 'test/fixtures/models/mlp_sp.ts');
const builtWorker = join(root, 'dist/worker.js');

interface BackendTiming {
  backend: string;
  label?: string;
  widths?: number[];
  perWidthMs?: Record<number, number>;
  /** Bundling the model, loading the analyzer, the two planning builds and base shapes: once per check. */
  setupMs?: number;
  /** Wall time of the whole check (all workers), set-up included. */
  totalMs?: number;
  ratioToTorch?: number | null;
  skipped?: string;
}

async function timeBackend(backend: BackendRequest, ws: number[]): Promise<BackendTiming> {
  const client = new WorkerClient({ init: { backend, workspaceDir: root }, workerPath: existsSync(builtWorker) ? builtWorker : undefined });
  try {
    const info = await client.start(); // start-up (process + backend) is not part of the per-width times
    // Per (width, seed): from its first step to its result, in whichever worker ran it; summed per width.
    const firstStep = new Map<string, number>();
    const perWidthMs: Record<number, number> = Object.fromEntries(ws.map((w) => [w, 0]));
    let setupEnd: number | null = null;
    const t0 = performance.now();
    await runCoordinateCheck(
      { file: model, exportName: 'mlp', widths: ws, steps, seeds, lr: 0.01, optimizer: 'adam', parametrization: 'sp' },
      {
        backend,
        client,
        // As a user gets it: the runs split over one worker per core (at most 2; PyTorch gets 2 threads).
        workers: defaultCoordWorkers(),
        onProgress: (e) => {
          setupEnd ??= performance.now();
          const key = `${e.width}|${e.seed}`;
          if (!firstStep.has(key)) firstStep.set(key, performance.now());
        },
        onRun: (r) => {
          perWidthMs[r.width] += performance.now() - (firstStep.get(`${r.width}|${r.seed}`) ?? t0);
        },
      },
    );
    const end = performance.now();
    const setupMs = (setupEnd ?? end) - t0;
    return { backend: info.name, label: info.label, widths: ws, perWidthMs, setupMs, totalMs: end - t0 };
  } catch (err) {
    const reason = err instanceof WorkerJobError ? err.message : String(err);
    return { backend, skipped: reason };
  } finally {
    client.dispose();
  }
}

const PY = '/usr/bin/python3';
const rounds = Number(flag('rounds') ?? (quick ? 1 : 2));
const torchArgs = ['--widths', widths.join(','), '--steps', String(steps), '--seeds', String(seeds)];

interface TorchRun {
  perWidthMs: Record<number, number>;
  totalMs: number;
  torch: string;
  threads: number;
  blas: { kind: string; path: string | null };
}

/** bench/coord_torch.py on `threads` threads: its JSON, and the wall time of the whole command. */
/**
 * Runs a command under /usr/bin/time: its wall time, and the CPU time (user + system) of it and the processes it
 * waited for (the CLI's workers). CPU time is much less moved by other load on a shared machine than wall time.
 */
function timed(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const useTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = spawnSync(useTime ? '/usr/bin/time' : cmd, useTime ? ['-f', 'MUPTIME %U %S', cmd, ...args] : args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, ...opts });
  const wallMs = performance.now() - t0;
  const m = /MUPTIME ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  return { r, wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined, stderr: (r.stderr ?? '').replace(/MUPTIME .*\s*$/, '') };
}

function torchRun(threads: number): (TorchRun & { wallMs: number; cpuMs?: number }) | { skipped: string } {
  const { r, wallMs, cpuMs } = timed(PY, [join(__dirname, 'coord_torch.py'), ...torchArgs, '--threads', String(threads)]);
  if (r.error || r.status !== 0) return { skipped: `coord_torch.py failed (apt-get install -y python3-torch libopenblas0-pthread): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
  return { ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchRun), wallMs, cpuMs };
}

/** The mup-lens sides: the command as a user runs it (defaults), and with the threads set. */
const CLI_SIDES = {
  wasm: { fast: true, args: [] as string[], what: 'mup-lens coord --backend wasm' },
  wasm1t: { fast: true, args: ['--threads', '1'], what: '  --threads 1' },
  wasm2t: { fast: true, args: ['--threads', '2'], what: '  --threads 2' },
  wasmOneWorker2t: { fast: true, args: ['--workers', '1', '--threads', '2'], what: '  --workers 1 --threads 2' },
  wasmBefore: { fast: false, args: [] as string[], what: '  without the fast paths' },
};
type CliSide = keyof typeof CLI_SIDES;
type Side = 'torch1' | 'torch2' | CliSide;

/** `mup-lens coord` on the reference configuration as a user runs it; wall time of the whole command. */
function cliRun(side: CliSide): { wallMs: number; cpuMs?: number; backend?: string } | { skipped: string } {
  const { fast, args: extra } = CLI_SIDES[side];
  const args = [join(root, 'dist/cli.js'), 'coord', `${model}#mlp`, '--sp', '--widths', widths.join(','), '--steps', String(steps), '--seeds', String(seeds), '--backend', 'wasm', ...extra, '--format', 'json', '--out', join(os.tmpdir(), `mup-lens-bench-coord-${side}`)];
  const env = { ...process.env, MUP_LENS_FAST_PATHS: fast ? '1' : '0' };
  const { r, wallMs, cpuMs, stderr } = timed(process.execPath, args, { cwd: root, env });
  // 0: pass, 1: the check failed (the SP model fails it, as it should): both are a finished check
  if (r.status !== 0 && r.status !== 1) return { skipped: `mup-lens coord exited ${r.status}: ${stderr.trim().split('\n').pop()}` };
  // `backend: wasm (workspace tfjs, 2 threads) (using ...)`: the label, its parentheses included
  return { wallMs, cpuMs, backend: /^backend: (\S+(?: \([^)]*\))?)/m.exec(stderr)?.[1] };
}

interface WholeCommands extends Partial<Record<CliSide, number>> {
  torch1?: TorchRun & { wallMs: number; cpuMs?: number };
  torch2?: TorchRun & { wallMs: number; cpuMs?: number };
  /** The smallest CPU time (user + system, workers included) of each side over the rounds. */
  cpuMs: Partial<Record<Side, number>>;
  /** The backend line each mup-lens side printed (its threads). */
  backends: Partial<Record<CliSide, string>>;
  skipped: string[];
  loads: number[];
}

/** The whole commands, interleaved round after round; the best (smallest) wall time of each. */
function wholeCommands(withBefore: boolean): WholeCommands {
  const out: WholeCommands = { skipped: [], loads: [], cpuMs: {}, backends: {} };
  const better = <T extends { wallMs: number }>(a: T | undefined, b: T) => (!a || b.wallMs < a.wallMs ? b : a);
  for (let r = 1; r <= rounds; r++) {
    const sides: Side[] = ['torch1', 'torch2', 'wasm', 'wasm1t', 'wasm2t', 'wasmOneWorker2t', ...(withBefore ? (['wasmBefore'] as const) : [])];
    for (const side of sides) {
      process.stderr.write(`round ${r}: ${side}...\n`);
      out.loads.push(os.loadavg()[0]!);
      if (side === 'torch1' || side === 'torch2') {
        const t = torchRun(side === 'torch1' ? 1 : 2);
        if ('skipped' in t) out.skipped.push(`pytorch: ${t.skipped}`);
        else {
          out[side] = better(out[side], t);
          if (t.cpuMs !== undefined) out.cpuMs[side] = Math.min(out.cpuMs[side] ?? Infinity, t.cpuMs);
        }
        continue;
      }
      const c = cliRun(side);
      if ('skipped' in c) out.skipped.push(`${side}: ${c.skipped}`);
      else {
        out[side] = Math.min(out[side] ?? Infinity, c.wallMs);
        if (c.backend) out.backends[side] = c.backend;
        if (c.cpuMs !== undefined) out.cpuMs[side] = Math.min(out.cpuMs[side] ?? Infinity, c.cpuMs);
      }
    }
  }
  return out;
}

function fmtMs(ms: number | undefined): string {
  return ms === undefined ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

async function main(): Promise<void> {
  console.log(`coord bench: MLP 32-W-W-W-10, widths ${widths.join(',')}, ${steps} steps, ${seeds} seeds, Adam, SP${quick ? ' (quick)' : ''}`);
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const whole = wholeCommands(!process.argv.includes('--no-before'));
  const torchBest = [whole.torch1, whole.torch2].filter((t) => t !== undefined).sort((a, b) => a.wallMs - b.wallMs)[0];
  const refusal = torchBest ? blasRefusal(torchBest.blas) : (whole.skipped.find((m) => m.startsWith('pytorch')) ?? 'PyTorch did not run');
  const wholeRatio = !refusal && torchBest && whole.wasm !== undefined ? whole.wasm / torchBest.wallMs : null;
  console.log('\nwhole commands (wall time, best of ' + rounds + ' interleaved rounds):');
  for (const [name, t] of [['pytorch 1 thread', whole.torch1], ['pytorch 2 threads', whole.torch2]] as const) {
    if (t) console.log(`  ${name.padEnd(30)} ${fmtMs(t.wallMs).padStart(8)}  CPU ${fmtMs(whole.cpuMs[name.endsWith('1 thread') ? 'torch1' : 'torch2'])}  (${t.blas.kind}, training ${fmtMs(t.totalMs)})`);
  }
  for (const side of Object.keys(CLI_SIDES) as CliSide[]) {
    const ms = whole[side];
    if (ms === undefined) continue;
    const vsTorch = !refusal && torchBest ? `  ${(ms / torchBest.wallMs).toFixed(2)}x PyTorch's best` : '';
    console.log(`  ${CLI_SIDES[side].what.padEnd(30)} ${fmtMs(ms).padStart(8)}  CPU ${fmtMs(whole.cpuMs[side])}${vsTorch}  (${whole.backends[side] ?? '?'})`);
  }
  const cpuRatio = !refusal && whole.cpuMs.wasm !== undefined && whole.cpuMs.torch1 !== undefined ? whole.cpuMs.wasm / whole.cpuMs.torch1 : null;
  console.log(refusal ? `  ${refusal}` : `  wasm / PyTorch (best of 1 and 2 threads): ${wholeRatio!.toFixed(2)}x (goals <= 2, and <= 1 with threads); CPU time against PyTorch on 1 thread: ${cpuRatio?.toFixed(2) ?? '-'}x`);
  const threadGain = (a?: number, b?: number) => (a !== undefined && b !== undefined ? (a / b).toFixed(2) : '-');
  console.log(`  what a second thread gives: PyTorch ${threadGain(whole.torch1?.wallMs, whole.torch2?.wallMs)}x, mup-lens --threads 1 -> 2 ${threadGain(whole.wasm1t, whole.wasm2t)}x, one worker on 2 threads vs the default ${threadGain(whole.wasm, whole.wasmOneWorker2t)}x`);
  for (const m of whole.skipped) console.log(`  not run: ${m}`);
  const torch: TorchRun | { skipped: string } = torchBest ?? { skipped: whole.skipped.join('; ') || 'not run' };
  const cpuWidths = cpuFull || quick ? widths : widths.filter((w) => w <= 512);
  const runs: BackendTiming[] = [];
  for (const [backend, ws] of [['tensorflow', widths], ['wasm', widths], ['cpu', cpuWidths]] as const) {
    if (only && !only.includes(backend)) continue;
    process.stderr.write(`running ${backend}...\n`);
    runs.push(await timeBackend(backend, [...ws]));
  }
  // per width: the better of PyTorch's two thread counts
  const torchMs: Record<number, number> | null =
    refusal || !torchBest ? null : Object.fromEntries(widths.map((w) => [w, Math.min(whole.torch1?.perWidthMs[w] ?? Infinity, whole.torch2?.perWidthMs[w] ?? Infinity)]));
  for (const r of runs) {
    if (r.totalMs === undefined || !torchMs) continue;
    // Like for like: wall time of the training on both sides (PyTorch's imports and our one-off set-up left out).
    const theirs = r.widths!.reduce((s, w) => s + (torchMs[w] ?? NaN), 0);
    r.ratioToTorch = Number.isFinite(theirs) ? (r.totalMs - (r.setupMs ?? 0)) / theirs : null;
  }

  const cols = ['width', ...runs.filter((r) => r.perWidthMs).map((r) => r.backend), ...(torchMs ? ['pytorch'] : [])];
  console.log('\ntime per width: ours = worker time of its runs (steps, all seeds; the runs are split over the workers),');
  console.log('PyTorch = wall time of its runs (the better of 1 and 2 threads); ratios below compare the training parts');
  console.log(cols.map((c) => c.padStart(10)).join(''));
  for (const w of widths) {
    const row = [String(w), ...runs.filter((r) => r.perWidthMs).map((r) => fmtMs(r.perWidthMs![w])), ...(torchMs ? [fmtMs(torchMs[w])] : [])];
    console.log(row.map((c) => c.padStart(10)).join(''));
  }
  for (const r of runs) {
    if (r.skipped) console.log(`${r.backend}: not run (${r.skipped})`);
    else console.log(`${r.label}: total ${fmtMs(r.totalMs)} (set-up ${fmtMs(r.setupMs)})${r.ratioToTorch != null ? `, ${r.ratioToTorch.toFixed(2)}x PyTorch on widths ${r.widths!.join(',')}` : ''}`);
  }
  // The floor under the threads goal: at the widest width the step is matrix products, wasm's SIMD128 GEMM against
  // OpenBLAS's AVX one; a second thread can at best multiply the wasm side's speed by this machine's ceiling.
  const widest = widths[widths.length - 1]!;
  const wasm = runs.find((r) => r.backend === 'wasm');
  const widestRatio = torchMs && wasm?.perWidthMs?.[widest] !== undefined ? wasm.perWidthMs[widest]! / torchMs[widest]! : null;
  const ceiling = process.argv.includes('--no-ceiling') ? null : await measureCeiling().catch(() => null);
  if (ceiling) console.log(describeCeiling(ceiling));
  if (widestRatio !== null) {
    console.log(`at width ${widest} (matrix products): wasm ${widestRatio.toFixed(2)}x PyTorch${ceiling ? `; with a second thread at this machine's ceiling at best ${(widestRatio / ceiling.ceiling).toFixed(2)}x` : ''}`);
  }
  if ('skipped' in torch) console.log(`pytorch: not run (${torch.skipped})`);
  else console.log(`pytorch ${torch.torch} (${torch.blas.kind}, best ${torch.threads} thread(s)): training ${fmtMs(torch.totalMs)}`);

  const summary = {
    config: quick ? 'quick' : 'reference',
    workers: defaultCoordWorkers(),
    wholeWasmMs: whole.wasm ?? null,
    wholeWasmBeforeMs: whole.wasmBefore ?? null,
    wholeWasmMsByThreads: { threads1: whole.wasm1t ?? null, threads2: whole.wasm2t ?? null, oneWorker2Threads: whole.wasmOneWorker2t ?? null },
    backendOfDefault: whole.backends.wasm ?? null,
    wholeTorchMs: torchBest?.wallMs ?? null,
    wholeTorchThreads: torchBest?.threads ?? null,
    wasmVsTorch: wholeRatio,
    cpuTimeWasmVsTorch1: cpuRatio,
    noRatio: refusal,
    wasmTrainingVsTorch: wasm?.ratioToTorch ?? null,
    goal: 'whole `mup-lens coord` (wasm) <= 2x the whole PyTorch command (OpenBLAS, best of 1 and 2 threads)',
    goalMet: wholeRatio !== null ? wholeRatio <= 2 : null,
    threadsGoal: 'whole `mup-lens coord` (wasm, defaults) <= the whole PyTorch command (issue 25)',
    threadsGoalMet: wholeRatio !== null ? wholeRatio <= 1 : null,
    widestWidthWasmVsTorch: widestRatio,
    secondThreadCeiling: ceiling?.ceiling ?? null,
  };
  console.log(`\nsummary: ${JSON.stringify(summary)}`);
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(
    join(root, 'bench-results/coord.json'),
    JSON.stringify({ summary, widths, steps, seeds, rounds, machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg(), loadsDuringWholeCommands: whole.loads }, whole, backends: runs, torch }, null, 2) + '\n',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
