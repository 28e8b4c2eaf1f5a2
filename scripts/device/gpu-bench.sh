#!/usr/bin/env bash
# `npm run bench -- gpu` on a GPU machine without Node or network (docs/testing.md "GPU benchmark"), e.g. an NVIDIA H200
# with its driver, CUDA 13 and PyTorch, but no Node and no network. Prepared here by prepare-gpu-bench.sh, which
# says how to call it. Runs from the repository root; results (gpu.json, gpu-bench.log) go to $OUT.
# Extra arguments go to the benchmark (e.g. --quick). Also runs here (SwiftShader: VK_ICD_FILENAMES set).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/bench-results}
mkdir -p "$OUT"
[ -s .gpubench/node.xz ] && [ -s .gpubench/app.tar.gz ] || { echo "run scripts/device/prepare-gpu-bench.sh first (and carry .gpubench and .gl)"; exit 2; }

# The Vulkan loader: brought in .gl/ where the machine has none (the device README).
if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
# NVIDIA's Vulkan driver manifest, where the machine keeps it (unless a driver is named already).
nv=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$nv" ] && [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then export VK_DRIVER_FILES=$nv; fi

work=${TMPDIR:-/tmp}/mup-lens-gpubench
rm -rf "$work" && mkdir -p "$work"
if command -v xz >/dev/null; then xz -dc .gpubench/node.xz > "$work/node"
else python3 -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], 'wb'))" .gpubench/node.xz "$work/node"; fi
chmod +x "$work/node"
tar -C "$work" -xzf .gpubench/app.tar.gz
echo "node $("$work/node" --version); $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi'); VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}"
"$work/node" "$work/linux-x64/dist/gpu-bench.js" --out "$OUT" "$@" 2>&1 | tee "$OUT/gpu-bench.log"
status=${PIPESTATUS[0]}
rm -rf "$work"
exit "$status"
