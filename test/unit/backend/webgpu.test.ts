// src/backend/webgpu.ts with a fake Dawn: what an adapter is called, which adapters are software, which
// adapter is asked for, why there is none, and the release of tfjs-backend-webgpu's pool of free GPU buffers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeAdapter, probeAdapter, releaseFreeGpuBuffers, summarizeAdapter, type DawnModule, type GpuAdapterLike } from '../../../src/backend/webgpu';
import { DAWN_DISCOVERY_NOISE } from '../../../src/host/workerClient';

test('adapters are named by vendor, architecture and description; software ones say so', () => {
  const h200 = summarizeAdapter({ info: { vendor: 'nvidia', architecture: 'hopper', device: '0x2335', description: 'NVIDIA H200' } });
  assert.equal(h200.software, false);
  assert.equal(describeAdapter(h200), 'nvidia hopper, NVIDIA H200');
  const swiftshader = summarizeAdapter({ info: { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true } });
  assert.equal(describeAdapter(swiftshader), 'google swiftshader, SwiftShader driver 5.0.0, software');
  // software by name too, where Dawn does not flag it as its fallback adapter
  for (const description of ['llvmpipe (LLVM 15.0.6, 256 bits)', 'Microsoft Basic Render Driver', 'lavapipe']) {
    assert.equal(summarizeAdapter({ info: { vendor: 'mesa', architecture: '', description } }).software, true, description);
  }
  assert.equal(summarizeAdapter({ isFallbackAdapter: true, info: { vendor: 'x', description: 'y' } }).software, true);
  assert.equal(describeAdapter(summarizeAdapter({ info: { vendor: 'apple', architecture: 'metal-3', description: '' } })), 'apple metal-3');
  assert.equal(describeAdapter(summarizeAdapter({})), 'unnamed adapter');
});

/** A Dawn whose requestAdapter answers per option set (high-performance first, then the fallback). */
function fakeDawn(answers: { highPerformance?: GpuAdapterLike | null; fallback?: GpuAdapterLike | null }): DawnModule & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    globals: { GPUBufferUsage: { STORAGE: 128 } },
    create: () => ({
      requestAdapter: async (o) => {
        asked.push(JSON.stringify(o));
        return (o?.forceFallbackAdapter ? answers.fallback : answers.highPerformance) ?? null;
      },
    }),
  };
}

test('Dawn is asked for the high-performance adapter, then for its fallback one, which is reported as software', async () => {
  const gpu = { info: { vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900 XTX' } };
  const d1 = fakeDawn({ highPerformance: gpu });
  const p1 = await probeAdapter(d1);
  assert.equal(p1.adapter?.description, 'AMD Radeon RX 7900 XTX');
  assert.deepEqual(d1.asked, ['{"powerPreference":"high-performance"}']);
  const d2 = fakeDawn({ fallback: { info: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true } } });
  const p2 = await probeAdapter(d2);
  assert.equal(p2.adapter?.software, true);
  assert.deepEqual(d2.asked, ['{"powerPreference":"high-performance"}', '{"forceFallbackAdapter":true}']);
});

test('no adapter: the reason names the missing Vulkan loader, the driver files set, or the platform', async () => {
  const none = fakeDawn({});
  const noLoader = await probeAdapter(none, { platform: 'linux', env: {}, vulkanLoader: () => ({ ok: false, error: 'libvulkan.so.1: cannot open shared object file: No such file or directory' }) });
  assert.equal(noLoader.adapter, null);
  assert.match(noLoader.adapter === null ? noLoader.reason : '', /^no Vulkan loader \(libvulkan\.so\.1: libvulkan\.so\.1: cannot open shared object file.*\): install your distribution's libvulkan1/);
  const noDriver = await probeAdapter(none, { platform: 'linux', env: {}, vulkanLoader: () => ({ ok: true }), swiftShaderManifest: null });
  assert.match(noDriver.adapter === null ? noDriver.reason : '', /^no adapter: Dawn found no usable Vulkan driver \(is the GPU driver, with its Vulkan part, installed\? Mesa lavapipe is not usable\)$/);
  const hint = await probeAdapter(none, { platform: 'linux', env: {}, vulkanLoader: () => ({ ok: true }), swiftShaderManifest: '/usr/lib/chromium/vk_swiftshader_icd.json' });
  assert.match(hint.adapter === null ? hint.reason : '', /; without a GPU, --backend webgpu runs on SwiftShader with VK_ICD_FILENAMES=\/usr\/lib\/chromium\/vk_swiftshader_icd\.json$/);
  const icd = await probeAdapter(none, { platform: 'linux', env: { VK_ICD_FILENAMES: '/nowhere/icd.json' }, vulkanLoader: () => ({ ok: true }) });
  assert.equal(icd.adapter === null ? icd.reason : '', 'no adapter: Dawn found no usable Vulkan driver in VK_ICD_FILENAMES=/nowhere/icd.json');
  const mac = await probeAdapter(none, { platform: 'darwin' });
  assert.equal(mac.adapter === null ? mac.reason : '', 'no adapter: Dawn found no usable GPU (Metal)');
});

test('the free GPU buffers of a finished width are destroyed; buffers of live tensors are not touched', () => {
  const destroyed: number[] = [];
  const buffer = (size: number) => ({ size, destroy: () => void destroyed.push(size) });
  const manager = { freeBuffers: new Map([['1024_140', [buffer(1024), buffer(1024)]], ['64_140', [buffer(64)]]]), usedBuffers: new Map([['4096_140', [buffer(4096)]]]), numFreeBuffers: 3, numBytesAllocated: 1024 * 2 + 64 + 4096 };
  const tf = { getBackend: () => 'webgpu', backend: () => ({ bufferManager: manager }) };
  assert.equal(releaseFreeGpuBuffers(tf), 2112);
  assert.deepEqual(destroyed, [1024, 1024, 64]);
  assert.equal(manager.numFreeBuffers, 0);
  assert.equal(manager.numBytesAllocated, 4096, 'what live tensors hold');
  assert.deepEqual([...manager.freeBuffers.keys()], ['1024_140', '64_140'], 'the keys stay: tfjs drops a released buffer untracked when the map is empty');
  assert.equal(releaseFreeGpuBuffers({ getBackend: () => 'wasm', backend: () => ({}) }), 0);
});

test("Dawn's adapter-discovery messages on stderr are recognised (the host drops them), other lines are not", () => {
  const dawn = [
    'Warning: Vulkan shaderUniform*ArrayDynamicIndexing required.',
    ' - While initializing adapter (backend=BackendType::Vulkan)',
    '    at InitializeImpl (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/PhysicalDeviceVk.cpp:257)',
    'Error: Loader Message: setup_loader_term_phys_devs:  Failed to detect any valid GPUs in the current config',
    'Warning: vkEnumeratePhysicalDevices',
    '    at GatherPhysicalDevices (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/VulkanInfo.cpp:147)',
    'error: XDG_RUNTIME_DIR is invalid or not set in the environment.',
  ];
  for (const line of dawn) assert.ok(DAWN_DISCOVERY_NOISE.test(line.trim()), line);
  for (const line of ['Warning: my model is slow', 'Error: boom', '    at mlp (/work/model.ts:3:7)', 'epoch 1 loss 0.3']) assert.ok(!DAWN_DISCOVERY_NOISE.test(line.trim()), line);
});
