#!/usr/bin/env bash
# Builds and starts openai-emulator (release build). Arguments go to the server:
#
#   scripts/run.sh                      listens on http://127.0.0.1:8383
#   scripts/run.sh --port 9000 --itl-ms 20 --api-key sk-local
#
# Run `scripts/run.sh --help` for every flag.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/bootstrap.sh
swift build -c release --product openai-emulator >&2
BIN="$(swift build -c release --show-bin-path)/openai-emulator"
exec "$BIN" "$@"
