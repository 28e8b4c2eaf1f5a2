// A user's model factory, as both engines call it (worker side): the export looked up with a clear message when it
// is missing or not a function, called as `(width)` or `({width})` (with swept hyperparameters `(width, hp)` or
// `({width, ...hp})`), and its result checked to be a tfjs model.
import type * as tfjs from '@tensorflow/tfjs';
import type { HpValues } from '../protocol/jobs';
import { usageError, userError } from './errors';
import { isOutOfMemory } from './oom';

/**
 * Builds the model at a width (with the swept hyperparameters `hp`, when there are any); every failure is a
 * UserCodeError that names the export and the arguments. With `reads`, the names the factory reads from `hp` are
 * added to it, at the build and whenever the model reads them later (a layer that keeps `hp` and reads it in call()).
 */
export type ModelBuilder = (width: number, hp?: HpValues, reads?: Set<string>) => Promise<tfjs.LayersModel>;

/**
 * `hp` (or a config object holding it) as a Proxy that notes every HP name read from it: a property read, `in`,
 * a spread or `Object.keys` (which read each property). Names that are not HPs (`width`) are not noted.
 */
export function recordingHp<T extends object>(target: T, hpNames: ReadonlySet<string>, reads: Set<string>): T {
  const note = (k: string | symbol) => {
    if (typeof k === 'string' && hpNames.has(k)) reads.add(k);
  };
  return new Proxy(target, {
    get(t, k, r) {
      note(k);
      return Reflect.get(t, k, r) as unknown;
    },
    has(t, k) {
      note(k);
      return Reflect.has(t, k);
    },
    getOwnPropertyDescriptor(t, k) {
      note(k);
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
  });
}

/** `mlp(64)`, `mlp(64, {outputMult: 0.25})`: how a failure names the call. */
export function describeCall(exportName: string, width: number, hp?: HpValues): string {
  if (!hp || Object.keys(hp).length === 0) return `${exportName}(${width})`;
  return `${exportName}(${width}, {${Object.entries(hp).map(([k, v]) => `${k}: ${v}`).join(', ')}})`;
}

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
  const fn = factory as (arg: unknown, hp?: unknown) => unknown;
  const objectForm = takesConfigObject(fn);
  return async (width, hp, reads) => {
    const call = describeCall(exportName, width, hp);
    let model: unknown;
    try {
      if (!hp || Object.keys(hp).length === 0) {
        // No swept HPs: exactly the call it always was (a factory's own optional second parameter is left alone).
        model = await fn(objectForm ? { width } : width);
      } else {
        const names = new Set(Object.keys(hp));
        const wrap = <T extends object>(o: T): T => (reads ? recordingHp(o, names, reads) : o);
        model = await (objectForm ? fn(wrap({ width, ...hp })) : fn(width, wrap({ ...hp })));
      }
    } catch (err) {
      if (isOutOfMemory(err)) throw err;
      throw userError(err, `${call} threw`);
    }
    const m = model as tfjs.LayersModel | null;
    if (!m || typeof m !== 'object' || !Array.isArray(m.layers) || !Array.isArray(m.inputs) || typeof m.apply !== 'function') {
      throw usageError(
        `${call} returned ${m === null ? 'null' : typeof m}, not a tf.LayersModel (tf.sequential or tf.model) of the tfjs the worker loaded`,
      );
    }
    return m;
  };
}
