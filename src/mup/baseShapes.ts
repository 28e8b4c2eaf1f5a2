// Base-shape inference, as microsoft/mup's `set_base_shapes` does it (Tensor Programs V, sec. "infinite
// dimensions"): build the model at a base and a delta width, compare every trainable weight's shape, and call
// a dimension infinite when it changed. tfjs renames variables on every rebuild (`dense_1/kernel_1`), so
// weights are matched by position in `model.trainableWeights`, never by name.
import type * as tfType from '@tensorflow/tfjs';

type Tf = typeof tfType;

import type {
  AppliedBaseShapes,
  AsyncModelFactory,
  BaseShapeEntry,
  BaseShapes,
  InferOptions,
  ModelFactory,
  ParamInfo,
  ParamKind,
} from './runtime-types';

export type { AppliedBaseShapes, AsyncModelFactory, BaseShapeEntry, BaseShapes, InferOptions, ModelFactory, ParamInfo, ParamKind };

function checkWidths(opts: InferOptions): { baseWidth: number; deltaWidth: number } {
  if (opts == null || typeof opts !== 'object') {
    throw new TypeError('inferBaseShapes: pass options {baseWidth, deltaWidth?}, e.g. {baseWidth: 64}');
  }
  const baseWidth = opts.baseWidth;
  const deltaWidth = opts.deltaWidth ?? 2 * baseWidth;
  for (const [k, v] of [['baseWidth', baseWidth], ['deltaWidth', deltaWidth]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`inferBaseShapes: ${k} must be a positive integer, got ${String(v)}`);
    }
  }
  if (deltaWidth === baseWidth) {
    throw new RangeError(
      `inferBaseShapes: deltaWidth (${deltaWidth}) must differ from baseWidth, or no dimension can be seen to grow`,
    );
  }
  return { baseWidth, deltaWidth };
}

function checkModel(model: unknown, width: number): tfType.LayersModel {
  const m = model as tfType.LayersModel | null;
  if (m == null || !Array.isArray((m as { trainableWeights?: unknown }).trainableWeights)) {
    throw new TypeError(
      `inferBaseShapes: the factory returned ${m === null ? 'null' : typeof m} at width ${width}; ` +
        'it must return a tf.LayersModel (tf.sequential(...) or tf.model(...))',
    );
  }
  if (m.trainableWeights.length === 0) {
    throw new Error(
      `inferBaseShapes: the model built at width ${width} has no trainable weights; ` +
        'give its first layer an inputShape (or build it) so that its weights exist',
    );
  }
  return m;
}

/** Compares the probes' shapes. Pure: exported for tests and for callers that build models themselves. */
export function compareShapes(
  base: { name: string; shape: number[] }[],
  delta: { shape: number[] }[],
  baseWidth: number,
  deltaWidth: number,
): BaseShapes {
  if (base.length !== delta.length) {
    throw new Error(
      `inferBaseShapes: the model has ${base.length} trainable weights at width ${baseWidth} but ` +
        `${delta.length} at width ${deltaWidth}; the architecture must be the same at every width ` +
        '(only sizes may change)',
    );
  }
  const params = base.map((b, index): BaseShapeEntry => {
    const d = delta[index].shape;
    if (d.length !== b.shape.length) {
      throw new Error(
        `inferBaseShapes: weight #${index} (${b.name}) has rank ${b.shape.length} at width ${baseWidth} ` +
          `but rank ${d.length} at width ${deltaWidth}; weights must keep their order and rank across widths`,
      );
    }
    const infDims = b.shape.map((s, i) => s !== d[i]);
    const ninf = infDims.filter(Boolean).length;
    const kind: ParamKind = ninf === 0 ? 'fixed' : ninf === 1 ? 'vector' : 'matrix';
    return { index, name: b.name, baseShape: [...b.shape], deltaShape: [...d], infDims, ninf, kind };
  });
  return { baseWidth, deltaWidth, params };
}

function shapesOf(model: tfType.LayersModel): { name: string; shape: number[] }[] {
  return model.trainableWeights.map((w) => ({ name: w.originalName ?? w.name, shape: [...w.shape] as number[] }));
}

function disposeProbe(model: tfType.LayersModel | undefined): void {
  try {
    model?.dispose();
  } catch {
    // A probe that was already disposed (or shares layers) must not hide the real result or error.
  }
}

/**
 * Builds the model at `baseWidth` and `deltaWidth`, classifies every trainable weight, disposes both probes.
 * The factory must be synchronous; for an async factory use `inferBaseShapesAsync`.
 */
export function inferBaseShapes(factory: ModelFactory, opts: InferOptions): BaseShapes {
  if (typeof factory !== 'function') {
    throw new TypeError('inferBaseShapes: the first argument must be a function (width) => tf.LayersModel');
  }
  const { baseWidth, deltaWidth } = checkWidths(opts);
  let base: tfType.LayersModel | undefined;
  let delta: tfType.LayersModel | undefined;
  try {
    const b = factory(baseWidth) as unknown;
    if (b instanceof Promise) {
      b.then(disposeProbe, () => undefined);
      throw new TypeError('inferBaseShapes: the factory returned a Promise; use inferBaseShapesAsync instead');
    }
    base = checkModel(b, baseWidth);
    const baseShapes = shapesOf(base);
    disposeProbe(base);
    base = undefined;
    delta = checkModel(factory(deltaWidth), deltaWidth);
    return withBaseDepth(compareShapes(baseShapes, shapesOf(delta), baseWidth, deltaWidth), opts);
  } finally {
    disposeProbe(base);
    disposeProbe(delta);
  }
}

/** `inferBaseShapes` for factories that return a Promise of a model. */
export async function inferBaseShapesAsync(factory: AsyncModelFactory, opts: InferOptions): Promise<BaseShapes> {
  if (typeof factory !== 'function') {
    throw new TypeError('inferBaseShapesAsync: the first argument must be a function (width) => tf.LayersModel');
  }
  const { baseWidth, deltaWidth } = checkWidths(opts);
  const base = checkModel(await factory(baseWidth), baseWidth);
  const baseShapes = shapesOf(base);
  disposeProbe(base);
  const delta = checkModel(await factory(deltaWidth), deltaWidth);
  try {
    return withBaseDepth(compareShapes(baseShapes, shapesOf(delta), baseWidth, deltaWidth), opts);
  } finally {
    disposeProbe(delta);
  }
}

/** Records the base depth (issue 22) when one is given; base shapes without one are as they always were. */
function withBaseDepth(shapes: BaseShapes, opts: InferOptions): BaseShapes {
  if (opts.baseDepth === undefined) return shapes;
  if (typeof opts.baseDepth !== 'number' || !Number.isInteger(opts.baseDepth) || opts.baseDepth < 1) {
    throw new RangeError(`inferBaseShapes: baseDepth must be a positive integer, got ${String(opts.baseDepth)}`);
  }
  return { ...shapes, baseDepth: opts.baseDepth };
}

/** The fan-in dimension of a tfjs weight: `[..., in, out]` kernels have it at rank-2; vectors have none. */
export function fanInDim(rank: number): number | null {
  return rank >= 2 ? rank - 2 : null;
}

/** The fan-out dimension: the last one (a bias or gain is all fan-out). */
export function fanOutDim(rank: number): number | null {
  return rank >= 1 ? rank - 1 : null;
}

/** Multipliers of one weight at the shape it has now. Pure. */
export function multipliersFor(
  entry: BaseShapeEntry,
  shape: number[],
): Pick<ParamInfo, 'dimMults' | 'widthMult' | 'fanInMult' | 'fanOutMult'> {
  if (shape.length !== entry.baseShape.length) {
    throw new Error(
      `applyBaseShapes: weight #${entry.index} has rank ${shape.length}, but rank ${entry.baseShape.length} ` +
        `in the base shapes (${entry.name}); were the base shapes inferred from this model's factory?`,
    );
  }
  const dimMults = shape.map((s, i) => {
    if (entry.infDims[i]) return s / entry.baseShape[i];
    if (s !== entry.baseShape[i]) {
      throw new Error(
        `applyBaseShapes: weight #${entry.index} (${entry.name}) has shape [${shape}], but its dimension ${i} ` +
          `was ${entry.baseShape[i]} at both base widths, so it should not change; ` +
          'infer the base shapes from the same factory that built this model',
      );
    }
    return 1;
  });
  const rank = shape.length;
  const fi = fanInDim(rank);
  const fo = fanOutDim(rank);
  const fanInMult = fi != null && entry.infDims[fi] ? dimMults[fi] : 1;
  const fanOutMult = fo != null && entry.infDims[fo] ? dimMults[fo] : 1;
  let widthMult = 1;
  if (fi != null && entry.infDims[fi]) widthMult = dimMults[fi];
  else if (fo != null && entry.infDims[fo]) widthMult = dimMults[fo];
  else {
    const last = entry.infDims.lastIndexOf(true);
    if (last >= 0) widthMult = dimMults[last];
  }
  return { dimMults, widthMult, fanInMult, fanOutMult };
}

/**
 * Matches a model built at any width to base shapes (by position), and returns each trainable weight's
 * multipliers. Does not touch the weights; the runtime's `applyBaseShapes` wraps this and also registers the
 * result for the optimizers and MuReadout layers.
 */
export function matchBaseShapes(
  model: tfType.LayersModel,
  baseShapes: BaseShapes,
  width?: number,
): AppliedBaseShapes {
  if (baseShapes == null || !Array.isArray(baseShapes.params)) {
    throw new TypeError('applyBaseShapes: the second argument must be the result of inferBaseShapes(...)');
  }
  if (model == null || !Array.isArray((model as { trainableWeights?: unknown }).trainableWeights)) {
    throw new TypeError('applyBaseShapes: the first argument must be a tf.LayersModel');
  }
  const weights = model.trainableWeights;
  if (weights.length !== baseShapes.params.length) {
    throw new Error(
      `applyBaseShapes: the model has ${weights.length} trainable weights, the base shapes describe ` +
        `${baseShapes.params.length}; infer the base shapes from the factory that built this model`,
    );
  }
  const params = weights.map((lv, i): ParamInfo => {
    const entry = baseShapes.params[i];
    const shape = [...lv.shape] as number[];
    return {
      ...entry,
      ...multipliersFor(entry, shape),
      shape,
      variable: lv.read() as tfType.Variable,
      layerVariable: lv,
    };
  });
  return { width, params, byVariable: new Map(params.map((p) => [p.variable, p])), ...(baseShapes.baseDepth !== undefined ? { baseDepth: baseShapes.baseDepth } : {}) };
}

export type { Tf };
