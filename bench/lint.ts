// Lint speed (issue 2): analysing a corpus of 60 model files of ~1,500 lines against the bare
// `ts.createSourceFile` parse of the same files (goal: ratio <= 2), and re-analysing a 2,000-line file
// after a one-character edit (goal: median < 10 ms), as the editor does on a keystroke.
// The analyzer is bundled with esbuild as the extension ships it (typescript left external, so that both
// sides of the ratio run the very same parser). Writes bench-results/lint.json. `--quick`: fewer rounds.
import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts = require('typescript');
import type * as Analyzer from '../src/analyzer';
import { corpusFile } from './_lintCorpus';

const root = join(__dirname, '..');
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const EDITS = quick ? 40 : 200;

function loadBundledAnalyzer(): typeof Analyzer {
  const out = join(root, 'bench-results', '.lint-analyzer.cjs');
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  buildSync({ entryPoints: [join(root, 'src/analyzer/index.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['typescript'], logLevel: 'warning' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(out) as typeof Analyzer;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface BenchReport {
  summary: Record<string, number | boolean | string>;
  [k: string]: unknown;
}

export async function run(): Promise<BenchReport> {
  const { analyze } = loadBundledAnalyzer();
  const files = Array.from({ length: 60 }, (_, i) => ({ name: `corpus/model${i}.ts`, text: corpusFile(i, 1500) }));
  const lines = files.reduce((n, f) => n + f.text.split('\n').length, 0);
  let findings = 0;
  for (const f of files) findings += analyze(f.text, f.name, { incremental: false } as Analyzer.AnalyzeOptions).findings.length; // warm-up
  for (const f of files) ts.createSourceFile(f.name, f.text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);

  // Alternate the two sides round by round so that machine noise hits both alike.
  const parseMs: number[] = [];
  const analyzeMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    for (const f of files) ts.createSourceFile(f.name, f.text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    parseMs.push(performance.now() - t);
    t = performance.now();
    // incremental: false, so no file is served from the keystroke cache
    for (const f of files) analyze(f.text, f.name, { incremental: false } as Analyzer.AnalyzeOptions);
    analyzeMs.push(performance.now() - t);
  }
  const ratio = median(analyzeMs) / median(parseMs);

  // Keystrokes: a 2,000-line file, one character typed or deleted at a different place each time.
  const big = corpusFile(1000, 2000);
  const bigLines = big.split('\n').length;
  const name = 'editor/model.ts';
  analyze(big, name);
  let text = big;
  const editMs: number[] = [];
  const fullMs: number[] = [];
  let seed = 7;
  for (let i = 0; i < EDITS; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const at = seed % text.length;
    text = i % 2 === 0 ? text.slice(0, at) + 'x' + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    let t = performance.now();
    analyze(text, name);
    editMs.push(performance.now() - t);
    t = performance.now();
    analyze(text, `editor/full${i % 2}.ts`, { incremental: false } as Analyzer.AnalyzeOptions);
    fullMs.push(performance.now() - t);
  }
  // the incremental path must give what a fresh parse gives
  const a = JSON.stringify(analyze(text, name).findings.map((f) => [f.line, f.rule]));
  const b = JSON.stringify(analyze(text, 'editor/fresh.ts', { incremental: false } as Analyzer.AnalyzeOptions).findings.map((f) => [f.line, f.rule]));

  const report: BenchReport = {
    summary: {
      corpusRatio: Number(ratio.toFixed(2)),
      corpusRatioGoal: 2,
      corpusOk: ratio <= 2,
      editMedianMs: Number(median(editMs).toFixed(2)),
      editGoalMs: 10,
      editOk: median(editMs) < 10,
    },
    corpus: { files: files.length, lines, findings, rounds: ROUNDS, parseMedianMs: median(parseMs), analyzeMedianMs: median(analyzeMs) },
    edit: { lines: bigLines, edits: EDITS, incrementalMedianMs: median(editMs), fullReanalysisMedianMs: median(fullMs), incrementalMatchesFresh: a === b },
  };
  const rows: [string, string, string][] = [
    ['corpus: 60 files, lines', String(lines), ''],
    ['  bare parse (median of rounds), ms', median(parseMs).toFixed(1), ''],
    ['  analyze, ms', median(analyzeMs).toFixed(1), ''],
    ['  ratio analyze / parse', ratio.toFixed(2), `goal <= 2: ${ratio <= 2 ? 'ok' : 'MISSED'}`],
    [`edit: ${bigLines}-line file, 1 char, median ms`, median(editMs).toFixed(2), `goal < 10: ${median(editMs) < 10 ? 'ok' : 'MISSED'}`],
    ['  same file, full re-analysis, median ms', median(fullMs).toFixed(2), ''],
    ['  incremental result equals fresh', String(a === b), ''],
  ];
  for (const [k, v, g] of rows) console.log(`${k.padEnd(44)} ${v.padStart(10)}  ${g}`);
  writeFileSync(join(root, 'bench-results', 'lint.json'), JSON.stringify(report, null, 2) + '\n');
  return report;
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
