// `--threads N|auto` of `coord`, `sweep` and `transfer`: threads of each worker's wasm backend (src/host/threads.ts).
import { parseThreads, type ThreadsRequest } from '../host/threads';
import { UsageError } from './io';

/** The flag's value (default auto), or a UsageError with one line (exit 2). */
export function threadsFlag(v: string | undefined): ThreadsRequest {
  if (v === undefined) return 'auto';
  const t = parseThreads(v);
  if (typeof t === 'object') throw new UsageError(t.error);
  return t;
}
