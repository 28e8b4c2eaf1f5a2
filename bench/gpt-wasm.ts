// The GPT example's coordinate check on wasm (with mup-lens's UnsortedSegmentSum kernel, src/backend/wasmKernels.ts)
// against cpu (what `--backend auto` fell back to before), as a user runs it: `mup-lens coord examples/gpt/mup.ts#gpt
// --mup --backend wasm|cpu --widths 32,64 --steps 2 --seeds 1`, wall time of the whole command (worker start-up
// included). The backends alternate, `--reps N` (default 3) each; the medians and their ratio go to
// bench-results/gpt-wasm.json.
//   npm run bench -- gpt-wasm                 widths 32,64, 2 steps
//   npm run bench -- gpt-wasm --widths 64,128 --steps 3 --reps 5
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { middle as median } from './_stats';

const root = join(__dirname, '..');
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const widths = flag('widths') ?? '32,64';
const steps = flag('steps') ?? '2';
const reps = Number(flag('reps') ?? 3);
const cli = join(root, 'dist/cli.js');

function once(backend: 'wasm' | 'cpu'): number {
  const args = [cli, 'coord', 'examples/gpt/mup.ts#gpt', '--mup', '--backend', backend, '--widths', widths, '--steps', steps, '--seeds', '1', '--out', join(os.tmpdir(), `mup-lens-bench-gpt-${backend}`)];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - t0;
  // 0 = pass, 1 = the check failed: both are a finished check; anything else (2: usage, backend error) is not.
  if (r.status !== 0 && r.status !== 1) throw new Error(`coord --backend ${backend} exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
  if (/ran on cpu instead/.test(r.stderr)) throw new Error(`--backend ${backend} fell back to cpu`);
  return ms;
}

const times: Record<'wasm' | 'cpu', number[]> = { wasm: [], cpu: [] };
for (let i = 0; i < reps; i++) for (const b of ['wasm', 'cpu'] as const) times[b].push(once(b));
const wasm = median(times.wasm);
const cpu = median(times.cpu);
console.log(`GPT coord check (examples/gpt/mup.ts, widths ${widths}, ${steps} steps, 1 seed), median of ${reps}, whole command:`);
console.log(`  wasm ${(wasm / 1000).toFixed(2)} s   cpu ${(cpu / 1000).toFixed(2)} s   cpu/wasm = ${(cpu / wasm).toFixed(2)}x`);
mkdirSync(join(root, 'bench-results'), { recursive: true });
writeFileSync(join(root, 'bench-results/gpt-wasm.json'), JSON.stringify({ widths, steps: Number(steps), reps, wasmMs: times.wasm, cpuMs: times.cpu, medianWasmMs: wasm, medianCpuMs: cpu, cpuOverWasm: cpu / wasm }, null, 2) + '\n');
