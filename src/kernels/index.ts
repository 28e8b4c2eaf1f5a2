// Fast paths for the slow paths of tfjs that users' models hit through plain tfjs code (issue 11): registered by the
// worker process only, on the tfjs it selected, before it runs a coordinate check or a sweep trial. A user's own
// process never sees them (mup-lens/runtime registers nothing). Each one computes what tfjs computes, to float
// rounding (test/unit/kernels/*.test.ts compares values and gradients with tfjs' own implementation on cpu and wasm;
// test/unit/kernels/e2e.test.ts the coordinate-check slopes and sweep losses of the examples with and without).
//   Tile gradient        reshape + sum instead of a Slice and an Add per repeat (all backends)   tileGrad.ts
//   LayerNormalization   broadcasting and its own gradient instead of four tiles (all backends)  layerNorm.ts
//   BatchMatMul,         transposed and batched products on XNNPACK (wasm)                       wasmMatMul.ts
//   _FusedMatMul
//   BatchMatMul,         a cache-friendly product for the JS backend (cpu)                        cpuMatMul.ts
//   _FusedMatMul
//   UnsortedSegmentSum   one pass instead of one pass per segment (cpu: the embedding gradient)   cpuSegmentSum.ts
//   tf.train.adam        one kernel per variable instead of 13, bit for bit (wasm, cpu)            adam.ts
// `MUP_LENS_FAST_PATHS=0` in the worker's environment leaves tfjs as it is (for comparisons: bench/speed.ts).
import { registerAdam, registerAdamKernel } from './adam';
import { registerCpuMatMul } from './cpuMatMul';
import { registerCpuSegmentSum } from './cpuSegmentSum';
import { registerLayerNorm } from './layerNorm';
import { registerTileGrad } from './tileGrad';
import type { Registration, Tf } from './types';
import { registerWasmMatMul } from './wasmMatMul';

export type { Registration } from './types';

export interface FastPaths {
  /** What was registered, e.g. `['Tile gradient', 'LayerNormalization', 'BatchMatMul (wasm)']`. */
  names: string[];
  /** Puts tfjs back as it was (the originals registered again). */
  restore(): void;
}

interface State {
  /** The backend-independent fast paths (one set per tf), and the backends holding them. */
  shared: Registration[];
  backends: Map<string, FastPaths>;
}
const states = new WeakMap<object, State>();

/** Whether the fast paths are on in this environment (`MUP_LENS_FAST_PATHS=0` turns them off). */
export function fastPathsEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return env.MUP_LENS_FAST_PATHS !== '0';
}

const flat = (r: Registration | Registration[] | null): Registration[] => (Array.isArray(r) ? r : r ? [r] : []);

/**
 * Registers the fast paths on `tf` for the backend `backendName` (the one the worker selected): the
 * backend-independent ones (with the first backend), and that backend's kernels where it has some. Idempotent per
 * (tf, backend); `restore()` takes that backend's kernels back, and the shared ones with the last backend.
 */
export function registerFastPaths(tf: Tf, backendName: string): FastPaths {
  let state = states.get(tf);
  if (!state) states.set(tf, (state = { shared: [], backends: new Map() }));
  const existing = state.backends.get(backendName);
  if (existing) return existing;
  const s = state;
  if (s.backends.size === 0) s.shared = [...flat(registerTileGrad(tf)), ...flat(registerLayerNorm(tf)), ...flat(registerAdam(tf))];
  const own = [
    ...(backendName === 'wasm' ? registerWasmMatMul(tf) : backendName === 'cpu' ? [...registerCpuMatMul(tf), ...registerCpuSegmentSum(tf)] : []),
    ...flat(registerAdamKernel(tf, backendName)),
  ];
  const paths: FastPaths = {
    names: [...s.shared, ...own].map((r) => r.name),
    restore: () => {
      if (s.backends.get(backendName) !== paths) return;
      for (const r of [...own].reverse()) r.restore();
      s.backends.delete(backendName);
      if (s.backends.size === 0) {
        for (const r of [...s.shared].reverse()) r.restore();
        s.shared = [];
      }
    },
  };
  s.backends.set(backendName, paths);
  return paths;
}
