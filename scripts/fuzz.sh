#!/usr/bin/env bash
# Fuzzes the emulator with libFuzzer: request decoding and validation of every endpoint (FuzzRequests)
# and the JSON-schema-driven generator with the strict-mode checks (FuzzSchema).
#
#   scripts/fuzz.sh [SECONDS]         each target runs SECONDS (default 60)
#
# The targets live in the separate package Fuzz/ (so normal builds never see them) and are built with
# -sanitize=fuzzer,address. The corpus is seeded from the tests (tests/e2e request bodies, the schema
# fixtures of Tests/EmulatorTests/Fixtures/schemas, the hand-written seeds in Fuzz/corpus) and kept in
# Fuzz/work/corpus/<target> between runs. Crash, timeout and out-of-memory inputs are kept in
# Fuzz/artifacts/<target>/. Exits non-zero when a target found one (or did not build).
#
# Environment: FUZZ_JOBS (parallel workers per target, default 1), FUZZ_MAX_LEN (default 1048576),
# FUZZ_RSS_MB (default 2048), FUZZ_TIMEOUT (seconds one input may take, default 10),
# FUZZ_TARGETS (default "FuzzRequests FuzzSchema"), PYTHON (default python3).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_EACH="${1:-60}"
TARGETS="${FUZZ_TARGETS:-FuzzRequests FuzzSchema}"
PYTHON="${PYTHON:-python3}"
WORK="$ROOT/Fuzz/work"
ARTIFACTS="$ROOT/Fuzz/artifacts"
note() { printf 'fuzz.sh: %s\n' "$*" >&2; }

# -sanitize=fuzzer,address instruments every module for coverage and links libFuzzer. -parse-as-library:
# the targets have no top-level code (SwiftPM links their `<Target>_main`, defined in CFuzzerDriver.c, which
# calls LLVMFuzzerRunDriver). -enable-testing is for `@testable import Emulator`.
FLAGS=(-c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing)
note "building the fuzz targets (debug, -sanitize=fuzzer,address)"
if ! swift build --package-path Fuzz "${FLAGS[@]}"; then
  note "the fuzz targets did not build"
  exit 2
fi
BIN="$(swift build --package-path Fuzz "${FLAGS[@]}" --show-bin-path)"

# --- seed corpus ------------------------------------------------------------------------------
mkdir -p "$WORK/seeds/FuzzRequests" "$WORK/seeds/FuzzSchema"
cp Fuzz/corpus/requests/* "$WORK/seeds/FuzzRequests/" 2>/dev/null
cp Fuzz/corpus/schema/* "$WORK/seeds/FuzzSchema/" 2>/dev/null
cp Tests/EmulatorTests/Fixtures/schemas/*.json "$WORK/seeds/FuzzSchema/" 2>/dev/null
# Request bodies written as literals in the end-to-end tests, each sent to every API route
# (the first byte of a FuzzRequests input picks the route), and every schema found in them.
"$PYTHON" - "$ROOT/tests/e2e" "$WORK/seeds" <<'PY'
import ast, hashlib, json, sys
from pathlib import Path

tests, out = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(tests))
try:
    import support
    names = {k: getattr(support, k) for k in dir(support) if k.isupper()}
except Exception:
    names = {}
API_ROUTES = range(8)  # FuzzRequests: chat, responses, completions, embeddings, messages, count_tokens, azure, /openai/v1

def schemas(value):
    if isinstance(value, dict):
        for key in ("schema", "parameters", "input_schema"):
            if isinstance(value.get(key), dict):
                yield value[key]
        for v in value.values():
            yield from schemas(v)
    elif isinstance(value, list):
        for v in value:
            yield from schemas(v)

bodies, found = set(), set()
for path in sorted(tests.glob("test_*.py")):
    try:
        tree = ast.parse(path.read_text())
    except SyntaxError:
        continue
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        try:
            value = eval(compile(ast.Expression(node), str(path), "eval"), {"__builtins__": {}}, dict(names))
            text = json.dumps(value)
        except Exception:
            continue
        if not isinstance(value, dict) or len(text) > 200_000:
            continue
        if {"model", "messages", "input", "prompt"} & set(value):
            bodies.add(text)
        for s in schemas(value):
            found.add(json.dumps(s))
for text in bodies:
    h = hashlib.sha1(text.encode()).hexdigest()[:12]
    for r in API_ROUTES:
        (out / "FuzzRequests" / f"e2e-{h}-{r}").write_bytes(bytes([r]) + text.encode())
for text in found:
    (out / "FuzzSchema" / f"e2e-{hashlib.sha1(text.encode()).hexdigest()[:12]}.json").write_text(text)
print(f"fuzz.sh: {len(bodies)} request bodies and {len(found)} schemas from tests/e2e", file=sys.stderr)
PY

# --- run --------------------------------------------------------------------------------------
status=0
declare -A summary
for target in $TARGETS; do
  corpus="$WORK/corpus/$target"
  mkdir -p "$corpus" "$ARTIFACTS/$target"
  log="$WORK/$target.log"
  note "running $target for ${SECONDS_EACH}s (log: $log)"
  parallel=()
  [ "${FUZZ_JOBS:-1}" -gt 1 ] && parallel=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
  "$BIN/$target" "$corpus" "$WORK/seeds/$target" "${parallel[@]}" \
      -max_total_time="$SECONDS_EACH" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
      -max_len="${FUZZ_MAX_LEN:-1048576}" \
      -artifact_prefix="$ARTIFACTS/$target/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  [ "${FUZZ_JOBS:-1}" -gt 1 ] && cat fuzz-*.log >>"$log" 2>/dev/null && rm -f fuzz-*.log
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')"
  units="$(find "$corpus" -type f | wc -l)"
  if [ $rc -ne 0 ] || grep -qE '^==[0-9]+==ERROR|deadly signal|Fatal error|Test unit written' "$log"; then
    status=1
    summary[$target]="FAILED (exit $rc) execs=$execs cov=${cov:-?} corpus=$units; see $log and $ARTIFACTS/$target/"
    grep -E 'ERROR|Fatal error|Test unit written|SUMMARY|deadly' "$log" | head -20 >&2
  else
    summary[$target]="ok execs=$execs cov=${cov:-?} corpus=$units"
  fi
done

for target in $TARGETS; do
  printf '%-14s %s\n' "$target" "${summary[$target]}"
done
exit $status
