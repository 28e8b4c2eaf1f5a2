// Where the tests find a WebGPU adapter without a GPU (docs/testing.md "Unit tier"): Dawn (the `webgpu`
// package) on SwiftShader, the software Vulkan driver that Debian's chromium ships in its library folder, through
// Debian's Vulkan loader (libvulkan1). `swiftShader()` says what is missing, for the tests' skip reasons.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dlopenVulkanLoader } from '../../../src/backend/webgpu';

const MANIFESTS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib64/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

/** The environment that makes Dawn see SwiftShader, or why it cannot here. */
export function swiftShader(): { env: Record<string, string> } | { skip: string } {
  try {
    require.resolve('webgpu');
  } catch {
    return { skip: "the 'webgpu' package is not installed (npm install)" };
  }
  const fromEnv = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  const manifest = fromEnv && /swiftshader/i.test(fromEnv) && existsSync(fromEnv) ? fromEnv : MANIFESTS.find((m) => existsSync(m));
  if (!manifest) return { skip: `no SwiftShader Vulkan driver (vk_swiftshader_icd.json; apt-get install chromium puts it in /usr/lib/chromium/)` };
  if (process.platform !== 'linux') return { skip: 'SwiftShader through Vulkan is set up on Linux only' };
  const loader = dlopenVulkanLoader();
  if (!loader.ok) return { skip: `no Vulkan loader (apt-get install libvulkan1): ${loader.error}` };
  const runtime = join(tmpdir(), 'mup-lens-xdg-runtime');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  return { env: { VK_ICD_FILENAMES: manifest, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? runtime } };
}
