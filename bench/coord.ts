// Coordinate-check benchmark (issue 4): MUP.md's reference configuration (MLP 32 -> W -> W -> W -> 10, widths
// 64..2048, 5 steps, 3 seeds, Adam) through the real worker on each available backend, and the same work in
// PyTorch (bench/coord_torch.py, 2 threads) in the same run when /usr/bin/python3 has torch. Prints time against
// width and the ratio to PyTorch; writes bench-results/coord.json. Goal: wasm within 2x of PyTorch CPU.
//   npm run bench -- coord            full configuration (cpu capped at width 512 unless --cpu-full)
//   npm run bench -- coord --quick    widths 64..512, 3 steps, 1 seed
//   npm run bench -- coord --widths 1024,2048 --steps 3 --seeds 1 --backends wasm
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { defaultCoordWorkers, runCoordinateCheck } from '../src/host/coordCheck';
import { WorkerClient, WorkerJobError } from '../src/host/workerClient';
import type { BackendRequest } from '../src/protocol/worker';

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

function torchBaseline(): { perWidthMs: Record<number, number>; totalMs: number; torch: string; threads: number } | { skipped: string } {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return { skipped: 'torch is not installed for /usr/bin/python3 (apt-get install -y python3-torch)' };
  const r = spawnSync('/usr/bin/python3', [join(__dirname, 'coord_torch.py'), '--widths', widths.join(','), '--steps', String(steps), '--seeds', String(seeds), '--threads', '2'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return { skipped: `coord_torch.py failed: ${r.stderr.trim().split('\n').pop()}` };
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function fmtMs(ms: number | undefined): string {
  return ms === undefined ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

async function main(): Promise<void> {
  console.log(`coord bench: MLP 32-W-W-W-10, widths ${widths.join(',')}, ${steps} steps, ${seeds} seeds, Adam, SP${quick ? ' (quick)' : ''}`);
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // PyTorch first and the backends after, one at a time, so they never compete for the cores.
  const torch = torchBaseline();
  const cpuWidths = cpuFull || quick ? widths : widths.filter((w) => w <= 512);
  const runs: BackendTiming[] = [];
  for (const [backend, ws] of [['tensorflow', widths], ['wasm', widths], ['cpu', cpuWidths]] as const) {
    if (only && !only.includes(backend)) continue;
    process.stderr.write(`running ${backend}...\n`);
    runs.push(await timeBackend(backend, [...ws]));
  }
  const torchMs = 'perWidthMs' in torch ? torch.perWidthMs : null;
  for (const r of runs) {
    if (r.totalMs === undefined || !torchMs) continue;
    // Like for like: wall time of the training on both sides (PyTorch's imports and our one-off set-up left out).
    const theirs = r.widths!.reduce((s, w) => s + (torchMs[w] ?? NaN), 0);
    r.ratioToTorch = Number.isFinite(theirs) ? (r.totalMs - (r.setupMs ?? 0)) / theirs : null;
  }

  const cols = ['width', ...runs.filter((r) => r.perWidthMs).map((r) => r.backend), ...(torchMs ? ['pytorch'] : [])];
  console.log('\ntime per width: ours = worker time of its runs (steps, all seeds; the runs are split over the workers),');
  console.log('PyTorch = wall time of its runs (2 threads); ratios below compare wall times of the whole check');
  console.log(cols.map((c) => c.padStart(10)).join(''));
  for (const w of widths) {
    const row = [String(w), ...runs.filter((r) => r.perWidthMs).map((r) => fmtMs(r.perWidthMs![w])), ...(torchMs ? [fmtMs(torchMs[w])] : [])];
    console.log(row.map((c) => c.padStart(10)).join(''));
  }
  for (const r of runs) {
    if (r.skipped) console.log(`${r.backend}: not run (${r.skipped})`);
    else console.log(`${r.label}: total ${fmtMs(r.totalMs)} (set-up ${fmtMs(r.setupMs)})${r.ratioToTorch != null ? `, ${r.ratioToTorch.toFixed(2)}x PyTorch on widths ${r.widths!.join(',')}` : ''}`);
  }
  if ('skipped' in torch) console.log(`pytorch: not run (${torch.skipped})`);
  else console.log(`pytorch ${torch.torch} (${torch.threads} threads): total ${fmtMs(torch.totalMs)}`);

  const wasm = runs.find((r) => r.backend === 'wasm');
  const summary = {
    config: quick ? 'quick' : 'reference',
    workers: defaultCoordWorkers(),
    wasmTotalMs: wasm?.totalMs ?? null,
    wasmVsTorch: wasm?.ratioToTorch ?? null,
    goal: 'wasm <= 2x PyTorch CPU',
    goalMet: wasm?.ratioToTorch != null ? wasm.ratioToTorch <= 2 : null,
  };
  console.log(`\nsummary: ${JSON.stringify(summary)}`);
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(
    join(root, 'bench-results/coord.json'),
    JSON.stringify({ summary, widths, steps, seeds, machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg() }, backends: runs, torch }, null, 2) + '\n',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
