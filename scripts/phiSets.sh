#!/usr/bin/env bash
# Installs the external labelled PII / de-identification sets that `npm run bench -- phi` scores, from PyPI,
# into a cache (never into this repository: their data is not ours to commit):
#   ${CLINICAL_FT_PHI_CACHE:-$HOME/.cache/clinical-ft-phisets}/venv     presidio-evaluator (MIT), scrubadub (MIT), philter-ucsf (BSD), Faker
#   ${CLINICAL_FT_PHI_CACHE:-$HOME/.cache/clinical-ft-phisets}/sets/*.jsonl   written by test/bench/phi/externalSets.py
#   ${CLINICAL_FT_PHI_CACHE:-$HOME/.cache/clinical-ft-phisets}/npm       compromise and wink-nlp (MIT), measured for names
# Prints the sets folder as its last stdout line. Idempotent: a stamp of this script and the generator skips the work.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
gen="$here/../test/bench/phi/externalSets.py"
cache="${CLINICAL_FT_PHI_CACHE:-$HOME/.cache/clinical-ft-phisets}"
venv="$cache/venv"
sets="$cache/sets"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
stamp_want="$(cat "$0" "$gen" | sha256sum | cut -c1-16)"
if [[ -f "$sets/.stamp" && "$(cat "$sets/.stamp")" == "$stamp_want" ]]; then echo "$sets"; exit 0; fi
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" >&2
# The two set packages without their dependencies (their detectors and NLP stacks are not needed to read the
# data), then only what the presidio sentence generator imports.
"$venv/bin/pip" install -q --no-deps presidio-evaluator==0.3.2 philter-ucsf==1.0.3 >&2
"$venv/bin/pip" install -q 'faker==40.*' 'pandas>=2' numpy 'spacy>=3.8,<4' pyyaml requests python-dotenv tqdm >&2
# scrubadub's document generator imports its whole package (detectors included), so it comes with its dependencies.
"$venv/bin/pip" install -q scrubadub==2.0.1 >&2
# The two NLP libraries the issue names for person names, only so the bench can measure them beside ours
# (the extension does not ship them).
if command -v npm >/dev/null; then
  npm install -s --prefix "$cache/npm" --no-audit --no-fund --no-save compromise@14.17.0 wink-nlp@2.4.0 wink-eng-lite-web-model@1.8.1 >&2 || echo "phiSets: npm install of compromise / wink-nlp failed; the bench skips them" >&2
fi
rm -rf "$sets"
"$venv/bin/python" "$gen" "$sets" 3000 >&2
echo "$stamp_want" > "$sets/.stamp"
echo "$sets"
