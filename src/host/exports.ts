// The exports of a model file, known without running it (issue 20 item 6): esbuild bundles it as an ES module and
// lists what the entry exports, so `sweep model.ts#nope` is refused in one line before a worker starts. Unknown
// (null) for a CommonJS file or one that re-exports a package (`export * from 'pkg'`): then the worker says it.
import type * as Esbuild from 'esbuild';
import { resolve } from 'node:path';
import { userBundleOptions } from '../protocol/userBundle';

export async function staticExports(file: string): Promise<string[] | null> {
  try {
    const esbuild: typeof Esbuild = await import('esbuild');
    const out = await esbuild.build({ ...userBundleOptions(resolve(file)), format: 'esm', metafile: true, absWorkingDir: process.cwd() });
    if (Object.values(out.metafile.inputs).some((x) => x.format !== 'esm')) return null;
    if (out.outputFiles.some((f) => /^export \* from /m.test(f.text))) return null;
    const output = Object.values(out.metafile.outputs)[0];
    return output ? [...output.exports].sort() : null;
  } catch {
    return null; // a file that does not bundle: the worker says why
  }
}

/** The refusal (as the worker words it) when `file` surely lacks `exportName`; null when it has it or that cannot
 *  be known. `shown`: the file as the user named it. */
export async function missingExport(file: string, exportName: string, shown: string): Promise<string | null> {
  const names = await staticExports(file);
  if (names === null || names.includes(exportName)) return null;
  return `export '${exportName}' not found in ${shown}; its exports: ${names.length ? names.join(', ') : 'none'}`;
}
