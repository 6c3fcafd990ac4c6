#!/usr/bin/env bash
# Creates or verifies the pinned Python stack of the TRL engine (issue 13) in a cached virtual environment:
#   ${CLINICAL_FT_PY_CACHE:-$HOME/.cache/clinical-ft-py}/venv
# Prints the venv's python path as its last stdout line (everything else goes to stderr), so callers can do
#   export CLINICAL_FT_PYTHON="$(bash scripts/python-env.sh)"
# Idempotent: when the stamp matches scripts/python-lock.txt it only verifies imports and versions (seconds).
# Every package comes from PyPI with --no-deps from the lock, so the closure is exactly the lock's (see there
# why the CUDA runtime wheels are in it even for CPU, and what is left out).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lock="$here/python-lock.txt"
cache="${CLINICAL_FT_PY_CACHE:-$HOME/.cache/clinical-ft-py}"
venv="$cache/venv"
base_python="${CLINICAL_FT_PY_BASE:-python3}"
py="$venv/bin/python"

log() { echo "python-env: $*" >&2; }

command -v "$base_python" >/dev/null || { log "no $base_python on PATH (set CLINICAL_FT_PY_BASE to a Python >= 3.10)"; exit 2; }
mkdir -p "$cache"

# One installer at a time: several test stages or helpers may ask for the venv at once.
exec 9>"$cache/.lock"
flock 9

# The stamp names the lock's content and the base interpreter, so a changed pin or Python rebuilds.
stamp_want="$(sha256sum "$lock" | cut -c1-16)-$("$base_python" -c 'import sys;print("%d.%d.%d"%sys.version_info[:3])')"
stamp_file="$venv/.clinical-ft-stamp"

verify() {
  "$py" - "$lock" <<'PY'
import sys, importlib.metadata as md, re
want = {}
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if line:
        name, ver = line.split("==")
        want[name] = ver
bad = []
for name, ver in want.items():
    try:
        have = md.version(name)
    except md.PackageNotFoundError:
        bad.append(f"{name} missing (want {ver})")
        continue
    if have != ver:
        bad.append(f"{name} {have} (want {ver})")
if bad:
    print("python-env: version mismatch: " + "; ".join(bad), file=sys.stderr)
    sys.exit(1)
import torch, transformers, trl, peft, accelerate, datasets, yaml, safetensors, tokenizers  # noqa: F401
a = torch.randn(8, 8, requires_grad=True)
(a @ a).sum().backward()
assert a.grad is not None and a.grad.shape == (8, 8)
print(f"python-env: ok torch {torch.__version__} transformers {transformers.__version__} trl {trl.__version__} "
      f"peft {peft.__version__} accelerate {accelerate.__version__}", file=sys.stderr)
PY
}

# The export stage's packages (python-lock-export.txt) go into the same venv under a stamp of their own:
# llama-cpp-python is built from source (PyPI has no wheels), which must not force a torch reinstall.
export_lock="$here/python-lock-export.txt"
export_stamp_file="$venv/.clinical-ft-export-stamp"
export_stamp_want="$(sha256sum "$export_lock" | cut -c1-16)-$stamp_want"

verify_export() {
  "$py" - "$export_lock" <<'PY'
import sys, importlib.metadata as md
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if line:
        name, ver = line.split("==")
        have = md.version(name)
        if have != ver:
            sys.exit(f"python-env: {name} {have} (want {ver})")
import llama_cpp, gguf  # noqa: F401
print(f"python-env: ok llama-cpp-python {llama_cpp.__version__} (llama.cpp CPU build)", file=sys.stderr)
PY
}

install_export() {
  local t0
  t0=$(date +%s)
  command -v cmake >/dev/null || { log "llama-cpp-python is built from source: install cmake and a C/C++ compiler (apt-get install cmake g++)"; exit 2; }
  log "building llama-cpp-python from source (vendored llama.cpp, CPU; about 4 min on 2 cores)"
  grep -v '^llama_cpp_python' "$export_lock" | "$py" -m pip install --quiet --disable-pip-version-check --no-input --no-deps --only-binary :all: -r /dev/stdin >&2
  CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
    "$py" -m pip install --quiet --disable-pip-version-check --no-input --no-deps --no-binary llama_cpp_python \
    "$(grep '^llama_cpp_python' "$export_lock" | cut -d'#' -f1 | tr -d ' ')" >&2
  verify_export
  echo "$export_stamp_want" >"$export_stamp_file"
  log "export packages installed in $(( $(date +%s) - t0 )) s"
}

ensure_export() {
  if [[ -f "$export_stamp_file" && "$(cat "$export_stamp_file")" == "$export_stamp_want" ]] && verify_export; then return; fi
  install_export
}

if [[ -x "$py" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp_want" ]]; then
  if verify; then
    ensure_export
    echo "$py"
    exit 0
  fi
  log "cached venv failed verification: rebuilding"
fi

t0=$(date +%s)
log "creating $venv (cold install; PyPI's torch wheels are large, expect minutes)"
rm -rf "$venv"
"$base_python" -m venv "$venv"
"$py" -m pip install --quiet --disable-pip-version-check --no-input --no-deps --only-binary :all: -r "$lock" >&2
verify
echo "$stamp_want" >"$stamp_file"
log "installed in $(( $(date +%s) - t0 )) s"
install_export
echo "$py"
