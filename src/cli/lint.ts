// `mup-lens lint [paths...] --format text|json|sarif` (docs/contracts.md "lint"): the analyzer over files and
// directories. Exit 0: no error or warning findings; 1: some; 2: usage error (bad flag, missing path).
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { analyze } from '../analyzer';
import type { Finding } from '../analyzer/types';
import { formatJson } from './format/json';
import { formatSarif } from './format/sarif';
import { formatText } from './format/text';
import { joinNumericValues, UsageError, type CliIO } from './io';

const HELP = `usage: mup-lens lint [paths...] [options]

Flags tfjs layers that are not muP-scaled (readouts, attention, inits, optimizers) in .ts .tsx .js .jsx
.mjs .cjs files. Directories are walked (node_modules, dist, .git and other dot-directories skipped);
no path means the current directory. Rules: docs/rules.md.

options:
  --format text|json|sarif   default text (ESLint-style); json per DESIGN.md; sarif 2.1.0 for code scanning
  --base-width N             muP base width used in messages and fixes (default 64)
  -h, --help                 this help
exit: 0 no error or warning findings, 1 findings, 2 usage error`;

export const LINT_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
const SKIP_DIRS = new Set(['node_modules', 'dist']);

/**
 * Files to lint under `paths` (relative to cwd), sorted, each once. Symbolic links are followed, but each real
 * directory is walked once and each real file linted once: a link back to a parent ends instead of looping, and a
 * second way to the same tree adds nothing.
 */
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

export function lintFiles(files: string[], cwd: string, baseWidth?: number): Finding[] {
  const findings: Finding[] = [];
  for (const abs of files) {
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${displayPath(abs, cwd)}: ${(err as Error).message}`);
    }
    const file = displayPath(abs, cwd);
    // incremental: false: a one-shot run has no previous version to re-parse from
    const r = analyze(text, file, { baseWidth, incremental: false } as Parameters<typeof analyze>[2]);
    findings.push(...r.findings);
  }
  return findings;
}

const LINT_OPTIONS = {
  format: { type: 'string', default: 'text' },
  'base-width': { type: 'string' },
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
  const findings = lintFiles(files, io.cwd, baseWidth);
  const out = format === 'json' ? formatJson(findings) : format === 'sarif' ? formatSarif(findings) : formatText(findings);
  if (out) io.stdout(out.endsWith('\n') ? out : out + '\n');
  return findings.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}
