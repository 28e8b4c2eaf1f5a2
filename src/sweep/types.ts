// The `sweep` JSON contract (docs/contracts.md "sweep"). Other tools parse it: change only with the contract.
import type { AxisValues, SweepAxisGrid } from './axes';
import type { AxisResult } from './axisAnalysis';
import type { GridPoint, HpAxis, HpValues } from './grid';
import type { Recommendation, WidthOptimum } from './optimum';

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
  optimum: { width: number; value: number; loss: number; fittedValue: number; log2Value: number; fittedLog2Value: number; atEdge: boolean }[];
  shiftOctaves: number;
  fittedShiftOctaves: number;
  transfers: boolean;
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
  recommended: Recommendation | null;
  /** Issue 22: the grid's axes beyond width, and each one's per-value optima and verdict (absent without them). */
  axisGrid?: SweepAxisGrid[];
  axes?: AxisResult[];
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

