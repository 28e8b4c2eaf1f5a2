import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackendError, selectBackend, type BackendEnv, type TfLike, type WebGpuEnv } from '../../../src/backend/select';
import type { AdapterSummary, WebGpuProbe } from '../../../src/backend/webgpu';

class FakeTf implements TfLike {
  current = 'none';
  constructor(
    readonly id: string,
    readonly works: string[],
  ) {}
  async setBackend(name: string): Promise<boolean> {
    if (!this.works.includes(name)) return false;
    this.current = name;
    return true;
  }
  getBackend(): string {
    return this.current;
  }
}

/** A workspace with these packages installed; `broken` ones throw when loaded (missing CUDA, no libtensorflow). */
function env(installed: Record<string, FakeTf | Error>, bundledWorks = ['wasm', 'cpu']): BackendEnv<FakeTf> & { loaded: string[] } {
  const loaded: string[] = [];
  return {
    loaded,
    resolve: (id) => (id in installed ? `/ws/node_modules/${id}/dist/index.js` : null),
    load: (path) => {
      const id = Object.keys(installed).find((k) => path.includes(k))!;
      loaded.push(id);
      const v = installed[id];
      if (v instanceof Error) throw v;
      return v;
    },
    bundled: new FakeTf('bundled', bundledWorks),
  };
}

test('auto prefers the workspace tfjs-node-gpu (CUDA) and says so', async () => {
  const gpu = new FakeTf('gpu', ['tensorflow']);
  const e = env({ '@tensorflow/tfjs-node-gpu': gpu, '@tensorflow/tfjs-node': new FakeTf('node', ['tensorflow']) });
  const s = await selectBackend('auto', e);
  assert.equal(s.tf, gpu);
  assert.equal(s.info.name, 'tensorflow');
  assert.equal(s.info.label, 'tensorflow (tfjs-node-gpu, CUDA)');
  assert.equal(s.info.source, '/ws/node_modules/@tensorflow/tfjs-node-gpu/dist/index.js');
  assert.deepEqual(e.loaded, ['@tensorflow/tfjs-node-gpu']);
});

test('auto falls back to tfjs-node when tfjs-node-gpu is missing, with the reason', async () => {
  const node = new FakeTf('node', ['tensorflow']);
  const s = await selectBackend('auto', env({ '@tensorflow/tfjs-node': node }));
  assert.equal(s.tf, node);
  assert.equal(s.info.label, 'tensorflow (tfjs-node, CPU)');
  assert.equal(s.info.reasons[0], 'tfjs-node-gpu not installed in this workspace');
});

test('a tfjs-node-gpu that fails to load is reported with its error, and the next candidate is used', async () => {
  const err = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory\n    at Module._extensions');
  const s = await selectBackend('auto', env({ '@tensorflow/tfjs-node-gpu': err }));
  assert.equal(s.info.name, 'wasm');
  assert.equal(s.info.source, 'bundled');
  assert.deepEqual(s.info.reasons, [
    'tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open shared object file: No such file or directory',
    'webgpu: not available in this build of mup-lens',
    'tfjs-node not installed in this workspace',
    'using the bundled wasm backend',
  ]);
});

test('without native packages auto uses wasm, and cpu when wasm will not initialise', async () => {
  assert.equal((await selectBackend('auto', env({}))).info.name, 'wasm');
  const s = await selectBackend('auto', env({}, ['cpu']));
  assert.equal(s.info.name, 'cpu');
  assert.ok(s.info.reasons.includes("wasm backend failed: setBackend('wasm') returned false"));
});

test('a named backend tries only its own candidates and explains why none works', async () => {
  await assert.rejects(
    () => selectBackend('tensorflow', env({})),
    (err: unknown) =>
      err instanceof BackendError &&
      err.message === "no usable 'tensorflow' backend: tfjs-node-gpu not installed in this workspace; tfjs-node not installed in this workspace",
  );
  const e = env({ '@tensorflow/tfjs-node-gpu': new FakeTf('gpu', ['tensorflow']) });
  assert.equal((await selectBackend('cpu', e)).info.name, 'cpu');
  assert.deepEqual(e.loaded, [], 'asking for cpu never loads a native addon');
  const loadedButBroken = env({ '@tensorflow/tfjs-node': new FakeTf('node', []) });
  await assert.rejects(() => selectBackend('tensorflow', loadedButBroken), /tfjs-node loaded but the tensorflow backend failed: setBackend\('tensorflow'\) returned false/);
});

/** A workspace with its own @tensorflow/tfjs (and maybe its wasm backend); every path is the package's id. */
function workspaceEnv(opts: { wasmPkg: boolean; wasmPrepare?: Error; bundledWorks?: string[] }) {
  const ws = new FakeTf('workspace', ['wasm', 'cpu']);
  const calls: string[] = [];
  const e: BackendEnv<FakeTf> = {
    resolve: (id) => (id === '@tensorflow/tfjs' ? '/ws/node_modules/@tensorflow/tfjs/dist/tf.node.js' : id === '@tensorflow/tfjs-backend-wasm' && opts.wasmPkg ? '/ws/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js' : null),
    load: (path) => (calls.push(`load ${path}`), ws),
    bundled: new FakeTf('bundled', opts.bundledWorks ?? ['wasm', 'cpu']),
    prepareWasm: () => void calls.push('prepare bundled wasm'),
    prepareWorkspaceWasm: (tf, path) => {
      calls.push(`prepare workspace wasm ${path} on ${tf.id}`);
      if (opts.wasmPrepare) throw opts.wasmPrepare;
    },
  };
  return { e, ws, calls };
}

test("the workspace's own @tensorflow/tfjs and wasm backend are used when it has them (docs/architecture.md runtime policy)", async () => {
  const { e, ws, calls } = workspaceEnv({ wasmPkg: true });
  const s = await selectBackend('auto', e);
  assert.equal(s.tf, ws);
  assert.equal(s.info.name, 'wasm');
  assert.equal(s.info.label, 'wasm (workspace tfjs)');
  assert.equal(s.info.source, '/ws/node_modules/@tensorflow/tfjs/dist/tf.node.js');
  assert.equal(s.info.reasons.at(-1), "using the workspace's @tensorflow/tfjs from /ws/node_modules/@tensorflow/tfjs/dist/tf.node.js with its wasm backend");
  assert.deepEqual(calls, ['load /ws/node_modules/@tensorflow/tfjs/dist/tf.node.js', 'prepare workspace wasm /ws/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js on workspace']);
});

test("a workspace tfjs without its wasm backend: the bundled wasm, the workspace's tfjs not even loaded, and the reasons say what to install", async () => {
  const { e, calls } = workspaceEnv({ wasmPkg: false });
  const s = await selectBackend('auto', e);
  assert.deepEqual(calls, ['prepare bundled wasm']);
  assert.equal(s.tf, e.bundled);
  assert.equal(s.info.label, 'wasm (bundled)');
  assert.ok(s.info.reasons.includes("the workspace's @tensorflow/tfjs has no wasm backend beside it (install @tensorflow/tfjs-backend-wasm of the same version to run on it)"), s.info.reasons.join('\n'));
});

test("a workspace wasm backend that fails to register: reported, the bundled wasm used", async () => {
  const { e } = workspaceEnv({ wasmPkg: true, wasmPrepare: new Error('Backend name wasm already registered with a different version') });
  const s = await selectBackend('wasm', e);
  assert.equal(s.tf, e.bundled);
  assert.ok(s.info.reasons.includes("the workspace's wasm backend failed: Backend name wasm already registered with a different version"), s.info.reasons.join('\n'));
});

test("--backend cpu runs on the workspace's @tensorflow/tfjs when there is one", async () => {
  const { e, ws } = workspaceEnv({ wasmPkg: false });
  const s = await selectBackend('cpu', e);
  assert.equal(s.tf, ws);
  assert.equal(s.info.label, 'cpu (workspace tfjs)');
});

test('a workspace tfjs older than 4.x is not used (said in the reasons); the bundled one runs', async () => {
  const { e, calls } = workspaceEnv({ wasmPkg: true });
  e.versionOf = (path) => (path.includes('@tensorflow/tfjs/') ? '3.21.0' : null);
  const s = await selectBackend('auto', e);
  assert.equal(s.tf, e.bundled);
  assert.equal(s.info.label, 'wasm (bundled)');
  assert.ok(s.info.reasons.includes("the workspace's @tensorflow/tfjs is 3.21.0, older than 4.x: not used"), s.info.reasons.join('\n'));
  assert.deepEqual(calls, ['prepare bundled wasm'], 'never loaded');
});

// --- webgpu (issue 12): Dawn's adapter decides; a software adapter is never auto's choice -----------------------

const H200: AdapterSummary = { vendor: 'nvidia', architecture: 'hopper', device: '0x2335', description: 'NVIDIA H200', software: false };
const SWIFTSHADER: AdapterSummary = { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', software: true };

/** A WebGPU env whose Dawn (at `dawn`, or none) finds `adapter` (or the reason there is none). */
function webgpu(found: AdapterSummary | string | Error, opts: { dawn?: string | null; backendWorks?: boolean } = {}): WebGpuEnv<FakeTf> & { probed: string[]; prepared: string[] } {
  const probed: string[] = [];
  const prepared: string[] = [];
  return {
    probed,
    prepared,
    bundledDawn: opts.dawn === undefined ? '/ext/node_modules/webgpu/index.js' : opts.dawn,
    probe: async (entry): Promise<WebGpuProbe> => {
      probed.push(entry);
      if (found instanceof Error) throw found;
      if (typeof found === 'string') return { adapter: null, reason: found };
      return { adapter: found, handle: {}, gpu: { requestAdapter: async () => null }, dawn: { create: () => ({ requestAdapter: async () => null }), globals: {} } };
    },
    prepare: (tf, _probe, backendEntry) => {
      prepared.push(`${tf.id} ${backendEntry ?? 'bundled'}`);
      if (opts.backendWorks !== false) tf.works.push('webgpu');
    },
  };
}

test('auto: a hardware WebGPU adapter comes after tfjs-node-gpu and before tfjs-node, and the label names it', async () => {
  const w = webgpu(H200);
  const e = { ...env({ '@tensorflow/tfjs-node': new FakeTf('node', ['tensorflow']) }), webgpu: w };
  const s = await selectBackend('auto', e);
  assert.equal(s.info.name, 'webgpu');
  assert.equal(s.tf, e.bundled);
  assert.equal(s.info.label, 'webgpu (nvidia hopper, NVIDIA H200)');
  assert.deepEqual(s.info.adapter, { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', software: false });
  assert.deepEqual(s.info.reasons, ['tfjs-node-gpu not installed in this workspace', "using webgpu on nvidia hopper, NVIDIA H200, the bundled tfjs, Dawn from mup-lens's webgpu"]);
  assert.deepEqual(e.loaded, [], 'tfjs-node is not even loaded');
  assert.deepEqual(w.probed, ['/ext/node_modules/webgpu/index.js']);

  const cuda = new FakeTf('gpu', ['tensorflow']);
  const w2 = webgpu(H200);
  const first = await selectBackend('auto', { ...env({ '@tensorflow/tfjs-node-gpu': cuda }), webgpu: w2 });
  assert.equal(first.tf, cuda, 'CUDA first');
  assert.deepEqual(w2.probed, [], 'Dawn is not loaded when CUDA works');
});

test('auto never picks a software adapter (SwiftShader): it says so and goes on to tfjs-node, wasm', async () => {
  const node = new FakeTf('node', ['tensorflow']);
  const w = webgpu(SWIFTSHADER);
  const s = await selectBackend('auto', { ...env({ '@tensorflow/tfjs-node': node }), webgpu: w });
  assert.equal(s.tf, node);
  assert.ok(s.info.reasons.includes('webgpu: only a software adapter (google swiftshader, SwiftShader driver 5.0.0, software): not used under auto, wasm is faster (--backend webgpu uses it)'), s.info.reasons.join('\n'));
  assert.deepEqual(w.prepared, [], 'the webgpu backend is not even registered');
  const wasm = await selectBackend('auto', { ...env({}), webgpu: webgpu(SWIFTSHADER) });
  assert.equal(wasm.info.name, 'wasm');
});

test('--backend webgpu uses a software adapter and says that it is one', async () => {
  const s = await selectBackend('webgpu', { ...env({}), webgpu: webgpu(SWIFTSHADER) });
  assert.equal(s.info.name, 'webgpu');
  assert.equal(s.info.label, 'webgpu (google swiftshader, SwiftShader driver 5.0.0, software)');
  assert.equal(s.info.adapter?.software, true);
  assert.match(s.info.reasons.at(-1)!, /^using webgpu on a software adapter, no GPU \(google swiftshader, SwiftShader driver 5\.0\.0, software\): slower than wasm/);
});

test('why webgpu is not used: no package, a Dawn that fails to load, no adapter, a backend that will not initialise', async () => {
  const cases: [WebGpuEnv<FakeTf>, RegExp][] = [
    [webgpu(H200, { dawn: null }), /^webgpu: the 'webgpu' package \(Dawn\) is not installed: add webgpu and @tensorflow\/tfjs-backend-webgpu to the workspace .*or install the platform-specific mup-lens package$/],
    [webgpu(new Error('dawn.node: invalid ELF header\n  at Module._extensions')), /^webgpu: mup-lens's webgpu failed to load: dawn\.node: invalid ELF header$/],
    [webgpu('no Vulkan loader (libvulkan.so.1: cannot open shared object file): install libvulkan1'), /^webgpu: no Vulkan loader \(libvulkan\.so\.1/],
    [webgpu(H200, { backendWorks: false }), /^webgpu backend failed on nvidia hopper, NVIDIA H200: setBackend\('webgpu'\) returned false$/],
  ];
  for (const [w, reason] of cases) {
    const s = await selectBackend('auto', { ...env({}), webgpu: w });
    assert.equal(s.info.name, 'wasm');
    assert.ok(s.info.reasons.some((r) => reason.test(r)), `${reason} in\n${s.info.reasons.join('\n')}`);
    await assert.rejects(() => selectBackend('webgpu', { ...env({}), webgpu: w }), (err: unknown) => err instanceof BackendError && err.message.startsWith("no usable 'webgpu' backend: ") && err.reasons.some((r) => reason.test(r)));
  }
});

test("the workspace's webgpu and tfjs-backend-webgpu, on the workspace's tfjs, are preferred to mup-lens's", async () => {
  const ws = new FakeTf('workspace', ['cpu']);
  const paths: Record<string, string> = {
    '@tensorflow/tfjs': '/ws/node_modules/@tensorflow/tfjs/dist/tf.node.js',
    '@tensorflow/tfjs-backend-webgpu': '/ws/node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.node.js',
    webgpu: '/ws/node_modules/webgpu/index.js',
  };
  const w = webgpu(H200);
  const e: BackendEnv<FakeTf> = { resolve: (id) => paths[id] ?? null, load: () => ws, bundled: new FakeTf('bundled', ['wasm', 'cpu']), webgpu: w };
  const s = await selectBackend('webgpu', e);
  assert.equal(s.tf, ws);
  assert.equal(s.info.label, 'webgpu (nvidia hopper, NVIDIA H200; workspace tfjs)');
  assert.deepEqual(w.probed, ['/ws/node_modules/webgpu/index.js']);
  assert.deepEqual(w.prepared, ['workspace /ws/node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.node.js']);
  assert.match(s.info.reasons.at(-1)!, /the workspace's @tensorflow\/tfjs from \/ws\/.* with its webgpu backend, Dawn from the workspace's webgpu \(\/ws\/node_modules\/webgpu\/index\.js\)$/);

  // without its tfjs-backend-webgpu: the bundled tfjs and backend, and the reasons say what to install
  delete paths['@tensorflow/tfjs-backend-webgpu'];
  const w2 = webgpu(H200);
  const s2 = await selectBackend('webgpu', { ...e, bundled: new FakeTf('bundled', []), webgpu: w2 });
  assert.equal(s2.tf.id, 'bundled');
  assert.deepEqual(w2.prepared, ['bundled bundled']);
  assert.ok(s2.info.reasons.includes("the workspace's @tensorflow/tfjs has no webgpu backend beside it (install @tensorflow/tfjs-backend-webgpu of the same version to run on it)"));
});
