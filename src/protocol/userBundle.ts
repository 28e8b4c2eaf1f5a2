// How a user's model file is bundled with esbuild: by the worker to run it (src/worker/loadModule.ts) and by the
// host to hash what runs for the sweep store (src/host/sourceHash.ts). One definition shared by both sides of the
// process boundary, so the hash covers exactly the files the worker bundles. Type-only import: the extension host
// loads esbuild only when it bundles.
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
