// The analyzer on the extension host, for host code that still analyses by itself (the commands' quick pick of a
// file's model factories). The language features no longer do: they come from the language server, and
// documentAnalysis() in ./index.ts gives the server's analysis of a document. The analyzer bundle
// (dist/analyzer.js, TypeScript compiler inside) is required on first use, never at activation.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { AnalyzerApi } from './analyzerApi';
import { requireWithCodeCache } from './codeCache';

/** Where V8's compiled code of dist/analyzer.js is kept (the extension's global storage); unset: no cache. */
let codeCacheDir: string | undefined;
let codeCacheLog: ((message: string) => void) | undefined;

export function setAnalyzerCodeCache(dir: string | undefined, log?: (message: string) => void): void {
  codeCacheDir = dir;
  codeCacheLog = log;
}

/**
 * The analyzer bundle sits beside the extension bundle (dist/analyzer.js) and is compiled through a V8 code
 * cache. Run from source (unit tests under tsx) there is no bundle: the source module is used instead.
 */
export function loadAnalyzerBundle(): AnalyzerApi {
  // Computed paths: esbuild leaves them alone, so the TypeScript compiler stays out of dist/extension.js.
  const bundle = path.join(__dirname, 'analyzer.js');
  let mod: Partial<AnalyzerApi>;
  let target = bundle;
  if (existsSync(bundle)) {
    const started = performance.now();
    const loaded = requireWithCodeCache(bundle, codeCacheDir, { onProblem: codeCacheLog });
    mod = loaded.exports as Partial<AnalyzerApi>;
    codeCacheLog?.(`analyzer bundle compiled and run in ${(performance.now() - started).toFixed(0)} ms (code cache: ${loaded.cache})`);
  } else {
    target = path.join(__dirname, 'analyzerBundle');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(target) as Partial<AnalyzerApi>;
  }
  if (typeof mod.analyze !== 'function') throw new Error(`${target} exports no analyze()`);
  return mod as AnalyzerApi;
}

let shared: AnalyzerApi | undefined;

/**
 * The analyzer for any code on the extension host (commands listing a file's model factories, ...), loaded on
 * first use and shared with the language features. Import this instead of `../analyzer`: a static import puts
 * the TypeScript compiler (~10 MB) into dist/extension.js and into every activation.
 */
export function loadAnalyzer(): AnalyzerApi {
  shared ??= loadAnalyzerBundle();
  return shared;
}
