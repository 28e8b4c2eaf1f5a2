import { accessSync, constants, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
// What a CLI subcommand may touch, injected so tests can run commands in-process.
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

/** A user mistake (bad flag, missing path, model that fails to load): exit 2 with this one-line message. */
export class UsageError extends Error {}

/** A flag's positive integer; `dflt` when the flag is absent (undefined without a default). */
export function positiveInt(v: string | undefined, flag: string): number | undefined;
export function positiveInt(v: string | undefined, flag: string, dflt: number): number;
export function positiveInt(v: string | undefined, flag: string, dflt?: number): number | undefined {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: expected a positive integer, got '${v}'`);
  return n;
}

/** A flag's value from a fixed list; the one-line usage error names the list. */
export function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}

/**
 * `--lr -1`: node's parseArgs calls a value starting with '-' "ambiguous" (a three-line message). A string
 * option followed by something that reads as a number is that option's value, so the flag's own check says
 * what is wrong with it ("--lr must be a positive number, got '-1'").
 */
export function joinNumericValues(argv: string[], options: Record<string, { type: 'string' | 'boolean' }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && options[a.slice(2)]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** node's parseArgs errors as one short line: "unknown option '--bogus'", "--lr needs a value". */
export function parseArgsMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option '${unknown[1]}'`;
  const missing = /^Option '(--?[\w-]+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  const noArg = /^Option '(--?[\w-]+)' does not take an argument/.exec(message);
  if (noArg) return `${noArg[1]} takes no value`;
  return message.split('\n')[0];
}

/**
 * Creates the output directory before any work runs, so a bad --out costs nothing and reads as one line
 * (not a stack trace after the check). Throws UsageError.
 */
export function ensureOutDir(dir: string, flag = '--out'): string[] {
  try {
    const created = makeDirs(dir);
    accessSync(dir, constants.W_OK);
    return created;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOTDIR' ? 'a file is in the way' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code === 'ENOENT' ? 'directories cannot be made there' : code ?? String(err);
    throw new UsageError(`${flag}: cannot create or write ${dir} (${why})`);
  }
}

/**
 * `mkdir -p`, one component at a time. Node's `mkdirSync(dir, {recursive: true})` never returns for a path
 * under /proc (it keeps retrying the parent); this finds the deepest existing ancestor, then creates each
 * missing directory below it, so every failure is an error with a code.
 */
export function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  let cur = resolve(dir);
  for (;;) {
    try {
      if (!statSync(cur).isDirectory()) throw Object.assign(new Error(`${cur} is not a directory`), { code: 'ENOTDIR' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(cur);
      const up = dirname(cur);
      if (up === cur) break;
      cur = up;
    }
  }
  const created: string[] = [];
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
      created.push(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return created;
}

/** Removes the directories `ensureOutDir` created (deepest first) that are still empty: a failed run leaves none. */
export function removeEmptyDirs(created: string[]): void {
  for (const d of [...created].reverse()) {
    try {
      if (readdirSync(d).length > 0) return;
      rmdirSync(d);
    } catch {
      return;
    }
  }
}
