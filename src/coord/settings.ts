// The `mupLens.coordCheck.*` settings, checked: each wrong value gets a message naming the setting. Pure (the
// VS Code adapter passes a getter), so it is unit-tested without VS Code.
import type { BackendRequest } from '../worker/protocol';
import type { OptimizerName, Parametrization } from './job';

export interface CoordSettings {
  widths: number[];
  steps: number;
  seeds: number;
  lr: number;
  optimizer: OptimizerName;
  parametrization: Parametrization;
  backend: BackendRequest;
  timeoutSeconds: number;
}

export const COORD_DEFAULTS: CoordSettings = {
  widths: [64, 128, 256, 512, 1024],
  steps: 5,
  seeds: 3,
  lr: 0.01,
  optimizer: 'adam',
  parametrization: 'mup',
  backend: 'auto',
  timeoutSeconds: 600,
};

const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** Reads and checks every setting; returns the settings or the list of problems. */
export function readCoordSettings(get: <K extends keyof CoordSettings>(key: K) => unknown): CoordSettings | { errors: string[] } {
  const errors: string[] = [];
  const name = (k: string) => `mupLens.coordCheck.${k}`;
  const pick = <K extends keyof CoordSettings>(key: K, ok: (v: unknown) => boolean, what: string): CoordSettings[K] => {
    const v = get(key) ?? COORD_DEFAULTS[key];
    if (!ok(v)) {
      errors.push(`${name(key)} must be ${what}, got ${JSON.stringify(v)}`);
      return COORD_DEFAULTS[key];
    }
    return v as CoordSettings[K];
  };
  const widths = pick('widths', (v) => Array.isArray(v) && v.every((w) => isInt(w, 1)) && new Set(v).size >= 2, 'a list of at least two different positive integers');
  const s: CoordSettings = {
    widths: [...new Set(widths)].sort((a, b) => a - b),
    steps: pick('steps', (v) => isInt(v, 2), 'an integer >= 2'),
    seeds: pick('seeds', (v) => isInt(v, 1), 'an integer >= 1'),
    lr: pick('lr', (v) => typeof v === 'number' && v > 0 && Number.isFinite(v), 'a positive number'),
    optimizer: pick('optimizer', (v) => v === 'adam' || v === 'sgd', "'adam' or 'sgd'"),
    parametrization: pick('parametrization', (v) => v === 'mup' || v === 'sp', "'mup' or 'sp'"),
    backend: pick('backend', (v) => ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'].includes(v as string), "'auto', 'tensorflow', 'webgpu', 'wasm' or 'cpu'"),
    timeoutSeconds: pick('timeoutSeconds', (v) => typeof v === 'number' && v > 0, 'a positive number of seconds'),
  };
  return errors.length ? { errors } : s;
}
