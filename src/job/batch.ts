// Training data from a user's data export, for both engines (worker side; docs/contracts.md "coord", "sweep"):
// the loss it selects, its targets fitted to the model's output (class ids become one-hot), the coordinate
// check's one fixed batch (or a synthetic one shaped from the model), and a sweep's batch per step.
import type * as tfjs from '@tensorflow/tfjs';
import type { DataFn } from './data/teacher';
import { usageError, userError } from './errors';
import { recordingHp } from './factory';

type Tf = typeof tfjs;

export type LossName = 'softmax-cross-entropy' | 'mse';

/** The loss a data file selects with `export const loss = 'mse'` (default: softmax cross-entropy). */
export function parseLoss(lossExport: unknown, where: string): LossName {
  if (lossExport === undefined || lossExport === 'softmax-cross-entropy' || lossExport === 'crossentropy') return 'softmax-cross-entropy';
  if (lossExport === 'mse') return 'mse';
  throw usageError(`export 'loss' of ${where} is ${JSON.stringify(lossExport)}; expected 'mse' (or leave it out for softmax cross-entropy)`);
}

export interface Batch {
  xs: tfjs.Tensor | tfjs.Tensor[];
  ys: tfjs.Tensor;
  loss: LossName;
  description: string;
  /** Tensors the engine created (and disposes); the user's own tensors are left alone (their module may reuse them). */
  owned: tfjs.Tensor[];
}

/** Data seeds are fixed so every width and seed trains on the same batch, as in mup's coord check. */
const DATA_SEED = 1234;
/** Length of a sequence input whose length the model leaves open (`shape: [null]`). */
const DEFAULT_SEQ = 16;

function isTensor(tf: Tf, v: unknown): v is tfjs.Tensor {
  return v instanceof tf.Tensor;
}

/** ys of rank one below the output's (class ids) become one-hot; otherwise they must match the output. */
export function fitTargets(tf: Tf, ys: tfjs.Tensor, outShape: (number | null)[], where: string): tfjs.Tensor {
  const classes = outShape[outShape.length - 1];
  if (ys.rank === outShape.length - 1 && classes !== null) {
    return tf.tidy(() => tf.oneHot(tf.cast(ys, 'int32') as tfjs.Tensor1D, classes).reshape([...ys.shape, classes]).toFloat());
  }
  if (ys.rank !== outShape.length || (classes !== null && ys.shape[ys.rank - 1] !== classes)) {
    throw usageError(`${where}: ys has shape [${ys.shape}] but the model outputs [${outShape.map((d) => d ?? 'batch')}]`);
  }
  return ys.dtype === 'float32' ? ys : tf.cast(ys, 'float32');
}

export async function userBatch(
  tf: Tf,
  dataFn: unknown,
  lossExport: unknown,
  outShape: (number | null)[],
  where: string,
): Promise<Batch> {
  if (typeof dataFn !== 'function') throw usageError(`${where} is ${typeof dataFn}, not a function (step) => {xs, ys}`);
  let got: unknown;
  let second: unknown;
  try {
    got = await (dataFn as (step: number) => unknown)(0);
    // Called twice to learn who owns the batch: the same tensors again means the module keeps them (the worker
    // reuses the module for later jobs: leave them alone); new ones each call are ours to dispose.
    second = await (dataFn as (step: number) => unknown)(0);
  } catch (err) {
    throw userError(err, `${where}(0) threw`);
  }
  const b = got as { xs?: unknown; ys?: unknown } | null;
  const xsOk = b && (isTensor(tf, b.xs) || (Array.isArray(b.xs) && b.xs.every((x) => isTensor(tf, x))));
  if (!b || !xsOk || !isTensor(tf, b.ys)) {
    throw usageError(`${where}(0) must return {xs: tf.Tensor, ys: tf.Tensor}${b && !isTensor(tf, b.ys) && b.ys !== undefined ? ' (ys is not a tensor of the tfjs the model uses)' : ''}`);
  }
  let loss: LossName = 'softmax-cross-entropy';
  if (lossExport !== undefined) {
    if (lossExport === 'mse') loss = 'mse';
    else if (lossExport !== 'softmax-cross-entropy' && lossExport !== 'crossentropy') {
      throw usageError(`export 'loss' is ${JSON.stringify(lossExport)}; expected 'mse' (or leave it out for softmax cross-entropy)`);
    }
  }
  const ys = loss === 'mse' ? tf.cast(b.ys as tfjs.Tensor, 'float32') : fitTargets(tf, b.ys as tfjs.Tensor, outShape, where);
  const tensorsOf = (v: unknown): tfjs.Tensor[] => {
    const o = v as { xs?: unknown; ys?: unknown } | null;
    return [...(Array.isArray(o?.xs) ? o.xs : [o?.xs]), o?.ys].filter((t): t is tfjs.Tensor => isTensor(tf, t));
  };
  const given = tensorsOf(b);
  const again = tensorsOf(second);
  tf.dispose(again.filter((t) => !given.includes(t)));
  const owned = [...given.filter((t) => !again.includes(t)), ...(ys === b.ys ? [] : [ys])];
  return { xs: b.xs as tfjs.Tensor, ys, owned, loss, description: `${where}(0), ${loss === 'mse' ? 'mean squared error' : 'softmax cross-entropy'}` };
}

/** The data axes a sweep varies (docs/contracts.md "Axes"): they reach the data export beside `seed`. */
export interface DataAxes {
  batch?: number;
  seqLen?: number;
}

/**
 * The data export's second argument: `{seed}`, with `hp` in a sweep with HP axes, and `batch`/`seqLen` in a sweep
 * over those axes (issue 22); a key is present only when its axis is swept, so older exports see what they saw.
 */
export function dataInfo(seed: number, hp?: object, axes?: DataAxes): { seed: number; hp?: object } & DataAxes {
  return {
    seed,
    ...(hp ? { hp } : {}),
    ...(axes?.batch !== undefined ? { batch: axes.batch } : {}),
    ...(axes?.seqLen !== undefined ? { seqLen: axes.seqLen } : {}),
  };
}

/**
 * A sweep's batches: the data export called as `(step, {seed})` at every step (`(step, {seed, hp})` in a sweep
 * with hyperparameter axes), its tensors checked, class-id targets made one-hot. The export returns fresh tensors
 * per step; the trial disposes them after the step.
 */
export function stepData(
  tf: Tf,
  fn: unknown,
  where: string,
  outShape: (number | null)[],
  loss: LossName,
  hp?: object,
  axes?: DataAxes,
  /** Notes which of `batch`/`seqLen` the export reads (a swept axis it never reads is a usage error). */
  reads?: Set<string>,
): (seed: number) => DataFn {
  if (typeof fn !== 'function') throw usageError(`${where} is ${typeof fn}, not a function (step) => {xs, ys}`);
  return (seed) => (step) => {
    let b: { xs?: unknown; ys?: unknown } | null;
    try {
      b = (fn as (step: number, info: { seed: number; hp?: object } & DataAxes) => { xs?: unknown; ys?: unknown })(step, reads ? recordingHp(dataInfo(seed, hp, axes), new Set(['batch', 'seqLen']), reads) : dataInfo(seed, hp, axes));
    } catch (err) {
      throw userError(err, `${where}(${step}) threw`);
    }
    if (!b || !isTensor(tf, b.xs) || !isTensor(tf, b.ys)) {
      throw usageError(`${where}(${step}) must return {xs: tf.Tensor, ys: tf.Tensor} (tensors of the tfjs the model uses)`);
    }
    if (loss === 'mse') return { xs: b.xs, ys: b.ys };
    const ys = fitTargets(tf, b.ys, outShape, `${where}(${step})`);
    if (ys !== b.ys) b.ys.dispose();
    return { xs: b.xs, ys };
  };
}

export interface ModelShapeInfo {
  inShape: (number | null)[];
  inDtype: string;
  /** inputDim of the embedding the input feeds, when it feeds one. */
  vocab: number | null;
  outShape: (number | null)[];
}

export function syntheticBatch(tf: Tf, m: ModelShapeInfo, batchSize: number, lossExport: unknown): Batch {
  const shape = [batchSize, ...m.inShape.slice(1).map((d) => d ?? DEFAULT_SEQ)];
  const classes = m.outShape[m.outShape.length - 1] ?? 1;
  const outShape = [batchSize, ...m.outShape.slice(1, -1).map((d) => d ?? DEFAULT_SEQ)];
  const mse = lossExport === 'mse' || classes === 1;
  return tf.tidy(() => {
    const xs =
      m.vocab !== null || m.inDtype === 'int32'
        ? tf.randomUniform(shape, 0, m.vocab ?? 2, 'int32', DATA_SEED)
        : tf.randomNormal(shape, 0, 1, 'float32', DATA_SEED);
    const ys = mse
      ? tf.randomNormal([...outShape, classes], 0, 1, 'float32', DATA_SEED + 1)
      : tf.oneHot(tf.randomUniform(outShape, 0, classes, 'int32', DATA_SEED + 1).reshape([-1]) as tfjs.Tensor1D, classes)
          .reshape([...outShape, classes])
          .toFloat();
    const what = m.vocab !== null ? `token ids in [0, ${m.vocab})` : 'N(0,1) inputs';
    return {
      xs,
      ys,
      owned: [xs, ys],
      loss: mse ? 'mse' : 'softmax-cross-entropy',
      description: `synthetic batch [${shape}] of ${what}, ${mse ? 'N(0,1) targets, mean squared error' : `random targets over ${classes} classes, softmax cross-entropy`}`,
    } satisfies Batch;
  });
}

export function lossValue(tf: Tf, loss: LossName, ys: tfjs.Tensor, out: tfjs.Tensor): tfjs.Scalar {
  return loss === 'mse' ? tf.losses.meanSquaredError(ys, out) : tf.losses.softmaxCrossEntropy(ys, out);
}
