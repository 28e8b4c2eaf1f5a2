// The package's version, for `mup-lens --version` and the sweep store's records: package.json next to the bundle
// (dist/cli.js -> ../package.json) or, from source, two levels up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function packageVersion(): string {
  for (const p of [join(__dirname, '../package.json'), join(__dirname, '../../package.json')]) {
    try {
      const v = (JSON.parse(readFileSync(p, 'utf8')) as { version?: unknown }).version;
      if (typeof v === 'string') return v;
    } catch {
      /* next */
    }
  }
  return 'unknown';
}
