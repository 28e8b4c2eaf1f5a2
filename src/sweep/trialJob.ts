// The worker side of a sweep: the `trial` job. The host sends one grid point at a time; the worker keeps the
// user's module and the inferred base shapes cached between trials (one worker runs many trials).
// Plain data crosses the IPC boundary; tfjs stays in the worker.
import type * as tfType from '@tensorflow/tfjs';
import type { MupApi } from '../coord/engine';
import { UserCodeError, userError } from '../worker/errors';
import type { DataFn } from '../data/teacher';
import type { Parametrization, TrialOutcome } from './store';
import { defaultData, runTrial, type LossKind } from './trial';

type Tf = typeof tfType;

export interface TrialJobParams {
  /** Absolute path of the model file and the factory export `(width) => tf.LayersModel`. */
  file: string;
  exportName: string;
  /** A data export; null: an export named `data` in the model file if there is one, else synthetic;
   *  'synthetic': the synthetic task even when the model file has a `data` export. */
  data: { file: string; exportName: string } | null | 'synthetic';
  width: number;
  lr: number;
  seed: number;
  steps: number;
  parametrization: Parametrization;
  baseWidth: number;
}

export interface TrialProgress {
  step: number;
  loss: number;
}

export interface TrialJobResult {
  outcome: TrialOutcome;
  /** Where the batches came from, for the user to read. */
  data: string;
}

/** What the worker gives a job (a subset of src/worker/jobs.ts's JobContext). */
export interface TrialJobContext {
  tf: Tf;
  mup(): MupApi;
  /** The user's module, loaded once per worker (src/worker/loadModule.ts). */
  loadModule(file: string): Promise<Record<string, unknown>>;
  progress(p: TrialProgress): void;
}

/** A mistake in the user's files that the user must fix (bad export, bad data): reported as a usage error. */
function usage(message: string): UserCodeError {
  return new UserCodeError({ kind: 'usage', message });
}

type Factory = (width: number) => tfType.LayersModel | Promise<tfType.LayersModel>;

const baseShapesCache = new Map<string, Promise<unknown>>();

function factoryOf(mod: Record<string, unknown>, exportName: string, file: string): Factory {
  const f = mod[exportName];
  if (f === undefined) {
    const fns = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw usage(`${file} has no export '${exportName}'${fns.length ? ` (exported functions: ${fns.join(', ')})` : ''}`);
  }
  if (typeof f !== 'function') throw usage(`export '${exportName}' of ${file} is ${typeof f}, not a model factory (width) => tf.LayersModel`);
  // `(width) => model` or `({width}) => model`, as the coordinate check accepts.
  const fn = f as (arg: unknown) => tfType.LayersModel | Promise<tfType.LayersModel>;
  const takesObject = fn.length === 1 && /^\s*(async\s*)?(function\s*\w*\s*)?\(\s*\{/.test(fn.toString());
  return async (width) => {
    try {
      return await (takesObject ? fn({ width }) : fn(width));
    } catch (err) {
      throw userError(err, `${exportName}(${width}) threw`);
    }
  };
}

/** Wraps a user data export: `(step, {seed}) => {xs, ys}`; class-id targets become one-hot. */
function userData(tf: Tf, fn: unknown, where: string, outShape: (number | null)[], loss: LossKind): (seed: number) => DataFn {
  if (typeof fn !== 'function') throw usage(`${where} is ${typeof fn}, not a function (step) => {xs, ys}`);
  return (seed) => (step) => {
    let b: { xs?: unknown; ys?: unknown } | null;
    try {
      b = (fn as (step: number, info: { seed: number }) => { xs?: unknown; ys?: unknown })(step, { seed });
    } catch (err) {
      throw userError(err, `${where}(${step}) threw`);
    }
    if (!b || !(b.xs instanceof tf.Tensor) || !(b.ys instanceof tf.Tensor)) {
      throw usage(`${where}(${step}) must return {xs: tf.Tensor, ys: tf.Tensor} (tensors of the tfjs the model uses)`);
    }
    let ys = b.ys;
    const classes = outShape[outShape.length - 1];
    if (loss === 'crossentropy' && ys.rank === outShape.length - 1 && typeof classes === 'number') {
      const ids = ys;
      ys = tf.tidy(() => tf.oneHot(tf.cast(ids, 'int32').flatten(), classes).reshape([...ids.shape, classes]).toFloat());
      ids.dispose();
    }
    if (ys.rank !== outShape.length) {
      throw usage(`${where}(${step}): ys has shape [${ys.shape}] but the model outputs [${outShape.map((d) => d ?? 'batch')}]`);
    }
    return { xs: b.xs, ys };
  };
}

function lossOf(mod: Record<string, unknown>, where: string): LossKind {
  const l = mod.loss;
  if (l === undefined || l === 'crossentropy' || l === 'softmax-cross-entropy') return 'crossentropy';
  if (l === 'mse') return 'mse';
  throw usage(`export 'loss' of ${where} is ${JSON.stringify(l)}; expected 'mse' (or leave it out for softmax cross-entropy)`);
}

export async function runTrialJob(p: TrialJobParams, ctx: TrialJobContext): Promise<TrialJobResult> {
  const { tf } = ctx;
  const mod = await ctx.loadModule(p.file);
  const build = factoryOf(mod, p.exportName, p.file);

  let dataMod: Record<string, unknown> | null = null;
  let dataWhere = '';
  if (p.data === null && mod.data !== undefined) {
    dataMod = mod;
    dataWhere = `export 'data' of ${p.file}`;
  } else if (p.data !== null && p.data !== 'synthetic') {
    dataMod = await ctx.loadModule(p.data.file);
    dataWhere = `export '${p.data.exportName}' of ${p.data.file}`;
    if (!(p.data.exportName in dataMod)) throw usage(`${p.data.file} has no export '${p.data.exportName}'`);
  }
  const loss = dataMod ? lossOf(dataMod, p.data && p.data !== 'synthetic' ? p.data.file : p.file) : 'crossentropy';

  let optimizer: (model: tfType.LayersModel, lr: number, width: number) => tfType.Optimizer;
  if (p.parametrization === 'sp') {
    optimizer = (_model, lr) => tf.train.adam(lr);
  } else {
    const rt = ctx.mup();
    const key = `${p.file}#${p.exportName}@${p.baseWidth}`;
    let shapes = baseShapesCache.get(key);
    if (!shapes) {
      shapes = rt
        .inferBaseShapesAsync(async (w) => build(w), { baseWidth: p.baseWidth, deltaWidth: p.baseWidth * 2 })
        .catch((err: unknown) => {
          throw userError(err, `inferring muP base shapes of ${p.exportName} (widths ${p.baseWidth} and ${p.baseWidth * 2})`);
        });
      baseShapesCache.set(key, shapes);
      shapes.catch(() => baseShapesCache.delete(key));
    }
    const baseShapes = await shapes;
    optimizer = (model, lr, width) => {
      const applied = rt.applyBaseShapes(model, baseShapes, width);
      return new rt.MuAdam({ learningRate: lr, params: applied });
    };
  }

  let description = dataWhere;
  const dataFn = dataMod ? dataMod[p.data && p.data !== 'synthetic' ? p.data.exportName : 'data'] : null;
  const outcome = await runTrial(
    {
      tf,
      build,
      data: (seed, model) => {
        if (dataMod === null) {
          const d = defaultData(tf, model, seed);
          description = `synthetic: ${d.description}`;
          return d.data;
        }
        return userData(tf, dataFn, dataWhere, model.outputs[0]!.shape, loss)(seed);
      },
      loss,
      optimizer,
      onStep: (step, l) => ctx.progress({ step, loss: l }),
    },
    { width: p.width, lr: p.lr, seed: p.seed, steps: p.steps },
  );
  return { outcome, data: description };
}
