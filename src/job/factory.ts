// A user's model factory, as both engines call it (worker side): the export looked up with a clear message when it
// is missing or not a function, called as `(width)` or `({width})`, and its result checked to be a tfjs model.
import type * as tfjs from '@tensorflow/tfjs';
import { usageError, userError } from './errors';
import { isOutOfMemory } from './oom';

/** Builds the model at a width; every failure is a UserCodeError that names the export and the width. */
export type ModelBuilder = (width: number) => Promise<tfjs.LayersModel>;

/** `({width}) => ...` (a destructured first parameter) takes a config object; anything else takes the width. */
export function takesConfigObject(fn: (...args: never[]) => unknown): boolean {
  const src = Function.prototype.toString.call(fn);
  return /^\s*(async\s*)?(function\b[^(]*)?\(\s*\{/.test(src);
}

/** The model factory `exportName` of a loaded module. */
export function modelBuilder(exports: Record<string, unknown>, exportName: string, file: string): ModelBuilder {
  const factory = exports[exportName];
  if (factory === undefined) {
    const names = Object.keys(exports).filter((k) => k !== '__esModule');
    throw usageError(`export '${exportName}' not found in ${file}; its exports: ${names.length ? names.join(', ') : '(none)'}`);
  }
  if (typeof factory !== 'function') {
    throw usageError(`export '${exportName}' in ${file} is ${typeof factory}, not a model factory (width) => tf.LayersModel`);
  }
  const fn = factory as (arg: unknown) => unknown;
  const objectForm = takesConfigObject(fn);
  return async (width) => {
    let model: unknown;
    try {
      model = await fn(objectForm ? { width } : width);
    } catch (err) {
      if (isOutOfMemory(err)) throw err;
      throw userError(err, `${exportName}(${width}) threw`);
    }
    const m = model as tfjs.LayersModel | null;
    if (!m || typeof m !== 'object' || !Array.isArray(m.layers) || !Array.isArray(m.inputs) || typeof m.apply !== 'function') {
      throw usageError(
        `${exportName}(${width}) returned ${m === null ? 'null' : typeof m}, not a tf.LayersModel (tf.sequential or tf.model) of the tfjs the worker loaded`,
      );
    }
    return m;
  };
}
