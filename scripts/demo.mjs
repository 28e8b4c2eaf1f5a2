// `npm run demo` (after `npm run build`): the whole story on the shipped examples, headless, in a few minutes
// on a 2-core machine:
//   1. lint the examples (the SP files are expected to have findings: exit 1 is fine here),
//   2. a coordinate check of the SP and the muP MLP (HTML plots), and across depth (issue 22) of the SP and the
//      CompleteP residual twins (examples/residual, width 128, depths 2..32: the SP stream grows with depth),
//   3. an LR-vs-width sweep of the SP and the muP MLP (HTML plots): the SP optimum moves with width, muP's stays,
//   5. an output-multiplier sweep of both at the LR muP tuned (`--hp outputMult=...`): again SP's best moves,
//   6. the transfer of the muP sweep's tuned values to width 4096 (the table, the transfer file), and at width 512
//      both loss curves (the transferred muP values vs the SP proxy's best) in one HTML page.
// Settings from docs/mup.md ("LR transfer"): tfjs wasm, 150 steps, widths 64 and 256, LRs 2^-13..2^-5 gave an SP
// shift of 3 octaves and a muP shift of 1. Issue 21: 3 seeds everywhere (every verdict comes with its interval; one
// seed is "inconclusive"), and the LR sweeps `--refine` to quarter octaves around each optimum, so that the shift is
// measured finer than the 1-octave rule it is judged by. The LR sweeps use widths 128 and 512: muP's optimum moves an
// octave between the base width 64 and 256 (fitted 1.01, 95% interval 0.82..1.33: inconclusive) and stays put from
// 128 up (128 -> 512: 0.33, 0.01..0.61, transfers; 256 -> 1024: 0.02), while SP's moves 1.82 (1.36..2.24) from 128
// to 512 (docs/sweeps.md). Trials are stored under demo-output/: a second run reuses them.
// `--fresh` deletes demo-output/ first.
// (4, with `--full` only:) `--full` adds the transformer (issue 11): LR sweeps of the SP and the muP GPT example on real text
// (examples/data/kjv.txt), widths 64 and 256, 9 LRs 2^-14..2^-6, 150 steps: ~580 CPU-seconds each, ~10 minutes
// more on 2 quiet cores. On 2^-12..2^-4 the SP optimum moved from 2^-8 (width 64) to the grid's lower edge 2^-12
// (width 256) and muP's stayed at 2^-8: the grid starts lower so that SP's optimum at 256 is inside it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/cli.js');
const out = join(root, 'demo-output');
if (!existsSync(cli)) {
  console.error('demo: dist/cli.js is missing: run `npm run build` first');
  process.exit(2);
}
if (process.argv.includes('--fresh')) rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const started = Date.now();
const produced = [];
const problems = [];

function step(title, args, { okCodes = [0, 1], capture = false, quietStdout = false } = {}) {
  console.log(`\n=== ${title}\n$ mup-lens ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', capture || quietStdout ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (capture && r.stdout) process.stdout.write(r.stdout);
  if (!okCodes.includes(r.status)) {
    problems.push(`${title}: exit ${r.status}`);
    console.log(`(${title} failed with exit ${r.status} after ${secs} s; the demo goes on)`);
  } else {
    console.log(`(${secs} s, exit ${r.status})`);
  }
  return r;
}

function htmlFrom(r) {
  const path = (r.stdout ?? '').trim().split('\n').filter((l) => l.endsWith('.html')).pop();
  if (path && existsSync(path)) produced.push(path);
}

// 1. Lint: SP examples have findings (exit 1), muP examples none.
step('lint the examples', ['lint', 'examples']);

// 2. Coordinate checks (exit 1 = the check caught a problem: expected for SP).
for (const [name, file, flag] of [['SP', 'examples/mlp/sp.ts#mlp', '--sp'], ['muP', 'examples/mlp/mup.ts#mlp', '--mup']]) {
  htmlFrom(step(`coordinate check, ${name} MLP`, ['coord', file, flag, '--widths', '64,128,256,512', '--steps', '4', '--seeds', '3', '--format', 'html', '--out', join(out, `coord-${name.toLowerCase()}`)], { capture: true }));
}

// 2b. Across depth (issue 22): the residual twins at width 128, depths 2..32, 3 seeds (about 10-30 s each on 2 cores). SP's
// residual stream grows with depth (exit 1 naming it and the fix), CompleteP's stays flat.
for (const [name, file, flag] of [['SP', 'examples/residual/sp.ts#resnet', '--sp'], ['CompleteP', 'examples/residual/completep.ts#resnet', '--mup']]) {
  htmlFrom(step(`coordinate check across depth, ${name} residual MLP`, ['coord', file, flag, '--depths', '2,4,8,16,32', '--widths', '128', '--steps', '5', '--seeds', '3', '--format', 'html', '--out', join(out, `coord-depth-${name.toLowerCase()}`)], { capture: true }));
}

// 3. Sweeps. Exit 1 = the optimum does not transfer: expected for SP; 4 = inconclusive (said with what settles it).
const sweep = ['--widths', '128,512', '--lr-range', '2^-13:2^-5:1', '--steps', '150', '--seeds', '3', '--refine', '--base-width', '64', '--quiet'];
const results = {};
for (const [name, file, flag] of [['SP', 'examples/mlp/sp.ts#mlp', '--sp'], ['muP', 'examples/mlp/mup.ts#mlp', '--mup']]) {
  const dir = join(out, `sweep-${name.toLowerCase()}`);
  htmlFrom(step(`LR sweep, ${name} MLP`, ['sweep', file, flag, ...sweep, '--format', 'html', '--out', dir], { capture: true, okCodes: [0, 1, 4] }));
  const resultFile = join(dir, 'result.json');
  if (existsSync(resultFile)) results[name] = JSON.parse(readFileSync(resultFile, 'utf8'));
}

/** SP and muP side by side on one page: the sections of the two self-contained reports, one head. */
function sideBySide(dirs, file, title) {
  const pages = dirs.map((d) => join(out, d, 'report.html')).filter((p) => existsSync(p)).map((p) => readFileSync(p, 'utf8'));
  if (pages.length !== 2) return;
  const sections = pages.map((html) => html.slice(html.indexOf('<section>'), html.lastIndexOf('</section>') + '</section>'.length));
  const head = pages[0].slice(0, pages[0].indexOf('<body>') + '<body>'.length).replace(/<title>[^<]*<\/title>/, `<title>muP demo: ${title}</title>`);
  const both = join(out, file);
  writeFileSync(both, `${head}\n<h1>${title}</h1>\n${sections.join('\n')}\n</body></html>\n`);
  produced.push(both);
}
sideBySide(['sweep-sp', 'sweep-mup'], 'sweeps-sp-vs-mup.html', 'LR sweeps: SP vs muP (MLP, widths 128 and 512)');

// 4. (--full) The GPT example on real text: the same question for a transformer.
if (process.argv.includes('--full')) {
  const gpt = ['--widths', '64,256', '--lr-range', '2^-14:2^-6:1', '--steps', '150', '--seeds', '1', '--base-width', '64', '--quiet'];
  for (const [name, file, flag] of [['SP', 'examples/gpt/sp.ts#gpt', '--sp'], ['muP', 'examples/gpt/mup.ts#gpt', '--mup']]) {
    const dir = join(out, `gpt-sweep-${name.toLowerCase()}`);
    // One seed (the GPT sweeps cost minutes each): its verdict is "inconclusive" (exit 4), the shift still shows.
    htmlFrom(step(`LR sweep, ${name} GPT (examples/data)`, ['sweep', file, flag, ...gpt, '--format', 'html', '--out', dir], { capture: true, okCodes: [0, 1, 4] }));
    const resultFile = join(dir, 'result.json');
    if (existsSync(resultFile)) results[`${name} GPT`] = JSON.parse(readFileSync(resultFile, 'utf8'));
  }
  sideBySide(['gpt-sweep-sp', 'gpt-sweep-mup'], 'gpt-sweeps-sp-vs-mup.html', 'LR sweeps: SP vs muP (GPT on text, widths 64 and 256)');
}

// 5. The output multiplier (examples/mlp's optional {outputMult}) at Adam LR 2^-8, the LR the muP sweep picks.
const hpSweep = ['--widths', '64,256', '--lrs', '2^-8', '--hp', 'outputMult=2^-4:2^4:1', '--steps', '150', '--seeds', '3', '--base-width', '64', '--quiet'];
const hpResults = {};
for (const [name, file, flag] of [['SP', 'examples/mlp/sp.ts#mlp', '--sp'], ['muP', 'examples/mlp/mup.ts#mlp', '--mup']]) {
  const dir = join(out, `hp-${name.toLowerCase()}`);
  htmlFrom(step(`output-multiplier sweep, ${name} MLP`, ['sweep', file, flag, ...hpSweep, '--format', 'html', '--out', dir], { capture: true, okCodes: [0, 1, 4] }));
  const resultFile = join(dir, 'result.json');
  if (existsSync(resultFile)) hpResults[name] = JSON.parse(readFileSync(resultFile, 'utf8'));
}
sideBySide(['hp-sp', 'hp-mup'], 'outputmult-sp-vs-mup.html', 'Output-multiplier sweeps at LR 2^-8: SP vs muP (MLP, widths 64 and 256)');

// 6. The muP sweep's tuned values (LR 2^-8, its best outputMult) at width 4096: the table and the transfer file (the
// model is only built, not trained); then --verify at width 512 (trained twice for 150 steps: the transferred muP
// values and the SP proxy's best; 512 keeps the demo within minutes on 2 cores).
step('transfer the tuned values to width 4096', ['transfer', join(out, 'hp-mup'), '--width', '4096', '--out', join(out, 'mup.mlp.w4096.transfer.json'), '-q'], { okCodes: [0, 1, 4], capture: true });
const verifyArgs = ['transfer', join(out, 'hp-mup'), '--width', '512', '--out', join(out, 'mup.mlp.w512.transfer.json'), '--verify', '--steps', '150', '--sp-sweep', join(out, 'hp-sp'), '--format', 'json', '-q'];
const verified = step('verify at width 512 (3 seeds each): transferred muP values vs the SP proxy\'s best', verifyArgs, { okCodes: [0, 1, 4], capture: false, quietStdout: true });
let verify = null;
try {
  const rep = JSON.parse(verified.stdout ?? '');
  verify = rep.verify;
  if (rep.html && existsSync(rep.html)) produced.push(rep.html);
} catch {
  // the verify step failed: its exit is in `problems`
}

console.log('\n=== summary');
for (const [name, r] of Object.entries(results)) {
  const best = r.optimum.map((o) => `w${o.width}: 2^${o.log2Lr}`).join(', ');
  const iv = r.shiftInterval ? `, fitted ${r.fittedShiftOctaves.toFixed(2)} in [${r.shiftInterval.low.toFixed(2)}, ${r.shiftInterval.high.toFixed(2)}] (95%)` : '';
  console.log(`${name.padEnd(8)} best LR ${best}; shift ${r.shiftOctaves} octave(s)${iv}; ${r.verdict ?? (r.transfers ? 'transfers' : 'does NOT transfer')}${r.settle?.length ? ` (${r.settle.join('; ')})` : ''} (${r.trials.length} trials, ${r.reused} reused, ${r.trials.filter((t) => t.diverged).length} diverged)`);
}
for (const [name, r] of Object.entries(hpResults)) {
  for (const h of r.hps ?? []) {
    const best = h.optimum.map((o) => `w${o.width}: 2^${o.log2Value}`).join(', ');
    const iv = h.shiftInterval ? ` in [${h.shiftInterval.low.toFixed(2)}, ${h.shiftInterval.high.toFixed(2)}] (95%)` : '';
    console.log(`${name.padEnd(8)} best ${h.name} ${best}; shift ${h.shiftOctaves} octave(s)${iv}; ${h.verdict ?? (h.transfers ? 'transfers' : 'does NOT transfer')}`);
  }
}
for (const v of verify?.runs ?? []) {
  console.log(`width ${v.width}, ${v.label}: ${v.diverged ? 'diverged' : `loss ${v.loss.toFixed(4)}${v.lossSd != null ? ` +- ${v.lossSd.toFixed(4)} (SD)` : ''}`} after ${verify.steps} steps (lr 2^${Math.log2(v.lr).toFixed(2)}, outputMult 2^${Math.log2(v.hp.outputMult ?? 1).toFixed(2)})`);
}
if (verify?.difference) console.log(`width 512: ${verify.difference.text}`);
console.log(`\nreports (open in a browser):`);
for (const p of produced) console.log(`  ${relative(process.cwd(), p)}`);
console.log(`\ndemo took ${((Date.now() - started) / 1000).toFixed(0)} s${problems.length ? `; problems: ${problems.join('; ')}` : ''}`);
process.exit(problems.length ? 1 : 0);
