// How every `mupLens.*` setting is read: a getter (the VS Code adapter passes `config.get`, tests pass a map), a
// check per value, and one convention for what a user got wrong: the value falls back to its default and one line
// naming the setting and what it must be goes into `problems`. Commands that run code refuse to run while there
// are problems; the language features use the defaults and report them once. Pure: no `vscode` import.

/** Reads settings below `mupLens.` by key (`coordCheck.widths`, `sweep.lrRange`, `baseWidth`). */
export type SettingsGetter = (key: string) => unknown;

export interface Read<T> {
  settings: T;
  /** One line per wrong value: `mupLens.<key> must be <what>, got <value>`. */
  problems: string[];
}

export class SettingsReader {
  readonly problems: string[] = [];

  constructor(private readonly get: SettingsGetter) {}

  /** The setting's value when `ok` accepts it (unset: the default), else the default and a problem. */
  value<T>(key: string, fallback: T, ok: (v: unknown) => boolean, what: string): T {
    const v = this.get(key);
    if (v === undefined || v === null) return fallback;
    if (!ok(v)) {
      this.problems.push(`mupLens.${key} must be ${what}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v as T;
  }

  /** A value that needs parsing: `parse` throws an Error whose message says what is wrong. */
  parsed<T>(key: string, fallback: T, parse: (v: unknown) => T): T {
    const v = this.get(key);
    if (v === undefined || v === null) return fallback;
    try {
      return parse(v);
    } catch (err) {
      this.problems.push(`mupLens.${key}: ${err instanceof Error ? err.message : String(err)}`);
      return fallback;
    }
  }
}

export const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
export const isPositive = (v: unknown): v is number => typeof v === 'number' && v > 0 && Number.isFinite(v);

/** The tfjs backends a setting may name (docs/contracts.md `--backend`). */
export const BACKEND_REQUESTS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export const backendWhat = orList(BACKEND_REQUESTS.map((b) => `'${b}'`));

/** `a, b or c`. */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
