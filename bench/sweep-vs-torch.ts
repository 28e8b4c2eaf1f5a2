// What a user waits for (issue 25): the demo's LR sweep (scripts/demo.mjs step 3: the SP and the muP MLP example,
// widths 64 and 256, LRs 2^-13..2^-5, 150 steps, one seed; 36 trials) as whole commands, `mup-lens sweep` twice
// (SP, then muP) with its defaults (workers and threads from the cores), against bench/sweep_torch.py doing the
// same trials the way a user writes them in PyTorch: one after another, PyTorch's default threads. Each side is
// timed whole (start-up, imports, everything) under /usr/bin/time (CPU time too: less moved by other load); the
// sides interleave, `--rounds N` (default 2), the best round of each counts. No ratio when PyTorch runs on the
// reference BLAS (bench/torch_blas.py). Also printed: each side's best LR per width (SP's moves, muP's stays).
//   npm run bench -- sweep-vs-torch            the demo's sweep
//   npm run bench -- sweep-vs-torch --quick    30 steps, LRs 2^-13..2^-5 in steps of 2, one round
// Writes bench-results/sweep-vs-torch.json. Target: mup-lens no slower than PyTorch (ratio <= 1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { blasRefusal } from './speed';

const root = join(__dirname, '..');
const quick = process.argv.includes('--quick');
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const rounds = Number(flag('rounds') ?? (quick ? 1 : 2));
const steps = quick ? 30 : 150;
const lrStep = quick ? 2 : 1;
const widths = [64, 256];
const PY = '/usr/bin/python3';
const SWEEPS = [
  ['sp', 'examples/mlp/sp.ts#mlp', '--sp'],
  ['mup', 'examples/mlp/mup.ts#mlp', '--mup'],
] as const;

interface Timed {
  wallMs: number;
  cpuMs?: number;
}

/** A command under /usr/bin/time: its wall time and the CPU time of it and of what it waited for (workers). */
function timed(cmd: string, args: string[]): Timed & { status: number | null; stdout: string; stderr: string } {
  const useTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = spawnSync(useTime ? '/usr/bin/time' : cmd, useTime ? ['-f', 'MUPTIME %U %S', cmd, ...args] : args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const wallMs = performance.now() - t0;
  const m = /MUPTIME ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  return { wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined, status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '').replace(/MUPTIME .*\s*$/, '') };
}

interface Side extends Timed {
  /** log2 of the best LR per width, per parametrization. */
  optimum: Record<string, Record<number, number | null>>;
  detail: string;
}

/** Both sweeps of the demo through the CLI, in fresh stores (nothing reused), one after the other. */
function mupLens(): Side | { skipped: string } {
  let wallMs = 0;
  let cpuMs: number | undefined = 0;
  const optimum: Side['optimum'] = {};
  let detail = '';
  for (const [name, target, flagName] of SWEEPS) {
    const out = mkdtempSync(join(os.tmpdir(), 'mup-lens-bench-svt-'));
    try {
      const args = [join(root, 'dist/cli.js'), 'sweep', target, flagName, '--widths', widths.join(','), '--lr-range', `2^-13:2^-5:${lrStep}`, '--steps', String(steps), '--seeds', '1', '--base-width', '64', '--backend', 'wasm', '--format', 'json', '--out', out];
      const r = timed(process.execPath, args);
      // 0: the optimum transfers, 1: it does not (SP, as it should not), 4: inconclusive (one seed): all finished
      if (r.status !== 0 && r.status !== 1 && r.status !== 4) return { skipped: `mup-lens sweep exited ${r.status}: ${r.stderr.trim().split('\n').pop()}` };
      wallMs += r.wallMs;
      cpuMs = cpuMs === undefined || r.cpuMs === undefined ? undefined : cpuMs + r.cpuMs;
      detail ||= /^backend: .*$/m.exec(r.stderr)?.[0] ?? '';
      const report = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as { optimum?: { width: number; lr: number | null }[] };
      optimum[name] = Object.fromEntries((report.optimum ?? []).map((o) => [o.width, o.lr === null ? null : Math.log2(o.lr)]));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  return { wallMs, cpuMs, optimum, detail };
}

interface TorchOut {
  torch: string;
  threads: number;
  blas: { kind: string; path: string | null };
  sweeps: Record<string, { seconds: number; optimum: Record<string, number | null> }>;
}

function pytorch(): (Side & { out: TorchOut }) | { skipped: string } {
  const r = timed(PY, [join(__dirname, 'sweep_torch.py'), '--widths', widths.join(','), `--lr-range=-13:-5:${lrStep}`, '--steps', String(steps)]);
  if (r.status !== 0) return { skipped: `sweep_torch.py failed (apt-get install -y python3-torch libopenblas0-pthread): ${r.stderr.trim().split('\n').pop()}` };
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchOut;
  const optimum = Object.fromEntries(Object.entries(out.sweeps).map(([k, s]) => [k, Object.fromEntries(Object.entries(s.optimum).map(([w, e]) => [Number(w), e]))]));
  return { wallMs: r.wallMs, cpuMs: r.cpuMs, optimum, detail: `PyTorch ${out.torch}, ${out.threads} thread(s) by default, ${out.blas.kind}`, out };
}

const s = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

function main(): void {
  if (!existsSync(join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is not built (npm run build)');
  const load0 = os.loadavg();
  console.log(`sweep-vs-torch: the demo's LR sweep, SP and muP MLP, widths ${widths.join(',')}, LRs 2^-13..2^-5 step ${lrStep}, ${steps} steps, 1 seed; ${rounds} interleaved round(s)`);
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load average ${load0.map((l) => l.toFixed(1)).join(' ')}`);
  let ours: Side | undefined;
  let theirs: (Side & { out: TorchOut }) | undefined;
  const skipped: string[] = [];
  const runs: { round: number; side: string; wallMs?: number; cpuMs?: number; load: number; skipped?: string }[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const side of ['pytorch', 'mup-lens'] as const) {
      process.stderr.write(`round ${round}: ${side}...\n`);
      const load = os.loadavg()[0]!;
      const r = side === 'pytorch' ? pytorch() : mupLens();
      if ('skipped' in r) {
        skipped.push(`${side}: ${r.skipped}`);
        runs.push({ round, side, load, skipped: r.skipped });
        continue;
      }
      runs.push({ round, side, wallMs: r.wallMs, cpuMs: r.cpuMs, load });
      if (side === 'pytorch' && (!theirs || r.wallMs < theirs.wallMs)) theirs = r as Side & { out: TorchOut };
      if (side === 'mup-lens' && (!ours || r.wallMs < ours.wallMs)) ours = r;
    }
  }
  const refusal = theirs ? blasRefusal(theirs.out.blas) : 'PyTorch did not run';
  const ratio = ours && theirs && !refusal ? ours.wallMs / theirs.wallMs : null;
  const cpuRatio = ours?.cpuMs !== undefined && theirs?.cpuMs !== undefined && !refusal ? ours.cpuMs / theirs.cpuMs : null;
  console.log('\nwhole commands, both sweeps (wall time, best round; CPU time of the command and its workers):');
  if (theirs) console.log(`  ${'pytorch (sweep_torch.py)'.padEnd(28)} ${s(theirs.wallMs).padStart(8)}  CPU ${s(theirs.cpuMs)}  (${theirs.detail})`);
  if (ours) console.log(`  ${'mup-lens sweep x2'.padEnd(28)} ${s(ours.wallMs).padStart(8)}  CPU ${s(ours.cpuMs)}  (${ours.detail})`);
  for (const m of skipped) console.log(`  not run: ${m}`);
  console.log(refusal ? `  ${refusal}` : `  mup-lens / PyTorch: ${ratio?.toFixed(2) ?? '-'}x wall (target <= 1), ${cpuRatio?.toFixed(2) ?? '-'}x CPU time`);
  for (const [name] of SWEEPS) {
    const fmtOpt = (side?: Side) => widths.map((w) => `${w}: 2^${side?.optimum[name]?.[w] ?? '?'}`).join(', ');
    console.log(`  best LR, ${name.padEnd(3)}: mup-lens ${fmtOpt(ours)}; PyTorch ${fmtOpt(theirs)}`);
  }
  const load1 = os.loadavg();
  console.log(`load average: ${load0[0]!.toFixed(1)} at the start, ${load1[0]!.toFixed(1)} at the end`);
  const summary = { mupLensMs: ours?.wallMs ?? null, torchMs: theirs?.wallMs ?? null, torchThreads: theirs?.out.threads ?? null, ratio, cpuRatio, noRatio: refusal, goal: 'the whole demo sweep in mup-lens <= the same trials in PyTorch', goalMet: ratio === null ? null : ratio <= 1 };
  console.log(`summary: ${JSON.stringify(summary)}`);
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(
    join(root, 'bench-results/sweep-vs-torch.json'),
    JSON.stringify({ summary, config: { widths, steps, lrStep, rounds, quick }, machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: { start: load0, end: load1 } }, mupLens: ours ?? null, pytorch: theirs ?? null, runs, skipped }, null, 2) + '\n',
  );
}

main();
