// The files a trial read at run time (src/worker/fileReads.ts notes them in the worker), hashed when the trial
// finishes and stored with it; a stored trial is reused only while every one of them still hashes the same (issue
// 20 item 1: a config or data file, or a package's file, changed since is a different experiment).
import { readFileSync, statSync } from 'node:fs';
import { sha256 } from './sweepStore';

export class FileHashes {
  private readonly cache = new Map<string, string | null>();

  /** The file's sha256, or null when it is gone or not a file; once per run and path. */
  hash(path: string): string | null {
    let h = this.cache.get(path);
    if (h === undefined) {
      try {
        h = statSync(path).isFile() ? sha256(readFileSync(path)) : null;
      } catch {
        h = null;
      }
      this.cache.set(path, h);
    }
    return h;
  }

  /** What a trial stores: each read file's hash (files gone meanwhile left out). */
  record(paths: readonly string[] | undefined): Record<string, string> | undefined {
    if (!paths?.length) return undefined;
    const out: Record<string, string> = {};
    for (const p of paths) {
      const h = this.hash(p);
      if (h !== null) out[p] = h;
    }
    return Object.keys(out).length ? out : undefined;
  }

  /** The first file of a stored trial's reads that changed or is gone, or null when all hash as stored. */
  changed(reads: Record<string, string> | undefined): string | null {
    if (!reads || typeof reads !== 'object') return null;
    for (const [p, h] of Object.entries(reads)) if (this.hash(p) !== h) return p;
    return null;
  }
}
