// The `mupLens.sweep.*` settings (src/settings/read.ts: a wrong value is its default plus one line naming it).
import type { BackendRequest } from '../protocol/worker';
import { parseHpAxes, parseLrRange, type HpAxis } from '../sweep/grid';
import { readWasmThreads } from './coord';
import { BACKEND_REQUESTS, backendWhat, isInt, SettingsReader, type Read, type SettingsGetter } from './read';

export interface SweepSettings {
  widths: number[];
  lrs: number[];
  /** `mupLens.sweep.hp`: `{"outputMult": "2^-4:2^4:1"}`, the same grids as `--hp NAME=GRID`. */
  hps: HpAxis[];
  steps: number;
  seeds: number;
  /** `auto`: the parametrization the file is written in (src/commands/parametrization.ts). */
  parametrization: 'auto' | 'mup' | 'sp' | 'both';
  workers: number | undefined;
  /** `mupLens.wasmThreads` (shared with the coordinate check); undefined (0) = auto. */
  threads: number | undefined;
  backend: BackendRequest;
  baseWidth: number;
  /** `mupLens.sweep.targetWidth`: the width to recommend an LR for; undefined (setting 0) = the widest swept. */
  targetWidth: number | undefined;
  /** `mupLens.sweep.fresh` (issue 20): reuse no stored trial, as `sweep --fresh`. */
  fresh: boolean;
}

export const SWEEP_DEFAULT_LR_RANGE = '2^-14:2^-4:1';

export function readSweepSettings(get: SettingsGetter): Read<SweepSettings> {
  const r = new SettingsReader(get);
  const widths = r.value('sweep.widths', [64, 128, 256], (v) => Array.isArray(v) && v.length > 0 && v.every((w) => isInt(w, 1)), 'a list of positive integers, e.g. [64, 128, 256]');
  const lrs = r.parsed('sweep.lrRange', parseLrRange(SWEEP_DEFAULT_LR_RANGE), (v) => {
    try {
      return parseLrRange(String(v));
    } catch (err) {
      throw new Error((err as Error).message.replace(/^--lr-range: /, ''), { cause: err });
    }
  });
  const hps = r.parsed<HpAxis[]>('sweep.hp', [], (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected an object of grids, e.g. {"outputMult": "2^-4:2^4:1"}');
    const entries = Object.entries(v as Record<string, unknown>);
    for (const [k, g] of entries) if (typeof g !== 'string' && !(Array.isArray(g) && g.every((x) => typeof x === 'number'))) throw new Error(`${k}: expected a grid like "2^-4:2^4:1" or "0.5,1,2", got ${JSON.stringify(g)}`);
    try {
      return parseHpAxes(entries.map(([k, g]) => `${k}=${Array.isArray(g) ? g.join(',') : String(g)}`));
    } catch (err) {
      throw new Error((err as Error).message.replace(/^--hp:? ?/, ''), { cause: err });
    }
  });
  const int = (key: string, dflt: number, min: number) => r.value(key, dflt, (v) => isInt(v, min), `an integer >= ${min}`);
  const workers = int('sweep.workers', 0, 0);
  const targetWidth = int('sweep.targetWidth', 0, 0);
  const settings: SweepSettings = {
    widths: [...new Set(widths)].sort((a, b) => a - b),
    lrs,
    hps,
    steps: int('sweep.steps', 150, 1),
    seeds: int('sweep.seeds', 1, 1),
    parametrization: r.value('sweep.parametrization', 'auto', (v) => v === 'auto' || v === 'mup' || v === 'sp' || v === 'both', 'auto, mup, sp or both'),
    workers: workers === 0 ? undefined : workers,
    threads: readWasmThreads(r),
    backend: r.value('sweep.backend', 'auto', (v) => (BACKEND_REQUESTS as readonly unknown[]).includes(v), backendWhat),
    baseWidth: int('baseWidth', 64, 1),
    targetWidth: targetWidth === 0 ? undefined : targetWidth,
    fresh: r.value('sweep.fresh', false, (v) => typeof v === 'boolean', 'true or false'),
  };
  return { settings, problems: r.problems };
}
