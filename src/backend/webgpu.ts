// The WebGPU backend's moving parts (issue 12): Dawn, Chrome's WebGPU implementation, shipped for Node as the npm
// package `webgpu` (a prebuilt N-API addon per platform), and @tensorflow/tfjs-backend-webgpu on top of it. Dawn
// reaches the GPU through Vulkan (Linux, Windows), Metal (macOS) or D3D12 with only the GPU driver installed: no
// CUDA toolkit. Runs only in the worker process (src/worker/main.ts wires it into src/backend/select.ts, which
// decides whether an adapter is used and says why).
//
// What Dawn gives here (docs/testing.md "Unit tier"): `create([])` is a `navigator.gpu`; it skips CPU
// adapters unless asked, reports SwiftShader as `isFallbackAdapter`, and rejects Mesa's lavapipe. A software adapter
// is slower than wasm, so `auto` never picks one (select.ts).
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the user is told about an adapter (GPUAdapterInfo's fields, plus whether it is a CPU implementation). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software rasteriser (SwiftShader, lavapipe/llvmpipe, WARP, Dawn's fallback adapter): no GPU behind it. */
  software: boolean;
}

/** The parts of Dawn's GPUAdapter this file reads. */
export interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** The parts of `navigator.gpu` (Dawn's GPU object) this file uses. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power'; forceFallbackAdapter?: boolean }): Promise<GpuAdapterLike | null>;
  wgslLanguageFeatures?: unknown;
}

/** The `webgpu` package's exports. */
export interface DawnModule {
  create(flags: string[]): GpuLike;
  /** GPUBufferUsage, GPUMapMode, ...: the constants tfjs-backend-webgpu reads as globals. */
  globals: Record<string, unknown>;
}

/** An adapter Dawn found, ready to hand to tfjs-backend-webgpu; or why there is none. */
export type WebGpuProbe = { adapter: AdapterSummary; handle: GpuAdapterLike; gpu: GpuLike; dawn: DawnModule } | { adapter: null; reason: string };

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|\bwarp\b/i;

export function summarizeAdapter(a: GpuAdapterLike): AdapterSummary {
  const info = a.info ?? {};
  const s = { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' };
  const software = info.isFallbackAdapter === true || a.isFallbackAdapter === true || SOFTWARE.test(`${s.vendor} ${s.architecture} ${s.device} ${s.description}`);
  return { ...s, software };
}

/** `nvidia hopper, NVIDIA H200` / `google swiftshader, SwiftShader driver 5.0.0, software`: for labels and reasons. */
export function describeAdapter(a: AdapterSummary): string {
  const head = [a.vendor, a.architecture].filter(Boolean).join(' ');
  const parts = [head, a.description && a.description !== head ? a.description : ''].filter(Boolean);
  if (parts.length === 0 && a.device) parts.push(a.device);
  if (parts.length === 0) parts.push('unnamed adapter');
  if (a.software) parts.push('software');
  return parts.join(', ');
}

export interface ProbeDeps {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Whether the Vulkan loader can be loaded (Linux); default: dlopen libvulkan.so.1. */
  vulkanLoader?: () => { ok: true } | { ok: false; error: string };
  /** The SwiftShader driver manifest this machine has (chromium's), for the hint; default: looked up. */
  swiftShaderManifest?: string | null;
}

/** Where Debian's and Fedora's chromium packages put SwiftShader's Vulkan driver manifest. */
const SWIFTSHADER_MANIFESTS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib64/chromium-browser/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

/**
 * Whether `libvulkan.so.1` can be dlopen'ed the way Dawn does. `process.dlopen` opens the library first and only
 * then looks for a Node module in it: "did not self-register" means the library was found and loaded.
 */
export function dlopenVulkanLoader(): { ok: true } | { ok: false; error: string } {
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, 'libvulkan.so.1');
    return { ok: true };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return /did not self-register|Module did not/i.test(msg) ? { ok: true } : { ok: false, error: msg.split('\n')[0] };
  }
}

/**
 * Asks Dawn for an adapter: the high-performance one (a discrete GPU on a laptop with two), else the fallback
 * (software) adapter that Dawn only returns when asked. Says why there is none: no Vulkan loader, no driver.
 */
export async function probeAdapter(dawn: DawnModule, deps: ProbeDeps = {}): Promise<WebGpuProbe> {
  // Dawn's GPU object owns the native instance: once it is garbage-collected, its adapters and devices are used after
  // free (the worker crashed in pthread_mutex_lock). The probe keeps it, and installNavigatorGpu keeps it for good.
  if (!(deps.env ?? process.env).XDG_RUNTIME_DIR) ensureRuntimeDir();
  const gpu = dawn.create([]);
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  adapter ??= await gpu.requestAdapter({ forceFallbackAdapter: true });
  if (adapter) return { adapter: summarizeAdapter(adapter), handle: adapter, gpu, dawn };
  const platform = deps.platform ?? process.platform;
  const env = deps.env ?? process.env;
  if (platform === 'linux') {
    const loader = (deps.vulkanLoader ?? dlopenVulkanLoader)();
    if (!loader.ok) return { adapter: null, reason: `no Vulkan loader (libvulkan.so.1: ${loader.error}): install your distribution's libvulkan1 (vulkan-loader) and the GPU driver` };
    const icd = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
    const set = env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES';
    const swiftShader = deps.swiftShaderManifest !== undefined ? deps.swiftShaderManifest : (SWIFTSHADER_MANIFESTS.find((m) => existsSync(m)) ?? null);
    // Without a GPU, chromium's SwiftShader is a software adapter Dawn takes (slow: for tests, never under auto).
    const hint = swiftShader && !icd ? `; without a GPU, --backend webgpu runs on SwiftShader with VK_ICD_FILENAMES=${swiftShader}` : '';
    return {
      adapter: null,
      reason: icd
        ? `no adapter: Dawn found no usable Vulkan driver in ${set}=${icd}`
        : `no adapter: Dawn found no usable Vulkan driver (is the GPU driver, with its Vulkan part, installed? Mesa lavapipe is not usable)${hint}`,
    };
  }
  return { adapter: null, reason: `no adapter: Dawn found no usable GPU (${platform === 'darwin' ? 'Metal' : 'D3D12 or Vulkan'})` };
}

/**
 * Vulkan's window-system code wants XDG_RUNTIME_DIR (a private folder) and complains on stderr without it, as on
 * headless servers and in containers: a private folder under the temp dir does.
 */
function ensureRuntimeDir(): void {
  const dir = join(tmpdir(), `mup-lens-runtime-${process.getuid?.() ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  } catch {
    // only a warning on stderr is at stake
  }
}

/** Loads the `webgpu` package at `entry` (an ES module: `import()`, which works on every Node the worker runs on). */
export async function loadDawn(entry: string): Promise<DawnModule> {
  const mod = (await import(pathToFileURL(entry).href)) as Partial<DawnModule> & { default?: Partial<DawnModule> };
  const m = typeof mod.create === 'function' ? mod : mod.default;
  if (!m || typeof m.create !== 'function' || !m.globals) throw new Error(`${entry} exports no create() and globals: not the 'webgpu' package`);
  return m as DawnModule;
}

/**
 * Makes `adapter` what tfjs-backend-webgpu finds: it registers the backend at import only when
 * `navigator.gpu` exists, and its factory calls `navigator.gpu.requestAdapter()`, which would skip a fallback
 * adapter; so `navigator.gpu` returns the adapter chosen here. Dawn's constants (GPUBufferUsage, ...) become
 * globals, as in a browser. Call before the backend package is loaded.
 */
export function installNavigatorGpu(probe: Extract<WebGpuProbe, { adapter: AdapterSummary }>): void {
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(probe.dawn.globals)) if (g[k] === undefined) g[k] = v;
  const gpu = {
    dawn: probe.gpu, // holds the native instance for the life of the process (see probeAdapter)
    requestAdapter: async () => probe.handle,
    getPreferredCanvasFormat: () => 'rgba8unorm',
    wgslLanguageFeatures: new Set<string>(),
  };
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav === undefined) g.navigator = { gpu };
  else Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
}

/** The parts of tfjs-backend-webgpu's BufferManager this file touches (backend.bufferManager, 4.x). */
interface BufferManagerLike {
  freeBuffers: Map<string, { size: number; destroy(): void }[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
}

/**
 * Destroys the GPU buffers tfjs-backend-webgpu keeps for reuse after their tensors were disposed (its pool keys
 * them by size, so after a width finishes they would only fit that width again). Tensors still alive keep their
 * buffers. Returns the bytes released; 0 on another backend.
 */
export function releaseFreeGpuBuffers(tf: { getBackend(): string; backend(): unknown }): number {
  if (tf.getBackend() !== 'webgpu') return 0;
  const manager = (tf.backend() as { bufferManager?: BufferManagerLike }).bufferManager;
  if (!manager || !(manager.freeBuffers instanceof Map)) return 0;
  let bytes = 0;
  for (const list of manager.freeBuffers.values()) {
    for (const b of list) {
      bytes += b.size;
      b.destroy();
    }
    // keep the (now empty) lists: releaseBuffer() drops a buffer untracked when the map itself is empty
    list.length = 0;
  }
  manager.numFreeBuffers = 0;
  manager.numBytesAllocated -= bytes;
  return bytes;
}
