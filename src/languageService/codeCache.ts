// Loads a large CommonJS bundle (dist/analyzer.js: the TypeScript compiler inside) with a V8 code cache kept in
// the extension's storage, as VS Code does for its own code: compiling ~10 MB of JavaScript is most of the
// first lint's cost, and with the cache it is mostly gone from the second window on (measured in
// bench/activation.ts). Any problem with the cache (unwritable folder, stale or corrupt data) falls back to
// compiling, never to an error. No `vscode` import.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import * as vm from 'node:vm';

export type CodeCacheUse = 'used' | 'created' | 'rejected' | 'off';

export interface CachedRequireResult {
  exports: unknown;
  /** used: compiled from the cache; created: none yet, written after the first use; rejected: stale, rewritten. */
  cache: CodeCacheUse;
}

export interface CodeCacheOptions {
  /** When to write the cache (default: after the current task). */
  schedule?: (fn: () => void) => void;
  /** Told when the cache could not be read or written; loading goes on without it. */
  onProblem?: (message: string) => void;
}

/**
 * The cache file for this exact bundle: V8 checks a cache against the source's length and its own flags only,
 * so the name carries the bundle's size and mtime and the V8 version.
 */
export function codeCacheFile(file: string, cacheDir: string): string {
  const st = statSync(file);
  const v8 = process.versions.v8.replace(/[^\w.-]/g, '_');
  return join(cacheDir, `${basename(file)}-${st.size}-${Math.round(st.mtimeMs)}-v8-${v8}.cache`);
}

/**
 * `require(file)` through a V8 code cache in `cacheDir`. The cache is written after the current task (by then
 * the caller has run the bundle's hot paths once, so their compiled code is in it), replacing older caches of
 * the same bundle.
 */
export function requireWithCodeCache(file: string, cacheDir: string | undefined, options: CodeCacheOptions = {}): CachedRequireResult {
  const schedule = options.schedule ?? ((fn: () => void) => void setTimeout(fn, 0));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle by its path, as without a cache
  if (!cacheDir) return { exports: require(file), cache: 'off' };
  let cacheFile: string;
  let cachedData: Buffer | undefined;
  try {
    cacheFile = codeCacheFile(file, cacheDir);
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined; // none yet
    }
  } catch (err) {
    options.onProblem?.(`code cache off: ${String(err)}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle by its path, as without a cache
    return { exports: require(file), cache: 'off' };
  }

  const source = readFileSync(file, 'utf8');
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;

  const cache: CodeCacheUse = cachedData === undefined ? 'created' : script.cachedDataRejected ? 'rejected' : 'used';
  if (cache !== 'used') {
    schedule(() => {
      try {
        mkdirSync(cacheDir, { recursive: true });
        const prefix = `${basename(file)}-`;
        for (const old of readdirSync(cacheDir)) {
          if (old.startsWith(prefix) && old.endsWith('.cache') && join(cacheDir, old) !== cacheFile) rmSync(join(cacheDir, old), { force: true });
        }
        writeFileSync(cacheFile, script.createCachedData());
      } catch (err) {
        // A read-only storage folder: compile every time, as without the cache.
        options.onProblem?.(`could not write the code cache ${cacheFile}: ${String(err)}`);
      }
    });
  }
  return { exports: mod.exports, cache };
}
