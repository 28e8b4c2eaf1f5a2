// The headline of muTransfer on the shipped GPT pair (issue 27), end to end, as one command:
//   npm run headline            (= npm run bench -- headline)
// 1. tune the muP GPT (examples/gpt/mup.ts) on small proxies: an LR sweep, then the output multiplier, then the
//    attention multiplier (`sweep --hp`, one axis at a time) at the proxy's best LR;
// 2. `transfer` the proxy's tuned values to the target width (`--verify`: both loss curves, the transfer report's plot);
// 3. tune SP (examples/gpt/sp.ts) directly at the target width: an LR sweep with the same LR grid (resolution and
//    range) and the same seeds as the muP proxy's LR sweep;
// 4. train each route's pick at the target width over --eval-seeds seeds (the same seeds for both: each seed is the
//    same batches for both routes) and compare them with a paired 95% interval (src/sweep/headline.ts).
// Writes bench-results/headline.json (the report: both losses, the verdict, muP's loss per width, each route's tuning
// cost in trial-steps x width), headline.svg (both loss curves at the target) and headline.html (the transfer report
// with the same plot). Sweeps are stored under bench-results/headline/ and reused by a rerun (`--fresh` deletes them).
// Flags (defaults sized for ~25 minutes on 2 busy cores): --proxy-widths 16,32 --target 128 --steps 200
//        --lr-range 2^-10:2^-6:1 --seeds 1 --eval-seeds 3 --output-mult 2^-1:2^5:1 --attn-mult 2^0:2^8:2
//        --quick (widths 8,16 -> 64, 60 steps, 2 eval seeds: a smoke test, not a result)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { plotsToSvg } from '../src/plot/svg';
import { LIGHT } from '../src/report/theme';
import { verifyPlot } from '../src/plot/transferModel';
import { formatHeadline, headlineReport, tuningCost, type TargetRuns } from '../src/sweep/headline';
import { tunedAt, type TransferReport } from '../src/sweep/transfer';
import type { SweepReport } from '../src/sweep/types';

const root = join(__dirname, '..');
const cli = join(root, 'dist/cli.js');
const argv = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const quick = argv.includes('--quick');
const proxyWidths = flag('proxy-widths', quick ? '8,16' : '16,32');
const target = Number(flag('target', quick ? '64' : '128'));
const steps = flag('steps', quick ? '60' : '200');
const lrRange = flag('lr-range', '2^-10:2^-6:1');
const seeds = flag('seeds', '1');
const evalSeeds = flag('eval-seeds', quick ? '2' : '3');
const outputMult = flag('output-mult', '2^-1:2^5:1');
const attnMult = flag('attn-mult', '2^0:2^8:2');
const out = join(root, 'bench-results');
const stores = join(out, 'headline');
if (argv.includes('--fresh')) rmSync(stores, { recursive: true, force: true });
mkdirSync(stores, { recursive: true });
if (!existsSync(cli)) {
  console.error('headline: dist/cli.js is missing: run `npm run build` first');
  process.exit(2);
}

const started = Date.now();
// Exit codes that still give a result: 0 transfers, 1 does not, 4 inconclusive (issue 21); 3 (incomplete) and 2 do not.
function mupLens(title: string, args: string[], okCodes = [0, 1, 4]): { stdout: string; stderr: string; status: number } {
  console.log(`\n=== ${title}\n$ mup-lens ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.stderr) process.stderr.write(r.stderr);
  if (r.status === null || !okCodes.includes(r.status)) {
    console.error(`headline: '${title}' exited ${r.status ?? r.signal}; stopping (stored trials are kept: run again to resume)`);
    process.exit(1);
  }
  console.log(`(${((Date.now() - t0) / 1000).toFixed(0)} s, exit ${r.status})`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const common = ['--steps', steps, '--base-width', '64', '--quiet'];
function sweep(title: string, store: string, args: string[]): SweepReport {
  const dir = join(stores, store);
  mupLens(title, ['sweep', ...args, ...common, '--out', dir]);
  return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as SweepReport;
}

/** Each trial's measured worker time, from its store (trials.jsonl), by width/lr/seed/hp. */
function msFromStore(store: string): (r: SweepReport, i: number) => number | undefined {
  const ms = new Map<string, number>();
  const file = join(stores, store, 'trials.jsonl');
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const t = JSON.parse(line) as { identity: { width: number; lr: number; seed: number; hp?: Record<string, number> }; outcome: { ms?: number } };
        if (typeof t.outcome?.ms === 'number') ms.set(JSON.stringify([t.identity.width, t.identity.lr, t.identity.seed, t.identity.hp ?? {}]), t.outcome.ms);
      } catch {
        // a torn last line: not a trial
      }
    }
  }
  return (r, i) => {
    const t = r.trials[i]!;
    return ms.get(JSON.stringify([t.width, t.lr, t.seed, t.hp ?? {}]));
  };
}

// 1. muP on the proxies, one axis at a time: the LR; the output multiplier at the widest proxy's best grid LR; the
//    attention multiplier at both. (A joint grid would cost the product of the axes' sizes.)
const mupLr = sweep('muP proxy: LR sweep', 'mup-lr', ['examples/gpt/mup.ts#gpt', '--mup', '--widths', proxyWidths, '--lr-range', lrRange, '--seeds', seeds]);
const widest = Math.max(...mupLr.widths);
const bestLr = mupLr.optimum.find((o) => o.width === widest)?.lr;
if (bestLr === undefined) {
  console.error(`headline: the muP LR sweep has no optimum at width ${widest} (every trial diverged)`);
  process.exit(1);
}
const mupOut = sweep('muP proxy: the output multiplier at its best LR', 'mup-output', ['examples/gpt/mup.ts#gpt', '--mup', '--widths', proxyWidths, '--lrs', String(bestLr), '--hp', `outputMult=${outputMult}`, '--seeds', seeds]);
const bestOut = mupOut.hps?.[0]?.optimum.find((o) => o.width === widest)?.value ?? 1;
const mupHp = sweep('muP proxy: the attention multiplier at its best LR and output multiplier', 'mup-hp', [
  'examples/gpt/mup.ts#gpt', '--mup', '--widths', proxyWidths, '--lrs', String(bestLr), '--hp', `outputMult=${bestOut}`, '--hp', `attnMult=${attnMult}`, '--seeds', seeds,
]);

// 2. SP tuned directly at the target: the same LR grid and seeds.
const spLr = sweep(`SP at the target width ${target}: LR sweep`, 'sp-target', ['examples/gpt/sp.ts#gpt', '--sp', '--widths', String(target), '--lr-range', lrRange, '--seeds', seeds]);

// 3. Each route's pick: muP's, the widest proxy's tuned values (what `transfer` moves to the target: the LR and each
//    multiplier unchanged, muP's per-layer rules applied by the runtime); SP's, its fitted best LR at the target.
const tuned = tunedAt(mupHp, widest);
if (!tuned) {
  console.error(`headline: the muP proxy sweep has no optimum at width ${widest} (every trial diverged)`);
  process.exit(1);
}
const spAtTarget = spLr.optimum.find((o) => o.width === target);
if (!spAtTarget) {
  console.error(`headline: SP has no optimum at width ${target} (every trial diverged)`);
  process.exit(1);
}
const spLrPick = spAtTarget.fittedLr ?? spAtTarget.lr;

// 4. The transfer, with --verify over the evaluation seeds (issue 21): both picks at the target, each seed's loss
// and curve (the transfer report's plot). A transfer that refuses (its proxy sweep does not show the values
// transferring, or cannot say: one seed is inconclusive) is reported, not hidden, and step 5 measures the picks.
const transferOut = mupLens(`transfer the proxy's values to width ${target}, verify against SP tuned at ${target}`, [
  'transfer', join(stores, 'mup-hp'), '--width', String(target), '--out', join(stores, `mup.gpt.w${target}.transfer.json`), '--verify', '--steps', steps,
  '--seeds', evalSeeds, '--sp-sweep', join(stores, 'sp-target'), '--format', 'json', '-q',
]);
// An inconclusive proxy sweep (exit 4) is refused with one line on stderr and no report.
const transfer: Partial<TransferReport> & { html?: string; refusal: string | null } = transferOut.stdout.trim()
  ? (JSON.parse(transferOut.stdout) as TransferReport & { html?: string })
  : { refusal: transferOut.stderr.trim().split('\n').pop() ?? `transfer exited ${transferOut.status}`, verify: null };
if (transfer.refusal) console.log(`warning: the transfer refused, so there is no loss-curve plot: ${transfer.refusal}`);

const runsFrom = (seeds: { seed: number; loss: number | null; diverged: boolean }[], label: string, lr: number, hp: Record<string, number>, from: string): TargetRuns => {
  const ts = [...seeds].sort((a, b) => a.seed - b.seed);
  return { label, width: target, lr, hp, from, seeds: ts.map((t) => t.seed), losses: ts.map((t) => (t.diverged ? null : t.loss)) };
};
const mupFrom = `tuned at width ${widest} (proxy widths ${proxyWidths}), transferred`;
const spFrom = `its LR sweep at width ${target}`;
// 5. Each route's pick over the evaluation seeds: the verification's runs when the transfer ran them, else stored
// single-LR sweeps at the target (a rerun reuses them).
const verified = (p: 'mup' | 'sp') => transfer.verify?.runs.find((r) => r.parametrization === p)?.seeds;
let mupRuns: TargetRuns;
let spRuns: TargetRuns;
const mupSeeds = verified('mup');
const spSeeds = verified('sp');
if (mupSeeds && spSeeds && mupSeeds.length === Number(evalSeeds) && spSeeds.length === Number(evalSeeds)) {
  mupRuns = runsFrom(mupSeeds, 'muP, transferred', tuned.lr, tuned.hp, mupFrom);
  spRuns = runsFrom(spSeeds, `SP, tuned at width ${target}`, spLrPick, {}, spFrom);
} else {
  const hpFlags = Object.entries(tuned.hp).flatMap(([k, v]) => ['--hp', `${k}=${v}`]);
  const mupEval = sweep(`muP transferred at width ${target}: ${evalSeeds} seeds`, 'mup-eval', ['examples/gpt/mup.ts#gpt', '--mup', '--widths', String(target), '--lrs', String(tuned.lr), ...hpFlags, '--seeds', evalSeeds]);
  const spEval = sweep(`SP tuned at width ${target}: ${evalSeeds} seeds`, 'sp-eval', ['examples/gpt/sp.ts#gpt', '--sp', '--widths', String(target), '--lrs', String(spLrPick), '--seeds', evalSeeds]);
  mupRuns = runsFrom(mupEval.trials, 'muP, transferred', tuned.lr, tuned.hp, mupFrom);
  spRuns = runsFrom(spEval.trials, `SP, tuned at width ${target}`, spLrPick, {}, spFrom);
}

const report = headlineReport({
  mupTuning: [mupLr, mupOut, mupHp],
  spTuning: [spLr],
  mup: mupRuns,
  sp: spRuns,
  mupCost: tuningCost([mupLr, mupOut, mupHp], (r, i) => msFromStore(r === mupLr ? 'mup-lr' : r === mupOut ? 'mup-output' : 'mup-hp')(r, i)),
  spCost: tuningCost([spLr], msFromStore('sp-target')),
});
const lines = formatHeadline(report);
// The verification's own statement (SP - muP, paired by seed), when it ran.
if (transfer.verify?.difference) lines.push(`  transfer --verify: ${transfer.verify.difference.text}`);
console.log(`\n${lines.join('\n')}`);

// The figure: the transfer report's verification plot (each pick's mean curve over the seeds), as an SVG for the README.
let svg: string | null = null;
if (transfer.verify) {
  // The SP run is SP tuned at the target here (its sweep's only width): the transfer labels it so itself.
  const spec = verifyPlot(transfer.verify, target);
  const n = transfer.verify.seeds ?? 1;
  spec.title = `GPT at width ${target}: muP tuned at width ${widest} and transferred vs SP tuned at ${target} (${n === 1 ? 'seed 0' : `mean of ${n} seeds`})`;
  svg = plotsToSvg([spec], { plotWidth: 760, plotHeight: 380, columns: 1, ...LIGHT });
  writeFileSync(join(out, 'headline.svg'), svg);
}
if (transfer.html && existsSync(transfer.html)) copyFileSync(transfer.html, join(out, 'headline.html'));
const settings = { proxyWidths, target, steps: Number(steps), lrRange, seeds: Number(seeds), evalSeeds: Number(evalSeeds), outputMult, attnMult };
writeFileSync(
  join(out, 'headline.json'),
  JSON.stringify({ settings, transferRefusal: transfer.refusal, machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`, loadavg: os.loadavg(), elapsedMs: Date.now() - started, summary: { verdict: report.verdict, mupLoss: report.mup.mean, spLoss: report.sp.mean, difference: report.difference, costRatio: report.cost.ratio }, report, lines, verify: transfer.verify }, null, 2) + '\n',
);
console.log(`\nwrote bench-results/headline.json${svg ? ', headline.svg' : ''}${transfer.html ? ', headline.html' : ''} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
