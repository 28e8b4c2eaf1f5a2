// The `mupLens.coordCheck.*` settings (src/settings/read.ts: a wrong value is its default plus one line naming it).
import type { OptimizerName, Parametrization } from '../protocol/jobs';
import type { BackendRequest } from '../protocol/worker';
import { BACKEND_REQUESTS, backendWhat, isInt, isPositive, SettingsReader, type Read, type SettingsGetter } from './read';

/** `mupLens.wasmThreads`: threads of each worker's wasm backend (src/host/threads.ts); 0 = auto -> undefined. */
export function readWasmThreads(r: SettingsReader): number | undefined {
  const n = r.value('wasmThreads', 0, (v) => isInt(v, 0), 'an integer >= 0 (0: auto, the cores shared by the workers)');
  return n === 0 ? undefined : n;
}

export interface CoordSettings {
  widths: number[];
  steps: number;
  seeds: number;
  lr: number;
  optimizer: OptimizerName;
  /** `auto`: the parametrization the file is written in (src/commands/parametrization.ts). */
  parametrization: Parametrization | 'auto';
  backend: BackendRequest;
  timeoutSeconds: number;
  /** `mupLens.wasmThreads` (shared with the sweep): threads of each worker's wasm backend; undefined (0) = auto. */
  threads: number | undefined;
}

/** The defaults of `mup-lens coord` (docs/contracts.md "coord"), except the parametrization: `auto` in the editor. */
export const COORD_DEFAULTS: CoordSettings = {
  widths: [64, 128, 256, 512, 1024],
  steps: 5,
  seeds: 3,
  lr: 0.01,
  optimizer: 'adam',
  parametrization: 'auto',
  backend: 'auto',
  timeoutSeconds: 600,
  threads: undefined,
};

export function readCoordSettings(get: SettingsGetter): Read<CoordSettings> {
  const r = new SettingsReader(get);
  const d = COORD_DEFAULTS;
  const key = (k: keyof CoordSettings) => `coordCheck.${k}`;
  const widths = r.value(key('widths'), d.widths, (v) => Array.isArray(v) && v.every((w) => isInt(w, 1)) && new Set(v).size >= 2, 'a list of at least two different positive integers');
  const settings: CoordSettings = {
    widths: [...new Set(widths)].sort((a, b) => a - b),
    steps: r.value(key('steps'), d.steps, (v) => isInt(v, 2), 'an integer >= 2'),
    seeds: r.value(key('seeds'), d.seeds, (v) => isInt(v, 1), 'an integer >= 1'),
    lr: r.value(key('lr'), d.lr, isPositive, 'a positive number'),
    optimizer: r.value(key('optimizer'), d.optimizer, (v) => v === 'adam' || v === 'sgd', "'adam' or 'sgd'"),
    parametrization: r.value(key('parametrization'), d.parametrization, (v) => v === 'auto' || v === 'mup' || v === 'sp', "'auto', 'mup' or 'sp'"),
    backend: r.value(key('backend'), d.backend, (v) => (BACKEND_REQUESTS as readonly unknown[]).includes(v), backendWhat),
    timeoutSeconds: r.value(key('timeoutSeconds'), d.timeoutSeconds, isPositive, 'a positive number of seconds'),
    threads: readWasmThreads(r),
  };
  return { settings, problems: r.problems };
}
