// How a user's model file is bundled with esbuild: by the worker to run it (loadModule.ts) and by the sweep
// store to hash what runs (src/sweep/sourceHash.ts). One definition, so the hash covers exactly the files the
// worker bundles. Type-only import: the extension host loads esbuild only when it bundles.
import type { BuildOptions } from 'esbuild';

export function userBundleOptions(entry: string): BuildOptions & { write: false } {
  return {
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // npm packages resolve from the model's own directory at run time; tfjs and the runtime are the worker's
    packages: 'external',
    external: ['@tensorflow/*', 'mup-lens', 'mup-lens/*'],
    logLevel: 'silent',
  };
}
