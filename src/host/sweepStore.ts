// The trial store: one JSON line per finished trial, appended the moment it finishes, so a crash or a
// cancel loses only the trials still running. A rerun with identical settings reuses what is stored.
//
// Concurrency: several sweeps (two terminals, a Slurm array, the editor and the CLI) may append to one store.
// Each line is written by ONE write(2) on a descriptor opened with O_APPEND: the kernel moves to the end and
// writes atomically for a regular local file, so lines never interleave, whatever their length. To a pipe or FIFO,
// lines must stay below PIPE_BUF (4096 bytes; checked below) for the same to hold. Shards write their own file
// (`trials.shard-<i>-of-<n>.jsonl`) in the same directory because O_APPEND is not atomic on NFS; readers merge
// every `*.jsonl` file of the directory.
// A crash in the middle of a write leaves a truncated last line: readers skip it with a warning, and the next
// writer starts a fresh line.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { HpValues, Parametrization, TrialOutcome } from '../protocol/jobs';
import type { AxisValues, DepthSchemeRecord } from '../sweep/axes';
import { storedTrialProblem } from '../sweep/validate';
import { OutputError, outputError } from './outputFile';

export type { TrialOutcome };

/** Bumped when the trial loop changes what a stored loss means; part of every trial's identity. */
export const TRIAL_FORMAT = 1;
/** Largest line we write; PIPE_BUF on Linux. */
export const MAX_LINE_BYTES = 4096;


/**
 * Where a trial's batches come from: `default` = the model file's own `data` export if it has one, else the
 * synthetic task (the model file's hash covers which); `synthetic` forced; or another file's export.
 */
export type DataIdentity = { kind: 'default' } | { kind: 'synthetic' } | { kind: 'export'; sha256: string; export: string };

/** Everything that determines a trial's result. Two trials with equal identity are the same experiment. */
export interface TrialIdentity {
  modelSha256: string;
  exportName: string;
  width: number;
  lr: number;
  seed: number;
  steps: number;
  parametrization: Parametrization;
  /** muP base width (also recorded for SP: the SP model does not depend on it, but the settings are kept whole). */
  baseWidth: number;
  data: DataIdentity;
  format: number;
  /**
   * The swept hyperparameters' values (`--hp`), present only in a sweep with HP axes: a trial without HPs has
   * exactly the identity (and key) it always had, so stores written before HP axes existed stay valid.
   */
  hp?: HpValues;
  /** The trial's values on the axes beyond width (issue 22), present only in a sweep with such axes: other trials
   *  keep their identity and key. With a steps axis, `steps` above is the trial's own. */
  axes?: AxisValues;
  /** A muP depth sweep's scheme (`sweep --alpha`), present only where MuAdam's depth factors change the trial (alpha > 0
   *  at a depth other than the base; src/sweep/axes.ts depthIdentity): trials of another scheme are never reused. */
  depthScheme?: DepthSchemeRecord;
}

export interface StoredTrial {
  v: 1;
  key: string;
  identity: TrialIdentity;
  /** Recorded, not part of the identity: a trial is reused across backends and versions of mup-lens. */
  modelFile: string;
  backend: string;
  version: string;
  outcome: TrialOutcome;
  finishedAt: string;
  /** The files the trial read at run time (config, data, packages' files; absolute path -> sha256): the trial is
   *  reused only while each still hashes the same (src/host/fileReads.ts). Absent when it read none. */
  reads?: Record<string, string>;
  /** Which of the trial's HPs its factory (or data export) read, during the build and the training: a swept HP that
   *  is never read trains the same model at every value (src/host/sweep.ts stops such a sweep). */
  hpRead?: string[];
}

/** Stable JSON: keys sorted, so the same settings always give the same text and hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export function trialKey(identity: TrialIdentity): string {
  return sha256(canonicalJson(identity)).slice(0, 32);
}

export function storeFileName(shard?: { index: number; count: number }): string {
  return shard ? `trials.shard-${shard.index}-of-${shard.count}.jsonl` : 'trials.jsonl';
}

export interface StoreContents {
  /** Per key the first record in file order, or the latest finished (`finishedAt`) when they differ. */
  trials: Map<string, StoredTrial>;
  warnings: string[];
}

/** Reads every `*.jsonl` file of a store directory (missing directory = empty store). */
export function readStore(dir: string): StoreContents {
  const trials = new Map<string, StoredTrial>();
  const warnings: string[] = [];
  if (!existsSync(dir)) return { trials, warnings };
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort((a, b) => (a === 'trials.jsonl' ? -1 : b === 'trials.jsonl' ? 1 : a.localeCompare(b)));
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    const lines = text.split('\n');
    const endsClean = text.endsWith('\n') || text === '';
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const isLast = i === lines.length - 1;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        warnings.push(
          isLast && !endsClean
            ? `${f}:${i + 1}: skipped a truncated last line (a sweep was interrupted while writing it)`
            : `${f}:${i + 1}: skipped a line that is not JSON`,
        );
        return;
      }
      if (!isStoredTrial(rec)) {
        warnings.push(`${f}:${i + 1}: skipped a line that is not a trial record`);
        return;
      }
      // A value no trial produces (a negative loss, an LR <= 0): the line was edited or damaged; it runs again.
      const problem = storedTrialProblem(rec as unknown as Parameters<typeof storedTrialProblem>[0]);
      if (problem) {
        warnings.push(`${f}:${i + 1}: skipped a trial record that no trial writes: ${problem}`);
        return;
      }
      // The first record of a key, unless a later-finished one follows (a trial run again with --fresh, or because a
      // file it read changed, supersedes the old record).
      const prev = trials.get(rec.key);
      if (!prev || (typeof rec.finishedAt === 'string' && rec.finishedAt > prev.finishedAt)) trials.set(rec.key, rec);
    });
  }
  return { trials, warnings };
}

function isStoredTrial(x: unknown): x is StoredTrial {
  const r = x as StoredTrial;
  return (
    typeof r === 'object' && r !== null && r.v === 1 && typeof r.key === 'string' &&
    typeof r.identity === 'object' && r.identity !== null && typeof r.outcome === 'object' && r.outcome !== null &&
    typeof r.outcome.diverged === 'boolean'
  );
}

/** Appends one record as one line with a single O_APPEND write. */
export function appendTrial(dir: string, fileName: string, record: StoredTrial): void {
  const line = JSON.stringify(record) + '\n';
  const path = join(dir, fileName);
  let fd: number;
  try {
    mkdirSync(dir, { recursive: true });
    // O_NOFOLLOW: never append to a link's target (issue 20 item 5)
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0), 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new OutputError(`refusing to append to ${path}: it is a symbolic link (mup-lens does not write through links; remove it or store the sweep elsewhere)`);
    throw outputError(path, err);
  }
  try {
    // A previous writer that crashed mid-line left no newline: start on a fresh line so this record stays whole.
    const st = fstatSync(fd);
    const size = st.isFile() ? st.size : 0;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      const rfd = openSync(path, 'r');
      try {
        readSync(rfd, last, 0, 1, size - 1);
      } finally {
        closeSync(rfd);
      }
      if (last[0] !== 0x0a) prefix = '\n';
    }
    const buf = Buffer.from(prefix + line, 'utf8');
    // One write(2) with O_APPEND keeps a line whole in a regular file whatever its length; a pipe or FIFO only up to
    // PIPE_BUF (a long record, e.g. many HPs or files read, must not stop a sweep that stores to a file).
    if (!st.isFile() && buf.length > MAX_LINE_BYTES) throw new OutputError(`cannot append a trial record of ${buf.length} bytes to ${path}: more than ${MAX_LINE_BYTES} bytes cannot be written whole to a pipe`);
    let n: number;
    try {
      n = writeSync(fd, buf, 0, buf.length);
    } catch (err) {
      throw outputError(path, err);
    }
    if (n !== buf.length) throw new OutputError(`cannot write ${path}: short write (${n} of ${buf.length} bytes; is the disk full?)`);
  } finally {
    closeSync(fd);
  }
}
