// Public types of `mup-lens/runtime`. Types only, no code: the build copies this file to
// dist/runtime-types.d.ts, so TypeScript users of the runtime get exactly these declarations.
import type * as tf from '@tensorflow/tfjs';

export type Tf = typeof tf;

// ---------------------------------------------------------------------------------------------- base shapes
/** 0 infinite dims: fixed; 1: vector-like; 2 (or more): matrix-like (docs/mup.md's vocabulary). */
export type ParamKind = 'fixed' | 'vector' | 'matrix';

/** What base-shape inference learnt about one trainable weight. Plain JSON: it can be stored and reused. */
export interface BaseShapeEntry {
  /** Position in `model.trainableWeights`. */
  index: number;
  /** The weight's name in the base-width probe (names change on rebuild: informative only). */
  name: string;
  baseShape: number[];
  deltaShape: number[];
  /** Per dimension: does it grow with width? */
  infDims: boolean[];
  /** Number of infinite dimensions. */
  ninf: number;
  kind: ParamKind;
}

export interface BaseShapes {
  baseWidth: number;
  deltaWidth: number;
  /** The depth the base shapes were inferred at (`InferOptions.baseDepth`): the base of the depth factors (issue 22). */
  baseDepth?: number;
  params: BaseShapeEntry[];
}

/** A trainable weight of a model built at some width, with its muP multipliers. */
export interface ParamInfo extends BaseShapeEntry {
  /** The weight's tf.Variable (what optimizers see): the key the per-group optimizers group by. */
  variable: tf.Variable;
  /** The layers-level variable (`model.trainableWeights[index]`). */
  layerVariable: tf.LayerVariable;
  /** The shape at this width. */
  shape: number[];
  /** Per dimension: shape / baseShape (1 for finite dims). */
  dimMults: number[];
  /**
   * mup's `infshape.width_mult()`: the fan-in dimension's multiplier when the fan-in is infinite, else the
   * fan-out's, else the last infinite dimension's, else 1. For a hidden kernel it is the fan-in multiplier.
   */
  widthMult: number;
  /** Multiplier of the fan-in dimension (dim rank-2 of a tfjs kernel `[..., in, out]`); 1 if none or finite. */
  fanInMult: number;
  /** Multiplier of the fan-out dimension (the last dimension); 1 if finite. */
  fanOutMult: number;
}

export interface AppliedBaseShapes {
  width: number | undefined;
  /** One entry per trainable weight, in `model.trainableWeights` order. */
  params: ParamInfo[];
  /** Lookup by the weight's tf.Variable (the object optimizers receive). */
  byVariable: Map<tf.Variable, ParamInfo>;
  /** The base shapes' base depth, when they have one (the default base of MuAdam's `depth` option). */
  baseDepth?: number;
}

export interface InferOptions {
  baseWidth: number;
  /** A second width to compare against; default 2 * baseWidth. Must differ from baseWidth. */
  deltaWidth?: number;
  /** The base depth (issue 22): recorded in the base shapes, the base of MuAdam's depth factors. */
  baseDepth?: number;
}

export type ModelFactory = (width: number) => tf.LayersModel;
export type AsyncModelFactory = (width: number) => tf.LayersModel | Promise<tf.LayersModel>;

// ---------------------------------------------------------------------------------------------- optimizers
/** Multipliers of the base learning rate and weight decay for one weight. */
export interface GroupScales {
  lr: number;
  weightDecay: number;
}

// ---------------------------------------------------------------------------------------------- depth (issue 22)
/** A depth scheme by name: 'sp' (alpha 0), 'depth-mup' (alpha 1/2, TP VI), 'completep' (alpha 1, arXiv 2505.01618). */
export type DepthScheme = 'sp' | 'depth-mup' | 'completep';

/** The depth a model is trained at, its base depth, and the scheme (docs/runtime.md "Depth"). */
export interface DepthOptions {
  depth: number;
  /** Default: the base shapes' `baseDepth`. */
  baseDepth?: number;
  /** A scheme name or alpha in [0, 1]; default 1 (CompleteP). */
  alpha?: DepthScheme | number;
}

/** Depth multipliers of one weight's LR and Adam epsilon. */
export interface DepthScales {
  lr: number;
  epsilon: number;
}

export interface MuOptimizerOptions {
  learningRate: number;
  /** L2 weight decay (added to the gradient, like torch's `weight_decay`), or decoupled (AdamW-style). */
  weightDecay?: number;
  /**
   * AdamW's decoupled weight decay, as microsoft/mup's `MuAdamW`: `w *= 1 - lr_group * wd_group` before each step,
   * with wd_group = weightDecay x widthMult on matrix-like weights, so every weight decays by `lr * weightDecay`
   * per step at every width.
   */
  decoupledWeightDecay?: boolean;
  /**
   * A decay independent of the LR: `w *= 1 - weightDecay` before each step, for every weight, at every width (what
   * microsoft/mup's `decoupled_wd=True` is for). Exclusive with decoupledWeightDecay.
   */
  independentWeightDecay?: boolean;
  /**
   * The weights and their multipliers (`applyBaseShapes(...)`'s result). Default: whatever `applyBaseShapes`
   * registered for the variables this optimizer is asked to update.
   */
  params?: AppliedBaseShapes;
  /**
   * Train at another depth than the base (issue 22): hidden weights' Adam LR x (depth/baseDepth)^(alpha-1) and Adam
   * epsilon x (depth/baseDepth)^-alpha (alpha > 0); SGD x 1. The branches' multiplier is the model's own
   * (`branchMultiplier`). Absent: no depth factor.
   */
  depth?: DepthOptions;
}

export interface MuAdamOptions extends MuOptimizerOptions {
  beta1?: number;
  beta2?: number;
  /** Default: the backend's epsilon, as tf.train.adam. */
  epsilon?: number;
}

export interface MuSGDOptions extends MuOptimizerOptions {
  /** With a momentum, each group runs tf.train.momentum instead of tf.train.sgd. */
  momentum?: number;
  useNesterov?: boolean;
}

/** One LR group: its own inner optimizer and a fixed variable order (tfjs Adam keeps its moments by index). */
export interface LrGroup {
  key: string;
  scales: GroupScales;
  /** The group's depth factors (1 and 1 without a `depth` option). */
  depthScales?: DepthScales;
  /** The group's Adam epsilon, when depth scales it (else the inner optimizer's default). */
  epsilon?: number;
  learningRate: number;
  weightDecay: number;
  inner: tf.Optimizer;
  variables: tf.Variable[];
}


/** What MuAdam and MuSGD share: a tf.Optimizer with per-group learning rates. */
export interface MuOptimizer extends tf.Optimizer {
  /** The base learning rate (the one tuned at the base width). */
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly decoupledWeightDecay: boolean;
  readonly independentWeightDecay: boolean;
  /** Changes the base LR; every group keeps its multiplier. */
  setLearningRate(learningRate: number): void;
  /** The LR groups created so far (created on first use). */
  readonly groups: readonly LrGroup[];
  /** The muP information of one variable, or an error saying to call applyBaseShapes. */
  paramInfo(variable: tf.Variable): ParamInfo;
  /** The group (and so the effective LR) a variable trains with. */
  groupOf(variable: tf.Variable): LrGroup;
  /** One step with tf.variableGrads: applies each group's update, disposes the gradients, returns the loss. */
  step(lossFn: () => tf.Scalar, varList?: tf.Variable[]): tf.Scalar;
}

export interface MuAdamOptimizer extends MuOptimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number | undefined;
  /** The checked `depth` option (base depth filled in), or undefined. */
  readonly depth: DepthOptions | undefined;
}

export interface MuSGDOptimizer extends MuOptimizer {
  readonly momentum: number;
  readonly useNesterov: boolean;
}

export interface MuAdamConstructor {
  new (opts: MuAdamOptions): MuAdamOptimizer;
  readonly className: string;
}

export interface MuSGDConstructor {
  new (opts: MuSGDOptions): MuSGDOptimizer;
  readonly className: string;
}

// ---------------------------------------------------------------------------------------------- initializers
export type Distribution = 'uniform' | 'normal' | 'truncatedNormal';

export interface MuFanInOptions {
  /** Variance = scale / fan_in. Default 1; use 2 for He-style ReLU gain. */
  scale?: number;
  /** Default 'uniform'. tfjs's 'normal' is a truncated normal with ~0.775x the variance (docs/mup.md). */
  distribution?: Distribution;
  seed?: number;
}

export interface MuReadoutInitOptions extends MuFanInOptions {
  /**
   * The weight's fan-in at the base width (for a dense readout: its input size at the base width).
   * Variance = scale / baseFanIn at every width. Omitted: the current fan-in (plain fan-in init), for a
   * MuReadout that learns its width multiplier from applyBaseShapes, which then rescales it as mup does.
   */
  baseFanIn?: number;
}

/** tfjs-layers' Initializer (its base class is not exported as a value, only its type is reachable). */
export type InitializerLike = ReturnType<typeof tf.initializers.glorotUniform>;


/** tfjs initializer names MuReadout accepts as strings, as tf.layers.dense does. */
export type InitializerName =
  | 'zeros' | 'ones' | 'glorotUniform' | 'glorotNormal' | 'heNormal' | 'heUniform' | 'leCunNormal' | 'leCunUniform';

export interface MuReadoutInitializer extends InitializerLike {
  readonly scale: number;
  readonly distribution: Distribution;
  readonly seed: number | undefined;
  readonly baseFanIn: number | undefined;
}

export interface MuReadoutInitConstructor {
  new (opts?: MuReadoutInitOptions): MuReadoutInitializer;
  readonly className: string;
}

// ---------------------------------------------------------------------------------------------- layers
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
export type ActivationIdentifier = NonNullable<NonNullable<Parameters<typeof tf.layers.activation>[0]>['activation']>;

export interface MuReadoutArgs extends LayerArgs {
  /** Output size (e.g. number of classes). */
  units: number;
  useBias?: boolean;
  /** Tunable output multiplier (mup's output_mult). Default 1. */
  outputMult?: number;
  /** Zero-initialise kernel and bias (recommended, mup's readout_zero_init). Default false. */
  readoutZeroInit?: boolean;
  /**
   * The readout's input size at the base width: widthMult = inputDim / baseWidth, fixed at build. Omitted:
   * applyBaseShapes sets widthMult from the kernel's fan-in multiplier (and rescales the init once).
   */
  baseWidth?: number;
  /** Default: MuReadoutInit (variance 1 / base fan-in), or zeros with readoutZeroInit. */
  kernelInitializer?: InitializerLike | InitializerName;
  /** Default zeros. */
  biasInitializer?: InitializerLike | InitializerName;
  /** Applied after the multiplier and bias, as tf.layers.dense does (e.g. 'softmax'). Default linear. */
  activation?: ActivationIdentifier;
}

export interface MuSharedReadoutArgs extends LayerArgs {
  /** The embedding layer whose table [vocab, dim] this readout reuses (tied weights). */
  embedding?: tf.layers.Layer;
  /** Name of that embedding layer (set from `embedding`; what a saved model stores). */
  embeddingLayerName?: string;
  /** Vocabulary size (rows of the table); read from the embedding when given. */
  units?: number;
  useBias?: boolean;
  outputMult?: number;
  /** The embedding dimension at the base width; omitted: from applyBaseShapes (the table's multiplier). */
  baseWidth?: number;
}

/** What applyBaseShapes calls on mup layers (duck-typed, so layers of another runtime instance work too). */
export interface MupLayer {
  mupApplyBaseShapes(applied: AppliedBaseShapes): void;
}


export interface MuReadoutLayer extends tf.layers.Layer, MupLayer {
  readonly units: number;
  readonly useBias: boolean;
  readonly outputMult: number;
  readonly readoutZeroInit: boolean;
  readonly baseWidth: number | undefined;
  /** inputDim / baseWidth, or set by applyBaseShapes; null until known. */
  widthMult: number | null;
  /** Whether applyBaseShapes rescaled the init to the base width's variance (done once, as mup does). */
  rescaled: boolean;
  readonly activation: ActivationIdentifier;
  readonly kernelInitializer: InitializerLike;
  readonly biasInitializer: InitializerLike;
  kernel: tf.LayerVariable | null;
  bias: tf.LayerVariable | null;
}

export interface MuSharedReadoutLayer extends tf.layers.Layer, MupLayer {
  readonly embeddingLayerName: string;
  units: number | null;
  readonly useBias: boolean;
  readonly outputMult: number;
  readonly baseWidth: number | undefined;
  widthMult: number | null;
  bias: tf.LayerVariable | null;
}

export interface MuReadoutConstructor {
  new (args: MuReadoutArgs): MuReadoutLayer;
  readonly className: string;
}

export interface MuSharedReadoutConstructor {
  new (args: MuSharedReadoutArgs): MuSharedReadoutLayer;
  readonly className: string;
}

// ---------------------------------------------------------------------------------------------- attention
export interface AttentionScaleOptions {
  /** The multiplier; default sqrt(baseHeadDim). */
  attnMult?: number;
  /** The head size at which muP equals standard attention; default 64 (so attnMult = 8, mup's suggestion). */
  baseHeadDim?: number;
}

// ---------------------------------------------------------------------------------------------- transfer files
/** How muP treats one kind of weight (docs/mup.md's table). */
export type TransferRole = 'input' | 'hidden' | 'readout' | 'embedding' | 'bias' | 'vector' | 'fixed';

/** One trainable weight of the model at the target width, and what muP makes of the tuned values for it. */
export interface TransferParam {
  /** Position in `model.trainableWeights`. */
  index: number;
  /** `layer/weight` (the weight's original name at the target width). */
  name: string;
  layer: string;
  role: TransferRole;
  kind: ParamKind;
  shape: number[];
  baseShape: number[];
  widthMult: number;
  fanInMult: number;
  fanOutMult: number;
  /** Initial standard deviation of the weight as the factory built it at the base width and at the target width,
   *  what muP's rule makes of the base one at the target, and whether the target one follows it (within 15%). */
  init: { baseStd: number; targetStd: number; muPStd: number; follows: boolean; rule: string };
  /** Adam: the tuned LR times muP's multiplier for this weight (what MuAdam gives it). */
  adam: { lrMult: number; lr: number; rule: string };
  /** SGD: muP's multiplier of a base SGD LR (MuSGD); `lr` applies it to the tuned LR, which the sweep tuned for Adam. */
  sgd: { lrMult: number; lr: number; rule: string };
}

/** A readout's forward multiplier (a MuReadout's outputMult / widthMult, or a rescaling beside the readout). */
export interface TransferReadout {
  layer: string;
  /** Where the multiplier is: `MuReadout`, `MuSharedReadout`, or `rescaling <name>`. Null: the model has none. */
  via: string | null;
  baseMult: number;
  targetMult: number;
  /** muP: the base width's multiplier / widthMult. */
  muPMult: number;
  follows: boolean;
}

/**
 * `mup-lens transfer`'s file (`<model>.<export>.w<N>.transfer.json`, docs/runtime.md "Transfer files"): the values a
 * muP sweep tuned at a proxy width, and the configuration muP makes of them at the target width. Read back with
 * `createMup(tf).fromTransfer(json)`.
 */
export interface TransferFile {
  format: 'mup-lens/transfer';
  /** 2 (issue 22) adds `depth` and `axes`; version 1 files still read (they have neither). */
  version: 1 | 2;
  model: { file: string; exportName: string; sha256: string };
  parametrization: 'mup';
  baseWidth: number;
  targetWidth: number;
  /** The tuned values: the proxy width's best (fitted) LR and HP values; the factory takes `hp` as its second
   *  argument (or beside `width` in its config object). */
  tuned: { proxyWidth: number; lr: number; hp: Record<string, number>; optimizer: 'adam' };
  /** What the sweep showed: every axis (`lr` and each HP) moved at most an octave across its widths. */
  sweep: { store: string; widths: number[]; steps: number; seeds: number; axes: { name: string; shiftOctaves: number; transfers: boolean }[] };
  baseShapes: BaseShapes;
  params: TransferParam[];
  readouts: TransferReadout[];
  createdBy: string;
  createdAt: string;
  /** Version 2: the target depth, the base depth of the factors, and the scheme (alpha) the model implements. */
  depth?: { baseDepth: number; targetDepth: number; alpha: number; branchMultiplier: number };
  /** Version 2: every axis of the target (width, depth, batch, steps, seqLen), each HP's factors with sources. */
  axes?: TransferAxes;
}

/** One factor of a transferred value (issue 22): what multiplies it, why, and where the rule comes from. */
export interface TransferFactor {
  axis: 'width' | 'depth' | 'batch' | 'steps' | 'seqLen';
  factor: number;
  rule: string;
  source: string;
  /** False when the rule is not measured or not applicable (a factor of 1 stands in). */
  applied: boolean;
}

/** Version 2's axes: the proxy and the target point, and the LR's factors from one to the other. */
export interface TransferAxes {
  proxy: { width: number; depth?: number; batch?: number; steps?: number; seqLen?: number };
  target: { width: number; depth?: number; batch?: number; steps?: number; seqLen?: number };
  /** The base LR at the target: tuned.lr x every factor's `factor` (the width factor lives per weight in params). */
  lr: { value: number; factors: TransferFactor[] };
  warnings: string[];
}

/** A transfer file read back (`fromTransfer`): the values to train the target width with. */
export interface TransferConfig {
  readonly file: TransferFile;
  readonly width: number;
  readonly baseWidth: number;
  /** The tuned base learning rate (MuAdam's `learningRate`). */
  readonly learningRate: number;
  /** The tuned hyperparameters, to pass to the factory: `factory(width, hp)` (with `depth` when the file has one). */
  readonly hp: Record<string, number>;
  /** Version 2 files with a target depth (issue 22): the depth, its base and scheme; MuAdam gets them. Else null. */
  readonly depth: { depth: number; baseDepth: number; alpha: number; branchMultiplier: number } | null;
  readonly baseShapes: BaseShapes;
  /** applyBaseShapes(model, baseShapes, width), after checking that every trainable weight has the file's shape. */
  apply(model: tf.LayersModel): AppliedBaseShapes;
  /** `apply`, then a MuAdam at the tuned LR over the model's weights (its groups' LRs are the file's `adam.lr`). */
  adam(model: tf.LayersModel, opts?: Omit<MuAdamOptions, 'learningRate' | 'params'>): MuAdamOptimizer;
}

// ---------------------------------------------------------------------------------------------- the runtime
/** `createMup(tf)`, and what `mup-lens/runtime` exports (bound to the project's @tensorflow/tfjs). */
export interface MupRuntime {
  /** The tfjs instance this runtime is bound to. */
  readonly tf: Tf;
  /** Builds the model at baseWidth and deltaWidth (default 2x), classifies every trainable weight, disposes both. */
  inferBaseShapes(factory: ModelFactory, opts: InferOptions): BaseShapes;
  inferBaseShapesAsync(factory: AsyncModelFactory, opts: InferOptions): Promise<BaseShapes>;
  /** Multipliers of every trainable weight of a model built at `width`; registers them for MuAdam/MuSGD. */
  applyBaseShapes(model: tf.LayersModel, baseShapes: BaseShapes, width?: number): AppliedBaseShapes;
  /** What applyBaseShapes recorded for a variable, if anything. */
  paramInfoOf(variable: tf.Variable | tf.LayerVariable): ParamInfo | undefined;
  /** attnMult / dHead, attnMult = sqrt(baseHeadDim) by default (baseHeadDim 64). */
  attentionScale(dHead: number, opts?: AttentionScaleOptions): number;
  /** MuAdam's LR / WD multipliers for one weight. */
  muAdamScales(info: ParamInfo, decay?: boolean | 'l2' | 'decoupled' | 'independent'): GroupScales;
  /** MuSGD's LR / WD multipliers for one weight. */
  muSgdScales(info: ParamInfo, decay?: boolean | 'l2' | 'decoupled' | 'independent'): GroupScales;
  /** Variance scale / fan_in (tf.initializers.varianceScaling, mode fanIn): input and hidden weights. */
  muFanIn(opts?: MuFanInOptions): InitializerLike;
  MuReadoutInit: MuReadoutInitConstructor;
  /** Readout init with variance scale / baseFanIn at every width. */
  muReadoutInit(opts?: MuReadoutInitOptions): MuReadoutInitializer;
  MuReadout: MuReadoutConstructor;
  MuSharedReadout: MuSharedReadoutConstructor;
  muReadout(args: MuReadoutArgs): MuReadoutLayer;
  muSharedReadout(args: MuSharedReadoutArgs): MuSharedReadoutLayer;
  MuAdam: MuAdamConstructor;
  MuSGD: MuSGDConstructor;
  /** A `mup-lens transfer` file (its JSON text or parsed object), checked, ready to train the target width with. */
  fromTransfer(file: TransferFile | string): TransferConfig;
  /** `(depth / baseDepth)^-alpha`: the residual branch multiplier of a depth scheme (default alpha 1, CompleteP). */
  branchMultiplier(depth: number, opts: { baseDepth: number; alpha?: DepthScheme | number }): number;
  /** The depth factors of one weight's LR and Adam epsilon (MuAdam/MuSGD with a `depth` option). */
  depthScales(info: Pick<ParamInfo, 'ninf'>, depth: DepthOptions | undefined, optimizer: 'adam' | 'sgd'): DepthScales;
}
