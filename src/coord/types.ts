// The `coord` JSON contract of docs/contracts.md. Other tools parse it: change only with the contract.

export interface CoordLayer {
  name: string;
  role: string;
  source: { file: string; line: number } | null;
}

/** One (width, seed) run of a check: l1[t - 1][i] = mean |x| of layer i's output in the forward pass of step t. */
export interface CoordRun {
  width: number;
  /** The depth the model was built at (a check across depth, issue 22); absent in a width check. */
  depth?: number;
  seed: number;
  l1: number[][];
}

export interface CoordRecord {
  width: number;
  /** Additive (issue 22): the run's depth in a check across depth. */
  depth?: number;
  layer: string;
  /** 1-based step; t = 1 is the forward pass at initialisation. */
  t: number;
  /** Mean over seeds of mean |x| of the layer's output. */
  l1: number;
  /** Standard deviation over seeds. */
  l1Std: number;
}

/** Where a slope's interval lies: below 0.2, in [0.2, 0.4), at or above 0.4, or across a threshold. */
export type SlopeStatus = 'pass' | 'warn' | 'fail' | 'inconclusive';

export interface CoordSlope {
  layer: string;
  t: number;
  /** Additive (issue 22): in a check across depth, the width of the slice this slope is fitted at. */
  width?: number;
  /** Least-squares slope of log l1 against log width; null when l1 is 0 (e.g. zero-init readout at t = 1). */
  slope: number | null;
  /** Additive (issue 21): the slope's standard error across seeds (the delta method on each width's spread over seeds, docs/mup.md); null with one seed. */
  se?: number | null;
  /** Additive: the 95% interval slope -+ t(df) * se (the slope itself when se is null). */
  low?: number | null;
  high?: number | null;
  /** Additive: the interval against the thresholds. */
  status?: SlopeStatus | null;
}

export interface CoordResult {
  backend: string;
  /** Additive (issue 22): the axis the slopes are fitted along; absent means width. */
  axis?: 'width' | 'depth';
  widths: number[];
  /** Additive (issue 22): the depths judged, in a check across depth. */
  depths?: number[];
  steps: number;
  seeds: number;
  layers: CoordLayer[];
  records: CoordRecord[];
  slopes: CoordSlope[];
  verdict: {
    pass: boolean;
    worst: { layer: string; t: number; slope: number; width?: number } | null;
    threshold: number;
    /** Additive to the contract: 'warn' passes (exit 0) with |slope| between PASS_BELOW and FAIL_FROM;
     *  'inconclusive' (issue 21, exit 4, pass false): no interval is wholly >= FAIL_FROM but one straddles it. */
    level?: 'pass' | 'warn' | 'fail' | 'inconclusive';
    /** Additive (issue 21): how the slopes' SEs were had (null: none, each slope is a point). */
    seMethod?: 'seeds' | null;
    /** Additive: the slope that made the check inconclusive, with its interval. */
    inconclusive?: { layer: string; t: number; slope: number; low: number; high: number } | null;
    /** Additive: what would settle an inconclusive check. */
    settle?: string | null;
    /** Additive: why the check failed regardless of slopes (training diverged). */
    problems?: string[];
    /** Additive (issue 22): what to change, when a check across depth warns or fails. */
    fix?: string;
  };
}
