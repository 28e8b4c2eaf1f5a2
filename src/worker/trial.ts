// One sweep trial (worker side): build the model at one width, train it `steps` steps at one LR, report one
// number. A function of the tf instance (the worker passes the one it selected; tests pass @tensorflow/tfjs on cpu).
//
// What a trial reports (the same for every trial, as the PyTorch reference of docs/mup.md):
//   loss = mean training loss over the last 10% of steps (at least 1 step), each step's loss measured on
//   that step's batch in the forward pass before its update.
// Divergence: the trial stops at the first step whose loss is NaN/inf or more than DIVERGE_FACTOR times
//   the loss at step 0 (a loss that has tripled from where it started is not coming back within a sweep's
//   budget, and the time is better spent on other trials). It is reported with `diverged: true`,
//   `loss: null`, the last finite loss seen and the step it stopped at; it is never dropped.
// Seeds: tfjs initialisers draw from Math.random when given no seed, so while the factory builds the
//   model Math.random is replaced by a PRNG seeded from (seed, width): the same trial builds the same
//   initial weights again on the same backend (src/job/seed.ts). Batches depend only on (seed, step) (src/job/data).
import type * as tfType from '@tensorflow/tfjs';
import type { LossName } from '../job/batch';
import { markovTokenData } from '../job/data/tokens';
import { teacherData, type DataFn } from '../job/data/teacher';
import { trialBuildSeed, withSeededRandom } from '../job/seed';
import type { TrialOutcome } from '../protocol/jobs';

export const DIVERGE_FACTOR = 3;
export const LAST_FRACTION = 0.1;

type Tf = typeof tfType;

export interface TrialSpec {
  width: number;
  lr: number;
  seed: number;
  steps: number;
}

export interface TrialSetup {
  tf: Tf;
  /** The user's factory `(width) => tf.LayersModel` (or a Promise of one). */
  build(width: number): tfType.LayersModel | Promise<tfType.LayersModel>;
  /** The batches of a trial (a user data export bound to the seed and the model), or null for synthetic. */
  data: ((seed: number, model: tfType.LayersModel) => DataFn) | null;
  loss: LossName;
  /** The optimizer for this model and LR: `tf.train.adam(lr)` in SP, the runtime's MuAdam in muP. */
  optimizer(model: tfType.LayersModel, lr: number, width: number): tfType.Optimizer;
  /** Called once the model is built, before the first step. */
  onBuilt?(): void;
  /** Called after each step (for progress); return true to stop (cancel). */
  onStep?(step: number, loss: number): boolean | void;
}

/**
 * The default data for a model that has no data export: the teacher task for a vector input (src/job/data/teacher.ts),
 * a learnable synthetic token sequence task for an embedding input (src/job/data/tokens.ts).
 */
export function defaultData(tf: Tf, model: tfType.LayersModel, seed: number, batch?: number): { data: DataFn; description: string } {
  const inShape = model.inputs[0]!.shape;
  const outShape = model.outputs[0]!.shape;
  const first = model.layers.find((l) => l.getClassName() !== 'InputLayer');
  if (first && first.getClassName() === 'Embedding') {
    const vocab = Number((first.getConfig() as { inputDim?: number }).inputDim);
    const seqLen = inShape[1];
    if (typeof seqLen !== 'number') throw new Error('the model takes token ids of unknown length; give it a fixed sequence length or a data export');
    if (outShape.length !== 3 || outShape[2] !== vocab) {
      throw new Error(`a token model for the synthetic task must output [batch, ${seqLen}, ${vocab}] logits (got [${outShape.join(', ')}]); give it a data export`);
    }
    return { data: markovTokenData(tf, { vocab, seqLen, seed, ...(batch ? { batch } : {}) }), description: `synthetic token sequences (Markov chain, vocab ${vocab}, length ${seqLen}${batch ? `, batch ${batch}` : ''})` };
  }
  if (inShape.length !== 2 || typeof inShape[1] !== 'number' || outShape.length !== 2 || typeof outShape[1] !== 'number') {
    throw new Error(`the synthetic teacher task needs a model from [batch, d] to [batch, classes] (got [${inShape.join(', ')}] -> [${outShape.join(', ')}]); give it a data export`);
  }
  return { data: teacherData(tf, inShape[1], outShape[1], seed, batch), description: `teacher task ${inShape[1]} -> 64 -> ${outShape[1]}${batch ? `, batch ${batch}` : ''}` };
}

/** Mean of the last 10% of the losses (at least one). */
export function reportedLoss(losses: number[], steps: number): number {
  const k = Math.max(1, Math.floor(steps * LAST_FRACTION));
  const tail = losses.slice(-k);
  return tail.reduce((s, x) => s + x, 0) / tail.length;
}

/** Is this step's loss a divergence, given the loss at step 0? */
export function isDivergence(loss: number, initialLoss: number | null): boolean {
  if (!Number.isFinite(loss)) return true;
  return initialLoss !== null && Number.isFinite(initialLoss) && initialLoss > 0 && loss > DIVERGE_FACTOR * initialLoss;
}

export class TrialCancelled extends Error {}

/** A leak: over at least 5 steps, at least one more tensor alive per step (a constant count is no leak). */
export function leaked(l: { from: number; to: number; steps: number }): boolean {
  return l.steps >= 5 && l.to - l.from >= l.steps;
}

export async function runTrial(setup: TrialSetup, spec: TrialSpec): Promise<TrialOutcome> {
  const { tf } = setup;
  const started = Date.now();
  const model = await withSeededRandom(trialBuildSeed(spec.seed, spec.width), () => setup.build(spec.width));
  if (!model || typeof (model as tfType.LayersModel).apply !== 'function') {
    throw new Error(`the factory did not return a tf.LayersModel at width ${spec.width}`);
  }
  setup.onBuilt?.();
  const vars = model.trainableWeights.map((w) => w.read() as tfType.Variable);
  const losses: number[] = [];
  let initialLoss: number | null = null;
  let divergedAtStep: number | null = null;
  let optimizer: tfType.Optimizer | null = null;
  const leak = { from: 0, to: 0, steps: 0 };
  try {
    const data = setup.data ? setup.data(spec.seed, model) : defaultData(tf, model, spec.seed).data;
    optimizer = setup.optimizer(model, spec.lr, spec.width);
    for (let step = 0; step < spec.steps; step++) {
      const batch = data(step);
      let lossT: tfType.Scalar | null = null;
      try {
        lossT = optimizer.minimize(() => {
          const out = model.apply(batch.xs, { training: true }) as tfType.Tensor;
          return setup.loss === 'mse' ? tf.losses.meanSquaredError(batch.ys, out) : tf.losses.softmaxCrossEntropy(batch.ys, out);
        }, true, vars) as tfType.Scalar;
        const loss = (await lossT.data())[0]!;
        if (step === 0) initialLoss = Number.isFinite(loss) ? loss : null;
        if (isDivergence(loss, initialLoss)) {
          divergedAtStep = step;
          break;
        }
        losses.push(loss);
        if (setup.onStep?.(step, loss) === true) throw new TrialCancelled('cancelled');
      } finally {
        lossT?.dispose();
        batch.xs.dispose();
        batch.ys.dispose();
      }
      // Tensors alive after each step (Adam's slots exist from the first one on): a count that keeps growing is a
      // leak (a data export or a layer making tensors outside tf.tidy), memory that grows until the run dies.
      const alive = tf.memory().numTensors;
      if (step === 1) leak.from = alive;
      if (step >= 1) leak.to = alive;
      leak.steps = step - 1;
    }
  } finally {
    optimizer?.dispose();
    model.dispose();
  }
  const diverged = divergedAtStep !== null;
  return {
    loss: diverged ? null : reportedLoss(losses, spec.steps),
    diverged,
    initialLoss,
    lastFiniteLoss: losses.length ? losses[losses.length - 1]! : null,
    divergedAtStep,
    stepsRun: diverged ? divergedAtStep! + 1 : spec.steps,
    ms: Date.now() - started,
    ...(leaked(leak) ? { tensorLeak: { perStep: (leak.to - leak.from) / leak.steps, from: leak.from, to: leak.to, steps: leak.steps } } : {}),
  };
}
