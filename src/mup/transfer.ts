// Reading a `mup-lens transfer` file back (docs/runtime.md "Transfer files"): the tuned values of a muP sweep and the
// base shapes of its model, checked against the model the user builds at the target width, then applied: the same
// per-group learning rates the file's table shows. What goes wrong says what to do (another width, another model,
// an SP file, a file of a newer mup-lens).
import type * as tfType from '@tensorflow/tfjs';
import { muAdamScales } from './optimizers';
import { depthScales } from './depth';
import type { AppliedBaseShapes, MuAdamConstructor, MuAdamOptions, MupRuntime, TransferConfig, TransferFile } from './runtime-types';

export const TRANSFER_FORMAT = 'mup-lens/transfer';
export const TRANSFER_VERSION = 2;
/** Versions this runtime reads: 1 (width only) and 2 (issue 22: depth and the other axes). */
export const TRANSFER_VERSIONS_READ: readonly number[] = [1, 2];

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const posNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
/** No Adam LR above this trains a network: a file that says more is not what a sweep wrote. */
const MAX_ADAM_LR = 10;
/** A weight's name without tfjs's per-process counters (`dense_Dense3/kernel` and `dense_Dense7/kernel` are one). */
const baseName = (name: string): string => name.split('/').map((seg) => seg.replace(/^([a-z0-9_]+_[A-Z][A-Za-z0-9]*?)\d+$/, '$1').replace(/_\d+$/, '')).join('/');

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
  if (axes !== undefined && ((axes.lr as { value: number }).value > MAX_ADAM_LR)) {
    throw new Error(`fromTransfer: axes.lr.value is ${(axes.lr as { value: number }).value}, more than any Adam LR a sweep finds (at most ${MAX_ADAM_LR}); the file is damaged or edited: write it again with \`mup-lens transfer\``);
  }
  // Values no sweep finds (issue 20 item 2): the file was edited or damaged, and training with them is not muTransfer.
  const lr = tuned.lr as number;
  if (lr > MAX_ADAM_LR) throw new Error(`fromTransfer: tuned.lr is ${lr}, more than any Adam LR a sweep finds (at most ${MAX_ADAM_LR}); the file is damaged or edited: write it again with \`mup-lens transfer\``);
  for (const [k, v] of Object.entries(tuned.hp as Record<string, number>)) {
    if (!(v > 0)) throw new Error(`fromTransfer: tuned.hp.${k} is ${v}; a swept hyperparameter is a number > 0 (the file is damaged or edited): write it again with \`mup-lens transfer\``);
  }
  if (!Number.isInteger(f.targetWidth)) throw new Error(`fromTransfer: targetWidth is ${String(f.targetWidth)}, not an integer width`);
  for (const [i, p] of (f.params as { name?: unknown; adam: { lr: number } }[]).entries()) {
    if (!posNum(p.adam.lr)) throw new Error(`fromTransfer: params[${i}].adam.lr is ${p.adam.lr}, not a learning rate > 0 (the file is damaged or edited)`);
  }
  return f as unknown as TransferFile;
}

export function defineTransfer(tf: typeof tfType, rt: Pick<MupRuntime, 'applyBaseShapes'>, MuAdam: MuAdamConstructor) {
  return function fromTransfer(input: TransferFile | string): TransferConfig {
    const file = checkTransferFile(input);
    const width = file.targetWidth;
    // Version 2 (issue 22): the base LR carries the factors of the axes beyond width (batch, steps), and the target
    // depth goes to the factory (as `depth`) and to MuAdam (its LR and epsilon depth factors).
    const learningRate = file.axes?.lr.value ?? file.tuned.lr;
    const depth = file.depth
      ? { depth: file.depth.targetDepth, baseDepth: file.depth.baseDepth, alpha: file.depth.alpha, branchMultiplier: (file.depth.targetDepth / file.depth.baseDepth) ** -file.depth.alpha }
      : null;
    const hp = { ...file.tuned.hp, ...(depth ? { depth: depth.depth } : {}) };
    const apply = (model: tfType.LayersModel): AppliedBaseShapes => {
      if (model == null || !Array.isArray(model.trainableWeights)) throw new TypeError('fromTransfer: apply(model) takes a tf.LayersModel');
      const weights = model.trainableWeights;
      const build = `${file.model.exportName}(${width}${Object.keys(hp).length ? `, ${JSON.stringify(hp)}` : ''})`;
      if (weights.length !== file.params.length) {
        throw new Error(`fromTransfer: the model has ${weights.length} trainable weights, the transfer file ${file.params.length}; build it as the file says: ${build} of ${file.model.file}`);
      }
      file.params.forEach((p, i) => {
        const shape = weights[i]!.shape;
        if (shape.length !== p.shape.length || shape.some((d, k) => d !== p.shape[k])) {
          throw new Error(`fromTransfer: weight #${i} (${p.name}) is [${shape.join(', ')}], the file's is [${p.shape.join(', ')}] at width ${width}; build the model at width ${width}: ${build}`);
        }
      });
      file.params.forEach((p, i) => {
        const name = weights[i]!.name;
        if (typeof p.name === 'string' && baseName(name) !== baseName(p.name)) {
          throw new Error(`fromTransfer: weight #${i} is '${name}' in the model and '${p.name}' in the transfer file: this is not the model the file was written for; build ${build} of ${file.model.file}`);
        }
      });
      const applied = rt.applyBaseShapes(model, file.baseShapes, width);
      // adam() trains every weight at lr x its MuAdam multiplier: that must be the file's params[i].adam.lr (as
      // docs/runtime.md says), else the file's table and the training disagree.
      applied.params.forEach((info, i) => {
        const p = file.params[i]!;
        // (version 2: the base LR with the axes' factors, and the depth factor of the file's alpha on hidden weights)
        const trains = learningRate * muAdamScales(info).lr * depthScales(info, depth ?? undefined, 'adam').lr;
        if (Math.abs(trains - p.adam.lr) > 1e-6 * p.adam.lr) {
          throw new Error(`fromTransfer: weight #${i} (${p.name}) would train at lr ${trains}, the file's params[${i}].adam.lr is ${p.adam.lr}: the file's LRs do not follow from its tuned.lr${file.axes ? ', axes.lr.value' : ''}${file.depth ? ', depth' : ''} and base shapes (edited?); write it again with \`mup-lens transfer\``);
        }
      });
      return applied;
    };
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
