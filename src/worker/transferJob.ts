// The worker side of `mup-lens transfer`: the `transfer` job. Builds the user's model with the tuned hyperparameters
// at the base width and at the target width (seeded as a trial's build), infers its base shapes, and reports every
// trainable weight's muP multipliers (the runtime's rules: src/mup/optimizers.ts) and initial std at both widths,
// and each readout's forward multiplier (a MuReadout's, or a rescaling beside the readout). Nothing is trained.
import type * as tfType from '@tensorflow/tfjs';
import { usageError } from '../job/errors';
import { modelBuilder } from '../job/factory';
import { baseShapesFor } from './trialJob';
import { trialBuildSeed, withSeededRandom } from '../job/seed';
import type { MupRuntime } from '../mup/runtime-types';
import type { TransferJobParams } from '../protocol/jobs';
import type { TransferJobResult, TransferParamFacts, TransferReadoutFacts } from '../sweep/transfer';

type Tf = typeof tfType;

export interface TransferJobContext {
  tf: Tf;
  mup(): MupRuntime;
  loadModule(file: string): Promise<Record<string, unknown>>;
  progress(p: { phase: string }): void;
}

function stdOf(tf: Tf, v: tfType.LayerVariable): number {
  return tf.tidy(() => {
    const x = v.read();
    return x.size === 0 ? 0 : Math.sqrt(tf.moments(x).variance.dataSync()[0]!);
  });
}

const cls = (l: tfType.layers.Layer) => l.getClassName();

/** The layers feeding `layer` and fed by it (graph and sequential models alike: both keep nodes). */
function neighbours(layer: tfType.layers.Layer): { before: tfType.layers.Layer[]; after: tfType.layers.Layer[] } {
  const before = layer.inboundNodes.flatMap((n) => n.inboundLayers);
  const after = layer.outboundNodes.map((n) => n.outboundLayer);
  return { before, after };
}

/** The forward multiplier of a readout layer, and where it comes from. */
function multiplierOf(layer: tfType.layers.Layer): { via: string | null; mult: number } {
  const c = cls(layer);
  if (c === 'MuReadout' || c === 'MuSharedReadout') {
    const l = layer as unknown as { outputMult: number; widthMult: number | null };
    return { via: c, mult: l.outputMult / (l.widthMult ?? 1) };
  }
  const { before, after } = neighbours(layer);
  // A rescaling right after the readout (or right before it, its only input): mup-lens's convention (docs/mup.md).
  const scale = [...after, ...(before.length === 1 ? before : [])].find((l) => cls(l) === 'Rescaling');
  if (scale) return { via: `rescaling ${scale.name}`, mult: Number((scale.getConfig() as { scale?: number }).scale ?? 1) };
  return { via: null, mult: 1 };
}

export async function runTransferJob(p: TransferJobParams, ctx: TransferJobContext): Promise<TransferJobResult> {
  const { tf } = ctx;
  const rt = ctx.mup();
  const mod = await ctx.loadModule(p.file);
  const buildAt = modelBuilder(mod, p.exportName, p.file);
  const hp = p.hp && Object.keys(p.hp).length ? p.hp : undefined;
  if (!(p.targetWidth > 0) || !(p.baseWidth > 0)) throw usageError('transfer: the widths must be positive');
  ctx.progress({ phase: 'base shapes' });
  const baseShapes = await baseShapesFor(rt, buildAt, p);
  const build = (w: number) => withSeededRandom(trialBuildSeed(0, w), () => buildAt(w, hp));
  ctx.progress({ phase: `width ${p.baseWidth}` });
  const base = await build(p.baseWidth);
  let target: tfType.LayersModel | undefined;
  try {
    const baseApplied = rt.applyBaseShapes(base, baseShapes, p.baseWidth);
    const baseStd = base.trainableWeights.map((w) => stdOf(tf, w));
    const baseMult = new Map<string, { via: string | null; mult: number }>();
    const readoutLayers = (m: tfType.LayersModel, applied: typeof baseApplied) => {
      const names = new Set<string>();
      for (const info of applied.params) {
        // A readout: one infinite dimension, the fan-in (tfjs kernels are [..., in, out]), of a weight of rank >= 2.
        if (info.ninf === 1 && info.shape.length >= 2 && info.infDims[info.shape.length - 2]) names.add((info.layerVariable.originalName ?? info.name).split('/')[0]!);
      }
      return m.layers.filter((l) => names.has(l.name) || cls(l) === 'MuSharedReadout');
    };
    for (const l of readoutLayers(base, baseApplied)) baseMult.set(l.name, multiplierOf(l));
    ctx.progress({ phase: `width ${p.targetWidth}` });
    target = await build(p.targetWidth);
    const applied = rt.applyBaseShapes(target, baseShapes, p.targetWidth);
    const params: TransferParamFacts[] = applied.params.map((info, i) => {
      const name = info.layerVariable.originalName ?? info.name;
      const layer = name.split('/')[0]!;
      const owner = target!.layers.find((l) => l.name === layer);
      return {
        index: i, name, layer, layerClass: owner ? cls(owner) : '', kind: info.kind,
        shape: [...info.shape], baseShape: [...info.baseShape], infDims: [...info.infDims],
        widthMult: info.widthMult, fanInMult: info.fanInMult, fanOutMult: info.fanOutMult,
        adamLrMult: rt.muAdamScales(info).lr, sgdLrMult: rt.muSgdScales(info).lr,
        baseStd: baseStd[i] ?? 0, targetStd: stdOf(tf, info.layerVariable),
      };
    });
    const readouts: TransferReadoutFacts[] = readoutLayers(target, applied).map((l) => {
      const kernel = applied.params.find((q) => (q.layerVariable.originalName ?? q.name).split('/')[0] === l.name && q.ninf === 1 && q.shape.length >= 2);
      const t = multiplierOf(l);
      return { layer: l.name, via: t.via, baseMult: baseMult.get(l.name)?.mult ?? t.mult, targetMult: t.mult, widthMult: kernel?.widthMult ?? 1 };
    });
    return { baseShapes, params, readouts };
  } finally {
    base.dispose();
    target?.dispose();
  }
}
