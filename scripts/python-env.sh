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

if [[ -x "$py" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp_want" ]]; then
  if verify; then
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
echo "$py"
