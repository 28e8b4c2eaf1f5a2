// What the host asks the worker for in a coordinate check, and what the worker streams back.
// Plain data only (it crosses the IPC boundary); the tfjs part is src/coord/engine.ts.
import type { CoordLayer } from './types';

export type Parametrization = 'mup' | 'sp';
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
  runs?: { width: number; seed: number }[];
}

/** One (width, seed) run: l1[t - 1][i] = mean |x| of layer i's output in the forward pass of step t. */
export interface CoordRun {
  width: number;
  seed: number;
  l1: number[][];
}

export interface CoordStop {
  width: number;
  seed: number;
  /** 1-based step at which it happened (0 while building). */
  step: number;
  message: string;
}

export type CoordProgress =
  | { phase: 'layers'; layers: CoordLayer[]; notes: string[] }
  | { phase: 'step'; width: number; seed: number; step: number }
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
