// The `sweep` JSON contract of DESIGN.md. Other tools parse it: change only with the contract.

export interface SweepTrial {
  width: number;
  lr: number;
  seed: number;
  /** The trial's reported loss (documented in src/sweep); Infinity/NaN serialise as null when diverged. */
  loss: number | null;
  diverged: boolean;
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
