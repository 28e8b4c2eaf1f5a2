// Runs what a quick fix leaves: the fixed text is written to a temporary file and loaded the way a coordinate
// check loads a model (the worker's module loader: esbuild bundle, the one tf instance, `mup-lens/runtime`),
// so a fix that parses but is wrong at run time (a tensor divided by a number in plain JS, an array where a
// number belongs) fails here with the value it produced.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { after } from 'node:test';
import * as ts from 'typescript';
import { createMup } from '../../../src/mup/index';
import { loadUserModule } from '../../../src/worker/loadModule';

export { tf };

export interface LoadFixedOptions {
  /** Expose tf as the browser global `tf` while the module loads and runs (a `<script>`-tag file). */
  globalTf?: boolean;
}

/** Loads `text` as a model file named `fileName`; the returned `dispose` removes it (and the global). */
export async function loadFixed(
  text: string,
  fileName = 'model.ts',
  options: LoadFixedOptions = {},
): Promise<{ exports: Record<string, unknown>; dispose: () => void }> {
  await tf.setBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'mup-fixed-'));
  const file = join(dir, fileName);
  writeFileSync(file, text);
  const g = globalThis as { tf?: unknown };
  const hadGlobal = 'tf' in g;
  const before = g.tf;
  if (options.globalTf) g.tf = tf;
  const restore = () => {
    if (!options.globalTf) return;
    if (hadGlobal) g.tf = before;
    else delete g.tf;
  };
  try {
    const exports = await loadUserModule(file, { tf, runtime: () => createMup(tf) });
    return {
      exports,
      dispose: () => {
        restore();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    restore();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A loader for a test file: `loadFixed`'s exports, each loaded file removed when the file's tests are done. Call at
 * the top level of the test file.
 */
export function fixedLoader(): (text: string, fileName?: string) => Promise<Record<string, unknown>> {
  const disposers: (() => void)[] = [];
  after(() => disposers.forEach((d) => d()));
  return async (text, fileName) => {
    const { exports, dispose } = await loadFixed(text, fileName);
    disposers.push(dispose);
    return exports;
  };
}

/**
 * Runs a model file's text in this process without the worker's loader: TypeScript transpiled to CommonJS, its
 * `@tensorflow/tfjs` import this tf, and `modules` the other imports it may name (any other import fails).
 */
export function loadTranspiled(text: string, modules: Record<string, unknown> = {}): Record<string, unknown> {
  const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  const mod = { exports: {} as Record<string, unknown> };
  const known: Record<string, unknown> = { '@tensorflow/tfjs': tf, ...modules };
  const req = (m: string): unknown => {
    if (m in known) return known[m];
    throw new Error(`unexpected import ${m}`);
  };
  new Function('require', 'module', 'exports', js)(req, mod, mod.exports);
  return mod.exports;
}

/** The export `name` as a function; a clear failure when the fixed file lost it. */
export function exported<F extends (...args: never[]) => unknown>(exports: Record<string, unknown>, name: string): F {
  const f = exports[name];
  if (typeof f !== 'function') throw new Error(`the fixed file has no function export '${name}' (exports: ${Object.keys(exports).join(', ')})`);
  return f as F;
}

/** Values of a tensor, failing on NaN/Infinity with the first bad index (what a wrong fix produces). */
export function finiteValues(t: tf.Tensor): Float32Array {
  const v = t.dataSync() as Float32Array;
  const bad = v.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`non-finite output ${v[bad]} at index ${bad} of a tensor of shape [${t.shape.join(', ')}]`);
  return v;
}

/** A deterministic input for each of the model's inputs (unknown dimensions become `batch`). */
export function inputsFor(model: tf.LayersModel, batch = 3, seed = 7): tf.Tensor[] {
  return model.inputs.map((inp, i) => {
    const shape = inp.shape.map((d) => (d == null ? batch : d));
    return inp.dtype === 'int32'
      ? tf.randomUniform(shape, 0, 2, 'int32', seed + i)
      : tf.randomNormal(shape, 0, 1, 'float32', seed + i);
  });
}

/** One forward pass of `model` on `inputsFor(model)`; every output's values, all finite. */
export function forward(model: tf.LayersModel, batch = 3, seed = 7): Float32Array[] {
  return tf.tidy(() => {
    const out = model.predict(inputsFor(model, batch, seed));
    return (Array.isArray(out) ? out : [out]).map((t) => finiteValues(t).slice());
  });
}

/** Root mean square of the values (the size of a layer's output coordinates). */
export function rms(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s / v.length);
}
