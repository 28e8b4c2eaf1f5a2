// The worker side of a sweep: the `trial` job. The host sends one grid point at a time; the worker keeps the
// user's module and the inferred base shapes cached between trials (one worker runs many trials).
// Plain data crosses the IPC boundary (src/protocol/jobs.ts); tfjs stays in the worker.
import type * as tfType from '@tensorflow/tfjs';
import { parseLoss, stepData } from '../job/batch';
import { usageError, userError } from '../job/errors';
import { modelBuilder, recordingHp, type ModelBuilder } from '../job/factory';
import type { MupRuntime } from '../mup/runtime-types';
import type { TrialJobParams, TrialJobResult, TrialProgress } from '../protocol/jobs';
import { fileReads } from './fileReads';
import { defaultData, runTrial } from './trial';

type Tf = typeof tfType;

/** What the worker gives a job (a subset of src/worker/jobs.ts's JobContext). */
export interface TrialJobContext {
  tf: Tf;
  mup(): MupRuntime;
  /** The user's module, loaded once per worker (src/worker/loadModule.ts). */
  loadModule(file: string): Promise<Record<string, unknown>>;
  progress(p: TrialProgress): void;
  built?(): void;
}

const baseShapesCache = new Map<string, ReturnType<MupRuntime['inferBaseShapesAsync']>>();

/** The cache key of a model's base shapes: HPs may change its shapes (a width ratio), so they are part of it. */
const shapesKey = (p: ShapesOf) => `${p.file}#${p.exportName}@${p.baseWidth}${p.hp ? `|${JSON.stringify(Object.entries(p.hp).sort())}` : ''}`;

/** What a model's muP base shapes depend on (a trial's or a transfer's parameters). */
type ShapesOf = Pick<TrialJobParams, 'file' | 'exportName' | 'baseWidth' | 'hp'>;

/**
 * The model's muP base shapes, inferred from builds at the base width and twice it, once per worker for the same
 * model, base width and HP values (a sweep's muP trials, and a transfer's job and its verification trial).
 */
export function baseShapesFor(rt: MupRuntime, buildAt: ModelBuilder, p: ShapesOf): ReturnType<MupRuntime['inferBaseShapesAsync']> {
  const key = shapesKey(p);
  let shapes = baseShapesCache.get(key);
  if (!shapes) {
    const hp = p.hp && Object.keys(p.hp).length > 0 ? p.hp : undefined;
    shapes = rt
      .inferBaseShapesAsync((w) => buildAt(w, hp), { baseWidth: p.baseWidth, deltaWidth: p.baseWidth * 2 })
      .catch((err: unknown) => {
        throw userError(err, `inferring muP base shapes of ${p.exportName} (widths ${p.baseWidth} and ${p.baseWidth * 2})`);
      });
    baseShapesCache.set(key, shapes);
    shapes.catch(() => baseShapesCache.delete(key));
  }
  return shapes;
}

export async function runTrialJob(p: TrialJobParams, ctx: TrialJobContext): Promise<TrialJobResult> {
  const { tf } = ctx;
  const mod = await ctx.loadModule(p.file);
  const buildAt = modelBuilder(mod, p.exportName, p.file);
  // The axes beyond width (issue 22) reach the factory as an HP does (docs/contracts.md "Axes"); steps is the trial's.
  const axisArgs = { ...(p.axes?.depth !== undefined ? { depth: p.axes.depth } : {}), ...(p.axes?.batch !== undefined ? { batch: p.axes.batch } : {}), ...(p.axes?.seqLen !== undefined ? { seqLen: p.axes.seqLen } : {}) };
  const merged = { ...(p.hp ?? {}), ...axisArgs };
  const hp = Object.keys(merged).length > 0 ? merged : undefined;
  const dataHp = p.hp && Object.keys(p.hp).length > 0 ? p.hp : undefined;
  // What the factory and the data export read of the swept HPs and axes, over the build and the whole training.
  const reads = new Set<string>();
  const build = (w: number) => buildAt(w, hp, reads);

  let dataMod: Record<string, unknown> | null = null;
  let dataWhere = '';
  if (p.data === null && mod.data !== undefined) {
    dataMod = mod;
    dataWhere = `export 'data' of ${p.file}`;
  } else if (p.data !== null && p.data !== 'synthetic') {
    dataMod = await ctx.loadModule(p.data.file);
    dataWhere = `export '${p.data.exportName}' of ${p.data.file}`;
    if (!(p.data.exportName in dataMod)) throw usageError(`${p.data.file} has no export '${p.data.exportName}'`);
  }
  const loss = dataMod ? parseLoss(dataMod.loss, p.data && p.data !== 'synthetic' ? p.data.file : p.file) : 'softmax-cross-entropy';

  let optimizer: (model: tfType.LayersModel, lr: number, width: number) => tfType.Optimizer;
  if (p.parametrization === 'sp') {
    optimizer = (_model, lr) => tf.train.adam(lr);
  } else if (p.transfer) {
    // `transfer --verify` (issue 22): what a training script that reads the transfer file gets, through the
    // runtime's own reader: the file's base LR (with the batch and steps factors), its base shapes, and MuAdam's
    // depth option at the file's depth (its LR and epsilon factors), after checking the model is the file's.
    const rt = ctx.mup();
    const t = rt.fromTransfer(p.transfer);
    if (Math.abs(t.learningRate - p.lr) > 1e-9 * t.learningRate) throw usageError(`verify: the trial's lr ${p.lr} is not the transfer file's ${t.learningRate}`);
    if (t.width !== p.width) throw usageError(`verify: the trial's width ${p.width} is not the transfer file's ${t.width}`);
    optimizer = (model) => t.adam(model);
  } else {
    const rt = ctx.mup();
    const baseShapes = await baseShapesFor(rt, buildAt, { ...p, hp });
    // A depth sweep's trial trains as the runtime would at its depth (issue 22): MuAdam's depth option of the sweep's
    // scheme, the shape `fromTransfer` passes (src/mup/transfer.ts): hidden LR x (L/L_base)^(alpha-1), epsilon x (L/L_base)^-alpha.
    const ds = p.depthScheme && p.axes?.depth !== undefined ? { depth: { depth: p.axes.depth, baseDepth: p.depthScheme.baseDepth, alpha: p.depthScheme.alpha } } : {};
    optimizer = (model, lr, width) => {
      const applied = rt.applyBaseShapes(model, baseShapes, width);
      return new rt.MuAdam({ learningRate: lr, params: applied, ...ds });
    };
  }

  let description = dataWhere;
  const losses: number[] | undefined = p.curve ? [] : undefined;
  const dataFn = dataMod ? dataMod[p.data && p.data !== 'synthetic' ? p.data.exportName : 'data'] : null;
  const outcome = await runTrial(
    {
      tf,
      build,
      data: (seed, model) => {
        if (dataMod === null) {
          // The synthetic data takes the batch axis itself (so it is read).
          if (p.axes?.batch !== undefined) reads.add('batch');
          const d = defaultData(tf, model, seed, p.axes?.batch);
          description = `synthetic: ${d.description}`;
          return d.data;
        }
        return stepData(tf, dataFn, dataWhere, model.outputs[0]!.shape, loss, dataHp && recordingHp({ ...dataHp }, new Set(Object.keys(dataHp)), reads), p.axes, reads)(seed);
      },
      loss,
      optimizer,
      onBuilt: () => ctx.built?.(),
      onStep: (step, l) => {
        losses?.push(l);
        ctx.progress({ step, loss: l });
      },
    },
    { width: p.width, lr: p.lr, seed: p.seed, steps: p.steps },
  );
  return {
    outcome,
    data: description,
    ...(hp ? { hpRead: Object.keys(hp).filter((k) => reads.has(k)) } : {}),
    ...(losses ? { losses } : {}),
    // what user code read in this worker (config, data, packages' files): the host hashes them with the trial
    ...(fileReads().length ? { reads: fileReads() } : {}),
  };
}
