// Picks the tfjs backend in the order of DESIGN.md and says which one and why:
//   tensorflow via the workspace's @tensorflow/tfjs-node-gpu (CUDA) -> @tensorflow/tfjs-node -> wasm -> cpu,
// where wasm and cpu run on the workspace's own @tensorflow/tfjs when it has one (wasm only if the workspace
// also has @tensorflow/tfjs-backend-wasm; else the bundled wasm, and the reasons say why), else on the tfjs
// bundled with mup-lens.
// Pure: everything that touches the file system, loads a native addon or initialises a backend is injected,
// so the order and the messages are unit-tested with packages present and absent (test/unit/coord/backend.test.ts).
// Runs only in the worker process: native addons are never loaded in the extension host (RECIPES.md).
import type { BackendInfo, BackendName, BackendRequest } from '../protocol/worker';

/** The subset of a tfjs module this file needs. */
export interface TfLike {
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
}

export interface BackendEnv<Tf extends TfLike> {
  /** `require.resolve(id, {paths: [workspaceDir]})`, or null when the package is not installed there. */
  resolve(id: string): string | null;
  /** `require(path)`: may throw (missing libtensorflow, CUDA libraries, ABI mismatch). */
  load(path: string): Tf;
  /** The tfjs bundled with mup-lens (wasm and cpu backends registered on it). */
  bundled: Tf;
  /** Extra set-up before `setBackend('wasm')` (setWasmPaths). */
  prepareWasm?(): void;
  /**
   * Registers the workspace's own @tensorflow/tfjs-backend-wasm (at `wasmPath`) on the workspace's tfjs: loads
   * it, points it at its .wasm files, adds the kernels wasm lacks. May throw (a version that does not match).
   */
  prepareWorkspaceWasm?(tf: Tf, wasmPath: string): void;
  /** The `version` of the package whose entry point is `entryPath` (its package.json); null when unknown. */
  versionOf?(entryPath: string): string | null;
}

/** The oldest workspace @tensorflow/tfjs the worker runs a model on (the runtime and kernels are written for 4.x). */
export const MIN_WORKSPACE_TFJS_MAJOR = 4;

export interface BackendSelection<Tf extends TfLike> {
  tf: Tf;
  info: BackendInfo;
}

export class BackendError extends Error {
  constructor(
    message: string,
    readonly reasons: string[],
  ) {
    super(message);
  }
}

const NATIVE: { pkg: string; label: string }[] = [
  { pkg: '@tensorflow/tfjs-node-gpu', label: 'tfjs-node-gpu, CUDA' },
  { pkg: '@tensorflow/tfjs-node', label: 'tfjs-node, CPU' },
];

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].trim() || 'unknown error';
}

async function trySet<Tf extends TfLike>(tf: Tf, name: BackendName): Promise<string | null> {
  try {
    // setBackend resolves false (it does not throw) when the backend failed to initialise: check it (RECIPES.md).
    const ok = await tf.setBackend(name);
    if (ok && tf.getBackend() === name) return null;
    return `setBackend('${name}') returned false`;
  } catch (err) {
    return firstLine(err);
  }
}

/**
 * Selects and initialises a backend. `auto` walks the whole order; a named backend tries only its own
 * candidates (tensorflow: tfjs-node-gpu then tfjs-node) and throws BackendError with the reasons if none works.
 */
export async function selectBackend<Tf extends TfLike>(request: BackendRequest, env: BackendEnv<Tf>): Promise<BackendSelection<Tf>> {
  const reasons: string[] = [];
  // The workspace's own @tensorflow/tfjs (DESIGN.md: the worker uses the workspace's tfjs when present, like
  // vscode-eslint uses the workspace's eslint): its entry point, null when absent or too old (said once in the
  // reasons); loaded at most once, on wasm/cpu.
  let workspacePath: string | null | undefined;
  const workspaceTfPath = (): string | null => {
    if (workspacePath !== undefined) return workspacePath;
    workspacePath = env.resolve('@tensorflow/tfjs');
    const version = workspacePath === null ? null : (env.versionOf?.(workspacePath) ?? null);
    if (version !== null && Number(version.split('.')[0]) < MIN_WORKSPACE_TFJS_MAJOR) {
      reasons.push(`the workspace's @tensorflow/tfjs is ${version}, older than ${MIN_WORKSPACE_TFJS_MAJOR}.x: not used`);
      workspacePath = null;
    }
    return workspacePath;
  };
  let workspaceTf: { tf: Tf; path: string } | null | undefined;
  const loadWorkspaceTf = (): { tf: Tf; path: string } | null => {
    if (workspaceTf !== undefined) return workspaceTf;
    workspaceTf = null;
    const path = workspaceTfPath();
    if (path === null) return null;
    try {
      workspaceTf = { tf: env.load(path), path };
    } catch (err) {
      reasons.push(`the workspace's @tensorflow/tfjs failed to load: ${firstLine(err)}`);
    }
    return workspaceTf;
  };
  const candidates: BackendName[] = request === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [request];
  for (const name of candidates) {
    if (name === 'tensorflow') {
      for (const { pkg, label } of NATIVE) {
        const short = pkg.replace('@tensorflow/', '');
        const path = env.resolve(pkg);
        if (path === null) {
          reasons.push(`${short} not installed in this workspace`);
          continue;
        }
        let tf: Tf;
        try {
          tf = env.load(path);
        } catch (err) {
          reasons.push(`${short} failed to load: ${firstLine(err)}`);
          continue;
        }
        const failure = await trySet(tf, 'tensorflow');
        if (failure !== null) {
          reasons.push(`${short} loaded but the tensorflow backend failed: ${failure}`);
          continue;
        }
        reasons.push(`using ${short} from ${path}`);
        return { tf, info: { name, source: path, label: `tensorflow (${label})`, reasons } };
      }
      continue;
    }
    // Decided before anything loads: a workspace tfjs that is not used is not loaded (src/worker/main.ts: two
    // copies in one process share tfjs' global registry).
    const hasWorkspaceTf = workspaceTfPath() !== null;
    if (hasWorkspaceTf && name === 'wasm') {
      const wasmPath = env.resolve('@tensorflow/tfjs-backend-wasm');
      const ws = wasmPath === null ? null : loadWorkspaceTf();
      if (wasmPath === null) {
        reasons.push("the workspace's @tensorflow/tfjs has no wasm backend beside it (install @tensorflow/tfjs-backend-wasm of the same version to run on it)");
      } else if (ws) {
        let failure: string | null;
        try {
          env.prepareWorkspaceWasm?.(ws.tf, wasmPath);
          failure = await trySet(ws.tf, 'wasm');
        } catch (err) {
          failure = firstLine(err);
        }
        if (failure === null) {
          reasons.push(`using the workspace's @tensorflow/tfjs from ${ws.path} with its wasm backend`);
          return { tf: ws.tf, info: { name, source: ws.path, label: 'wasm (workspace tfjs)', reasons } };
        }
        reasons.push(`the workspace's wasm backend failed: ${failure}`);
      }
    }
    const ws = hasWorkspaceTf && name === 'cpu' ? loadWorkspaceTf() : null;
    if (ws) {
      const failure = await trySet(ws.tf, 'cpu');
      if (failure === null) {
        reasons.push(`using the workspace's @tensorflow/tfjs from ${ws.path}`);
        return { tf: ws.tf, info: { name, source: ws.path, label: 'cpu (workspace tfjs)', reasons } };
      }
      reasons.push(`the workspace's cpu backend failed: ${failure}`);
    }
    if (name === 'wasm') {
      try {
        env.prepareWasm?.();
      } catch (err) {
        reasons.push(`wasm set-up failed: ${firstLine(err)}`);
        continue;
      }
    }
    const failure = await trySet(env.bundled, name);
    if (failure !== null) {
      reasons.push(`${name} backend failed: ${failure}`);
      continue;
    }
    reasons.push(`using the bundled ${name} backend`);
    return { tf: env.bundled, info: { name, source: 'bundled', label: `${name} (bundled)`, reasons } };
  }
  throw new BackendError(`no usable '${request}' backend: ${reasons.join('; ')}`, reasons);
}
