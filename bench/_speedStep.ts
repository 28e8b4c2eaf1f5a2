// One side of bench/speed.ts, in its own process: training steps of a transformer on one tfjs backend, with or
// without mup-lens's fast paths (src/kernels), set up as the worker sets them up (src/worker/main.ts: the wasm
// paths and missing kernels, the backend, then registerFastPaths). A step is a sweep trial's step (src/sweep/trial.ts):
// a fresh batch from the model's `data` export, forward, softmax cross-entropy, backward, MuAdam with the muP
// per-group LRs (base shapes inferred at widths 64 and 128), the loss read back to the host.
//   node --import tsx bench/_speedStep.ts --model gpt|preln --backend wasm|cpu --fast 1|0 --widths 64,128 --steps 5 \
//     [--threads N]   (wasm: tfjs' threaded build on N threads, as the worker starts it: src/backend/wasmThreads.ts)
// Prints one JSON line per width: {model, backend, threads, fast, width, msPerStep, medianMs, cpuMsPerStep, medianCpuMs,
// kernelsPerStep, kernels, loadavg}.
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { registerMissingWasmKernels } from '../src/backend/wasmKernels';
import { startWasm } from '../src/backend/wasmThreads';
import { registerFastPaths } from '../src/kernels/index';
import { createMup } from '../src/mup/index';
import { middle } from './_stats';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

const MODELS = {
  gpt: { file: '../examples/gpt/mup.ts', factory: 'gpt' },
  preln: { file: './models/preln.ts', factory: 'preln' },
} as const;

async function main(): Promise<void> {
  const model = flag('model', 'gpt') as keyof typeof MODELS;
  const backend = flag('backend', 'wasm');
  const fast = flag('fast', '1') === '1';
  const widths = flag('widths', '64').split(',').map(Number);
  const steps = Number(flag('steps', '5'));
  const warmup = Number(flag('warmup', '2'));
  let threads: number | undefined;
  if (backend === 'wasm') {
    tfWasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
    registerMissingWasmKernels(tf);
    const started = await startWasm(tf, tfWasm, Number(flag('threads', '1')));
    if (started.failure !== null) throw new Error(`setBackend('wasm') failed: ${started.failure}`);
    if (started.note) process.stderr.write(`${started.note}\n`);
    threads = started.threads;
  } else if (!(await tf.setBackend(backend))) throw new Error(`setBackend('${backend}') failed`);
  if (fast) registerFastPaths(tf, backend);
  const mod = (await import(MODELS[model].file)) as Record<string, unknown>;
  const build = mod[MODELS[model].factory] as (w: number) => tf.LayersModel;
  const data = mod.data as (step: number, info?: { seed?: number }) => { xs: tf.Tensor; ys: tf.Tensor };
  const mup = createMup(tf);
  const shapes = await mup.inferBaseShapesAsync(async (w: number) => build(w), { baseWidth: 64, deltaWidth: 128 });

  for (const width of widths) {
    const net = build(width);
    const opt = new mup.MuAdam({ learningRate: 2 ** -8, params: mup.applyBaseShapes(net, shapes, width) });
    const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
    let step = 0;
    const trainStep = () => {
      const batch = data(step++, { seed: 0 });
      try {
        const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(batch.ys, net.apply(batch.xs, { training: true }) as tf.Tensor), true, vars)!;
        loss.dataSync();
        loss.dispose();
      } finally {
        batch.xs.dispose();
        batch.ys.dispose();
      }
    };
    for (let i = 0; i < warmup; i++) trainStep();
    const msPerStep: number[] = [];
    // CPU time of this process per step too: on a shared machine it moves much less with the load than wall time
    const cpuMsPerStep: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      trainStep();
      const c = process.cpuUsage(c0);
      msPerStep.push(performance.now() - t0);
      cpuMsPerStep.push((c.user + c.system) / 1000);
    }
    // kernels of one step, by name (counts, and tfjs' own timing of each: wall time, profile overhead included)
    const profile = await tf.profile(() => trainStep());
    const byName = new Map<string, { count: number; ms: number }>();
    for (const k of profile.kernels) {
      const e = byName.get(k.name) ?? { count: 0, ms: 0 };
      e.count++;
      e.ms += Number(k.kernelTimeMs) || 0;
      byName.set(k.name, e);
    }
    const kernels = [...byName].map(([name, e]) => ({ name, count: e.count, ms: +e.ms.toFixed(2) })).sort((a, b) => b.ms - a.ms);
    console.log(
      JSON.stringify({ model, backend, threads, fast, width, msPerStep, medianMs: middle(msPerStep), cpuMsPerStep, medianCpuMs: middle(cpuMsPerStep), kernelsPerStep: profile.kernels.length, kernels, loadavg: os.loadavg()[0] }),
    );
    opt.dispose();
    net.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
