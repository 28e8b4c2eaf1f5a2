// The hash a stored trial's identity takes for the model (or data) file: the file itself and every local file
// it imports, as esbuild resolves them for the worker's bundle (src/protocol/userBundle.ts), so editing a helper
// the model imports makes its old trials stale too. npm packages are left out (their version is not the
// model's). A file without local imports hashes exactly as before (its own bytes), so stores written before
// imports were hashed are still reused.
import type * as Esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { userBundleOptions } from '../protocol/userBundle';
import { sha256 } from './sweepStore';

/** The local files `file` pulls in (itself first, then sorted), or just itself when it does not bundle. */
export async function localSources(file: string): Promise<string[]> {
  const abs = resolve(file);
  try {
    // Loaded here, not at the top: this module is in the extension's bundle, which must not load esbuild
    // when it activates.
    const esbuild: typeof Esbuild = await import('esbuild');
    const out = await esbuild.build({ ...userBundleOptions(abs), metafile: true, absWorkingDir: process.cwd() });
    const inputs = Object.keys(out.metafile.inputs)
      // files only: not packages, not another esbuild namespace (`ns:path`; a Windows drive `C:\` is a file)
      .filter((p) => !/(^|[\\/])node_modules[\\/]/.test(p) && (!p.includes(':') || /^[A-Za-z]:[\\/]/.test(p)))
      .map((p) => resolve(process.cwd(), p))
      .filter((p) => p !== abs)
      .sort();
    return [abs, ...inputs];
  } catch {
    // A file that does not bundle will fail in the worker with a clear message; hash what there is.
    return [abs];
  }
}

export async function sourceHash(file: string): Promise<string> {
  const files = await localSources(file);
  if (files.length === 1) return sha256(readFileSync(files[0]!));
  const root = files[0]!;
  const parts = files.map((f) => `${relative(root, f)}\0${sha256(readFileSync(f))}`);
  return sha256(parts.join('\n'));
}
