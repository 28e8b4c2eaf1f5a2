// The jobs the host asks the worker for (a coordinate check, one sweep trial), what the worker streams back while
// one runs, and what it returns. Plain data only: it crosses the IPC boundary (src/protocol/worker.ts) and both
// sides import it. The tfjs parts are src/worker/coordJob.ts and src/worker/trialJob.ts.
import type { CoordLayer, CoordRun } from '../coord/types';
import type { TransferJobResult } from '../sweep/transfer';
import type { AxisValues, DepthSchemeRecord } from '../sweep/axes';
import type { HpValues, Parametrization } from '../sweep/types';
import type { TransferFile } from '../mup/runtime-types';

export type { CoordRun, HpValues, Parametrization, TransferJobResult };
export type OptimizerName = 'adam' | 'sgd';

export interface CoordJobParams {
  /** Absolute path of the model file and the export that builds the model: `(width) => tf.LayersModel`. */
  file: string;
  exportName: string;
  widths: number[];
  steps: number;
  seeds: number;
  lr: number;
  optimizer: OptimizerName;
  parametrization: Parametrization;
  /** muP base width B (default: the smallest width). */
  baseWidth?: number;
  /** A data export `(step) => {xs, ys}`; default: an export named `data` in the model file, else synthetic. */
  data?: { file: string; exportName: string } | null;
  batchSize?: number;
  /** Only these (width, seed) runs, when the check is split over several workers (default: all). */
  runs?: { width: number; seed: number; depth?: number }[];
  /**
   * A check across depth (issue 22): the factory is built at each depth (`(width, {depth})`, docs/contracts.md) at
   * each width, and the slopes are fitted along depth. Absent: the width check.
   */
  depths?: number[];
}

export interface CoordStop {
  width: number;
  /** In a check across depth. */
  depth?: number;
  seed: number;
  /** 1-based step at which it happened (0 while building). */
  step: number;
  message: string;
}

export type CoordProgress =
  | { phase: 'layers'; layers: CoordLayer[]; notes: string[] }
  | { phase: 'step'; width: number; seed: number; step: number; depth?: number }
  | { phase: 'run'; run: CoordRun };

export interface CoordJobResult {
  layers: CoordLayer[];
  runs: CoordRun[];
  /** Training diverged (NaN or infinity): widths from this one up were not run. */
  diverged: CoordStop | null;
  /** Out of memory: widths from this one up were not run; the smaller widths' results are kept. */
  outOfMemory: CoordStop | null;
  /** How the data, loss, seeds and readout were handled, for the user to read. */
  notes: string[];
}

/** One sweep trial: train one width at one LR and seed (src/worker/trialJob.ts). */
export interface TrialJobParams {
  /** Absolute path of the model file and the factory export `(width) => tf.LayersModel`. */
  file: string;
  exportName: string;
  /** A data export; null: an export named `data` in the model file if there is one, else synthetic;
   *  'synthetic': the synthetic task even when the model file has a `data` export. */
  data: { file: string; exportName: string } | null | 'synthetic';
  width: number;
  lr: number;
  seed: number;
  steps: number;
  parametrization: Parametrization;
  baseWidth: number;
  /** The swept hyperparameters' values: the factory is called `(width, hp)` (or `({width, ...hp})`) and the data
   *  export `(step, {seed, hp})`. Absent: called as before, `(width)`. */
  hp?: HpValues;
  /** The trial's values on the axes beyond width (issue 22): `depth`, `batch`, `seqLen` reach the factory beside the
   *  HPs and `batch`, `seqLen` the data export beside `seed` (docs/contracts.md "Axes"); `steps` is `steps` above. */
  axes?: AxisValues;
  /** A muP trial at `axes.depth` of a depth sweep (`sweep --alpha`): MuAdam gets the runtime's depth option
   *  `{depth: axes.depth, baseDepth, alpha}`, as `fromTransfer` applies it. Absent: no depth factors (SP too). */
  depthScheme?: DepthSchemeRecord;
  /** Return the loss of every step (`losses`): the transfer's verification curves. */
  curve?: boolean;
  /** `transfer --verify`'s muP run (issue 22): train with what `createMup(tf).fromTransfer(transfer).adam(model)`
   *  applies (its base LR with the axes' factors, its base shapes, MuAdam's depth option), exactly as a user's
   *  training script that reads the file does. `lr` must be the file's base LR. */
  transfer?: TransferFile;
}

export interface TrialProgress {
  step: number;
  loss: number;
}

/** What one trial gives: stored as is (src/host/sweepStore.ts). */
export interface TrialOutcome {
  /** Mean training loss over the last 10% of steps; null when the trial diverged. */
  loss: number | null;
  diverged: boolean;
  /** Loss at step 0 (the divergence threshold is relative to it). */
  initialLoss: number | null;
  /** The last finite loss seen; for a diverged trial, how far it got. */
  lastFiniteLoss: number | null;
  /** 0-based step at which divergence was detected, else null. */
  divergedAtStep: number | null;
  /** Steps actually run. */
  stepsRun: number;
  ms: number;
  /** Tensors alive grew by at least one per step (tf.memory().numTensors from after step 1 to the last): a leak. */
  tensorLeak?: { perStep: number; from: number; to: number; steps: number };
}

export interface TrialJobResult {
  outcome: TrialOutcome;
  /** Where the batches came from, for the user to read. */
  data: string;
  /** With `hp`: the names the factory and the data export read from it, during the build and the training. */
  hpRead?: string[];
  /** With `curve`: the training loss of every step run. */
  losses?: number[];
  /** The files user code read in the worker (absolute paths, sorted; src/worker/fileReads.ts), when any. */
  reads?: string[];
}

/**
 * The facts `mup-lens transfer` needs of the user's model (src/worker/transferJob.ts): its base shapes, and every
 * trainable weight's multipliers and initial std as the factory builds it at the base and the target width, with
 * the tuned hyperparameters. No training; the host turns them into the transfer file (src/sweep/transfer.ts).
 */
export interface TransferJobParams {
  file: string;
  exportName: string;
  baseWidth: number;
  targetWidth: number;
  /** The tuned HP values to build with (absent: the factory is called `(width)`). */
  hp?: HpValues;
}
