// Modules of mup-lens that the worker uses when they are there: the analyzer (source lines of layers).
// Loaded lazily so a check runs even without it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const candidates: Record<string, string[]> = {
  analyzer: [join(__dirname, '../analyzer/index.ts')],
};

const loaded = new Map<string, unknown>();

export function loadOptional<T>(name: 'analyzer'): T | null {
  if (loaded.has(name)) return loaded.get(name) as T | null;
  let mod: unknown = null;
  for (const path of candidates[name]) {
    if (!existsSync(path)) continue;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(path);
      break;
    } catch {
      mod = null;
    }
  }
  loaded.set(name, mod);
  return mod as T | null;
}
