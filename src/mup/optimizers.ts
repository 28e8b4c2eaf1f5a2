// Per-group optimizers: microsoft/mup's MuAdam and MuSGD (mup/optim.py behaviour, own code), for tfjs.
// Adam is scale-invariant, so scaling gradients cannot replace per-group learning rates (docs/mup.md): each LR
// group gets its own tf.train.adam / tf.train.sgd, and variables are grouped by object, never by name
// (tfjs renames variables on every rebuild).
import type * as tfType from '@tensorflow/tfjs';
import { checkDepthOption, depthScales } from './depth';
import type {
  DepthOptions,
  DepthScales,
  GroupScales,
  LrGroup,
  MuAdamOptions,
  MuOptimizerOptions,
  MuSGDOptions,
  ParamInfo,
  Tf,
} from './runtime-types';

export type { GroupScales, LrGroup, MuAdamOptions, MuOptimizerOptions, MuSGDOptions };

/** Multipliers of the base learning rate and weight decay for one weight. */
function tooManyInfDims(info: ParamInfo): Error {
  return new Error(
    `weight #${info.index} (${info.name}, shape [${info.shape}]) has ${info.ninf} dimensions that grow with ` +
      'width; muP (and microsoft/mup) define LR rules for at most 2. Keep at most two width-sized dimensions per weight.',
  );
}

/**
 * How weight decay is applied (docs/runtime.md, "Weight decay"):
 * - `l2`: added to the gradient (torch's `weight_decay`), scaled with width like microsoft/mup's MuAdam/MuSGD;
 * - `decoupled`: AdamW's `w *= 1 - lr_group * wd_group`, with wd_group scaled like `l2`, so that `lr * wd` is the
 *   same for every weight at every width (microsoft/mup's `MuAdamW`, its default `decoupled_wd=False`);
 * - `independent`: `w *= 1 - wd` each step, independent of the LR and of width (what microsoft/mup's
 *   `decoupled_wd=True` is meant for: an optimizer whose decay does not multiply the LR).
 */
export type WeightDecayKind = 'l2' | 'decoupled' | 'independent';

/** `true`/`false` are the old boolean `decoupledWeightDecay` argument. */
function decayKind(kind: boolean | WeightDecayKind | undefined): WeightDecayKind {
  if (kind === true) return 'decoupled';
  if (kind === false || kind == null) return 'l2';
  return kind;
}

/**
 * MuAdam's rule (docs/mup.md's table): matrix-like weights lr / widthMult, everything else lr. Weight decay (L2 or
 * AdamW's decoupled) is multiplied by widthMult on matrix-like weights, so lr * wd stays constant; an
 * LR-independent decay is not scaled.
 */
export function muAdamScales(info: ParamInfo, decay: boolean | WeightDecayKind = 'l2'): GroupScales {
  if (info.ninf > 2) throw tooManyInfDims(info);
  if (info.ninf === 2) {
    return { lr: 1 / info.widthMult, weightDecay: decayKind(decay) === 'independent' ? 1 : info.widthMult };
  }
  return { lr: 1, weightDecay: 1 };
}

/**
 * MuSGD's rule: vector-like lr * widthMult (wd / widthMult), matrix-like lr / (fanInMult / fanOutMult)
 * (wd * that ratio), fixed lr. lr * wd stays constant; an LR-independent decay is not scaled.
 */
export function muSgdScales(info: ParamInfo, decay: boolean | WeightDecayKind = 'l2'): GroupScales {
  if (info.ninf > 2) throw tooManyInfDims(info);
  const scaled = decayKind(decay) !== 'independent';
  if (info.ninf === 1) {
    return { lr: info.widthMult, weightDecay: scaled ? 1 / info.widthMult : 1 };
  }
  if (info.ninf === 2) {
    const ratio = info.fanInMult / info.fanOutMult;
    return { lr: 1 / ratio, weightDecay: scaled ? ratio : 1 };
  }
  return { lr: 1, weightDecay: 1 };
}

type NamedTensor = { name: string; tensor: tfType.Tensor };
type GradientsArg = tfType.NamedTensorMap | NamedTensor[];

function checkNumber(what: string, v: unknown, { positive = false } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    throw new RangeError(`${what} must be a ${positive ? 'positive' : 'non-negative'} finite number, got ${String(v)}`);
  }
  return v;
}

export function defineOptimizers(tf: Tf, registry: WeakMap<tfType.Variable, ParamInfo>) {
  abstract class MuOptimizer extends tf.Optimizer {
    protected baseLearningRate: number;
    readonly weightDecay: number;
    readonly decoupledWeightDecay: boolean;
    readonly independentWeightDecay: boolean;
    private readonly explicit: Map<tfType.Variable, ParamInfo> | undefined;
    private readonly groupMap = new Map<string, LrGroup>();
    /** Variables already given a slot in their group's list. */
    private readonly known = new Set<tfType.Variable>();

    constructor(kind: string, opts: MuOptimizerOptions) {
      super();
      if (opts == null || typeof opts !== 'object') {
        throw new TypeError(`${kind}: pass options, e.g. new ${kind}({learningRate: 1e-3})`);
      }
      this.baseLearningRate = checkNumber(`${kind}: learningRate`, opts.learningRate, { positive: true });
      this.weightDecay = checkNumber(`${kind}: weightDecay`, opts.weightDecay ?? 0);
      this.decoupledWeightDecay = opts.decoupledWeightDecay ?? false;
      this.independentWeightDecay = opts.independentWeightDecay ?? false;
      if (this.decoupledWeightDecay && this.independentWeightDecay) {
        throw new TypeError(`${kind}: choose one of decoupledWeightDecay (AdamW: w *= 1 - lr * wd) and independentWeightDecay (w *= 1 - wd)`);
      }
      if (opts.params != null && !(opts.params.byVariable instanceof Map)) {
        throw new TypeError(`${kind}: params must be the result of applyBaseShapes(model, baseShapes, width)`);
      }
      this.explicit = opts.params?.byVariable;
      this.depth = checkDepthOption(kind, opts.depth, opts.params?.baseDepth);
    }

    /** The `depth` option, checked (issue 22): its LR and epsilon factors multiply each group's (src/mup/depth.ts). */
    readonly depth: DepthOptions | undefined;
    /** The depth factors of one weight's group. */
    protected abstract depthScalesFor(info: ParamInfo): DepthScales;

    /** Which weight decay the options chose (see WeightDecayKind). */
    protected weightDecayKind(): WeightDecayKind {
      return this.independentWeightDecay ? 'independent' : this.decoupledWeightDecay ? 'decoupled' : 'l2';
    }

    /** The LR and WD multipliers of one weight (MuAdam's or MuSGD's rule). */
    protected abstract scalesFor(info: ParamInfo): GroupScales;
    /** A fresh inner optimizer for one group. */
    protected abstract makeInner(learningRate: number, depth: DepthScales): tfType.Optimizer;

    get learningRate(): number {
      return this.baseLearningRate;
    }

    /** Changes the base LR; every group keeps its multiplier. */
    setLearningRate(learningRate: number): void {
      this.baseLearningRate = checkNumber('setLearningRate', learningRate, { positive: true });
      for (const g of this.groupMap.values()) {
        g.learningRate = this.baseLearningRate * g.scales.lr;
        (g.inner as unknown as { learningRate: number }).learningRate = g.learningRate;
        const withSetter = g.inner as unknown as { setLearningRate?: (lr: number) => void };
        withSetter.setLearningRate?.(g.learningRate);
      }
    }

    /** The LR groups created so far (they are created on first use), for display and tests. */
    get groups(): readonly LrGroup[] {
      return [...this.groupMap.values()];
    }

    /** The muP information of one variable, or a clear error saying how to provide it. */
    paramInfo(variable: tfType.Variable): ParamInfo {
      const info = this.explicit?.get(variable) ?? (this.explicit ? undefined : registry.get(variable));
      if (info == null) {
        throw new Error(
          `${this.getClassName()}: variable '${variable.name}' has no muP base shape. Call ` +
            'applyBaseShapes(model, inferBaseShapes(factory, {baseWidth}), width) on the model before training' +
            (this.explicit ? ', and pass that result as params' : '') +
            '; every weight the optimizer updates must be one of its trainable weights.',
        );
      }
      return info;
    }

    private groupFor(info: ParamInfo): LrGroup {
      const width = this.scalesFor(info);
      const depth = this.depthScalesFor(info);
      // The depth factor multiplies the width rule's LR (issue 22); without a `depth` option it is 1.
      const scales = depth.lr === 1 ? width : { ...width, lr: width.lr * depth.lr };
      const key = `${scales.lr}|${scales.weightDecay}${depth.epsilon === 1 ? '' : `|eps${depth.epsilon}`}`;
      let g = this.groupMap.get(key);
      if (g == null) {
        const learningRate = this.baseLearningRate * scales.lr;
        g = {
          key,
          scales,
          learningRate,
          weightDecay: this.weightDecay * scales.weightDecay,
          inner: this.makeInner(learningRate, depth),
          variables: [],
          ...(this.depth ? { depthScales: depth } : {}),
        };
        this.groupMap.set(key, g);
      }
      return g;
    }

    /** The group (and so the effective LR) a variable trains with. */
    groupOf(variable: tfType.Variable): LrGroup {
      return this.groupFor(this.paramInfo(variable));
    }

    override applyGradients(variableGradients: GradientsArg): void {
      const pairs: [string, tfType.Tensor | null][] = Array.isArray(variableGradients)
        ? variableGradients.map((g) => [g.name, g.tensor ?? null])
        : Object.entries(variableGradients).map(([n, t]) => [n, t ?? null]);
      const perGroup = new Map<LrGroup, Map<tfType.Variable, tfType.Tensor | null>>();
      for (const [name, tensor] of pairs) {
        const variable = tf.engine().registeredVariables[name];
        if (variable == null) {
          throw new Error(`${this.getClassName()}: no variable named '${name}' exists (was its model disposed?)`);
        }
        const group = this.groupFor(this.paramInfo(variable));
        if (!this.known.has(variable)) {
          this.known.add(variable);
          group.variables.push(variable);
        }
        let grads = perGroup.get(group);
        if (grads == null) perGroup.set(group, (grads = new Map()));
        grads.set(variable, tensor);
      }
      for (const [group, grads] of perGroup) {
        if ([...grads.values()].every((t) => t == null)) continue;
        const made: tfType.Tensor[] = [];
        const list = group.variables.map((v) => {
          let t = grads.get(v) ?? null;
          if (t != null && group.weightDecay > 0) {
            if (this.decoupledWeightDecay || this.independentWeightDecay) {
              const keep = 1 - (this.independentWeightDecay ? 1 : group.learningRate) * group.weightDecay;
              tf.tidy(() => v.assign(tf.mul(v, keep)));
            } else {
              const wd = group.weightDecay;
              t = tf.tidy(() => tf.add(t as tfType.Tensor, tf.mul(v, wd)));
              made.push(t);
            }
          }
          // A null gradient (a weight the loss does not reach) is skipped by the inner optimizer; it still
          // needs its slot, since tfjs Adam keeps its moments by position in this list.
          return { name: v.name, tensor: t as tfType.Tensor };
        });
        try {
          group.inner.applyGradients(list);
        } finally {
          tf.dispose(made);
        }
      }
      this.incrementIterations();
    }

    /**
     * One training step with `tf.variableGrads`: computes the loss and gradients, applies them per group,
     * disposes the gradients, and returns the loss (the caller disposes it).
     */
    step(lossFn: () => tfType.Scalar, varList?: tfType.Variable[]): tfType.Scalar {
      const vars = varList ?? (this.explicit ? [...this.explicit.keys()].filter((v) => v.trainable) : undefined);
      return this.minimize(lossFn, true, vars) as tfType.Scalar;
    }

    // tfjs-layers asks for these only to save a model with {includeOptimizer: true}.
    override async getWeights(): Promise<NamedTensor[]> {
      throw new Error(
        `${this.getClassName()} cannot save its state yet: save the model without includeOptimizer, and after ` +
          'loading call applyBaseShapes and compile with a new optimizer',
      );
    }

    override async setWeights(_weights: NamedTensor[]): Promise<void> {
      throw new Error(`${this.getClassName()} cannot load a saved optimizer state yet`);
    }

    override dispose(): void {
      for (const g of this.groupMap.values()) g.inner.dispose();
      this.groupMap.clear();
      this.known.clear();
      super.dispose();
    }

    override getConfig(): tfType.serialization.ConfigDict {
      return {
        learningRate: this.baseLearningRate,
        weightDecay: this.weightDecay,
        decoupledWeightDecay: this.decoupledWeightDecay,
        independentWeightDecay: this.independentWeightDecay,
      };
    }
  }

  class MuAdam extends MuOptimizer {
    static get className(): string {
      return 'MuAdam';
    }
    readonly beta1: number;
    readonly beta2: number;
    readonly epsilon: number | undefined;

    constructor(opts: MuAdamOptions) {
      super('MuAdam', opts);
      this.beta1 = opts.beta1 ?? 0.9;
      this.beta2 = opts.beta2 ?? 0.999;
      this.epsilon = opts.epsilon;
    }
    protected scalesFor(info: ParamInfo): GroupScales {
      return muAdamScales(info, this.weightDecayKind());
    }
    protected depthScalesFor(info: ParamInfo): DepthScales {
      return depthScales(info, this.depth, 'adam');
    }
    protected makeInner(learningRate: number, depth: DepthScales): tfType.Optimizer {
      // Adam epsilon x (depth/baseDepth)^-alpha (CompleteP); the base is the given epsilon, else the backend's.
      const epsilon = depth.epsilon === 1 ? this.epsilon : (this.epsilon ?? tf.backend().epsilon()) * depth.epsilon;
      return tf.train.adam(learningRate, this.beta1, this.beta2, epsilon);
    }
    override getConfig(): tfType.serialization.ConfigDict {
      const c: tfType.serialization.ConfigDict = { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2 };
      if (this.epsilon != null) c.epsilon = this.epsilon;
      return c;
    }
    static override fromConfig<T extends tfType.serialization.Serializable>(
      cls: tfType.serialization.SerializableConstructor<T>,
      config: tfType.serialization.ConfigDict,
    ): T {
      return new (cls as unknown as new (o: MuAdamOptions) => T)(config as unknown as MuAdamOptions);
    }
  }

  class MuSGD extends MuOptimizer {
    static get className(): string {
      return 'MuSGD';
    }
    readonly momentum: number;
    readonly useNesterov: boolean;

    constructor(opts: MuSGDOptions) {
      super('MuSGD', opts);
      this.momentum = checkNumber('MuSGD: momentum', opts.momentum ?? 0);
      this.useNesterov = opts.useNesterov ?? false;
    }
    protected scalesFor(info: ParamInfo): GroupScales {
      return muSgdScales(info, this.weightDecayKind());
    }
    protected depthScalesFor(info: ParamInfo): DepthScales {
      return depthScales(info, this.depth, 'sgd');
    }
    protected makeInner(learningRate: number): tfType.Optimizer {
      return this.momentum > 0
        ? tf.train.momentum(learningRate, this.momentum, this.useNesterov)
        : tf.train.sgd(learningRate);
    }
    override getConfig(): tfType.serialization.ConfigDict {
      return { ...super.getConfig(), momentum: this.momentum, useNesterov: this.useNesterov };
    }
    static override fromConfig<T extends tfType.serialization.Serializable>(
      cls: tfType.serialization.SerializableConstructor<T>,
      config: tfType.serialization.ConfigDict,
    ): T {
      return new (cls as unknown as new (o: MuSGDOptions) => T)(config as unknown as MuSGDOptions);
    }
  }

  tf.serialization.registerClass(MuAdam, 'MupLens');
  tf.serialization.registerClass(MuSGD, 'MupLens');
  return { MuAdam, MuSGD };
}
