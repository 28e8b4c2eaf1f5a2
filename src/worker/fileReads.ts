// The files a user's code reads in this worker (issue 20 item 1): a model that reads a config or data file at run
// time, or requires a package (a workspace package symlinked into node_modules), depends on those files, and a trial
// reused from the store after one of them changed would be a stale, confidently wrong result. From the first user
// module on, every read through node's fs (readFileSync, readFile, open for reading, createReadStream; require reads
// its files through them too) is noted; the host stores each file's hash with the trial and reruns the trial when a
// file changed (src/host/fileReads.ts). The worker's own files (its bundle's folder, tfjs, mup-lens) are not noted.
// the module object itself (a namespace import is a copy with getters in a bundle: not patchable)
import fs from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const reads = new Set<string>();
let installed = false;
const own = dirname(__filename) + sep;

function noteable(p: string): boolean {
  return !(
    p.startsWith(own) ||
    /[\\/]node_modules[\\/](@tensorflow|mup-lens|esbuild|@esbuild)[\\/]/.test(p) ||
    /^\/(proc|sys|dev)\//.test(p)
  );
}

/** Whether open flags read only ('r', 'rs', O_RDONLY, or none given). */
const readOnly = (flags: unknown): boolean => flags === undefined || flags === null || flags === 'r' || flags === 'rs' || flags === fs.constants.O_RDONLY;

function note(path: unknown, flags: unknown): void {
  if (!readOnly(flags)) return; // opened for writing
  let p: string | undefined;
  if (typeof path === 'string') p = path;
  else if (path instanceof URL && path.protocol === 'file:') p = fileURLToPath(path);
  else if (Buffer.isBuffer(path)) p = path.toString();
  if (p === undefined) return; // a file descriptor: its open was noted
  const abs = resolve(p);
  if (noteable(abs)) reads.add(abs);
}

type Fn = (...args: unknown[]) => unknown;
/** `options`: the second argument is an encoding or `{ flag | flags }`; `flags`: it is the open flags. */
function wrap(obj: object, name: string, second: 'options' | 'flags'): void {
  const o = obj as Record<string, Fn>;
  const orig = o[name];
  if (typeof orig !== 'function') return;
  o[name] = function (this: unknown, ...args: unknown[]): unknown {
    try {
      const a = args[1];
      const flags = second === 'flags' ? (typeof a === 'function' ? undefined : a) : typeof a === 'object' && a !== null ? ((a as { flag?: unknown }).flag ?? (a as { flags?: unknown }).flags) : undefined;
      note(args[0], flags);
    } catch {
      // noting is best effort: the read itself goes on
    }
    return orig.apply(this, args);
  };
}

/** Starts noting reads (once per worker): called before the first user module is evaluated. */
export function recordFileReads(): void {
  if (installed) return;
  installed = true;
  wrap(fs, 'readFileSync', 'options');
  wrap(fs, 'readFile', 'options');
  wrap(fs, 'createReadStream', 'options');
  wrap(fs, 'openSync', 'flags');
  wrap(fs, 'open', 'flags');
  wrap(fs.promises, 'readFile', 'options');
  wrap(fs.promises, 'open', 'flags');
}

/** Every file user code read in this worker so far, sorted. */
export function fileReads(): string[] {
  return [...reads].sort();
}
