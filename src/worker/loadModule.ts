// Loads a user's model file inside the worker: esbuild bundles it (TS or JS, ESM or CJS, local imports
// followed) to CJS in memory, and it is evaluated with a `require` that hands it the ONE tf instance the worker
// selected (so the model's tensors and the engine's share a backend) and `mup-lens/runtime` bound to it.
// npm packages other than tfjs stay external and resolve from the model's own directory upwards.
import { createHash } from 'node:crypto';
import * as esbuild from 'esbuild';
import Module from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserCodeError, userError } from './errors';

const TF_IDS = new Set([
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
]);

/** Stack traces of bundled code map back to the user's files through the inline source map. */
process.setSourceMapsEnabled(true);

export interface LoadOptions {
  tf: unknown;
  /** `mup-lens/runtime` for the user's module: createMup(tf), or a thrower when the runtime is missing. */
  runtime: () => unknown;
}

const cache = new Map<string, Record<string, unknown>>();

export async function loadUserModule(file: string, opts: LoadOptions): Promise<Record<string, unknown>> {
  const abs = resolve(file);
  if (!existsSync(abs)) {
    throw new UserCodeError({ kind: 'usage', message: `model file not found: ${abs}` });
  }
  let code: string;
  try {
    const out = await esbuild.build({
      entryPoints: [abs],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      packages: 'external',
      external: ['@tensorflow/*', 'mup-lens', 'mup-lens/*'],
      outfile: abs + '.mup-bundle.js',
      logLevel: 'silent',
    });
    code = out.outputFiles[0].text;
  } catch (err) {
    const e = err as { errors?: esbuild.Message[] };
    const first = e.errors?.[0];
    if (first) {
      throw new UserCodeError({
        kind: 'usage',
        message: `cannot bundle ${abs}: ${first.text}`,
        file: first.location ? resolve(dirname(abs), first.location.file) : abs,
        line: first.location?.line,
      });
    }
    throw new UserCodeError({ kind: 'usage', message: `cannot bundle ${abs}: ${String(err)}` });
  }
  // A worker serves many jobs: the module is evaluated again whenever the bundle (the file or its local imports)
  // changed since the last job, and reused when it did not (custom layer classes register once).
  const key = abs + '\0' + createHash('sha1').update(code).digest('hex');
  const cached = cache.get(key);
  if (cached) return cached;
  const filename = abs + '.mup-bundle.js';
  const m = new Module(filename) as Module & { _compile(code: string, filename: string): void; paths: string[] };
  m.filename = filename;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(abs));
  const baseRequire = m.require.bind(m);
  m.require = Object.assign(
    (id: string): unknown => {
      if (TF_IDS.has(id)) return opts.tf;
      if (id === 'mup-lens/runtime') return opts.runtime();
      return baseRequire(id);
    },
    { resolve: baseRequire, cache: {} },
  ) as unknown as NodeJS.Require;
  try {
    m._compile(code, filename);
  } catch (err) {
    throw userError(err, `loading ${abs} threw`);
  }
  const exports = m.exports as Record<string, unknown>;
  cache.set(key, exports);
  return exports;
}

