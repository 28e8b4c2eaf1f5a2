// The muP runtime for TensorFlow.js, as a factory over a tf namespace: the worker picks a backend (and so a
// tfjs instance) at run time, and the user's model, the engines and these classes must share it. One runtime
// per tfjs instance (cached), so classes are registered with tf.serialization once per instance.
import type * as tfType from '@tensorflow/tfjs';
import { inferBaseShapes, inferBaseShapesAsync, matchBaseShapes } from './baseShapes';
import type { AppliedBaseShapes, BaseShapes, MupRuntime, ParamInfo, Tf } from './runtime-types';
import { attentionScale } from './attention';
import { defineInitializers } from './initializers';
import { defineLayers, isMupLayer } from './layers';
import { defineOptimizers, muAdamScales, muSgdScales } from './optimizers';
import { branchMultiplier, depthScales } from './depth';
import { defineTransfer } from './transfer';

export type * from './runtime-types';
export { compareShapes, multipliersFor } from './baseShapes';
export { attentionScale, muAdamScales, muSgdScales, branchMultiplier, depthScales };

function allLayers(model: tfType.LayersModel): tfType.layers.Layer[] {
  const out: tfType.layers.Layer[] = [];
  const walk = (layers: tfType.layers.Layer[]) => {
    for (const l of layers) {
      out.push(l);
      const nested = (l as unknown as { layers?: tfType.layers.Layer[] }).layers;
      if (Array.isArray(nested)) walk(nested);
    }
  };
  walk(model.layers);
  return out;
}

function buildRuntime(tf: Tf): MupRuntime {
  // Variable object -> its muP information, filled by applyBaseShapes and read by the optimizers. A WeakMap:
  // a disposed model's variables are not kept alive by it.
  const registry = new WeakMap<tfType.Variable, ParamInfo>();
  const initializers = defineInitializers(tf);
  const layers = defineLayers(tf, initializers);
  const optimizers = defineOptimizers(tf, registry);

  /**
   * Matches a model built at `width` to base shapes (by weight position), records every trainable weight's
   * kind and multipliers for MuAdam/MuSGD, and gives MuReadout layers without a `baseWidth` their width
   * multiplier (rescaling their init once, as mup's set_base_shapes does).
   */
  function applyBaseShapes(model: tfType.LayersModel, baseShapes: BaseShapes, width?: number): AppliedBaseShapes {
    const applied = matchBaseShapes(model, baseShapes, width);
    for (const p of applied.params) registry.set(p.variable, p);
    for (const layer of allLayers(model)) {
      if (isMupLayer(layer)) layer.mupApplyBaseShapes(applied);
    }
    return applied;
  }

  /** The muP information applyBaseShapes recorded for a variable, if any. */
  function paramInfoOf(variable: tfType.Variable | tfType.LayerVariable): ParamInfo | undefined {
    const v = typeof (variable as tfType.LayerVariable).read === 'function'
      ? ((variable as tfType.LayerVariable).read() as tfType.Variable)
      : (variable as tfType.Variable);
    return registry.get(v);
  }

  const fromTransfer = defineTransfer(tf, { applyBaseShapes }, optimizers.MuAdam);

  return {
    tf,
    fromTransfer,
    inferBaseShapes,
    inferBaseShapesAsync,
    applyBaseShapes,
    paramInfoOf,
    attentionScale,
    muAdamScales,
    muSgdScales,
    muFanIn: initializers.muFanIn,
    MuReadoutInit: initializers.MuReadoutInit,
    muReadoutInit: initializers.muReadoutInit,
    MuReadout: layers.MuReadout,
    MuSharedReadout: layers.MuSharedReadout,
    muReadout: layers.muReadout,
    muSharedReadout: layers.muSharedReadout,
    MuAdam: optimizers.MuAdam,
    MuSGD: optimizers.MuSGD,
    branchMultiplier,
    depthScales,
  };
}

const cache = new WeakMap<object, MupRuntime>();

/** The muP runtime bound to one tfjs instance (the one the model is built with). Cached per instance. */
export function createMup(tf: Tf): MupRuntime {
  if (tf == null || typeof tf !== 'object' || tf.layers == null || tf.train == null) {
    throw new TypeError('createMup: pass the @tensorflow/tfjs namespace (import * as tf from "@tensorflow/tfjs")');
  }
  let rt = cache.get(tf);
  if (rt == null) {
    rt = buildRuntime(tf);
    cache.set(tf, rt);
  }
  return rt;
}
