// Loads a user's model file inside the worker: esbuild bundles it (TS or JS, ESM or CJS, local imports
// followed) to CJS in memory, and it is evaluated with a `require` that hands it the ONE tf instance the worker
// selected (so the model's tensors and the engine's share a backend) and `mup-lens/runtime` bound to it.
// npm packages other than tfjs stay external and resolve from the model's own directory upwards.
import { createHash } from 'node:crypto';
import * as esbuild from 'esbuild';
import Module from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserCodeError, userError, userFrame } from '../job/errors';
import { userBundleOptions } from '../protocol/userBundle';
import { recordFileReads } from './fileReads';

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

// Where the user's code built each layer. The tf the user's module gets is a copy of the worker's whose
// `tf.layers.<factory>` functions note the call's stack (V8 formats it, through the bundle's source map, only
// when it is read); the coordinate check reads it for the layers it reports, so a layer built in a helper file,
// in a loop or without a name still points at its own line.
const layerStacks = new WeakMap<object, { stack?: string }>();
const traced = new WeakMap<object, Record<string, unknown>>();

/** The source line of a layer built by the user's code through `tf.layers.*`; null when unknown. */
export function layerSite(layer: unknown): { file: string; line: number } | null {
  const holder = layer && typeof layer === 'object' ? layerStacks.get(layer) : undefined;
  return (holder?.stack ? userFrame(holder.stack) : undefined) ?? null;
}

function tracedTf(tf: unknown): unknown {
  if (!tf || typeof tf !== 'object') return tf;
  const hit = traced.get(tf);
  if (hit) return hit;
  const src = tf as Record<string, unknown>;
  const layers = src.layers as Record<string, unknown> | undefined;
  if (!layers || typeof layers !== 'object') return tf;
  const copy = (from: object, into: object) => {
    for (const k of Object.getOwnPropertyNames(from)) {
      const d = Object.getOwnPropertyDescriptor(from, k)!;
      Object.defineProperty(into, k, { ...d, configurable: true });
    }
  };
  const wrappedLayers: Record<string, unknown> = Object.create(Object.getPrototypeOf(layers) as object | null);
  copy(layers, wrappedLayers);
  for (const k of Object.keys(layers)) {
    const fn = layers[k];
    // factories (dense, conv2d, ...) only; classes (Layer, RNN, ...) keep their identity for `extends`
    if (typeof fn !== 'function' || !/^[a-z]/.test(k)) continue;
    const wrapper = function (this: unknown, ...args: unknown[]): unknown {
      const made = (fn as (...a: unknown[]) => unknown).apply(this, args);
      if (made && typeof made === 'object') {
        const holder: { stack?: string } = {};
        Error.captureStackTrace(holder, wrapper);
        layerStacks.set(made, holder);
      }
      return made;
    };
    Object.defineProperty(wrapper, 'name', { value: k });
    Object.defineProperty(wrappedLayers, k, { value: wrapper, enumerable: true, configurable: true, writable: true });
  }
  const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(tf) as object | null);
  copy(tf, out);
  Object.defineProperty(out, 'layers', { value: wrappedLayers, enumerable: true, configurable: true });
  traced.set(tf, out);
  return out;
}

export async function loadUserModule(file: string, opts: LoadOptions): Promise<Record<string, unknown>> {
  const abs = resolve(file);
  if (!existsSync(abs)) {
    throw new UserCodeError({ kind: 'usage', message: `model file not found: ${abs}` });
  }
  let code: string;
  try {
    const out = await esbuild.build({
      ...userBundleOptions(abs),
      sourcemap: 'inline',
      sourcesContent: false,
      outfile: abs + '.mup-bundle.js',
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
      if (TF_IDS.has(id)) return tracedTf(opts.tf);
      if (id === 'mup-lens/runtime') return opts.runtime();
      return baseRequire(id);
    },
    { resolve: baseRequire, cache: {} },
  ) as unknown as NodeJS.Require;
  recordFileReads(); // from the first user module on (./fileReads.ts)
  try {
    m._compile(code, filename);
  } catch (err) {
    throw userError(err, `loading ${abs} threw`);
  }
  const exports = m.exports as Record<string, unknown>;
  cache.set(key, exports);
  return exports;
}

