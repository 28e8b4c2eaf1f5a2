// What a second core can give SIMD-bound work on this machine (issue 25): the upper bound for any 2-thread speed-up.
// A thread pool cannot do more than two independent single-thread processes running at once, so this runs the same
// SIMD matrix product (tfjs wasm, one thread, 512x512x512, the kind of work a training step is made of) in one
// process alone, then in two at once, and reports their combined throughput over the single one's. On two real
// cores that is ~2; on two hyperthreads of one core (two vCPUs sharing one core's SIMD units) it is ~1.1, and no
// thread pool, tfjs's or OpenBLAS's, can make a SIMD-bound step 1.6x faster there.
//   node --import tsx bench/_ceiling.ts            prints {soloGflops, pairGflops, ceiling, loadavg}
//   node --import tsx bench/_ceiling.ts --worker   (internal) one process's measurement: {gflops}
import { spawn } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';

const N = 512;
const SECONDS = 2;

async function worker(): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const tfWasm = await import('@tensorflow/tfjs-backend-wasm');
  tfWasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  tfWasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error("setBackend('wasm') failed");
  const a = tf.randomNormal([N, N], 0, 1, 'float32', 1);
  const b = tf.randomNormal([N, N], 0, 1, 'float32', 2);
  const once = () => tf.tidy(() => tf.matMul(a, b)).dataSync();
  for (let i = 0; i < 3; i++) once();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    once();
    n++;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ gflops: (2 * N * N * N * n) / s / 1e9 }));
}

function runOne(): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', __filename, '--worker'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve((JSON.parse(out.trim().split('\n').pop()!) as { gflops: number }).gflops) : reject(new Error(err.trim().split('\n').pop() || `exit ${code}`))));
  });
}

export interface Ceiling {
  /** GFLOP/s of one single-thread process alone. */
  soloGflops: number;
  /** GFLOP/s of two single-thread processes at once, together. */
  pairGflops: number;
  /** pair / solo: the most a second thread can give SIMD-bound work here. */
  ceiling: number;
  loadavg: number;
}

/** Best of `rounds` (solo, then pair) measurements: the bound the machine sets on a second thread. */
export async function measureCeiling(rounds = 2): Promise<Ceiling> {
  let solo = 0;
  let pair = 0;
  for (let r = 0; r < rounds; r++) {
    solo = Math.max(solo, await runOne());
    const [x, y] = await Promise.all([runOne(), runOne()]);
    pair = Math.max(pair, x + y);
  }
  return { soloGflops: solo, pairGflops: pair, ceiling: pair / solo, loadavg: os.loadavg()[0]! };
}

export function describeCeiling(c: Ceiling): string {
  return (
    `this machine's ceiling for a second thread: two single-thread wasm matrix products at once do ${c.ceiling.toFixed(2)}x the work of one ` +
    `(${c.soloGflops.toFixed(1)} GFLOP/s alone, ${c.pairGflops.toFixed(1)} together, load ${c.loadavg.toFixed(1)})` +
    (c.ceiling < 1.5 ? ': the two CPUs share one core\'s SIMD units (hyperthreads), so no thread pool gets SIMD-bound work much past this' : '')
  );
}

if (require.main === module) {
  (process.argv.includes('--worker') ? worker() : measureCeiling().then((c) => console.log(JSON.stringify(c)))).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
