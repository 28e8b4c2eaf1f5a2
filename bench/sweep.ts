// Sweep throughput: trials per minute per backend, and the parallel efficiency of the worker pool
// (speed-up of N workers over 1 worker, divided by N), all measured in this run on this machine.
// Config: the muP MLP example (examples/mlp/mup.ts, --mup), widths 64 and 256, 8 LRs 2^-12..2^-5, one seed,
// 100 steps (--quick: 30 steps, 4 LRs). `--repeat=N`: alternating 1-worker/N-worker runs, best of each.
// Fresh stores, so nothing is reused. Needs `npm run build` (the pool runs dist/worker.js).
// Writes bench-results/sweep.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../src/host/sweep';
import { parseLrRange } from '../src/sweep/grid';

const root = join(__dirname, '..');
const quick = process.argv.includes('--quick');
const steps = quick ? 30 : 100;
const lrs = parseLrRange(quick ? '2^-11:2^-5:2' : '2^-12:2^-5:1');
const widths = [64, 256];
const cores = cpus().length;

async function measure(backend: 'wasm' | 'cpu', workers: number) {
  const out = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
  const t0 = performance.now();
  const r = await runSweep({
    modelFile: join(root, 'examples/mlp/mup.ts'), exportName: 'mlp', widths, lrs, seeds: 1, steps,
    parametrization: 'mup', baseWidth: 64, data: null, outDir: out, workers, backend,
    version: 'bench', cores, cwd: root, workerPath: join(root, 'dist/worker.js'),
  });
  const secs = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  if (r.ran !== widths.length * lrs.length) throw new Error(`${backend} x${workers}: ran ${r.ran} trials (${r.warnings.join('; ')})`);
  const perMin = (r.ran / secs) * 60;
  console.log(`${backend.padEnd(5)} workers ${workers}: ${r.ran} trials in ${secs.toFixed(1)} s = ${perMin.toFixed(1)} trials/min (shift ${r.shiftOctaves})`);
  return { backend, workers, trials: r.ran, seconds: secs, trialsPerMinute: perMin };
}

async function main() {
  console.log(`load average (1 min) at the start: ${loadavg()[0]!.toFixed(1)}`);
  console.log(`sweep bench: widths ${widths.join(',')}, ${lrs.length} LRs, ${steps} steps, ${cores} cores${quick ? ' (quick)' : ''}`);
  // The machine may be shared: 1-worker and N-worker runs alternate (ABAB...) and the best of each counts,
  // so a change in background load does not favour one of them. The load average is recorded.
  const repeat = Number(process.argv.find((a) => a.startsWith('--repeat='))?.slice(9) ?? 2);
  const runs = [];
  const best = (xs: Awaited<ReturnType<typeof measure>>[]) => xs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const ones = [];
  const many = [];
  for (let i = 0; i < repeat; i++) {
    ones.push(await measure('wasm', 1));
    many.push(await measure('wasm', cores));
  }
  const cpu1 = await measure('cpu', 1);
  runs.push(...ones, ...many, cpu1);
  const wasm1 = best(ones);
  const wasmN = best(many);
  const speedup = wasm1.seconds / wasmN.seconds;
  const efficiency = speedup / cores;
  const summary = {
    wasmTrialsPerMin: +wasm1.trialsPerMinute.toFixed(1),
    cpuTrialsPerMin: +cpu1.trialsPerMinute.toFixed(1),
    wasmOverCpu: +(wasm1.seconds > 0 ? cpu1.seconds / wasm1.seconds : 0).toFixed(2),
    [`speedup${cores}Workers`]: +speedup.toFixed(2),
    parallelEfficiency: +efficiency.toFixed(2),
  };
  console.log(`wasm is ${summary.wasmOverCpu}x the cpu backend's speed; ${cores} workers: speed-up ${speedup.toFixed(2)}x, parallel efficiency ${(efficiency * 100).toFixed(0)}%`);
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  console.log(`load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)}`);
  writeFileSync(join(root, 'bench-results/sweep.json'), JSON.stringify({ config: { widths, lrs: lrs.length, steps, cores, quick, repeat }, loadAverage: loadavg(), runs, summary }, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
