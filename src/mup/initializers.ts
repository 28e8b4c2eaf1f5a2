// muP initializers (docs/mup.md's table, "init" column).
// - Input and hidden weights: variance 1/fan_in. That is tfjs's own VarianceScaling in fanIn mode, so
//   `muFanIn` returns one: a model saved with it loads without mup-lens. (tfjs's default glorotUniform is a
//   fan-average, which shrinks the input layer with width: the coordinate check shows slope ~ -0.44.)
// - Readout weights: variance constant in width, equal to what fan-in init gives at the base width (mup's
//   MuReadout `_rescale_parameters`): `MuReadoutInit`, a registered Initializer subclass.
import type * as tfType from '@tensorflow/tfjs';
import type {
  Distribution,
  InitializerLike,
  InitializerName,
  MuFanInOptions,
  MuReadoutInitOptions,
  Tf,
} from './runtime-types';

export type { Distribution, InitializerLike, InitializerName, MuFanInOptions, MuReadoutInitOptions };

/** tfjs's fan-in of a weight shape, as tfjs-layers' computeFans (channelsLast) computes it. */
export function fanInOf(shape: number[]): number {
  if (shape.length === 2) return shape[0];
  if (shape.length >= 3 && shape.length <= 5) {
    return shape[shape.length - 2] * shape.slice(0, shape.length - 2).reduce((a, b) => a * b, 1);
  }
  return Math.sqrt(shape.reduce((a, b) => a * b, 1));
}

function checkOpts(what: string, o: MuReadoutInitOptions): void {
  if (o.scale != null && (typeof o.scale !== 'number' || !(o.scale > 0) || !Number.isFinite(o.scale))) {
    throw new RangeError(`${what}: scale must be a positive number, got ${String(o.scale)}`);
  }
  if (o.distribution != null && !['uniform', 'normal', 'truncatedNormal'].includes(o.distribution)) {
    throw new RangeError(
      `${what}: distribution must be 'uniform', 'normal' or 'truncatedNormal', got ${String(o.distribution)}`,
    );
  }
  if (o.baseFanIn != null && !(typeof o.baseFanIn === 'number' && o.baseFanIn > 0)) {
    throw new RangeError(`${what}: baseFanIn must be a positive number, got ${String(o.baseFanIn)}`);
  }
}

export function defineInitializers(tf: Tf) {
  const InitializerBase = Object.getPrototypeOf(tf.initializers.zeros().constructor) as new () => InitializerLike;

  /** Fan-in variance-scaling init for input and hidden weights (variance scale / fan_in). */
  function muFanIn(opts: MuFanInOptions = {}): InitializerLike {
    checkOpts('muFanIn', opts);
    return tf.initializers.varianceScaling({
      scale: opts.scale ?? 1,
      mode: 'fanIn',
      distribution: opts.distribution ?? 'uniform',
      seed: opts.seed,
    });
  }

  /**
   * Readout init with variance constant in width: scale / baseFanIn. At the base width it draws exactly the
   * numbers `muFanIn` draws with the same seed, so the muP model equals its SP twin there.
   */
  class MuReadoutInit extends InitializerBase {
    static get className(): string {
      return 'MuReadoutInit';
    }
    readonly scale: number;
    readonly distribution: Distribution;
    readonly seed: number | undefined;
    readonly baseFanIn: number | undefined;

    constructor(opts: MuReadoutInitOptions = {}) {
      super();
      checkOpts('MuReadoutInit', opts);
      this.scale = opts.scale ?? 1;
      this.distribution = opts.distribution ?? 'uniform';
      this.seed = opts.seed ?? undefined;
      this.baseFanIn = opts.baseFanIn ?? undefined;
    }

    override apply(shape: number[], dtype?: tfType.DataType): tfType.Tensor {
      const fanIn = Math.max(1, fanInOf(shape));
      const baseFanIn = Math.max(1, this.baseFanIn ?? fanIn);
      // Delegating keeps tfjs's exact sampling (same seed, same numbers as muFanIn at the base width).
      return tf.initializers
        .varianceScaling({
          scale: (this.scale * fanIn) / baseFanIn,
          mode: 'fanIn',
          distribution: this.distribution,
          seed: this.seed,
        })
        .apply(shape, dtype);
    }

    override getConfig(): tfType.serialization.ConfigDict {
      const c: tfType.serialization.ConfigDict = { scale: this.scale, distribution: this.distribution };
      if (this.seed != null) c.seed = this.seed;
      if (this.baseFanIn != null) c.baseFanIn = this.baseFanIn;
      return c;
    }
  }
  tf.serialization.registerClass(MuReadoutInit as unknown as tfType.serialization.SerializableConstructor<InitializerLike>, 'MupLens');

  function muReadoutInit(opts: MuReadoutInitOptions = {}): MuReadoutInit {
    return new MuReadoutInit(opts);
  }

  /** Serialises an initializer as tfjs-layers does (`{className, config}`). */
  function serializeInitializer(init: InitializerLike): tfType.serialization.ConfigDict {
    return { className: init.getClassName(), config: init.getConfig() };
  }

  /** Inverse of serializeInitializer, through tfjs's registry of serializable classes; also takes tfjs's
   * string identifiers ('zeros', 'glorotUniform', 'he_normal', ...), as tf.layers.dense does. */
  function deserializeInitializer(value: unknown, what: string): InitializerLike {
    if (value != null && typeof (value as InitializerLike).apply === 'function') return value as InitializerLike;
    if (typeof value === 'string') {
      const id = value.replace(/_+(\w)/g, (_m, c: string) => c.toUpperCase()) as keyof Tf['initializers'];
      const make = tf.initializers[id] as unknown as ((args: object) => InitializerLike) | undefined;
      const noArgs = ['zeros', 'ones'].includes(id);
      const seedOnly = ['glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'leCunNormal', 'leCunUniform'];
      if (typeof make === 'function' && (noArgs || seedOnly.includes(id))) return make({});
      throw new Error(
        `${what}: unknown initializer '${value}'; use an initializer object such as muFanIn() or ` +
          `tf.initializers.zeros(), or one of ${['zeros', 'ones', ...seedOnly].join(', ')}`,
      );
    }
    const v = value as { className?: string; class_name?: string; config?: tfType.serialization.ConfigDict } | null;
    const className = v?.className ?? v?.class_name;
    const entry = className ? tf.serialization.SerializationMap.getMap().classNameMap[className] : undefined;
    if (!entry) {
      throw new Error(
        `${what}: unknown initializer ${JSON.stringify(value)}; pass an initializer object such as ` +
          'muFanIn() or tf.initializers.zeros()',
      );
    }
    const [cls, fromConfig] = entry;
    return fromConfig(cls, v?.config ?? {}) as unknown as InitializerLike;
  }

  return { muFanIn, MuReadoutInit, muReadoutInit, serializeInitializer, deserializeInitializer };
}
