// `mup-lens lint [paths...] --format text|json|sarif` (docs/contracts.md "lint"): the analyzer over files and
// directories. Exit 0: no error or warning findings; 1: some; 2: usage error (bad flag, missing path).
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { analyze } from '../analyzer';
import type { Finding } from '../analyzer/types';
import { fixAllSync } from '../languageService/fixAll';
import { lintFixes } from '../languageService/fixes';
import { tuneHeapForAnalysis } from '../languageService/heap';
import { formatJson } from './format/json';
import { formatSarif } from './format/sarif';
import { formatText } from './format/text';
import { joinNumericValues, UsageError, type CliIO } from './io';

const HELP = `usage: mup-lens lint [paths...] [options]

Flags tfjs layers that are not muP-scaled (readouts, attention, inits, optimizers) in .ts .tsx .js .jsx
.mjs .cjs files. Directories are walked (node_modules, dist, .git and other dot-directories skipped);
no path means the current directory. Rules: docs/rules.md.

options:
  --format text|json|sarif   default text (ESLint-style); json per docs/contracts.md; sarif 2.1.0 for code scanning
  --base-width N             muP base width used in messages and fixes (default 64)
  --fix                      apply the preferred fixes (in rounds, until none applies), write the files,
                             then report what remains
  -h, --help                 this help
exit: 0 no error or warning findings, 1 findings, 2 usage error`;

export const LINT_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
const SKIP_DIRS = new Set(['node_modules', 'dist']);

/**
 * Files to lint under `paths` (relative to cwd), sorted, each once. Symbolic links are followed, but each real
 * directory is walked once and each real file linted once: a link back to a parent ends instead of looping, and a
 * second way to the same tree adds nothing.
 */
function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export function collectFiles(paths: string[], cwd: string): string[] {
  const out = new Set<string>();
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const real = (p: string): string | null => {
    try {
      return realpathSync(p);
    } catch {
      return null;
    }
  };
  const addFile = (p: string): void => {
    const r = real(p) ?? p;
    if (seenFiles.has(r)) return;
    seenFiles.add(r);
    out.add(p);
  };
  const walk = (dir: string): void => {
    const r = real(dir);
    if (r === null || seenDirs.has(r)) return;
    seenDirs.add(r);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const p = join(dir, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      // A linked folder is not entered (as ESLint does not): it may lead out of the linted tree, and --fix would
      // rewrite files there (issue 20 item 5). A linked file is linted; a folder given by name is walked.
      if (st.isDirectory() && isLink(p)) continue;
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name) && !name.startsWith('.')) walk(p);
      } else if (LINT_EXTENSIONS.has(extname(name)) && !/\.d\.[mc]?ts$/.test(name)) addFile(p);
    }
  };
  for (const given of paths) {
    const abs = resolve(cwd, given);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new UsageError(`no such file or directory: ${given}`);
    }
    if (st.isDirectory()) walk(abs);
    else if (LINT_EXTENSIONS.has(extname(abs))) addFile(abs);
    else throw new UsageError(`not a JS/TS file (${[...LINT_EXTENSIONS].join(' ')}): ${given}`);
  }
  return [...out];
}

/** Path as shown and written in reports: relative to cwd, with forward slashes. */
export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return (rel === '' || rel.startsWith('..') ? abs : rel).split(sep).join('/');
}

function readSource(abs: string, cwd: string): string {
  try {
    return readFileSync(abs, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${displayPath(abs, cwd)}: ${(err as Error).message}`);
  }
}

/** The findings of one file's text, each with the fixes a user gets (../languageService/fixes.ts: suppression included). */
export function lintText(text: string, file: string, baseWidth?: number): Finding[] {
  // incremental: false: a one-shot run has no previous version to re-parse from
  const r = analyze(text, file, { baseWidth, findingsOnly: true, incremental: false } as Parameters<typeof analyze>[2]);
  return r.findings.map((f) => ({ ...f, fixes: lintFixes(f, text) }));
}

export function lintFiles(files: string[], cwd: string, baseWidth?: number): Finding[] {
  const findings: Finding[] = [];
  for (const abs of files) findings.push(...lintText(readSource(abs, cwd), displayPath(abs, cwd), baseWidth));
  return findings;
}

export interface FixedFile {
  file: string;
  applied: number;
}

/**
 * `--fix`: each file's preferred fixes applied in rounds (../languageService/fixAll.ts) and written back when the text
 * changed (in its own line endings). Returns the files changed.
 */
export function fixFiles(files: string[], cwd: string, baseWidth?: number): FixedFile[] {
  const fixed: FixedFile[] = [];
  for (const abs of files) {
    const text = readSource(abs, cwd);
    const file = displayPath(abs, cwd);
    const r = fixAllSync(text, (t) => analyze(t, file, { baseWidth, findingsOnly: true, incremental: false } as Parameters<typeof analyze>[2]).findings);
    if (r.text === text) continue;
    try {
      writeFileSync(abs, r.text);
    } catch (err) {
      throw new UsageError(`cannot write ${file}: ${(err as Error).message}`);
    }
    fixed.push({ file, applied: r.applied });
  }
  return fixed;
}

const LINT_OPTIONS = {
  format: { type: 'string', default: 'text' },
  'base-width': { type: 'string' },
  fix: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNumericValues(argv, LINT_OPTIONS), allowPositionals: true, options: LINT_OPTIONS });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split(/\.( |$)/)[0]} (see mup-lens lint --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP + '\n');
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`--format must be one of text, json, sarif, got '${format}'`);
  let baseWidth: number | undefined;
  if (values['base-width'] !== undefined) {
    baseWidth = Number(values['base-width']);
    if (!Number.isFinite(baseWidth) || baseWidth <= 0) throw new UsageError(`--base-width must be a positive number, got '${values['base-width']}'`);
  }
  const files = collectFiles(positionals.length ? positionals : ['.'], io.cwd);
  // Nothing linted is not a clean result (as ESLint, exit 2): say where nothing was found.
  if (files.length === 0) throw new UsageError(`no files to lint in ${(positionals.length ? positionals : ['.']).join(', ')} (${[...LINT_EXTENSIONS].join(' ')}; node_modules, dot folders and linked folders are skipped)`);
  // (V8's pretenuring of syntax nodes made linting a corpus ~1.6x slower: ../languageService/heap.ts)
  tuneHeapForAnalysis();
  const fixed = values.fix ? fixFiles(files, io.cwd, baseWidth) : [];
  // After --fix: what remains, as without it (the fixed files re-read).
  const findings = lintFiles(files, io.cwd, baseWidth);
  const out = format === 'json' ? formatJson(findings) : format === 'sarif' ? formatSarif(findings) : formatText(findings);
  if (out) io.stdout(out.endsWith('\n') ? out : out + '\n');
  if (values.fix && format === 'text') {
    const applied = fixed.reduce((n, f) => n + f.applied, 0);
    io.stdout(applied === 0 ? 'no fix applied\n' : `fixed ${applied} ${applied === 1 ? 'problem' : 'problems'} in ${fixed.length} ${fixed.length === 1 ? 'file' : 'files'}: ${fixed.map((f) => f.file).join(', ')}\n`);
  }
  return findings.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}
