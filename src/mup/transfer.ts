// Reading a `mup-lens transfer` file back (docs/runtime.md "Transfer files"): the tuned values of a muP sweep and the
// base shapes of its model, checked against the model the user builds at the target width, then applied: the same
// per-group learning rates the file's table shows. What goes wrong says what to do (another width, another model,
// an SP file, a file of a newer mup-lens).
import type * as tfType from '@tensorflow/tfjs';
import type { AppliedBaseShapes, MuAdamConstructor, MuAdamOptions, MupRuntime, TransferConfig, TransferFile } from './runtime-types';

export const TRANSFER_FORMAT = 'mup-lens/transfer';
export const TRANSFER_VERSION = 2;
/** Versions this runtime reads: 1 (width only) and 2 (issue 22: depth and the other axes). */
export const TRANSFER_VERSIONS_READ: readonly number[] = [1, 2];

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const posNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

/** The file as an object, or an Error that says what is wrong with it. */
export function checkTransferFile(input: unknown): TransferFile {
  let f: unknown = input;
  if (typeof input === 'string') {
    try {
      f = JSON.parse(input);
    } catch (err) {
      throw new Error(`fromTransfer: not JSON (${(err as Error).message}); pass the contents of a mup-lens transfer file`, { cause: err });
    }
  }
  if (!isObj(f) || f.format !== TRANSFER_FORMAT) throw new Error(`fromTransfer: not a mup-lens transfer file (expected "format": "${TRANSFER_FORMAT}"); write one with \`mup-lens transfer <sweep> --width N\``);
  if (!TRANSFER_VERSIONS_READ.includes(f.version as number)) throw new Error(`fromTransfer: transfer file version ${String(f.version)}; this mup-lens reads versions ${TRANSFER_VERSIONS_READ.join(' and ')} (update mup-lens, or write the file again with this one)`);
  if (f.parametrization !== 'mup') throw new Error('fromTransfer: the file is not from a muP sweep; SP values do not transfer across widths');
  const tuned = f.tuned as Record<string, unknown> | undefined;
  const shapes = f.baseShapes as Record<string, unknown> | undefined;
  const ok =
    posNum(f.targetWidth) && posNum(f.baseWidth) && isObj(tuned) && posNum(tuned.lr) && isObj(tuned.hp) &&
    Object.values(tuned.hp).every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    isObj(shapes) && posNum(shapes.baseWidth) && posNum(shapes.deltaWidth) && Array.isArray(shapes.params) && Array.isArray(f.params) &&
    (f.params as unknown[]).every((p) => isObj(p) && Array.isArray(p.shape) && isObj(p.adam) && typeof p.adam.lr === 'number');
  if (!ok) throw new Error('fromTransfer: the transfer file is incomplete or damaged (targetWidth, baseWidth, tuned.lr, tuned.hp, baseShapes, params)');
  const d = f.depth as Record<string, unknown> | undefined;
  if (d !== undefined && !(isObj(d) && posNum(d.baseDepth) && posNum(d.targetDepth) && typeof d.alpha === 'number' && d.alpha >= 0 && d.alpha <= 1)) {
    throw new Error('fromTransfer: the transfer file\'s depth is damaged (baseDepth, targetDepth, alpha in [0, 1])');
  }
  const axes = f.axes as Record<string, unknown> | undefined;
  if (axes !== undefined && !(isObj(axes) && isObj(axes.lr) && posNum(axes.lr.value))) {
    throw new Error('fromTransfer: the transfer file\'s axes are damaged (axes.lr.value)');
  }
  return f as unknown as TransferFile;
}

export function defineTransfer(tf: typeof tfType, rt: Pick<MupRuntime, 'applyBaseShapes'>, MuAdam: MuAdamConstructor) {
  return function fromTransfer(input: TransferFile | string): TransferConfig {
    const file = checkTransferFile(input);
    const width = file.targetWidth;
    const apply = (model: tfType.LayersModel): AppliedBaseShapes => {
      if (model == null || !Array.isArray(model.trainableWeights)) throw new TypeError('fromTransfer: apply(model) takes a tf.LayersModel');
      const weights = model.trainableWeights;
      const build = `${file.model.exportName}(${width}${Object.keys(file.tuned.hp).length ? `, ${JSON.stringify(file.tuned.hp)}` : ''})`;
      if (weights.length !== file.params.length) {
        throw new Error(`fromTransfer: the model has ${weights.length} trainable weights, the transfer file ${file.params.length}; build it as the file says: ${build} of ${file.model.file}`);
      }
      file.params.forEach((p, i) => {
        const shape = weights[i]!.shape;
        if (shape.length !== p.shape.length || shape.some((d, k) => d !== p.shape[k])) {
          throw new Error(`fromTransfer: weight #${i} (${p.name}) is [${shape.join(', ')}], the file's is [${p.shape.join(', ')}] at width ${width}; build the model at width ${width}: ${build}`);
        }
      });
      return rt.applyBaseShapes(model, file.baseShapes, width);
    };
    // Version 2 (issue 22): the base LR carries the factors of the axes beyond width (batch, steps), and the target
    // depth goes to the factory (as `depth`) and to MuAdam (its LR and epsilon depth factors).
    const learningRate = file.axes?.lr.value ?? file.tuned.lr;
    const depth = file.depth
      ? { depth: file.depth.targetDepth, baseDepth: file.depth.baseDepth, alpha: file.depth.alpha, branchMultiplier: (file.depth.targetDepth / file.depth.baseDepth) ** -file.depth.alpha }
      : null;
    const hp = { ...file.tuned.hp, ...(depth ? { depth: depth.depth } : {}) };
    return {
      file,
      width,
      baseWidth: file.baseWidth,
      learningRate,
      hp,
      depth,
      baseShapes: file.baseShapes,
      apply,
      adam: (model, opts: Omit<MuAdamOptions, 'learningRate' | 'params'> = {}) =>
        new MuAdam({
          ...(depth ? { depth: { depth: depth.depth, baseDepth: depth.baseDepth, alpha: depth.alpha } } : {}),
          ...opts,
          learningRate,
          params: apply(model),
        }),
    };
  };
}
