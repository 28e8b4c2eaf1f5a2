// Builds every bundle of the project with esbuild. One entry per process boundary:
// the extension host, the CLI, the language server and its analysis thread, the worker (user code + tfjs
// run only there), the runtime export for users' models, and the webview (DOM). `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

// Native or optional packages are never bundled: esbuild and webgpu (Dawn) ship a binary per platform, and the
// tfjs-node packages are loaded from the user's workspace by the worker when present.
const nodeExternal = ['vscode', 'esbuild', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu'];

const nodeEntries = [
  { in: 'src/extension.ts', out: 'extension' },
  { in: 'src/cli.ts', out: 'cli' },
  { in: 'src/worker/main.ts', out: 'worker' },
  { in: 'src/mup/runtime.ts', out: 'runtime' },
  // The analyzer (TypeScript compiler inside, ~10 MB) in its own bundle: the extension requires it on the first
  // document it lints, so that activation does not pay for compiling it (src/client/index.ts).
  { in: 'src/languageService/analyzerBundle.ts', out: 'analyzer' },
  // The language server (its own process: the extension forks it, `mup-lens lsp` runs the same code) and its
  // analysis thread, which loads dist/analyzer.js; the server's main thread never does.
  { in: 'src/server/entry.ts', out: 'server' },
  // vscode-languageclient (~0.8 MB): the extension requires it right after activation, not inside it.
  { in: 'src/client/client.ts', out: 'languageClient' },
  // `mup-lens/eslint`: the ESLint plugin (it requires dist/analyzer.js beside it).
  { in: 'src/eslint/index.ts', out: 'eslint' },
  { in: 'src/server/analysisWorker.ts', out: 'analysisWorker' },
].filter((e) => existsSync(join(root, e.in)));

const builds = nodeEntries.map((entry) => ({
  entryPoints: [entry],
  outdir: dist,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  // The runtime binds to the user's own @tensorflow/tfjs (one tfjs instance for model, engine and runtime).
  external: entry.out === 'runtime' ? [...nodeExternal, '@tensorflow/tfjs'] : nodeExternal,
  // The CLI is the package's `bin`: it must be directly executable.
  banner: entry.out === 'cli' ? { js: '#!/usr/bin/env node' } : undefined,
  logLevel: 'warning',
}));
if (existsSync(join(root, 'webview/src/main.ts'))) {
  builds.push({
    entryPoints: [{ in: 'webview/src/main.ts', out: 'webview' }],
    outdir: dist,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: true,
    minify: !watch,
    loader: { '.css': 'css' },
    logLevel: 'warning',
  });
}

function copyAssets() {
  // Declarations of `mup-lens/runtime` for TypeScript users (types-only sources, valid as .d.ts).
  if (existsSync(join(root, 'src/mup/runtime.dist.d.ts'))) {
    cpSync(join(root, 'src/mup/runtime.dist.d.ts'), join(dist, 'runtime.d.ts'));
    cpSync(join(root, 'src/mup/runtime-types.ts'), join(dist, 'runtime-types.d.ts'));
  }
  if (existsSync(join(root, 'src/eslint/eslint.dist.d.ts'))) cpSync(join(root, 'src/eslint/eslint.dist.d.ts'), join(dist, 'eslint.d.ts'));
  // The wasm backend loads its .wasm binaries from next to the bundle that uses it.
  const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    if (existsSync(join(wasmDir, f))) cpSync(join(wasmDir, f), join(dist, f));
  }
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  copyAssets();
  console.log('watching…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  copyAssets();
}
