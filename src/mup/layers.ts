// muP readout layers (microsoft/mup's MuReadout and MuSharedReadout, own code).
// A readout (infinite fan-in, finite fan-out) gets its matmul multiplied by outputMult / widthMult, where
// widthMult = fan-in / base fan-in. Without the 1/m the output grows like width after the first Adam step,
// even from a zero init (docs/mup.md). As in mup, the bias is added after the multiplier.
import type * as tfType from '@tensorflow/tfjs';
import type { defineInitializers } from './initializers';
import type {
  ActivationIdentifier,
  AppliedBaseShapes,
  InitializerLike,
  MupLayer,
  MuReadoutArgs,
  MuSharedReadoutArgs,
  Tf,
} from './runtime-types';

export type { MupLayer, MuReadoutArgs, MuSharedReadoutArgs };

type Kwargs = Record<string, unknown>;

/** tf.layers.dense arguments a quick fix may carry over that MuReadout does not implement: say so. */
const UNSUPPORTED = ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'];

export function isMupLayer(layer: unknown): layer is MupLayer {
  return typeof (layer as Partial<MupLayer>)?.mupApplyBaseShapes === 'function';
}

function positive(what: string, v: unknown): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
    throw new RangeError(`${what} must be a positive number, got ${String(v)}`);
  }
  return v;
}

function notReady(layer: string, name: string): Error {
  return new Error(
    `${layer} '${name}' does not know its width multiplier: give it a baseWidth (its input size at the base ` +
      'width), or call applyBaseShapes(model, inferBaseShapes(factory, {baseWidth}), width) before using the model',
  );
}

export function defineLayers(tf: Tf, inits: ReturnType<typeof defineInitializers>) {
  const { serializeInitializer, deserializeInitializer, MuReadoutInit } = inits;

  function single(inputs: tfType.Tensor | tfType.Tensor[], what: string): tfType.Tensor {
    if (Array.isArray(inputs)) {
      if (inputs.length !== 1) throw new Error(`${what} expects one input tensor, got ${inputs.length}`);
      return inputs[0];
    }
    return inputs;
  }

  /** y = (outputMult / widthMult) * (x @ kernel) + bias, over the last axis of x. */
  function readoutMatMul(
    x: tfType.Tensor,
    table: tfType.Tensor,
    transposeTable: boolean,
    mult: number,
    bias: tfType.Tensor | null,
  ): tfType.Tensor {
    const inDim = x.shape[x.shape.length - 1];
    const units = (transposeTable ? table.shape[0] : table.shape[1]) as number;
    const flat = x.rank === 2 ? (x as tfType.Tensor2D) : tf.reshape(x, [-1, inDim]) as tfType.Tensor2D;
    let y: tfType.Tensor = tf.mul(tf.matMul(flat, table as tfType.Tensor2D, false, transposeTable), mult);
    if (bias != null) y = tf.add(y, bias);
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), units]);
  }

  class MuReadout extends tf.layers.Layer implements MupLayer {
    static get className(): string {
      return 'MuReadout';
    }
    readonly units: number;
    readonly useBias: boolean;
    readonly outputMult: number;
    readonly readoutZeroInit: boolean;
    readonly baseWidth: number | undefined;
    /** inputDim / baseWidth, or set by applyBaseShapes; null until known. */
    widthMult: number | null;
    /** Whether the init was rescaled to the base width's variance by applyBaseShapes (mup does it once). */
    rescaled: boolean;
    readonly kernelInitializer: InitializerLike;
    readonly biasInitializer: InitializerLike;
    readonly activation: ActivationIdentifier;
    private readonly activationLayer: tfType.layers.Layer | null;
    kernel: tfType.LayerVariable | null = null;
    bias: tfType.LayerVariable | null = null;

    constructor(args: MuReadoutArgs & { widthMult?: number; rescaled?: boolean }) {
      super(args);
      if (args == null || typeof args !== 'object') throw new TypeError('MuReadout: pass {units, baseWidth, ...}');
      if (!Number.isInteger(args.units) || args.units < 1) {
        throw new RangeError(`MuReadout: units must be a positive integer, got ${String(args.units)}`);
      }
      for (const k of UNSUPPORTED) {
        if ((args as unknown as Record<string, unknown>)[k] != null) {
          throw new Error(`MuReadout: ${k} is not supported; remove it, or add the penalty to the loss yourself`);
        }
      }
      this.units = args.units;
      this.activation = args.activation ?? 'linear';
      // tfjs-layers' activation lookup is not exported; an Activation layer applied to tensors does the same.
      this.activationLayer = this.activation === 'linear' ? null : tf.layers.activation({ activation: this.activation });
      this.useBias = args.useBias ?? true;
      this.outputMult = positive('MuReadout: outputMult', args.outputMult ?? 1);
      this.readoutZeroInit = args.readoutZeroInit ?? false;
      this.baseWidth = args.baseWidth == null ? undefined : positive('MuReadout: baseWidth', args.baseWidth);
      this.widthMult = args.widthMult ?? null;
      this.rescaled = args.rescaled ?? false;
      this.kernelInitializer = args.kernelInitializer != null
        ? deserializeInitializer(args.kernelInitializer, 'MuReadout: kernelInitializer')
        : this.readoutZeroInit
          ? (tf.initializers.zeros() as unknown as InitializerLike)
          : new MuReadoutInit({ baseFanIn: this.baseWidth });
      this.biasInitializer = args.biasInitializer != null
        ? deserializeInitializer(args.biasInitializer, 'MuReadout: biasInitializer')
        : (tf.initializers.zeros() as unknown as InitializerLike);
    }

    override build(inputShape: tfType.Shape | tfType.Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfType.Shape;
      const inputDim = shape[shape.length - 1];
      if (inputDim == null) throw new Error(`MuReadout '${this.name}': the last input dimension must be known`);
      if (this.baseWidth != null) this.widthMult = inputDim / this.baseWidth;
      type Init = Parameters<tfType.layers.Layer['addWeight']>[3];
      this.kernel = this.addWeight('kernel', [inputDim, this.units], 'float32', this.kernelInitializer as unknown as Init);
      if (this.useBias) {
        this.bias = this.addWeight('bias', [this.units], 'float32', this.biasInitializer as unknown as Init);
      }
      this.built = true;
    }

    override computeOutputShape(inputShape: tfType.Shape | tfType.Shape[]): tfType.Shape {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfType.Shape;
      return [...shape.slice(0, -1), this.units];
    }

    override call(inputs: tfType.Tensor | tfType.Tensor[], _kwargs: Kwargs): tfType.Tensor {
      return tf.tidy(() => {
        const x = single(inputs, `MuReadout '${this.name}'`);
        if (this.widthMult == null) throw notReady('MuReadout', this.name);
        const y = readoutMatMul(
          x,
          this.kernel!.read(),
          false,
          this.outputMult / this.widthMult,
          this.bias ? this.bias.read() : null,
        );
        return this.activationLayer ? (this.activationLayer.apply(y) as tfType.Tensor) : y;
      });
    }

    mupApplyBaseShapes(applied: AppliedBaseShapes): void {
      if (this.baseWidth != null || this.kernel == null) return;
      const info = applied.params.find((p) => p.layerVariable === this.kernel);
      if (info == null) return;
      const m = info.fanInMult;
      if (!this.rescaled && !this.readoutZeroInit && m !== 1) {
        // mup's _rescale_parameters: fan-in init at this width has variance 1/(m * base fan-in); times m gives
        // the base width's variance, constant in width.
        const s = Math.sqrt(m);
        for (const w of [this.kernel, this.bias]) {
          if (w != null) tf.tidy(() => { w.write(tf.mul(w.read(), s)); });
        }
      }
      this.rescaled = true;
      this.widthMult = m;
    }

    override getConfig(): tfType.serialization.ConfigDict {
      const c: tfType.serialization.ConfigDict = {
        units: this.units,
        useBias: this.useBias,
        outputMult: this.outputMult,
        readoutZeroInit: this.readoutZeroInit,
        activation: this.activation,
        kernelInitializer: serializeInitializer(this.kernelInitializer),
        biasInitializer: serializeInitializer(this.biasInitializer),
      };
      if (this.baseWidth != null) c.baseWidth = this.baseWidth;
      else if (this.widthMult != null) {
        c.widthMult = this.widthMult;
        c.rescaled = this.rescaled;
      }
      return { ...super.getConfig(), ...c };
    }
  }

  class MuSharedReadout extends tf.layers.Layer implements MupLayer {
    static get className(): string {
      return 'MuSharedReadout';
    }
    readonly embeddingLayerName: string;
    private embedding: tfType.layers.Layer | null;
    units: number | null;
    readonly useBias: boolean;
    readonly outputMult: number;
    readonly baseWidth: number | undefined;
    widthMult: number | null;
    bias: tfType.LayerVariable | null = null;

    constructor(args: MuSharedReadoutArgs & { widthMult?: number; embeddingLayer?: { name: string } }) {
      const { embedding, embeddingLayer, ...rest } = args ?? ({} as MuSharedReadoutArgs);
      super(rest);
      const name = embedding?.name ?? args?.embeddingLayerName ?? embeddingLayer?.name;
      if (name == null) {
        throw new TypeError('MuSharedReadout: pass {embedding: <the tf.layers.embedding layer to tie to>}');
      }
      this.embedding = embedding ?? null;
      this.embeddingLayerName = name;
      this.units = args.units ?? null;
      this.useBias = args.useBias ?? true;
      this.outputMult = positive('MuSharedReadout: outputMult', args.outputMult ?? 1);
      this.baseWidth = args.baseWidth == null ? undefined : positive('MuSharedReadout: baseWidth', args.baseWidth);
      this.widthMult = args.widthMult ?? null;
    }

    /** The tied table [vocab, dim]: the embedding layer's 2-D weight. */
    private table(): tfType.LayerVariable | null {
      const emb = this.embedding ?? this.findEmbedding();
      if (emb == null) return null;
      this.embedding = emb;
      return emb.trainableWeights.find((w) => w.shape.length === 2) ?? null;
    }

    /** After loading, the layer only knows the embedding's name: find it upstream in the model's graph. */
    private findEmbedding(): tfType.layers.Layer | null {
      const seen = new Set<tfType.layers.Layer>();
      const queue: tfType.layers.Layer[] = this.inboundNodes.flatMap((n) => n.inboundLayers);
      while (queue.length > 0) {
        const l = queue.shift()!;
        if (seen.has(l)) continue;
        seen.add(l);
        if (l.name === this.embeddingLayerName) return l;
        for (const n of l.inboundNodes) queue.push(...n.inboundLayers);
      }
      return null;
    }

    private tableOrThrow(): tfType.LayerVariable {
      const t = this.table();
      if (t == null) {
        throw new Error(
          `MuSharedReadout '${this.name}': cannot find the embedding layer '${this.embeddingLayerName}' (or its ` +
            'table); it must be built before this layer and feed into it in the model',
        );
      }
      return t;
    }

    override build(inputShape: tfType.Shape | tfType.Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfType.Shape;
      const inputDim = shape[shape.length - 1];
      const table = this.table();
      if (table != null) {
        const [vocab, dim] = table.shape as number[];
        if (inputDim != null && inputDim !== dim) {
          throw new Error(
            `MuSharedReadout '${this.name}': input size ${inputDim} differs from the embedding dimension ${dim} ` +
              `of '${this.embeddingLayerName}'`,
          );
        }
        this.units = vocab;
      }
      if (this.units == null) throw new Error(`MuSharedReadout '${this.name}': build the embedding layer first`);
      if (this.baseWidth != null && inputDim != null) this.widthMult = inputDim / this.baseWidth;
      if (this.useBias) {
        type Init = Parameters<tfType.layers.Layer['addWeight']>[3];
        this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros() as unknown as Init);
      }
      this.built = true;
    }

    override computeOutputShape(inputShape: tfType.Shape | tfType.Shape[]): tfType.Shape {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfType.Shape;
      return [...shape.slice(0, -1), this.units];
    }

    override call(inputs: tfType.Tensor | tfType.Tensor[], _kwargs: Kwargs): tfType.Tensor {
      return tf.tidy(() => {
        const x = single(inputs, `MuSharedReadout '${this.name}'`);
        const table = this.tableOrThrow();
        if (this.widthMult == null) throw notReady('MuSharedReadout', this.name);
        return readoutMatMul(x, table.read(), true, this.outputMult / this.widthMult, this.bias?.read() ?? null);
      });
    }

    mupApplyBaseShapes(applied: AppliedBaseShapes): void {
      if (this.baseWidth != null) return;
      const table = this.table();
      const info = table && applied.params.find((p) => p.layerVariable === table);
      if (info) this.widthMult = info.widthMult;
    }

    override getConfig(): tfType.serialization.ConfigDict {
      const c: tfType.serialization.ConfigDict = {
        // Under a `name` key: tfjs camel-cases every other string value when it loads a model ('tok_emb').
        embeddingLayer: { name: this.embeddingLayerName },
        units: this.units,
        useBias: this.useBias,
        outputMult: this.outputMult,
      };
      if (this.baseWidth != null) c.baseWidth = this.baseWidth;
      else if (this.widthMult != null) c.widthMult = this.widthMult;
      return { ...super.getConfig(), ...c };
    }
  }

  tf.serialization.registerClass(MuReadout, 'MupLens');
  tf.serialization.registerClass(MuSharedReadout, 'MupLens');

  /** `tf.layers.dense`-style factory functions. */
  const muReadout = (args: MuReadoutArgs) => new MuReadout(args);
  const muSharedReadout = (args: MuSharedReadoutArgs) => new MuSharedReadout(args);

  return { MuReadout, MuSharedReadout, muReadout, muSharedReadout };
}
