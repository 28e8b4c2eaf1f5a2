// The one way mup-lens writes an output file (result.json, sweep.json, index.html, report.html, transfer files and
// pages): into a temporary file beside it, then renamed over it, so a reader never sees half a file and a full disk
// leaves the old file (or none), never a 0-byte one; never through a symbolic link (a link where an output goes
// may point out of the project: refused, with what to do); and what goes wrong is one line (OutputError), which
// the callers print after the verdict they already have.
import { accessSync, closeSync, constants, lstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** An output that could not be written: `message` is the one line to show. */
export class OutputError extends Error {}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'over the disk quota',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of its path is a file, not a folder',
  ELOOP: 'it is a symbolic link',
  ENAMETOOLONG: 'the path is too long',
};

/** `cannot write PATH: REASON` for an fs error (the code's words, else node's message's first line). */
export function outputError(path: string, err: unknown): OutputError {
  if (err instanceof OutputError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  const reason = (code && REASONS[code]) ?? String((err as Error)?.message ?? err).split('\n')[0];
  return new OutputError(`cannot write ${path}: ${reason}`);
}

/** The nearest folder above `path` that exists must be a folder we may write in (OutputError otherwise). */
function checkParent(path: string): void {
  let dir = dirname(path);
  for (;;) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      const up = dirname(dir);
      if (up === dir) return;
      dir = up;
      continue;
    }
    if (!st.isDirectory()) throw new OutputError(`cannot write ${path}: ${REASONS.ENOTDIR} (${dir})`);
    try {
      accessSync(dir, constants.W_OK);
    } catch (err) {
      throw outputError(path, err);
    }
    return;
  }
}

/** Refuses a path that is a symbolic link or a folder, or whose folder cannot be made or written (OutputError);
 *  a new file in a writable folder is fine. */
export function checkOutputPath(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    checkParent(path);
    return;
  }
  if (st.isSymbolicLink()) throw new OutputError(`refusing to write ${path}: it is a symbolic link (mup-lens does not write through links; remove it or write elsewhere)`);
  if (st.isDirectory()) throw new OutputError(`cannot write ${path}: it is a folder`);
}

/** Writes `content` to `path` atomically (temporary file + rename), its folder made if missing; OutputError on failure. */
export function writeOutputFile(path: string, content: string | Buffer): void {
  checkOutputPath(path);
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  let fd: number | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    // O_EXCL: a new file of ours, never an existing one or a link someone placed there
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    closeSync(fd);
    fd = undefined;
    checkOutputPath(path);
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw outputError(path, err);
  }
}

export function writeJsonOutput(path: string, value: unknown): void {
  writeOutputFile(path, JSON.stringify(value, null, 2) + '\n');
}
