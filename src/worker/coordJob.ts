// The coordinate check, worker side (docs/mup.md "Coordinate check", mup's get_coord_data): for each width and
// seed, build the model, train `steps` steps on one fixed batch, and record l1 = mean |x| of every planned layer's
// output in the same forward pass as the loss (t = 1 at init). Runs on the tf instance the worker selected; the
// host side (src/host/coordCheck.ts) splits the runs over workers and judges the result.
import type * as tfjs from '@tensorflow/tfjs';
import type { LayerInfo } from '../analyzer/types';
import { matchAcrossDepths } from '../coord/depthLayers';
import { planLayers, type LayerPlan, type LayerShape } from '../coord/layers';
import { lossValue, syntheticBatch, userBatch, type Batch } from '../job/batch';
import { usageError, userError } from '../job/errors';
import { modelBuilder } from '../job/factory';
import { isOutOfMemory } from '../job/oom';
import { coordBuildSeed, withSeededRandom } from '../job/seed';
import type { MupRuntime } from '../mup/runtime-types';
import type { CoordJobParams, CoordJobResult, CoordProgress, CoordRun, CoordStop } from '../protocol/jobs';

type Tf = typeof tfjs;

export interface EngineDeps {
  exports: Record<string, unknown>;
  /** The data file's exports when `--data` names another file (else the model file's are used). */
  dataExports?: Record<string, unknown>;
  /** The analyzer's layers for the model file (source lines); null when the analyzer is unavailable. */
  sourceLayers: LayerInfo[] | null;
  /** The analyzer's layers of another file (a helper the model imports), for names and roles; null if unknown. */
  sourceLayersOf?: (file: string) => LayerInfo[] | null;
  /** Where the user's code built a layer (src/worker/loadModule.ts records it); null when unknown. */
  layerSite?: (layer: unknown) => { file: string; line: number } | null;
  mup: () => MupRuntime;
  progress: (p: CoordProgress) => void;
  /** Frees what the backend keeps of a finished width (webgpu's pool of GPU buffers); called after each width. */
  releaseMemory?: () => void;
}

// The batch is fixed (data seed 1234, src/job/batch.ts) across widths and seeds, as in mup's coord check.
// A depth check's builds draw from a stream of (seed, width, depth): the same depth builds the same weights again.
const withSeed = <T>(seed: number, width: number, fn: () => Promise<T>, depth?: number): Promise<T> =>
  withSeededRandom(coordBuildSeed(seed, width) + (depth === undefined ? 0 : depth * 7919), fn);

function describe(model: tfjs.LayersModel, siteOf?: (layer: unknown) => { file: string; line: number } | null): LayerShape[] {
  const layers = model.layers;
  const index = new Map<unknown, number>(layers.map((l, i) => [l, i]));
  const lastDim = (get: () => unknown): number | null => {
    try {
      const t = get() as { shape: (number | null)[] } | { shape: (number | null)[] }[];
      const shape = Array.isArray(t) ? t[0]?.shape : t.shape;
      return shape && shape.length > 0 ? (shape[shape.length - 1] ?? null) : null;
    } catch {
      return null; // a layer used at several call sites has no single input/output
    }
  };
  return layers.map((l) => {
    const nodes = (l as unknown as { inboundNodes: { inboundLayers: unknown[] }[] }).inboundNodes;
    return {
      className: l.getClassName(),
      name: l.name,
      inDim: lastDim(() => l.input),
      outDim: lastDim(() => l.output),
      inbound: (nodes[0]?.inboundLayers ?? []).map((x) => index.get(x) ?? -1).filter((i) => i >= 0),
      hasWeights: l.weights.length > 0,
      isInput: l.getClassName() === 'InputLayer',
      site: siteOf?.(l) ?? null,
    };
  });
}

export async function runCoordCheck(tf: Tf, params: CoordJobParams, deps: EngineDeps): Promise<CoordJobResult> {
  const where = `${params.exportName} in ${params.file}`;
  const buildAny = modelBuilder(deps.exports, params.exportName, params.file);
  // A check across depth builds `(width, {depth})` (docs/contracts.md "Axes"): the factory must read `depth`.
  const depthReads = new Set<string>();
  const build = async (width: number, depth?: number): Promise<tfjs.LayersModel> => {
    const m = await buildAny(width, depth === undefined ? undefined : { depth }, depthReads);
    if (depth !== undefined && !depthReads.has('depth')) {
      m.dispose();
      throw usageError(`${params.exportName} never reads 'depth' from its second argument: a check across depth needs a factory (width, {depth}) => model (docs/contracts.md "Axes")`);
    }
    if (m.inputs.length !== 1 || m.outputs.length < 1) {
      throw usageError(`${params.exportName}(${width}): the coordinate check needs a model with one input (it has ${m.inputs.length})`);
    }
    return m;
  };

  const { widths, steps, seeds } = params;
  const depths: (number | undefined)[] = params.depths && params.depths.length > 0 ? params.depths : [undefined];
  const notes: string[] = [];

  // Plan the recorded layers from two builds (roles come from which dimensions grow with width), at every depth.
  const w0 = widths[0];
  const w1 = widths.length > 1 ? widths[1] : widths[0] * 2;
  const sourceOf = deps.sourceLayers ? { file: params.file, exportName: params.exportName, layers: deps.sourceLayers, layersOf: deps.sourceLayersOf } : null;
  const planAt = async (depth: number | undefined): Promise<{ plan: LayerPlan; shapes: LayerShape[] }> => {
    const a = await withSeed(0, w0, () => build(w0, depth), depth);
    const shapes = describe(a, deps.layerSite);
    a.dispose();
    const b = await withSeed(0, w1, () => build(w1, depth), depth);
    const shapesB = describe(b);
    b.dispose();
    return { plan: planLayers(shapes, shapesB, sourceOf), shapes };
  };
  const probeA = await withSeed(0, w0, () => build(w0, depths[0]), depths[0]);
  const shapeInfo = {
    inShape: probeA.inputs[0].shape,
    inDtype: probeA.inputs[0].dtype,
    vocab: (() => {
      const emb = probeA.layers.find((l) => l.getClassName() === 'Embedding');
      return emb ? ((emb.getConfig().inputDim as number | undefined) ?? null) : null;
    })(),
    outShape: probeA.outputs[0].shape,
  };
  probeA.dispose();
  // Per depth: the planned layers, and which of them the check judges (all of them in a width check; across depth,
  // what exists at every depth: src/coord/depthLayers.ts).
  const plans = new Map<number | undefined, LayerPlan>();
  const pick = new Map<number | undefined, number[]>();
  let judged: { name: string; role: string; source: { file: string; line: number } | null }[];
  if (depths[0] === undefined) {
    const { plan } = await planAt(undefined);
    plans.set(undefined, plan);
    pick.set(undefined, plan.layers.map((_, i) => i));
    judged = plan.layers;
    notes.push(...plan.notes);
  } else {
    const planned = [];
    for (const d of depths) {
      const { plan, shapes } = await planAt(d);
      plans.set(d, plan);
      planned.push(plan.layers.map((l) => ({ name: l.name, role: l.role, source: l.source, className: shapes[l.index]?.className ?? '' })));
    }
    notes.push(...plans.get(depths[0])!.notes);
    const match = matchAcrossDepths(depths as number[], planned);
    for (const [d, p] of match.pick) pick.set(d, p);
    judged = match.layers;
    notes.push(...match.notes);
  }
  if (judged.length === 0) throw usageError(`${where}: the model has no layers to record${depths[0] === undefined ? '' : ' at every depth'}`);

  // muP: per-group LRs from base shapes inferred by building at two widths (src/mup, MuAdam/MuSGD).
  let mup: MupRuntime | null = null;
  const baseShapesAt = new Map<number | undefined, Awaited<ReturnType<MupRuntime['inferBaseShapesAsync']>>>();
  if (params.parametrization === 'mup') {
    mup = deps.mup();
    const baseWidth = params.baseWidth ?? Math.min(...widths);
    const deltaWidth = widths.find((w) => w !== baseWidth) ?? baseWidth * 2;
    for (const d of depths) {
      try {
        baseShapesAt.set(d, await withSeed(0, baseWidth, () => mup!.inferBaseShapesAsync((w) => build(w, d), { baseWidth, deltaWidth }), d));
      } catch (err) {
        throw userError(err, `inferring muP base shapes of ${params.exportName} (widths ${baseWidth} and ${deltaWidth}${d === undefined ? '' : `, depth ${d}`})`);
      }
    }
    notes.push(`optimizer: ${params.optimizer === 'adam' ? 'MuAdam' : 'MuSGD'} lr ${params.lr}, base width ${baseWidth} (per-group learning rates)`);
  } else {
    notes.push(`optimizer: ${params.optimizer} lr ${params.lr}, one global learning rate (SP)`);
  }
  // The fixed batch (made last: nothing above can fail and leave it undisposed).
  const dataExports = deps.dataExports ?? deps.exports;
  const dataName = params.data?.exportName ?? 'data';
  const hasData = params.data != null || typeof deps.exports.data === 'function';
  const batch: Batch = hasData
    ? await userBatch(tf, dataExports[dataName], dataExports.loss ?? deps.exports.loss, shapeInfo.outShape, `data export '${dataName}'`)
    : syntheticBatch(tf, shapeInfo, params.batchSize ?? 64, deps.exports.loss);
  notes.push(`data: ${batch.description}`);

  notes.push('seeds: each (seed, width) build draws its initial weights from its own fixed PRNG stream; the batch is the same for all');

  const layersOut = judged.map(({ name, role, source }) => ({ name, role, source }));
  deps.progress({ phase: 'layers', layers: layersOut, notes: [...notes] });

  const runs: CoordRun[] = [];
  let diverged: CoordStop | null = null;
  let outOfMemory: CoordStop | null = null;
  try {
    const share = params.runs ? new Set(params.runs.map((r) => `${r.width}|${r.depth ?? ''}|${r.seed}`)) : null;
    outer: for (const width of widths) {
      for (const depth of depths) {
        for (let seed = 0; seed < seeds; seed++) {
          if (share && !share.has(`${width}|${depth ?? ''}|${seed}`)) continue;
          let step = 0;
          try {
            const stop = await trainOne(tf, width, depth, seed, (s) => {
              step = s;
              deps.progress({ phase: 'step', width, seed, step: s, ...(depth === undefined ? {} : { depth }) });
            });
            if (stop) {
              diverged = stop;
              break outer;
            }
          } catch (err) {
            if (isOutOfMemory(err)) {
              outOfMemory = { width, seed, step, message: err instanceof Error ? err.message.split('\n')[0] : String(err), ...(depth === undefined ? {} : { depth }) };
              break outer;
            }
            throw err;
          }
        }
        deps.releaseMemory?.();
      }
    }
  } finally {
    tf.dispose(batch.owned);
  }
  return { layers: layersOut, runs, diverged, outOfMemory, notes };

  async function trainOne(tf: Tf, width: number, depth: number | undefined, seed: number, onStep: (s: number) => void): Promise<CoordStop | null> {
    const model = await withSeed(seed, width, () => build(width, depth), depth);
    const plan = plans.get(depth)!;
    const picked = pick.get(depth)!.map((k) => plan.layers[k]!);
    const at = depth === undefined ? `width ${width}` : `width ${width}, depth ${depth}`;
    let optimizer: tfjs.Optimizer | null = null;
    try {
      const layers = model.layers;
      // One output per recorded layer; two judged entries may record the same layer (the stream at 1/4 and 1/2 of a
      // shallow model), and tf.model takes each output once.
      const outputs: tfjs.SymbolicTensor[] = [];
      const slot = picked.map((p) => {
        const o = layers[p.index].output as tfjs.SymbolicTensor;
        let k = outputs.indexOf(o);
        if (k < 0) k = outputs.push(o) - 1;
        return k;
      });
      let lossAt = outputs.indexOf(model.outputs[0]);
      if (lossAt < 0) {
        outputs.push(model.outputs[0]);
        lossAt = outputs.length - 1;
      }
      const probe = tf.model({ inputs: model.inputs, outputs });
      const vars = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
      if (mup) {
        const applied = mup.applyBaseShapes(model, baseShapesAt.get(depth)!, width);
        optimizer = params.optimizer === 'adam' ? new mup.MuAdam({ learningRate: params.lr, params: applied }) : new mup.MuSGD({ learningRate: params.lr, params: applied });
      } else {
        optimizer = params.optimizer === 'adam' ? tf.train.adam(params.lr) : tf.train.sgd(params.lr);
      }
      const l1: number[][] = [];
      for (let t = 1; t <= steps; t++) {
        onStep(t);
        let l1s: tfjs.Tensor | null = null;
        const forward = (): tfjs.Scalar => {
          const outs = probe.apply(batch.xs, { training: true }) as tfjs.Tensor | tfjs.Tensor[];
          const list = Array.isArray(outs) ? outs : [outs];
          l1s = tf.keep(tf.stack(slot.map((k) => tf.mean(tf.abs(list[k])))));
          return lossValue(tf, batch.loss, batch.ys, list[lossAt]);
        };
        let lossT: tfjs.Scalar;
        if (t < steps) {
          const { value, grads } = tf.variableGrads(forward, vars);
          optimizer.applyGradients(grads);
          tf.dispose(grads);
          lossT = value;
        } else {
          lossT = tf.tidy(forward); // the last step's update would not be recorded: skip it
        }
        const values = Array.from(await (l1s as unknown as tfjs.Tensor).data());
        const loss = (await lossT.data())[0];
        tf.dispose([l1s as unknown as tfjs.Tensor, lossT]);
        l1.push(values);
        const bad = values.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0 || !Number.isFinite(loss)) {
          const what = bad >= 0 ? `layer '${judged[bad].name}' output is ${values[bad]}` : `loss is ${loss}`;
          return { width, seed, step: t, message: `training diverged at ${at}, seed ${seed}, step ${t}: ${what}`, ...(depth === undefined ? {} : { depth }) };
        }
      }
      const run = { width, seed, l1, ...(depth === undefined ? {} : { depth }) };
      runs.push(run);
      deps.progress({ phase: 'run', run });
      return null;
    } finally {
      optimizer?.dispose();
      model.dispose();
    }
  }
}
