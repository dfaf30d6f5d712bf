#!/usr/bin/env bash
# Proves the container image's runtime stage without a Docker engine.
#
#   scripts/rootfs-check.sh [BINARY]       (default: .build/release/openai-emulator)
#
# Build the binary the way the Dockerfile does first:
#   swift build -c release --product openai-emulator --static-swift-stdlib \
#     -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs
#
# What it does (as root; needs debootstrap, unshare, chroot, curl):
#   1. Assembles a minimal Debian bookworm root with `debootstrap --variant=minbase` plus exactly
#      the runtime packages of the Dockerfile (its RUNTIME_PACKAGES build argument), cached under
#      .build-rootfs/ so that reruns take seconds.
#   2. Installs the binary stripped, as the Dockerfile does, and checks that every library it
#      needs resolves inside the root (nothing from the build machine leaks in).
#   3. Starts it inside the root the way a container runs it: as uid 10001, as PID 1 of a new PID
#      namespace, on a read-only root file system with /proc mounted, configured by environment
#      only (EMULATOR_HOST, EMULATOR_PORT, ...), on 127.0.0.1 and a free port.
#   4. Smoke checks from outside: /health, /ready, /v1/models, a chat completion, a stream, the
#      Dockerfile's HEALTHCHECK command run inside the root; then SIGTERM during an open stream:
#      readiness turns 503, the stream finishes, the process exits 0.
#   5. Prints the root's size and the start-to-listening time (ms) over several starts.
#
# Environment: ROOTFS_DIR (default .build-rootfs/bookworm), ROOTFS_MIRROR (default: the bookworm
# mirror of this machine's apt sources), ROOTFS_REBUILD=1 (rebuild the cached root),
# ROOTFS_START_RUNS (start-time samples, default 7), ROOTFS_CONFIG=auto|off (mount deploy/config at
# /config and set EMULATOR_CONFIG and EMULATOR_FIXTURES, as compose and Kubernetes do, when the
# binary has --config; default auto).
# Exits non-zero when any check fails.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BIN="${1:-.build/release/openai-emulator}"
ROOTFS="${ROOTFS_DIR:-$ROOT/.build-rootfs/bookworm}"
START_RUNS="${ROOTFS_START_RUNS:-7}"
CONFIG_MODE="${ROOTFS_CONFIG:-auto}"
SUITE=bookworm
APP_UID=10001

note() { printf 'rootfs-check: %s\n' "$*" >&2; }
die() { printf 'rootfs-check: FAIL: %s\n' "$*" >&2; exit 1; }
passed=0
failed=0
ok() { passed=$((passed + 1)); printf '  ok    %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$*"; }
skip() { printf '  skip  %s\n' "$*"; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, unshare)"
for tool in debootstrap unshare chroot curl strip python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install debootstrap curl binutils)"
done
[ -x "$BIN" ] || die "no binary at $BIN: swift build -c release --product openai-emulator --static-swift-stdlib -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

# --- the runtime package list, read from the Dockerfile -------------------------------------
PACKAGES="$(sed -n 's/^ARG RUNTIME_PACKAGES="\(.*\)"$/\1/p' Dockerfile | head -n1)"
[ -n "$PACKAGES" ] || die "no ARG RUNTIME_PACKAGES=\"...\" line in Dockerfile"

# --- the Debian mirror of this machine --------------------------------------------------------
find_mirror() {
  local f
  # deb822 (.sources): a stanza whose Suites has the bare suite name.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uri != "") { print uri; found = 1; exit } types = suites = uri = "" }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      tolower($1) == "types:"  { $1 = ""; types = $0 }
      tolower($1) == "suites:" { $1 = ""; suites = $0 }
      tolower($1) == "uris:"   { uri = $2 }
      END { if (!found) flush() }' "$f"
  done
  # one-line format: deb [options] URI SUITE COMPONENTS
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | sed -e 's/#.*//' -e 's/\[[^]]*\]//' \
    | awk -v suite="$SUITE" '$1 == "deb" && $3 == suite { print $2 }'
}
MIRROR="${ROOTFS_MIRROR:-$(find_mirror | head -n1)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

# --- 1. the cached root -----------------------------------------------------------------------
STAMP="suite=$SUITE variant=minbase include=$(echo "$PACKAGES" | tr ' ' ',')"
if [ "${ROOTFS_REBUILD:-0}" = 1 ] || [ "$(cat "$ROOTFS/.rootfs-check-stamp" 2>/dev/null)" != "$STAMP" ]; then
  note "debootstrap --variant=minbase --include=$(echo "$PACKAGES" | tr ' ' ',') $SUITE $ROOTFS $MIRROR"
  rm -rf "$ROOTFS" "$ROOTFS.partial"
  mkdir -p "$(dirname "$ROOTFS")"
  t0=$EPOCHREALTIME
  if ! debootstrap --variant=minbase --include="$(echo "$PACKAGES" | tr ' ' ',')" \
        "$SUITE" "$ROOTFS.partial" "$MIRROR" > "$(dirname "$ROOTFS")/debootstrap.log" 2>&1; then
    tail -n 20 "$(dirname "$ROOTFS")/debootstrap.log" >&2
    die "debootstrap failed (log: $(dirname "$ROOTFS")/debootstrap.log)"
  fi
  # As the slim image and the Dockerfile's runtime stage leave it: no package lists, no .debs.
  rm -rf "$ROOTFS.partial"/var/lib/apt/lists/* "$ROOTFS.partial"/var/cache/apt/archives/*.deb
  # The Dockerfile's user (groupadd/useradd there; written directly here).
  echo "emulator:x:$APP_UID:" >> "$ROOTFS.partial/etc/group"
  echo "emulator:x:$APP_UID:$APP_UID::/nonexistent:/usr/sbin/nologin" >> "$ROOTFS.partial/etc/passwd"
  mkdir -p "$ROOTFS.partial/config"
  echo "$STAMP" > "$ROOTFS.partial/.rootfs-check-stamp"
  mv "$ROOTFS.partial" "$ROOTFS"
  note "root built in $(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000000 )) s"
else
  note "reusing the cached root $ROOTFS ($STAMP)"
fi

echo "== runtime root: debootstrap minbase $SUITE + $PACKAGES (mirror $MIRROR)"

# --- 2. the binary inside the root ------------------------------------------------------------
install -D -s -m 0755 "$BIN" "$ROOTFS/usr/local/bin/openai-emulator"
for p in $PACKAGES; do
  if chroot "$ROOTFS" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    ok "package $p is installed ($(chroot "$ROOTFS" dpkg-query -W -f='${Version}' "$p"))"
  else
    bad "package $p is not installed in the root"
  fi
done
lddout="$(chroot "$ROOTFS" /usr/bin/ldd /usr/local/bin/openai-emulator 2>&1)"
if [ $? -eq 0 ] && ! grep -q 'not found' <<<"$lddout"; then
  ok "every shared library resolves inside the root: $(awk '$1 ~ /^lib/ {print $1}' <<<"$lddout" | sort | tr '\n' ' ')"
else
  bad "libraries missing inside the root:"; echo "$lddout" | sed 's/^/        /'
fi
# libcurl is not linked: the upstream proxy (--proxy-to) loads it at run time.
curlout="$(chroot "$ROOTFS" /bin/sh -c 'ldd "$(/sbin/ldconfig -p | grep -m1 "libcurl\.so\.4 " | sed "s/.*=> //")"' 2>&1)"
if [ $? -eq 0 ] && grep -q 'libc\.so' <<<"$curlout" && ! grep -q 'not found' <<<"$curlout"; then
  ok "libcurl.so.4 (loaded by --proxy-to) and its libraries resolve inside the root"
else
  bad "libcurl.so.4 missing or incomplete inside the root:"; echo "$curlout" | sed 's/^/        /'
fi
[ -x "$ROOTFS/bin/bash" ] && ok "bash is present (the HEALTHCHECK uses it)" || bad "no /bin/bash in the root"

# --- 3. running it like a container does -----------------------------------------------------
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

ENV_ARGS=()
MOUNT_CONFIG=""

SERVER_PID=""
LAUNCH_PID=""
# in_root COMMAND...: runs COMMAND the way a container runs its entrypoint: PID 1 of a new PID and
# mount namespace, /proc mounted (the Swift runtime reads its arguments from /proc/self/cmdline),
# the root bind-mounted read-only, deploy/config at /config when used, as uid 10001, with a clean
# environment. The host network is shared, so 127.0.0.1 reaches it from outside.
root_cmd() {
  ROOT_CMD=(unshare --mount --pid --fork sh -c '
    set -e
    root="$1"; config="$2"; shift 2
    mount --bind "$root" "$root"
    mount -t proc proc "$root/proc"
    if [ -n "$config" ]; then mount --bind -o ro "$config" "$root/config"; fi
    mount -o remount,bind,ro "$root"
    exec chroot --userspec='"$APP_UID:$APP_UID"' "$root" "$@"' sh "$ROOTFS" "$MOUNT_CONFIG"
    /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@")
}
in_root() {  # [--timeout S] COMMAND...: in the foreground
  local limit=()
  if [ "$1" = --timeout ]; then limit=(timeout "$2"); shift 2; fi
  root_cmd "$@"
  "${limit[@]}" "${ROOT_CMD[@]}"
}
# start_server PORT [ENV=VALUE...]: the server in the background, configured by environment only.
# LAUNCH_PID is unshare's pid; the server is its only child.
start_server() {
  local port="$1"; shift
  root_cmd EMULATOR_HOST=127.0.0.1 EMULATOR_PORT="$port" "${ENV_ARGS[@]}" "$@" /usr/local/bin/openai-emulator
  "${ROOT_CMD[@]}" >>"$LOG" 2>&1 &
  LAUNCH_PID=$!
}
# The host-side pid of the server (the child of unshare), once it exists.
server_pid() {
  local i
  for i in $(seq 1 400); do
    SERVER_PID="$(cat /proc/$LAUNCH_PID/task/$LAUNCH_PID/children 2>/dev/null | awk '{print $1}')"
    [ -n "$SERVER_PID" ] || SERVER_PID="$(pgrep -P "$LAUNCH_PID" | head -n1)"
    [ -n "$SERVER_PID" ] && return 0
    sleep 0.005
  done
  return 1
}
version="$(in_root --timeout 10 /usr/local/bin/openai-emulator --version 2>&1)"
[ $? -eq 0 ] && ok "openai-emulator --version inside the root as uid $APP_UID: $version" || bad "--version failed: $version"
helptext="$(in_root --timeout 10 /usr/local/bin/openai-emulator --help 2>&1)"
has_flag() { grep -q -- "--$1\b" <<<"$helptext"; }
has_flag port || bad "openai-emulator --help inside the root printed no --port: $(head -c 300 <<<"$helptext")"

if [ "$CONFIG_MODE" = auto ] && has_flag config && [ -f deploy/config/emulator.yaml ]; then
  MOUNT_CONFIG="$ROOT/deploy/config"
  ENV_ARGS+=("EMULATOR_CONFIG=/config/emulator.yaml")
  if has_flag fixtures && [ -f deploy/config/fixtures.yaml ]; then
    ENV_ARGS+=("EMULATOR_FIXTURES=/config/fixtures.yaml")
  fi
fi

exec {NAPFD}<> <(:)
nap() { read -r -t "$1" -u "$NAPFD" || true; }
# wait_listening PORT TIMEOUT_S: polls connect() without forking; 0 once the port accepts.
wait_listening() {
  local port="$1" deadline=$(( ${EPOCHREALTIME/./} + $2 * 1000000 ))
  while [ "${EPOCHREALTIME/./}" -lt "$deadline" ]; do
    if { exec {probe}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      exec {probe}>&-
      return 0
    fi
    nap 0.001
  done
  return 1
}
stop_server() {  # SIGTERM, then the exit status (of unshare, which passes the server's on)
  kill -TERM "$SERVER_PID" 2>/dev/null
  wait "$LAUNCH_PID"
}

LOG="$(mktemp /tmp/rootfs-check.XXXXXX.log)"
WORK="$(mktemp -d /tmp/rootfs-check.XXXXXX)"
cleanup() {
  if [ -n "$LAUNCH_PID" ] && kill -0 "$LAUNCH_PID" 2>/dev/null; then
    [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$LAUNCH_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Short pacing so that a stream is open long enough to signal during it.
STREAM_ENV=(EMULATOR_RESPONSE_MODE=lorem EMULATOR_OUTPUT_TOKENS=40 EMULATOR_ITL_MS=40 EMULATOR_SHUTDOWN_GRACE=10)
DRAIN_ENV=()
if has_flag drain-delay; then DRAIN_ENV=(EMULATOR_DRAIN_DELAY=1); fi

echo "== smoke checks (server as PID 1, uid $APP_UID, read-only root${MOUNT_CONFIG:+, deploy/config at /config})"
PORT="$(free_port)"
t0=$EPOCHREALTIME
start_server "$PORT" "${STREAM_ENV[@]}" "${DRAIN_ENV[@]}"
if ! server_pid || ! wait_listening "$PORT" 10; then
  bad "the server did not listen on 127.0.0.1:$PORT within 10 s"; sed 's/^/        /' "$LOG"
  echo "rootfs-check: $passed passed, $failed failed"; exit 1
fi
first_ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
ok "listening on 127.0.0.1:$PORT after $first_ms ms (server pid $SERVER_PID on the host, PID 1 inside)"
BASE="http://127.0.0.1:$PORT"

# check NAME EXPECTED_STATUS PATTERN curl-args...
check() {
  local name="$1" want="$2" pattern="$3"; shift 3
  local out="$WORK/body" code
  code="$(curl -sS -o "$out" -w '%{http_code}' --max-time 20 "$@" 2>"$WORK/err")"
  if [ "$code" = "$want" ] && grep -Eq -- "$pattern" "$out"; then
    ok "$name -> $code"
  else
    bad "$name -> $code (want $want and /$pattern/): $(head -c 300 "$out") $(cat "$WORK/err")"
  fi
}
CHAT='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}'
STREAM='{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}]}'
JSONH=(-H 'Content-Type: application/json' -H 'Authorization: Bearer sk-test')

check "GET /health" 200 '"status" *: *"ok"' "$BASE/health"
if has_flag drain-delay; then
  check "GET /ready" 200 '"status" *: *"ready"' "$BASE/ready"
else
  skip "GET /ready: this binary has no --drain-delay yet (readiness not built in)"
fi
check "GET /v1/models" 200 '"data"' "${JSONH[@]}" "$BASE/v1/models"
check "POST /v1/chat/completions" 200 '"object" *: *"chat\.completion"' "${JSONH[@]}" -d "$CHAT" "$BASE/v1/chat/completions"
check "POST /v1/chat/completions (stream)" 200 'data: \[DONE\]' -N "${JSONH[@]}" -d "$STREAM" "$BASE/v1/chat/completions"
code="$(curl -s -o "$WORK/metrics" -w '%{http_code}' --max-time 5 "$BASE/metrics")"
if [ "$code" = 200 ]; then
  grep -q '^# TYPE ' "$WORK/metrics" && ok "GET /metrics -> 200 (Prometheus text)" || bad "GET /metrics -> 200 but no '# TYPE' lines"
else
  skip "GET /metrics -> $code (not in this binary)"
fi

# The Dockerfile's HEALTHCHECK command, run inside the root as the image would run it.
HC="$(python3 - <<'PY'
import json, re
text = open("Dockerfile").read().replace("\\\n", " ")
m = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])\s*$", text, re.M)
print(json.loads(m.group(1))[2] if m else "")
PY
)"
if [ -z "$HC" ]; then
  bad "no HEALTHCHECK CMD [\"bash\", \"-c\", ...] in the Dockerfile"
elif chroot --userspec=$APP_UID:$APP_UID "$ROOTFS" /usr/bin/env -i EMULATOR_PORT="$PORT" /bin/bash -c "$HC"; then
  ok "the Dockerfile's HEALTHCHECK passes inside the root"
else
  bad "the Dockerfile's HEALTHCHECK fails inside the root"
fi

# SIGHUP reloads the mounted config and fixtures; the server keeps serving.
if [ -n "$MOUNT_CONFIG" ]; then
  kill -HUP "$SERVER_PID"
  for i in $(seq 1 100); do grep -q 'reload' "$LOG" && break; nap 0.02; done
  if grep -q 'reload failed' "$LOG"; then
    bad "SIGHUP: $(grep 'reload failed' "$LOG" | tail -n1)"
  elif grep -q 'reloaded' "$LOG"; then
    ok "SIGHUP reloaded deploy/config/emulator.yaml and fixtures.yaml"
  else
    bad "SIGHUP: no reload logged within 2 s"
  fi
  check "GET /health after SIGHUP" 200 '"status" *: *"ok"' "$BASE/health"
  check "fixture from deploy/config/fixtures.yaml (ping -> pong)" 200 'pong' "${JSONH[@]}" \
    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"ping"}]}' "$BASE/v1/chat/completions"
else
  skip "SIGHUP reload: no --config in this binary (or ROOTFS_CONFIG=off)"
fi

# SIGTERM during an open stream.
curl -sS -N --max-time 30 "${JSONH[@]}" -d "$STREAM" "$BASE/v1/chat/completions" > "$WORK/stream" 2>&1 &
curl_pid=$!
nap 0.4
t_term=$EPOCHREALTIME
kill -TERM "$SERVER_PID"
if has_flag drain-delay; then
  nap 0.1
  check "GET /ready while draining" 503 '"status"' "$BASE/ready"
  check "GET /health while draining (new connections still served)" 200 '"status" *: *"ok"' "$BASE/health"
fi
wait "$curl_pid"
if grep -q 'data: \[DONE\]' "$WORK/stream"; then
  ok "the stream open at SIGTERM finished ($(grep -c '^data: ' "$WORK/stream") events, [DONE])"
else
  bad "the stream open at SIGTERM was cut: $(tail -c 300 "$WORK/stream")"
fi
wait "$LAUNCH_PID"; rc=$?
stop_ms=$(( (${EPOCHREALTIME/./} - ${t_term/./}) / 1000 ))
LAUNCH_PID=""
[ "$rc" = 0 ] && ok "exit status 0 after SIGTERM ($stop_ms ms from SIGTERM to exit)" \
              || { bad "exit status $rc after SIGTERM"; tail -n 20 "$LOG" | sed 's/^/        /'; }

# --- 5. figures ------------------------------------------------------------------------------
echo "== start-up: launch to listening socket, $START_RUNS starts"
samples=()
FAST_ENV=()
if has_flag drain-delay; then FAST_ENV=(EMULATOR_DRAIN_DELAY=0); fi
for i in $(seq 1 "$START_RUNS"); do
  PORT="$(free_port)"
  t0=$EPOCHREALTIME
  start_server "$PORT" "${FAST_ENV[@]}"
  if server_pid && wait_listening "$PORT" 10; then
    samples+=($(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 )))
  else
    bad "start $i: not listening within 10 s"
  fi
  stop_server; rc=$?
  LAUNCH_PID=""
  [ "$rc" = 0 ] || bad "start $i: exit status $rc after SIGTERM"
done
if [ "${#samples[@]}" -gt 0 ]; then
  sorted=($(printf '%s\n' "${samples[@]}" | sort -n))
  median=${sorted[$(( ${#sorted[@]} / 2 ))]}
  echo "start_to_listening_ms: median=$median min=${sorted[0]} max=${sorted[-1]} (samples: ${samples[*]})"
  echo "  (includes unshare + chroot + exec; measured by connect() polling every 1 ms)"
fi

echo "== sizes"
bin_bytes=$(stat -c %s "$ROOTFS/usr/local/bin/openai-emulator")
echo "root_size: $(du -sh "$ROOTFS" | cut -f1) ($(du -sm "$ROOTFS" | cut -f1) MiB with the binary; debootstrap minbase, not slimmed)"
total_k=$(du -sk "$ROOTFS" | cut -f1)
docs_k=$(du -sck "$ROOTFS"/usr/share/doc "$ROOTFS"/usr/share/man "$ROOTFS"/usr/share/info "$ROOTFS"/usr/share/locale 2>/dev/null | tail -n1 | cut -f1)
echo "root_size_without_docs_man_locales: $(( (total_k - docs_k) / 1024 )) MiB (the slim base image leaves these out)"
echo "binary_size: $(( bin_bytes / 1048576 )) MiB stripped"
gz=$(tar -C "$ROOTFS" --exclude=./usr/share/doc --exclude=./usr/share/man --exclude=./usr/share/info \
  --exclude=./usr/share/locale --exclude=./proc -cf - . 2>/dev/null | gzip -6 | wc -c)
echo "root_gzip_estimate: $(( gz / 1048576 )) MiB (tar | gzip -6 of the trimmed root: roughly the compressed image)"

echo "rootfs-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
