import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackendError, selectBackend, type BackendEnv, type TfLike } from '../../../src/backend/select';

class FakeTf implements TfLike {
  current = 'none';
  constructor(
    readonly id: string,
    private readonly works: string[],
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
