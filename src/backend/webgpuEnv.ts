// The worker's WebGPU dependencies for src/backend/select.ts: where mup-lens's own Dawn is, how an adapter is
// probed, and how tfjs-backend-webgpu (the workspace's or the bundled one) is registered on a tfjs. Kept apart from
// webgpu.ts so that only the worker bundle carries tfjs-backend-webgpu.
import { createRequire } from 'node:module';
import type { TfLike, WebGpuEnv } from './select';
import { installNavigatorGpu, loadDawn, probeAdapter } from './webgpu';

/** Entry point of the `webgpu` package next to this bundle (a platform-specific .vsix, a source checkout), or null. */
function ownDawn(): string | null {
  try {
    return createRequire(__filename).resolve('webgpu');
  } catch {
    return null;
  }
}

// No kernels are added: tfjs-backend-webgpu 4.22 has every kernel the examples train with (the MLP and the GPT,
// coord and sweep, checked on SwiftShader; it has the UnsortedSegmentSum that wasm lacks). A model that needs one it
// lacks is rerun on cpu under auto, as on wasm (src/coord/run.ts).
export function webgpuEnv<Tf extends TfLike>(bundledTf: () => Tf): WebGpuEnv<Tf> {
  return {
    bundledDawn: ownDawn(),
    probe: async (entry) => probeAdapter(await loadDawn(entry)),
    prepare: (_tf, probe, backendEntry) => {
      // tfjs-backend-webgpu registers 'webgpu' at import only when navigator.gpu exists: install it first.
      installNavigatorGpu(probe);
      if (backendEntry) {
        // The workspace's: loading it registers 'webgpu' on the tfjs-core it imports (the workspace's).
        createRequire(__filename)(backendEntry);
      } else {
        bundledTf();
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@tensorflow/tfjs-backend-webgpu');
      }
    },
  };
}
