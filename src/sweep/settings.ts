// The `mupLens.sweep.*` settings, read and checked without VS Code (so they are unit-tested): a bad value
// becomes one message naming the setting, never a crash in the extension host.
import type { BackendRequest } from '../worker/protocol';
import { GridError, parseLrRange } from './grid';

export interface SweepSettings {
  widths: number[];
  lrs: number[];
  steps: number;
  seeds: number;
  parametrization: 'mup' | 'sp' | 'both';
  workers: number | undefined;
  backend: BackendRequest;
  baseWidth: number;
  /** `mupLens.sweep.targetWidth`: the width to recommend an LR for; undefined (setting 0) = the widest swept. */
  targetWidth: number | undefined;
}

/** Reads and checks `mupLens.sweep.*`; a bad value is an error message naming the setting, never a crash. */
export function readSweepSettings(get: (key: string) => unknown): SweepSettings {
  const widths = get('sweep.widths') ?? [64, 128, 256];
  if (!Array.isArray(widths) || widths.length === 0 || !widths.every((w) => Number.isInteger(w) && w > 0)) {
    throw new GridError('mupLens.sweep.widths must be a list of positive integers, e.g. [64, 128, 256]');
  }
  let lrs: number[];
  try {
    lrs = parseLrRange(String(get('sweep.lrRange') ?? '2^-14:2^-4:1'));
  } catch (err) {
    throw new GridError(`mupLens.sweep.lrRange: ${(err as Error).message.replace(/^--lr-range: /, '')}`);
  }
  const int = (key: string, dflt: number, min: number) => {
    const v = get(key) ?? dflt;
    if (!Number.isInteger(v) || (v as number) < min) throw new GridError(`mupLens.${key} must be an integer >= ${min} (got ${JSON.stringify(v)})`);
    return v as number;
  };
  const parametrization = (get('sweep.parametrization') ?? 'mup') as SweepSettings['parametrization'];
  if (!['mup', 'sp', 'both'].includes(parametrization)) throw new GridError(`mupLens.sweep.parametrization must be mup, sp or both`);
  const backend = (get('sweep.backend') ?? 'auto') as BackendRequest;
  if (!['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'].includes(backend)) throw new GridError('mupLens.sweep.backend must be auto, tensorflow, webgpu, wasm or cpu');
  const workers = int('sweep.workers', 0, 0);
  const targetWidth = int('sweep.targetWidth', 0, 0);
  return {
    widths: [...new Set(widths as number[])].sort((a, b) => a - b),
    lrs,
    steps: int('sweep.steps', 150, 1),
    seeds: int('sweep.seeds', 1, 1),
    parametrization,
    workers: workers === 0 ? undefined : workers,
    backend,
    baseWidth: int('baseWidth', 64, 1),
    targetWidth: targetWidth === 0 ? undefined : targetWidth,
  };
}

