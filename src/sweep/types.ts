// The `sweep` JSON contract (docs/contracts.md "sweep"). Other tools parse it: change only with the contract.
import type { AxisValues, DepthSchemeRecord, SweepAxisGrid } from './axes';
import type { AxisResult } from './axisAnalysis';
import type { GridPoint, HpAxis, HpValues } from './grid';
import type { Recommendation, WidthOptimum } from './optimum';
import type { Interval, Verdict } from './uncertainty';

export type { HpAxis, HpValues };

/** How a model is trained: per-group muP learning rates, or one global LR (standard parametrization). */
export type Parametrization = 'mup' | 'sp';

export interface SweepTrial {
  width: number;
  lr: number;
  seed: number;
  /** The trial's reported loss (documented in src/sweep); Infinity/NaN serialise as null when diverged. */
  loss: number | null;
  diverged: boolean;
  /** The swept hyperparameters' values (only in a sweep with `--hp` axes). */
  hp?: HpValues;
  /** The trial's values on the axes beyond width (only in a sweep with `--depths`, `--batches`, ...; issue 22). */
  axes?: AxisValues;
}

export interface SweepOptimum {
  width: number;
  lr: number;
  loss: number;
  /** Issue 21: the 95% bootstrap interval over seeds of the fitted optimum, log2 LR (null with one seed). */
  interval?: Interval | null;
}

export interface SweepResult {
  trials: SweepTrial[];
  optimum: SweepOptimum[];
  /** Spread (max - min) of log2 of the optimal LR across widths. */
  shiftOctaves: number;
  transfers: boolean;
  reused: number;
}

/** One hyperparameter axis of a sweep's JSON (docs/contracts.md "sweep": `hps`). */
export interface SweepHpResult {
  name: string;
  /** The axis's grid. */
  values: number[];
  /** Per width: the best value with every other axis at the width's joint optimum (docs/sweeps.md). */
  optimum: { width: number; value: number; loss: number; fittedValue: number; log2Value: number; fittedLog2Value: number; atEdge: boolean; interval?: Interval | null }[];
  shiftOctaves: number;
  fittedShiftOctaves: number;
  transfers: boolean;
  /** Issue 21: this axis's verdict, and the 95% bootstrap interval of its fitted shift (octaves). */
  verdict?: Verdict;
  shiftInterval?: Interval | null;
}

/** The CLI's JSON: the contract (trials, optimum, shiftOctaves, transfers, reused) plus detail. */
export interface SweepReport extends SweepResult {
  optimum: WidthOptimum[];
  model: { file: string; exportName: string };
  parametrization: Parametrization;
  widths: number[];
  lrs: number[];
  seeds: number;
  steps: number;
  baseWidth: number;
  /** Spread of the fitted (parabola) optimum across widths, in octaves. */
  fittedShiftOctaves: number;
  /** The hyperparameter axes, each judged like the LR (empty in an LR sweep; absent in results written before). */
  hps?: SweepHpResult[];
  /** Every axis the grid varies (the LR with two or more values, each HP) transfers (absent in older results). */
  everyAxisTransfers?: boolean;
  /** Issue 21 (absent in older results): the verdict over every swept axis, the exit code's (0 / 1 / 4). */
  verdict?: Verdict;
  /** The LR axis's own verdict (`inconclusive` for a grid of one LR). */
  lrVerdict?: Verdict;
  /** The 95% bootstrap interval over seeds of the LR's fitted shift across widths, octaves (optimum[].interval: each width's). */
  shiftInterval?: Interval | null;
  /**
   * Issue 21: when the widths as a whole do not transfer or cannot say, the narrowest width from which the rest
   * transfer, and the 95% interval of the LR's shift over those widths (null when none; absent in older results).
   */
  transfersFrom?: { width: number; shift: Interval } | null;
  /** Why the verdict is inconclusive, and what would settle it (both empty otherwise). */
  reasons?: string[];
  settle?: string[];
  /** `--refine`: the LRs the second pass added per width (keyed by width), and its step in octaves; null without. */
  refine?: { step: number; lrs: Record<string, number[]> } | null;
  recommended: Recommendation | null;
  /** Issue 22: the grid's axes beyond width, and each one's per-value optima and verdict (absent without them). */
  axisGrid?: SweepAxisGrid[];
  axes?: AxisResult[];
  /** Issue 22: the depth scheme a muP sweep's depth axis trained with (MuAdam's depth option at each trial's depth,
   *  `sweep --alpha`); null for SP or without a depth axis; absent in results written before. */
  depthScheme?: DepthSchemeRecord | null;
  /** Backend(s) the stored trials ran on. */
  backends: string[];
  data: string | null;
  /** Trials run now (not reused), trials of the grid without a result, trials that failed. */
  ran: number;
  missing: number;
  /** Every trial of the grid has a result. When false nothing is concluded: `transfers` is false, `recommended` null. */
  complete: boolean;
  /** The grid's trials without a result (the first 200). */
  missingTrials: GridPoint[];
  failed: number;
  cancelled: boolean;
  workers: number;
  shard: { index: number; count: number } | null;
  storeDir: string;
  elapsedMs: number;
  warnings: string[];
}

