// GPU benchmark (issue 12): the reference coordinate check (docs/mup.md: MLP 32-W-W-W-10, widths 64..2048, 5 steps,
// 3 seeds, Adam, SP) and the GPT example's training step (examples/gpt/mup.ts, batch 16 x 32 tokens, per-group muP
// Adam, the loss read back every step) on webgpu, against wasm on this machine's CPU and PyTorch on CUDA when there
// is one, as ratios from one run. Everything goes through the real worker, as `mup-lens coord` / `sweep` run it.
//   npm run bench -- gpu              full configuration
//   npm run bench -- gpu --quick      widths 64..512, 3 steps, 1 seed; GPT widths 64,128
//   ... --widths 64,256 --gpt-widths 256,1024 --gpt-steps 10 --backends webgpu,wasm --out DIR
// On a machine without a GPU, webgpu is whatever adapter Dawn finds: SwiftShader (software) with VK_ICD_FILENAMES
// set (bench-results/gpu.json says which). scripts/device/gpu-bench.sh runs this on a lent GPU machine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { defaultCoordWorkers, runCoordinateCheck } from '../src/host/coordCheck';
import { WorkerClient, WorkerJobError } from '../src/host/workerClient';
import type { TrialJobParams } from '../src/protocol/jobs';
import type { BackendInfo, BackendRequest } from '../src/protocol/worker';
import { middle } from './_stats';

// The repository (examples, fixtures, bench/*.py): next to this file, or the working directory when this runs as a
// bundle inside a package (scripts/device/gpu-bench.sh).
const root = existsSync(join(__dirname, '..', 'examples')) ? join(__dirname, '..') : process.cwd();
const quick = process.argv.includes('--quick');
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const list = (v: string) => v.split(',').map(Number);
const widths = list(flag('widths') ?? (quick ? '64,128,256,512' : '64,128,256,512,1024,2048'));
const steps = Number(flag('steps') ?? (quick ? 3 : 5));
const seeds = Number(flag('seeds') ?? (quick ? 1 : 3));
const gptWidths = list(flag('gpt-widths') ?? (quick ? '64,128' : '256,1024'));
const gptWarmup = 3;
const gptSteps = Number(flag('gpt-steps') ?? (quick ? 5 : 10));
const backends = (flag('backends') ?? 'webgpu,wasm').split(',') as BackendRequest[];
const outDir = flag('out') ?? join(root, 'bench-results');
const python = flag('python') ?? process.env.MUP_LENS_PYTHON ?? 'python3';

interface Run {
  backend: string;
  label?: string;
  adapter?: BackendInfo['adapter'];
  /** Coordinate check: wall time less the one-off set-up (bundling, planning builds), as bench/coord.ts. */
  coordMs?: number;
  /** GPT: median ms per training step after warm-up, per width. */
  gptMsPerStep?: Record<number, number>;
  skipped?: string;
}

async function coord(backend: BackendRequest): Promise<Pick<Run, 'label' | 'adapter' | 'coordMs'>> {
  let setupEnd: number | null = null;
  const t0 = performance.now();
  const out = await runCoordinateCheck(
    { file: join(root, 'test/fixtures/models/mlp_sp.ts'), exportName: 'mlp', widths, steps, seeds, lr: 0.01, optimizer: 'adam', parametrization: 'sp' },
    { backend, workers: defaultCoordWorkers(), onProgress: () => void (setupEnd ??= performance.now()) },
  );
  const end = performance.now();
  return { label: out.backend.label, adapter: out.backend.adapter, coordMs: end - (setupEnd ?? t0) };
}

/** One sweep trial per width in the worker; the time between its per-step progress events is the step time. */
async function gpt(backend: BackendRequest): Promise<Record<number, number>> {
  const client = new WorkerClient({ init: { backend, workspaceDir: root } });
  try {
    await client.start();
    const perWidth: Record<number, number> = {};
    for (const width of gptWidths) {
      const stamps: number[] = [];
      const params: TrialJobParams = { file: join(root, 'examples/gpt/mup.ts'), exportName: 'gpt', data: null, width, lr: 1e-3, seed: 0, steps: gptWarmup + gptSteps + 1, parametrization: 'mup', baseWidth: 64 };
      await client.run('trial', params, { onProgress: () => void stamps.push(performance.now()) });
      const dts = stamps.slice(gptWarmup).map((t, i, a) => (i === 0 ? NaN : t - a[i - 1])).filter(Number.isFinite);
      perWidth[width] = middle(dts);
    }
    return perWidth;
  } finally {
    client.dispose();
  }
}

/** PyTorch on CUDA, when this machine has both. */
function torch(): { coordMs: number; gptMsPerStep: Record<number, number>; torch: string; device: string } | { skipped: string } {
  const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__, torch.cuda.is_available())'], { encoding: 'utf8' });
  if (probe.status !== 0) return { skipped: `no PyTorch for ${python}` };
  if (!/ True$/.test(probe.stdout.trim())) return { skipped: `PyTorch ${probe.stdout.trim().split(' ')[0]} sees no CUDA device` };
  const c = spawnSync(python, [join(root, 'bench/coord_torch.py'), '--widths', widths.join(','), '--steps', String(steps), '--seeds', String(seeds), '--device', 'cuda'], { encoding: 'utf8' });
  if (c.status !== 0) return { skipped: `coord_torch.py failed: ${c.stderr.trim().split('\n').pop()}` };
  const g = spawnSync(python, [join(root, 'bench/gpt_torch.py'), '--widths', gptWidths.join(','), '--warmup', String(gptWarmup), '--steps', String(gptSteps), '--device', 'cuda'], { encoding: 'utf8' });
  if (g.status !== 0) return { skipped: `gpt_torch.py failed: ${g.stderr.trim().split('\n').pop()}` };
  const cj = JSON.parse(c.stdout.trim().split('\n').pop()!) as { totalMs: number; torch: string; device: string };
  const gj = JSON.parse(g.stdout.trim().split('\n').pop()!) as { perWidthMsPerStep: Record<number, number> };
  return { coordMs: cj.totalMs, gptMsPerStep: gj.perWidthMsPerStep, torch: cj.torch, device: cj.device };
}

const fmt = (ms: number | undefined) => (ms === undefined ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? Number((a / b).toFixed(2)) : null);

async function main(): Promise<void> {
  console.log(`gpu bench: coord MLP 32-W-W-W-10 widths ${widths.join(',')}, ${steps} steps, ${seeds} seeds; GPT step (examples/gpt) widths ${gptWidths.join(',')}, median of ${gptSteps} after ${gptWarmup} warm-up${quick ? ' (quick)' : ''}`);
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // Without a WebGPU adapter there is nothing to compare: say why and stop (`npm run bench` runs every bench).
  const probe = new WorkerClient({ init: { backend: 'webgpu', workspaceDir: root } });
  try {
    await probe.start();
  } catch (err) {
    const reason = err instanceof WorkerJobError ? err.message : String(err);
    console.log(`webgpu: not run (${reason})`);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'gpu.json'), JSON.stringify({ summary: { skipped: reason } }, null, 2) + '\n');
    return;
  } finally {
    probe.dispose();
  }
  const runs: Run[] = [];
  for (const backend of backends) {
    process.stderr.write(`running ${backend}...\n`);
    try {
      const c = await coord(backend);
      runs.push({ backend, ...c, gptMsPerStep: await gpt(backend) });
    } catch (err) {
      runs.push({ backend, skipped: err instanceof WorkerJobError ? err.message : String(err) });
    }
  }
  process.stderr.write('running pytorch...\n');
  const pt = torch();
  const wasm = runs.find((r) => r.backend === 'wasm' && !r.skipped);
  const webgpu = runs.find((r) => r.backend === 'webgpu' && !r.skipped);
  const ptRun = 'skipped' in pt ? null : pt;

  console.log(`\n${'work'.padEnd(22)}${runs.map((r) => r.backend.padStart(12)).join('')}${ptRun ? 'pytorch-cuda'.padStart(14) : ''}`);
  console.log(`${'coord check (total)'.padEnd(22)}${runs.map((r) => fmt(r.coordMs).padStart(12)).join('')}${ptRun ? fmt(ptRun.coordMs).padStart(14) : ''}`);
  for (const w of gptWidths) console.log(`${`GPT step, width ${w}`.padEnd(22)}${runs.map((r) => fmt(r.gptMsPerStep?.[w]).padStart(12)).join('')}${ptRun ? fmt(ptRun.gptMsPerStep[w]).padStart(14) : ''}`);
  for (const r of runs) console.log(r.skipped ? `${r.backend}: not run (${r.skipped})` : `${r.backend}: ${r.label}`);
  if ('skipped' in pt) console.log(`pytorch: not run (${pt.skipped})`);
  else console.log(`pytorch ${pt.torch} on ${pt.device}`);

  const summary = {
    config: quick ? 'quick' : 'reference',
    adapter: webgpu?.label ?? null,
    software: webgpu?.adapter?.software ?? null,
    coordWebgpuOverWasm: ratio(webgpu?.coordMs, wasm?.coordMs),
    coordWebgpuOverTorchCuda: ratio(webgpu?.coordMs, ptRun?.coordMs),
    gptWebgpuOverWasm: Object.fromEntries(gptWidths.map((w) => [w, ratio(webgpu?.gptMsPerStep?.[w], wasm?.gptMsPerStep?.[w])])),
    gptWebgpuOverTorchCuda: Object.fromEntries(gptWidths.map((w) => [w, ratio(webgpu?.gptMsPerStep?.[w], ptRun?.gptMsPerStep[w])])),
  };
  console.log(`\nsummary (time ratios, lower is faster for webgpu): ${JSON.stringify(summary)}`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'gpu.json'), JSON.stringify({ summary, widths, steps, seeds, gptWidths, gptWarmup, gptSteps, machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg() }, runs, torch: pt }, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
