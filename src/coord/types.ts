// The `coord` JSON contract of docs/contracts.md. Other tools parse it: change only with the contract.

export interface CoordLayer {
  name: string;
  role: string;
  source: { file: string; line: number } | null;
}

/** One (width, seed) run of a check: l1[t - 1][i] = mean |x| of layer i's output in the forward pass of step t. */
export interface CoordRun {
  width: number;
  seed: number;
  l1: number[][];
}

export interface CoordRecord {
  width: number;
  layer: string;
  /** 1-based step; t = 1 is the forward pass at initialisation. */
  t: number;
  /** Mean over seeds of mean |x| of the layer's output. */
  l1: number;
  /** Standard deviation over seeds. */
  l1Std: number;
}

export interface CoordSlope {
  layer: string;
  t: number;
  /** Least-squares slope of log l1 against log width; null when l1 is 0 (e.g. zero-init readout at t = 1). */
  slope: number | null;
}

export interface CoordResult {
  backend: string;
  widths: number[];
  steps: number;
  seeds: number;
  layers: CoordLayer[];
  records: CoordRecord[];
  slopes: CoordSlope[];
  verdict: {
    pass: boolean;
    worst: { layer: string; t: number; slope: number } | null;
    threshold: number;
    /** Additive to the contract: 'warn' passes (exit 0) with |slope| between PASS_BELOW and FAIL_FROM. */
    level?: 'pass' | 'warn' | 'fail';
    /** Additive: why the check failed regardless of slopes (training diverged). */
    problems?: string[];
  };
}
