// Picks the tfjs backend in the order of docs/architecture.md and says which one and why. Under `auto`:
//   tensorflow via the workspace's @tensorflow/tfjs-node-gpu (CUDA) -> webgpu on a hardware adapter (Dawn, the
//   `webgpu` package) -> tensorflow via @tensorflow/tfjs-node -> wasm -> cpu,
// where webgpu, wasm and cpu run on the workspace's own @tensorflow/tfjs when it has one (webgpu and wasm only if
// the workspace also has their backend package; else the bundled ones, and the reasons say why), else on the tfjs
// bundled with mup-lens. A software WebGPU adapter (SwiftShader, lavapipe, Dawn's fallback) is slower than wasm:
// `auto` never picks one; `--backend webgpu` uses it and says so.
// Pure: everything that touches the file system, loads a native addon or initialises a backend is injected,
// so the order and the messages are unit-tested with packages present and absent (test/unit/coord/backend.test.ts).
// Runs only in the worker process: native addons are never loaded in the extension host (docs/testing.md).
import type { BackendInfo, BackendName, BackendRequest } from '../protocol/worker';
import { describeAdapter, type AdapterSummary, type WebGpuProbe } from './webgpu';

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
  /**
   * Sets wasm on `tf` (the bundled tfjs when `backendPath` is null, else the workspace's, its wasm backend package
   * at `backendPath`), on the threads the worker was asked for where it can (src/backend/wasmThreads.ts): the
   * threads run, and one line for the reasons when they are fewer than asked. Absent: `setBackend('wasm')`.
   */
  setWasm?(tf: Tf, backendPath: string | null): Promise<{ failure: string | null; threads: number; note: string | null }>;
  /** The `version` of the package whose entry point is `entryPath` (its package.json); null when unknown. */
  versionOf?(entryPath: string): string | null;
  /** The WebGPU backend's parts; absent: webgpu is not available in this build (said in the reasons). */
  webgpu?: WebGpuEnv<Tf>;
}

export interface WebGpuEnv<Tf extends TfLike> {
  /** Entry point of the `webgpu` package (Dawn) that ships with mup-lens; null when this package has none. */
  bundledDawn: string | null;
  /** Loads Dawn from `dawnEntry` and asks it for an adapter. May throw (an addon built for another platform). */
  probe(dawnEntry: string): Promise<WebGpuProbe>;
  /**
   * Registers tfjs-backend-webgpu on `tf` with the probed adapter: the workspace's at `backendEntry`, or the bundled
   * one (on the bundled tfjs) when null; adds the kernels it lacks. May throw (a version that does not match).
   */
  prepare(tf: Tf, probe: Extract<WebGpuProbe, { adapter: AdapterSummary }>, backendEntry: string | null): void;
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
    // setBackend resolves false (it does not throw) when the backend failed to initialise: check it (docs/testing.md).
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
  // The workspace's own @tensorflow/tfjs (docs/architecture.md: the worker uses the workspace's tfjs when present, like
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
  /**
   * The workspace's @tensorflow/tfjs on its own `pkg` backend (installed beside it): that tfjs when the backend
   * starts, else null with the reason said.
   */
  const tryWorkspaceBackend = async (
    backend: 'wasm' | 'webgpu',
    pkg: string,
    prepare: (tf: Tf, backendPath: string) => void,
    set: (tf: Tf, backendPath: string) => Promise<string | null> = (tf) => trySet(tf, backend),
  ) => {
    const backendPath = env.resolve(pkg);
    if (backendPath === null) {
      reasons.push(`the workspace's @tensorflow/tfjs has no ${backend} backend beside it (install ${pkg} of the same version to run on it)`);
      return null;
    }
    const ws = loadWorkspaceTf();
    if (!ws) return null;
    let failure: string | null;
    try {
      prepare(ws.tf, backendPath);
      failure = await set(ws.tf, backendPath);
    } catch (err) {
      failure = firstLine(err);
    }
    if (failure === null) return ws;
    reasons.push(`the workspace's ${backend} backend failed: ${failure}`);
    return null;
  };
  /** webgpu: Dawn (the workspace's `webgpu`, else mup-lens's) and an adapter; null (with the reason) when unusable. */
  const tryWebgpu = async (): Promise<BackendSelection<Tf> | null> => {
    const w = env.webgpu;
    if (!w) {
      reasons.push('webgpu: not available in this build of mup-lens');
      return null;
    }
    const workspaceDawn = env.resolve('webgpu');
    const dawn = workspaceDawn ?? w.bundledDawn;
    if (dawn === null) {
      reasons.push("webgpu: the 'webgpu' package (Dawn) is not installed: add webgpu and @tensorflow/tfjs-backend-webgpu to the workspace (npm i -D webgpu @tensorflow/tfjs-backend-webgpu), or install the platform-specific mup-lens package");
      return null;
    }
    const dawnFrom = workspaceDawn ? `the workspace's webgpu (${workspaceDawn})` : "mup-lens's webgpu";
    let probe: WebGpuProbe;
    try {
      probe = await w.probe(dawn);
    } catch (err) {
      reasons.push(`webgpu: ${dawnFrom} failed to load: ${firstLine(err)}`);
      return null;
    }
    if (probe.adapter === null) {
      reasons.push(`webgpu: ${probe.reason}`);
      return null;
    }
    const found = probe;
    const adapter = found.adapter;
    const described = describeAdapter(adapter);
    if (adapter.software && request === 'auto') {
      reasons.push(`webgpu: only a software adapter (${described}): not used under auto, wasm is faster (--backend webgpu uses it)`);
      return null;
    }
    const used = adapter.software ? `webgpu on a software adapter, no GPU (${described}): slower than wasm` : `webgpu on ${described}`;
    const info = (source: string, where: string): BackendSelection<Tf>['info'] => ({
      name: 'webgpu',
      source,
      label: `webgpu (${described}${where})`,
      reasons,
      adapter: { vendor: adapter.vendor, architecture: adapter.architecture, description: adapter.description, software: adapter.software },
    });
    const hasWorkspaceTf = workspaceTfPath() !== null;
    const ws = hasWorkspaceTf ? await tryWorkspaceBackend('webgpu', '@tensorflow/tfjs-backend-webgpu', (tf, path) => w.prepare(tf, found, path)) : null;
    if (ws) {
      reasons.push(`using ${used}, the workspace's @tensorflow/tfjs from ${ws.path} with its webgpu backend, Dawn from ${dawnFrom}`);
      return { tf: ws.tf, info: info(ws.path, '; workspace tfjs') };
    }
    let failure: string | null;
    try {
      w.prepare(env.bundled, found, null);
      failure = await trySet(env.bundled, 'webgpu');
    } catch (err) {
      failure = firstLine(err);
    }
    if (failure !== null) {
      reasons.push(`webgpu backend failed on ${described}: ${failure}`);
      return null;
    }
    reasons.push(`using ${used}, the bundled tfjs, Dawn from ${dawnFrom}`);
    return { tf: env.bundled, info: info('bundled', '') };
  };
  /** wasm on `tf`, with threads where env.setWasm gives them; the threads run (1 unless they started). */
  let wasmThreads = 1;
  const setWasm = async (tf: Tf, backendPath: string | null): Promise<string | null> => {
    if (!env.setWasm) return trySet(tf, 'wasm');
    try {
      const started = await env.setWasm(tf, backendPath);
      if (started.note) reasons.push(started.note);
      wasmThreads = started.failure === null ? started.threads : 1;
      return started.failure;
    } catch (err) {
      return firstLine(err);
    }
  };
  const onThreads = () => (wasmThreads > 1 ? ` on ${wasmThreads} threads` : '');
  const wasmInfo = (source: string, where: string): BackendInfo => ({
    name: 'wasm',
    source,
    label: `wasm (${where}${wasmThreads > 1 ? `, ${wasmThreads} threads` : ''})`,
    reasons,
    threads: wasmThreads,
  });
  // Under auto the native packages are split: CUDA first, then a GPU through WebGPU, then tfjs-node's CPU kernels.
  type Step = 'tensorflow-gpu' | 'tensorflow-cpu' | Exclude<BackendName, 'tensorflow'>;
  const steps: Step[] = request === 'auto' ? ['tensorflow-gpu', 'webgpu', 'tensorflow-cpu', 'wasm', 'cpu'] : request === 'tensorflow' ? ['tensorflow-gpu', 'tensorflow-cpu'] : [request];
  for (const name of steps) {
    if (name === 'tensorflow-gpu' || name === 'tensorflow-cpu') {
      const { pkg, label } = NATIVE[name === 'tensorflow-gpu' ? 0 : 1];
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
      return { tf, info: { name: 'tensorflow', source: path, label: `tensorflow (${label})`, reasons } };
    }
    if (name === 'webgpu') {
      const picked = await tryWebgpu();
      if (picked) return picked;
      continue;
    }
    // Decided before anything loads: a workspace tfjs that is not used is not loaded (src/worker/main.ts: two
    // copies in one process share tfjs' global registry).
    const hasWorkspaceTf = workspaceTfPath() !== null;
    if (hasWorkspaceTf && name === 'wasm') {
      const ws = await tryWorkspaceBackend('wasm', '@tensorflow/tfjs-backend-wasm', (tf, path) => env.prepareWorkspaceWasm?.(tf, path), setWasm);
      if (ws) {
        reasons.push(`using the workspace's @tensorflow/tfjs from ${ws.path} with its wasm backend${onThreads()}`);
        return { tf: ws.tf, info: wasmInfo(ws.path, 'workspace tfjs') };
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
    const failure = name === 'wasm' ? await setWasm(env.bundled, null) : await trySet(env.bundled, name);
    if (failure !== null) {
      reasons.push(`${name} backend failed: ${failure}`);
      continue;
    }
    if (name === 'wasm') {
      reasons.push(`using the bundled wasm backend${onThreads()}`);
      return { tf: env.bundled, info: wasmInfo('bundled', 'bundled') };
    }
    reasons.push(`using the bundled ${name} backend`);
    return { tf: env.bundled, info: { name, source: 'bundled', label: `${name} (bundled)`, reasons } };
  }
  throw new BackendError(`no usable '${request}' backend: ${reasons.join('; ')}`, reasons);
}
